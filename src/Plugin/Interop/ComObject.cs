using System.Runtime.InteropServices;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// A managed object seen by the host through one or more "COM views" (docs/vst3.md §10): each
/// view is a 16-byte native block { vtable*, GCHandle } so the managed object is found from the
/// native <c>this</c> without a lookup table. All views share one reference count; at zero the
/// views and the strong GCHandle are freed.
/// </summary>
internal abstract unsafe class ComObject
{
    private int refCount = 1;
    private GCHandle self;
    private readonly nint[] views;

    protected ComObject(params nint[] vtables)
    {
        self = GCHandle.Alloc(this);
        views = new nint[vtables.Length];
        for (int i = 0; i < vtables.Length; i++)
        {
            var block = (nint*)NativeMemory.Alloc(2, (nuint)sizeof(nint));
            block[0] = vtables[i];
            block[1] = GCHandle.ToIntPtr(self);
            views[i] = (nint)block;
        }
    }

    /// <summary>The pointer the host sees for view <paramref name="index"/> (0 = identity / FUnknown).</summary>
    public void* View(int index) => (void*)views[index];

    /// <summary>The view index answering <paramref name="iid"/>, or -1.</summary>
    protected abstract int ViewFor(byte* iid);

    public static T From<T>(void* view) where T : ComObject => (T)GCHandle.FromIntPtr(((nint*)view)[1]).Target!;

    /// <summary>Current reference count (UI thread diagnostics: the controller reuses its one editor view when only it holds it).</summary>
    public int RefCount => Volatile.Read(ref refCount);

    public uint AddRef() => (uint)Interlocked.Increment(ref refCount);

    public uint Release()
    {
        int n = Interlocked.Decrement(ref refCount);
        if (n == 0)
        {
            OnFinalRelease();
            foreach (var v in views) NativeMemory.Free((void*)v);
            self.Free();
        }
        return (uint)Math.Max(n, 0);
    }

    protected virtual void OnFinalRelease() { }

    public int QueryInterface(byte* iid, void** obj)
    {
        if (obj == null) return Vst.kInvalidArgument;
        int v = Vst.Equal(iid, Vst.FUnknown) ? 0 : ViewFor(iid);
        if (v < 0) { *obj = null; return Vst.kNoInterface; }
        AddRef();
        *obj = View(v);
        return Vst.kResultOk;
    }

