using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// IPluginFactory/2/3 (docs/vst3.md §3, §4): two classes, index 0 the processor ("Audio Module
/// Class"), index 1 the controller. One process-wide object: it is never destroyed because the
/// image is never unmapped (-z nodelete), so ModuleEntry after ModuleExit finds it intact.
/// </summary>
internal sealed unsafe class Factory : ComObject
{
    public const string Vendor = "PercepNetFx project";
    public const string Version = "1.0.0";
    public const string ProcessorName = "PercepNetFx";
    public const string ControllerName = "PercepNetFxController";
    public const string SubCategories = "Fx|Restoration";

    private static Factory? instance;
    private static readonly object Gate = new();
    private static readonly nint Vtable = MakeVtable(
        (nint)(delegate* unmanaged<void*, PFactoryInfo*, int>)&GetFactoryInfo,
        (nint)(delegate* unmanaged<void*, int>)&CountClasses,
        (nint)(delegate* unmanaged<void*, int, PClassInfo*, int>)&GetClassInfo,
        (nint)(delegate* unmanaged<void*, byte*, byte*, void**, int>)&CreateInstance,
        (nint)(delegate* unmanaged<void*, int, PClassInfo2*, int>)&GetClassInfo2,
        (nint)(delegate* unmanaged<void*, int, PClassInfoW*, int>)&GetClassInfoUnicode,
        (nint)(delegate* unmanaged<void*, void*, int>)&SetHostContext);

    private Factory() : base(Vtable) { }

    protected override int ViewFor(byte* iid) =>
        Vst.Equal(iid, Vst.IPluginFactory) || Vst.Equal(iid, Vst.IPluginFactory2) || Vst.Equal(iid, Vst.IPluginFactory3) ? 0 : -1;

    /// <summary>The factory with one reference added for the caller (GetPluginFactory semantics, §5).</summary>
    public static void* AcquireForHost()
    {
        lock (Gate)
        {
            instance ??= new Factory();
            instance.AddRef();
            return instance.View(0);
        }
    }

    // The factory outlives every host reference (static); never let the count free it.
    protected override void OnFinalRelease() => throw new InvalidOperationException("factory released below zero");

    [UnmanagedCallersOnly]
    private static int GetFactoryInfo(void* self, PFactoryInfo* info)
    {
        try
        {
            if (info == null) return Vst.kInvalidArgument;
            Vst.WriteChar8(info->vendor, 64, Vendor);
            Vst.WriteChar8(info->url, 256, "");
            Vst.WriteChar8(info->email, 128, "");
            info->flags = Vst.kUnicodeFactory;
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int CountClasses(void* self) => 2;

    private static bool Describe(int index, out byte[] cid, out string category, out string name, out string sub)
    {
        cid = index == 0 ? Vst.ProcessorCid : Vst.ControllerCid;
        category = index == 0 ? Vst.AudioEffectClass : Vst.ControllerClass;
        name = index == 0 ? ProcessorName : ControllerName;
        sub = index == 0 ? SubCategories : "";
        return index is 0 or 1;
    }

    [UnmanagedCallersOnly]
    private static int GetClassInfo(void* self, int index, PClassInfo* info)
    {
        try
        {
            if (info == null || !Describe(index, out var cid, out var cat, out var name, out _)) return Vst.kInvalidArgument;
            cid.CopyTo(new Span<byte>(info->cid, 16));
            info->cardinality = Vst.kManyInstances;
            Vst.WriteChar8(info->category, 32, cat);
            Vst.WriteChar8(info->name, 64, name);
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int GetClassInfo2(void* self, int index, PClassInfo2* info)
    {
        try
        {
            if (info == null || !Describe(index, out var cid, out var cat, out var name, out var sub)) return Vst.kInvalidArgument;
            cid.CopyTo(new Span<byte>(info->cid, 16));
            info->cardinality = Vst.kManyInstances;
            Vst.WriteChar8(info->category, 32, cat);
            Vst.WriteChar8(info->name, 64, name);
            info->classFlags = 0; // processor and controller share the process (not kDistributable)
            Vst.WriteChar8(info->subCategories, 128, sub);
            Vst.WriteChar8(info->vendor, 64, Vendor);
            Vst.WriteChar8(info->version, 64, Version);
            Vst.WriteChar8(info->sdkVersion, 64, Vst.SdkVersion);
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int GetClassInfoUnicode(void* self, int index, PClassInfoW* info)
    {
        try
        {
            if (info == null || !Describe(index, out var cid, out var cat, out var name, out var sub)) return Vst.kInvalidArgument;
            cid.CopyTo(new Span<byte>(info->cid, 16));
            info->cardinality = Vst.kManyInstances;
            Vst.WriteChar8(info->category, 32, cat);
            Vst.WriteChar16(info->name, 64, name);
            info->classFlags = 0;
            Vst.WriteChar8(info->subCategories, 128, sub);
            Vst.WriteChar16(info->vendor, 64, Vendor);
            Vst.WriteChar16(info->version, 64, Version);
            Vst.WriteChar16(info->sdkVersion, 64, Vst.SdkVersion);
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int CreateInstance(void* self, byte* cid, byte* iid, void** obj)
    {
        try { return CreateInstanceWorker(cid, iid, obj); }
        catch { if (obj != null) *obj = null; return Vst.kInternalError; }
    }

    // cid and iid are 16-byte TUIDs, not strings (§3 notes). The new object's own reference is
    // handed over through QueryInterface's addRef, then the construction reference is dropped.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CreateInstanceWorker(byte* cid, byte* iid, void** obj)
    {
        if (obj == null) return Vst.kInvalidArgument;
        *obj = null;
        ComObject created;
        if (Vst.Equal(cid, Vst.ProcessorCid)) created = new Component();
        else if (Vst.Equal(cid, Vst.ControllerCid)) created = new Controller();
        else return Vst.kInvalidArgument;
        int r = created.QueryInterface(iid, obj);
        created.Release();
        return r;
    }

    [UnmanagedCallersOnly]
    private static int SetHostContext(void* self, void* context) => Vst.kResultOk;
}
