using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// A minimal VST3 host written for the tests independently of the interop layer (IIDs, slot numbers,
/// struct offsets as raw numbers; docs/vst3.md §3, §4): it shares no code with the plug-in's interop layer, so a wrong slot or
/// offset on either side shows up as a failure instead of cancelling out.
/// </summary>
internal static unsafe class Abi
{
    public const int Ok = 0, False = 1, NoInterface = -1;

    public static byte[] Tuid(string hex) => Convert.FromHexString(hex); // Linux layout = FUID hex dump (§2)
    public static readonly byte[] FUnknown = Tuid("0000000000000000C000000000000046");
    public static readonly byte[] IPluginFactory = Tuid("7A4D811C52114A1FAED9D2EE0B43BF9F");
    public static readonly byte[] IPluginFactory2 = Tuid("0007B650F24B4C0BA464EDB9F00B2ABB");
    public static readonly byte[] IPluginFactory3 = Tuid("4555A2ABC1234E579B12291036878931");
    public static readonly byte[] IComponent = Tuid("E831FF31F2D54301928EBBEE25697802");
    public static readonly byte[] IAudioProcessor = Tuid("42043F99B7DA453CA569E79D9AAEC33D");
    public static readonly byte[] IProcessContextRequirements = Tuid("2A654303EF764E3D95B5FE83730EF6D0");
    public static readonly byte[] IEditController = Tuid("DCD7BBE37742448DA874AACC979C759E");
    public static readonly byte[] IEditController2 = Tuid("7F4EFE59F3204967AC27A3AEAFB63038");
    public static readonly byte[] IConnectionPoint = Tuid("70A4156F6E6E4026989148BFAA60D8D1");
    public static readonly byte[] IMessage = Tuid("936F033BC6C047DBBB0882F813C1E613");
    public static readonly byte[] IAttributeList = Tuid("1E5F0AEBCC7F4533A254401138AD5EE4");
    public static readonly byte[] IComponentHandler = Tuid("93A0BEA30BD045DB8E890B0CC1E46AC6");
    public static readonly byte[] IHostApplication = Tuid("58E595CCDB2D49698B6AAF8C36A664E5");
    public static readonly byte[] IBStream = Tuid("C3BF6EA2309947529B6BF9901EE33E9B");
    public static readonly byte[] IParameterChanges = Tuid("A47796630BB64A56B44384A8466FEB9D");
    public static readonly byte[] IParamValueQueue = Tuid("01263A18ED074F6F98C9D3564686F9BA");
    public static readonly byte[] IPlugView = Tuid("5BC32507D06049EAA6151B522B755B29");
    public static readonly byte[] IPlugFrame = Tuid("367FAF01AFA946938D4DA2A0ED0882A3");
    public static readonly byte[] IRunLoop = Tuid("18C3536697764F1A9C5B83857A871389");
    public static readonly byte[] IEventHandler = Tuid("561E65C913A0496F813A2C35654D7983");
    public static readonly byte[] ITimerHandler = Tuid("10BDD94F41424774821FAD8FECA72CA9");
    public static readonly byte[] IUnknownJunk = Tuid("0123456789ABCDEF0123456789ABCDEF");

    public static nint Slot(void* obj, int slot) => (*(nint**)obj)[slot];

    public static void* Query(void* obj, byte[] iid)
    {
        void* r = null;
        fixed (byte* p = iid)
        {
            int rc = ((delegate* unmanaged<void*, byte*, void**, int>)Slot(obj, 0))(obj, p, &r);
            return rc == Ok ? r : null;
        }
    }

    public static int QueryRc(void* obj, byte[] iid)
    {
        void* r = null;
        fixed (byte* p = iid)
        {
            int rc = ((delegate* unmanaged<void*, byte*, void**, int>)Slot(obj, 0))(obj, p, &r);
            if (r != null) Release(r);
            return rc;
        }
    }

    public static uint Release(void* obj) => ((delegate* unmanaged<void*, uint>)Slot(obj, 2))(obj);
    public static int Call(void* obj, int slot) => ((delegate* unmanaged<void*, int>)Slot(obj, slot))(obj);
    public static int Call(void* obj, int slot, void* a) => ((delegate* unmanaged<void*, void*, int>)Slot(obj, slot))(obj, a);
    public static int CallI(void* obj, int slot, int a) => ((delegate* unmanaged<void*, int, int>)Slot(obj, slot))(obj, a);