    // The three FUnknown slots, shared by every vtable (slots 0..2, docs/vst3.md §3).
    [UnmanagedCallersOnly]
    private static int QueryInterfaceSlot(void* self, byte* iid, void** obj)
    {
        try { return From<ComObject>(self).QueryInterface(iid, obj); }
        catch { if (obj != null) *obj = null; return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static uint AddRefSlot(void* self)
    {
        try { return From<ComObject>(self).AddRef(); } catch { return 1; }
    }

    [UnmanagedCallersOnly]
    private static uint ReleaseSlot(void* self)
    {
        try { return From<ComObject>(self).Release(); } catch { return 0; }
    }

    /// <summary>Builds a vtable in native memory that is never freed: FUnknown slots, then <paramref name="slots"/>.</summary>
    protected static nint MakeVtable(params nint[] slots)
    {
        var vt = (nint*)NativeMemory.Alloc((nuint)(3 + slots.Length), (nuint)sizeof(nint));
        vt[0] = (nint)(delegate* unmanaged<void*, byte*, void**, int>)&QueryInterfaceSlot;
        vt[1] = (nint)(delegate* unmanaged<void*, uint>)&AddRefSlot;
        vt[2] = (nint)(delegate* unmanaged<void*, uint>)&ReleaseSlot;
        for (int i = 0; i < slots.Length; i++) vt[3 + i] = slots[i];
        return (nint)vt;
    }
}

/// <summary>Calls into host objects through their vtables (slot numbers from docs/vst3.md §3).</summary>
internal static unsafe class Host
{
    public static void** Vt(void* obj) => *(void***)obj;

    public static uint AddRef(void* obj) => obj == null ? 0 : ((delegate* unmanaged<void*, uint>)Vt(obj)[1])(obj);
    public static uint Release(void* obj) => obj == null ? 0 : ((delegate* unmanaged<void*, uint>)Vt(obj)[2])(obj);

    public static void* Query(void* obj, byte[] iid)
    {
        if (obj == null) return null;
        void* result = null;
        fixed (byte* p = iid)
        {
            int r = ((delegate* unmanaged<void*, byte*, void**, int>)Vt(obj)[0])(obj, p, &result);
            return r == Vst.kResultOk ? result : null;
        }
    }

    // IBStream: 3 read, 4 write.
    public static int StreamRead(void* stream, byte* buffer, int count, int* read) =>
        ((delegate* unmanaged<void*, byte*, int, int*, int>)Vt(stream)[3])(stream, buffer, count, read);
    public static int StreamWrite(void* stream, byte* buffer, int count, int* written) =>
        ((delegate* unmanaged<void*, byte*, int, int*, int>)Vt(stream)[4])(stream, buffer, count, written);

    /// <summary>Reads exactly <paramref name="dst"/>.Length bytes (looping over short reads); false at end of data.</summary>
    public static bool ReadExactly(void* stream, Span<byte> dst)
    {
        fixed (byte* p = dst) return TransferAll(stream, p, dst.Length, &StreamRead);
    }

    public static bool WriteAll(void* stream, ReadOnlySpan<byte> src)
    {
        fixed (byte* p = src) return TransferAll(stream, p, src.Length, &StreamWrite);
    }

    // IBStream's read and write share one signature and may both move fewer bytes than asked.
    private static bool TransferAll(void* stream, byte* p, int length, delegate*<void*, byte*, int, int*, int> transfer)
    {
        int done = 0;
        while (done < length)
        {
            int moved = 0;
            int r = transfer(stream, p + done, length - done, &moved);
            if (r != Vst.kResultOk || moved <= 0) return false;
            done += moved;
        }
        return true;
    }

    /// <summary>Reads one PluginState from a host stream: the common 12 bytes, the rest of the
    /// version's header, then exactly the announced size (never beyond: a stream inside a preset works).</summary>
    public static byte[]? ReadState(void* stream)
    {
        if (stream == null) return null;
        Span<byte> header = stackalloc byte[PluginState.HeaderSizeV2];
        if (!ReadExactly(stream, header[..PluginState.HeaderSize])) return null;
        int h = PluginState.HeaderLength(header);
        if (h < 0 || (h > PluginState.HeaderSize && !ReadExactly(stream, header[PluginState.HeaderSize..h]))) return null;
        int size = PluginState.SizeFromHeader(header[..h]);
        if (size < 0) return null;
        var data = new byte[size];
        header[..h].CopyTo(data);
        return ReadExactly(stream, data.AsSpan(h)) ? data : null;
    }

    // IComponentHandler: 6 restartComponent.
    public static int RestartComponent(void* handler, int flags) =>
        ((delegate* unmanaged<void*, int, int>)Vt(handler)[6])(handler, flags);

    // IHostApplication: 4 createInstance(cid, iid, obj).
    public static void* CreateMessage(void* hostApp)
    {
        void* obj = null;
        fixed (byte* iid = Vst.IMessage)
        {
            int r = ((delegate* unmanaged<void*, byte*, byte*, void**, int>)Vt(hostApp)[4])(hostApp, iid, iid, &obj);
            return r == Vst.kResultOk ? obj : null;
        }
    }

    // IMessage: 3 getMessageID, 4 setMessageID, 5 getAttributes.
    public static byte* GetMessageId(void* msg) => ((delegate* unmanaged<void*, byte*>)Vt(msg)[3])(msg);
    public static void SetMessageId(void* msg, byte* id) => ((delegate* unmanaged<void*, byte*, void>)Vt(msg)[4])(msg, id);
    public static void* GetAttributes(void* msg) => ((delegate* unmanaged<void*, void*>)Vt(msg)[5])(msg);

    // IAttributeList: 3 setInt, 4 getInt.
    public static int SetInt(void* list, byte* id, long value) => ((delegate* unmanaged<void*, byte*, long, int>)Vt(list)[3])(list, id, value);
    public static int GetInt(void* list, byte* id, long* value) => ((delegate* unmanaged<void*, byte*, long*, int>)Vt(list)[4])(list, id, value);

    // IConnectionPoint: 5 notify.
    public static int Notify(void* peer, void* msg) => ((delegate* unmanaged<void*, void*, int>)Vt(peer)[5])(peer, msg);

    // IParameterChanges: 3 getParameterCount, 4 getParameterData. IParamValueQueue: 3 id, 4 count, 5 getPoint.
    public static int ChangesCount(void* changes) => ((delegate* unmanaged<void*, int>)Vt(changes)[3])(changes);
    public static void* ChangesQueue(void* changes, int index) => ((delegate* unmanaged<void*, int, void*>)Vt(changes)[4])(changes, index);
    public static uint QueueId(void* q) => ((delegate* unmanaged<void*, uint>)Vt(q)[3])(q);
    public static int QueueCount(void* q) => ((delegate* unmanaged<void*, int>)Vt(q)[4])(q);
    public static int QueuePoint(void* q, int index, int* offset, double* value) =>
        ((delegate* unmanaged<void*, int, int*, double*, int>)Vt(q)[5])(q, index, offset, value);
}