    public static string Char8(byte* p, int max) { int n = 0; while (n < max && p[n] != 0) n++; return System.Text.Encoding.ASCII.GetString(p, n); }
    public static string Char16(byte* p, int maxChars) { var c = (char*)p; int n = 0; while (n < maxChars && c[n] != 0) n++; return new string(c, 0, n); }
}

/// <summary>Host-side COM object: a native block { vtable, GCHandle }; lives as long as the test keeps it.</summary>
internal abstract unsafe class HostObject
{
    private readonly GCHandle handle;
    public readonly nint* Block;
    private readonly byte[][] iids;

    protected HostObject(nint vtable, params byte[][] iids)
    {
        this.iids = iids;
        handle = GCHandle.Alloc(this);
        Block = (nint*)NativeMemory.Alloc(2, (nuint)sizeof(nint));
        Block[0] = vtable;
        Block[1] = GCHandle.ToIntPtr(handle);
    }

    public void* Ptr => Block;
    public int RefCount = 1;
    /// <summary>Another host object answering one more IID (a frame handing out its run loop, §11 step 2).</summary>
    public (byte[] iid, HostObject obj)? Sibling;

    public static T Of<T>(void* self) where T : HostObject => (T)GCHandle.FromIntPtr(((nint*)self)[1]).Target!;

    [UnmanagedCallersOnly]
    private static int Qi(void* self, byte* iid, void** obj)
    {
        var o = Of<HostObject>(self);
        var id = new ReadOnlySpan<byte>(iid, 16).ToArray();
        if (id.AsSpan().SequenceEqual(Abi.FUnknown) || o.iids.Any(x => id.AsSpan().SequenceEqual(x))) { o.RefCount++; *obj = self; return Abi.Ok; }
        if (o.Sibling is { } sib && id.AsSpan().SequenceEqual(sib.iid)) { sib.obj.RefCount++; *obj = sib.obj.Ptr; return Abi.Ok; }
        *obj = null;
        return Abi.NoInterface;
    }

    [UnmanagedCallersOnly] private static uint AddRef(void* self) => (uint)++Of<HostObject>(self).RefCount;
    [UnmanagedCallersOnly] private static uint Release(void* self) => (uint)--Of<HostObject>(self).RefCount;
    [UnmanagedCallersOnly] protected static int NotImplemented(void* self) => 3;

    protected static nint Vtable(params nint[] slots)
    {
        var vt = (nint*)NativeMemory.Alloc((nuint)(3 + slots.Length), (nuint)sizeof(nint));
        vt[0] = (nint)(delegate* unmanaged<void*, byte*, void**, int>)&Qi;
        vt[1] = (nint)(delegate* unmanaged<void*, uint>)&AddRef;
        vt[2] = (nint)(delegate* unmanaged<void*, uint>)&Release;
        for (int i = 0; i < slots.Length; i++) vt[3 + i] = slots[i];
        return (nint)vt;
    }

    protected static nint NotImpl => (nint)(delegate* unmanaged<void*, int>)&NotImplemented;
}

/// <summary>IBStream over a byte array, optionally a window [start, end) of it (a chunk inside a preset file).</summary>
internal sealed unsafe class MemStream : HostObject
{
    private static readonly nint Vt = Vtable(
        (nint)(delegate* unmanaged<void*, byte*, int, int*, int>)&Read,
        (nint)(delegate* unmanaged<void*, byte*, int, int*, int>)&Write,
        (nint)(delegate* unmanaged<void*, long, int, long*, int>)&Seek,
        (nint)(delegate* unmanaged<void*, long*, int>)&Tell);

    public List<byte> Data;
    public int Position;
    private readonly int end;
    public int MaxChunk = int.MaxValue; // deliver reads in small pieces to test short-read handling

    public MemStream(byte[]? data = null, int start = 0, int length = -1) : base(Vt, Abi.IBStream)
    {
        Data = data is null ? new List<byte>() : new List<byte>(data);
        Position = start;
        end = length < 0 ? int.MaxValue : start + length;
    }

    public byte[] Bytes => Data.ToArray();
    private int End => Math.Min(end, Data.Count);

    [UnmanagedCallersOnly]
    private static int Read(void* self, byte* buffer, int count, int* read)
    {
        var s = Of<MemStream>(self);
        int n = Math.Max(0, Math.Min(Math.Min(count, s.MaxChunk), s.End - s.Position));
        for (int i = 0; i < n; i++) buffer[i] = s.Data[s.Position + i];
        s.Position += n;
        if (read != null) *read = n;
        return Abi.Ok;
    }

    [UnmanagedCallersOnly]
    private static int Write(void* self, byte* buffer, int count, int* written)
    {
        var s = Of<MemStream>(self);
        for (int i = 0; i < count; i++)
        {
            if (s.Position < s.Data.Count) s.Data[s.Position] = buffer[i]; else s.Data.Add(buffer[i]);
            s.Position++;
        }
        if (written != null) *written = count;
        return Abi.Ok;
    }

    [UnmanagedCallersOnly]
    private static int Seek(void* self, long pos, int mode, long* result)
    {
        var s = Of<MemStream>(self);
        s.Position = (int)(mode switch { 0 => pos, 1 => s.Position + pos, _ => s.Data.Count + pos });
        if (result != null) *result = s.Position;
        return Abi.Ok;
    }

    [UnmanagedCallersOnly]
    private static int Tell(void* self, long* pos)
    {
        *pos = Of<MemStream>(self).Position;
        return Abi.Ok;
    }
}

/// <summary>IHostApplication handing out IMessage objects (slot 4 createInstance) for component→controller messages.</summary>
internal sealed unsafe class HostApp : HostObject
{
    private static readonly nint Vt = Vtable(
        (nint)(delegate* unmanaged<void*, char*, int>)&GetName,
        (nint)(delegate* unmanaged<void*, byte*, byte*, void**, int>)&CreateInstance);

    public readonly List<Message> Messages = new();
    public HostApp() : base(Vt, Abi.IHostApplication) { }

    [UnmanagedCallersOnly]
    private static int GetName(void* self, char* name) { "PercepNetFx test host\0".AsSpan().CopyTo(new Span<char>(name, 128)); return Abi.Ok; }

    [UnmanagedCallersOnly]
    private static int CreateInstance(void* self, byte* cid, byte* iid, void** obj)
    {
        var app = Of<HostApp>(self);
        if (new ReadOnlySpan<byte>(iid, 16).SequenceEqual(Abi.IMessage))
        {
            var m = new Message();
            app.Messages.Add(m);
            *obj = m.Ptr;
            return Abi.Ok;
        }
        *obj = null;
        return Abi.NoInterface;
    }
}

internal sealed unsafe class Message : HostObject
{
    private static readonly nint Vt = Vtable(
        (nint)(delegate* unmanaged<void*, byte*>)&GetId,
        (nint)(delegate* unmanaged<void*, byte*, void>)&SetId,
        (nint)(delegate* unmanaged<void*, void*>)&GetAttributes);

    private byte* id;
    public readonly Attributes Attributes = new();
    public Message() : base(Vt, Abi.IMessage) { }
    public string Id => id == null ? "" : Abi.Char8(id, 256);

    [UnmanagedCallersOnly] private static byte* GetId(void* self) => Of<Message>(self).id;

    [UnmanagedCallersOnly]
    private static void SetId(void* self, byte* newId)
    {
        var m = Of<Message>(self);
        int n = 0; while (newId[n] != 0) n++;
        m.id = (byte*)NativeMemory.AllocZeroed((nuint)n + 1);
        Buffer.MemoryCopy(newId, m.id, n, n);
    }

    [UnmanagedCallersOnly] private static void* GetAttributes(void* self) => Of<Message>(self).Attributes.Ptr;
}

internal sealed unsafe class Attributes : HostObject
{
    private static readonly nint Vt = Vtable(
        (nint)(delegate* unmanaged<void*, byte*, long, int>)&SetInt,
        (nint)(delegate* unmanaged<void*, byte*, long*, int>)&GetInt,
        NotImpl, NotImpl, NotImpl, NotImpl, NotImpl, NotImpl);

    public readonly Dictionary<string, long> Ints = new();
    public Attributes() : base(Vt, Abi.IAttributeList) { }

    [UnmanagedCallersOnly]
    private static int SetInt(void* self, byte* id, long v) { Of<Attributes>(self).Ints[Abi.Char8(id, 128)] = v; return Abi.Ok; }

    [UnmanagedCallersOnly]
    private static int GetInt(void* self, byte* id, long* v)
    {
        if (!Of<Attributes>(self).Ints.TryGetValue(Abi.Char8(id, 128), out long x)) return Abi.False;
        *v = x;
        return Abi.Ok;
    }
}

/// <summary>IComponentHandler recording restartComponent flags and edits.</summary>
internal sealed unsafe class Handler : HostObject
{
    private static readonly nint Vt = Vtable(
        (nint)(delegate* unmanaged<void*, uint, int>)&BeginEdit,
        (nint)(delegate* unmanaged<void*, uint, double, int>)&PerformEdit,
        (nint)(delegate* unmanaged<void*, uint, int>)&EndEdit,
        (nint)(delegate* unmanaged<void*, int, int>)&Restart);

    public readonly List<int> Restarts = new();
    /// <summary>beginEdit / performEdit / endEdit in arrival order (value NaN for begin and end).</summary>
    public readonly List<(string call, uint id, double value)> Edits = new();
    public Handler() : base(Vt, Abi.IComponentHandler) { }

    [UnmanagedCallersOnly] private static int BeginEdit(void* self, uint id) { Of<Handler>(self).Edits.Add(("begin", id, double.NaN)); return Abi.Ok; }
    [UnmanagedCallersOnly] private static int PerformEdit(void* self, uint id, double v) { Of<Handler>(self).Edits.Add(("perform", id, v)); return Abi.Ok; }
    [UnmanagedCallersOnly] private static int EndEdit(void* self, uint id) { Of<Handler>(self).Edits.Add(("end", id, double.NaN)); return Abi.Ok; }
    [UnmanagedCallersOnly] private static int Restart(void* self, int flags) { Of<Handler>(self).Restarts.Add(flags); return Abi.Ok; }
}

/// <summary>IParameterChanges with IParamValueQueue per parameter (points sorted by offset).</summary>
internal sealed unsafe class Changes : HostObject
{
    private static readonly nint Vt = Vtable(
        (nint)(delegate* unmanaged<void*, int>)&Count,
        (nint)(delegate* unmanaged<void*, int, void*>)&Get,
        NotImpl);

    public readonly List<Queue> Queues = new();
    public Changes() : base(Vt, Abi.IParameterChanges) { }

    public Changes Add(uint id, int offset, double value)
    {
        var q = Queues.FirstOrDefault(x => x.Id == id);
        if (q is null) { q = new Queue(id); Queues.Add(q); }
        q.Points.Add((offset, value));
        return this;
    }

    [UnmanagedCallersOnly] private static int Count(void* self) => Of<Changes>(self).Queues.Count;
    [UnmanagedCallersOnly] private static void* Get(void* self, int i) => Of<Changes>(self).Queues[i].Ptr;
}

internal sealed unsafe class Queue : HostObject
{
    private static readonly nint Vt = Vtable(
        (nint)(delegate* unmanaged<void*, uint>)&Id_,
        (nint)(delegate* unmanaged<void*, int>)&Count,
        (nint)(delegate* unmanaged<void*, int, int*, double*, int>)&Point,
        NotImpl);

    public readonly uint Id;
    public readonly List<(int offset, double value)> Points = new();
    public Queue(uint id) : base(Vt, Abi.IParamValueQueue) { Id = id; }

    [UnmanagedCallersOnly] private static uint Id_(void* self) => Of<Queue>(self).Id;
    [UnmanagedCallersOnly] private static int Count(void* self) => Of<Queue>(self).Points.Count;

    [UnmanagedCallersOnly]
    private static int Point(void* self, int i, int* offset, double* value)
    {
        var p = Of<Queue>(self).Points[i];
        *offset = p.offset; *value = p.value;
        return Abi.Ok;
    }
}

/// <summary>IRunLoop (§3 slots 3–6) recording what the plug-in registers; the test fires the handlers itself
/// (onFDIsSet = IEventHandler slot 3, onTimer = ITimerHandler slot 3) like a host's UI loop would.</summary>
internal sealed unsafe class RunLoop : HostObject
{
    private static readonly nint Vt = Vtable(
        (nint)(delegate* unmanaged<void*, void*, int, int>)&RegisterEvent,
        (nint)(delegate* unmanaged<void*, void*, int>)&UnregisterEvent,
        (nint)(delegate* unmanaged<void*, void*, ulong, int>)&RegisterTimer,
        (nint)(delegate* unmanaged<void*, void*, int>)&UnregisterTimer);

    // Fixed-size tables so that firing handlers allocates nothing in the test host either.
    public readonly nint[] EventHandlers = new nint[4];
    public readonly int[] EventFds = new int[4];
    public readonly nint[] Timers = new nint[4];
    public readonly ulong[] TimerMs = new ulong[4];
    public int EventCount, TimerCount, Registrations, Unregistrations;
    public RunLoop() : base(Vt, Abi.IRunLoop) { }

    [UnmanagedCallersOnly]
    private static int RegisterEvent(void* self, void* handler, int fd)
    {
        var r = Of<RunLoop>(self);
        if (handler == null || r.EventCount == 4) return Abi.False;
        ((delegate* unmanaged<void*, uint>)Abi.Slot(handler, 1))(handler); // a host keeps a reference
        r.EventHandlers[r.EventCount] = (nint)handler; r.EventFds[r.EventCount++] = fd; r.Registrations++;
        return Abi.Ok;
    }

    [UnmanagedCallersOnly]
    private static int UnregisterEvent(void* self, void* handler)
    {
        var r = Of<RunLoop>(self);
        for (int i = 0; i < r.EventCount; i++)
            if (r.EventHandlers[i] == (nint)handler)
            {
                r.EventHandlers[i] = r.EventHandlers[--r.EventCount]; r.EventFds[i] = r.EventFds[r.EventCount]; r.Unregistrations++;
                Abi.Release(handler);
                return Abi.Ok;
            }
        return Abi.False;
    }

    [UnmanagedCallersOnly]
    private static int RegisterTimer(void* self, void* handler, ulong ms)
    {
        var r = Of<RunLoop>(self);
        if (handler == null || r.TimerCount == 4) return Abi.False;
        ((delegate* unmanaged<void*, uint>)Abi.Slot(handler, 1))(handler);
        r.Timers[r.TimerCount] = (nint)handler; r.TimerMs[r.TimerCount++] = ms; r.Registrations++;
        return Abi.Ok;
    }

    [UnmanagedCallersOnly]
    private static int UnregisterTimer(void* self, void* handler)
    {
        var r = Of<RunLoop>(self);
        for (int i = 0; i < r.TimerCount; i++)
            if (r.Timers[i] == (nint)handler)
            {
                r.Timers[i] = r.Timers[--r.TimerCount]; r.TimerMs[i] = r.TimerMs[r.TimerCount]; r.Unregistrations++;
                Abi.Release(handler);
                return Abi.Ok;
            }
        return Abi.False;
    }

    /// <summary>What the host does when its poll says the fds are readable, then when the timers are due.</summary>
    public void Fire()
    {
        for (int i = 0; i < EventCount; i++)
        {
            void* h = (void*)EventHandlers[i];
            ((delegate* unmanaged<void*, int, void>)Abi.Slot(h, 3))(h, EventFds[i]);
        }
        for (int i = 0; i < TimerCount; i++)
        {
            void* h = (void*)Timers[i];
            ((delegate* unmanaged<void*, void>)Abi.Slot(h, 3))(h);
        }
    }
}

/// <summary>IPlugFrame (resizeView refused: the editor is fixed size) that answers IRunLoop with its run loop.</summary>
internal sealed unsafe class Frame : HostObject
{
    private static readonly nint Vt = Vtable((nint)(delegate* unmanaged<void*, void*, void*, int>)&ResizeView);
    public readonly RunLoop Loop = new();
    public Frame() : base(Vt, Abi.IPlugFrame) { Sibling = (Abi.IRunLoop, Loop); }

    [UnmanagedCallersOnly] private static int ResizeView(void* self, void* view, void* rect) => Abi.False;
}
