using System.Runtime.InteropServices;
using System.Text;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// The LV2 entry point (docs/ladspa-lv2.md §2): <c>lv2_descriptor(index)</c> returns the mono
/// (index 0) and stereo (index 1) plug-ins whose ports the bundle's Turtle describes
/// (scripts/make_lv2_ttl.cs writes it from the same control table). The state interface stores
/// the model's name and version as two string properties; the control values are ports, which
/// the host saves itself. Every callback catches everything: an exception must not reach the host.
/// </summary>
public static unsafe class Lv2
{
    public const string MonoUri = "urn:percepnetfx:mono", StereoUri = "urn:percepnetfx:stereo";
    public const string ModelKey = "urn:percepnetfx:state#model", ModelVersionKey = "urn:percepnetfx:state#modelVersion";

    private const string StateInterfaceUri = "http://lv2plug.in/ns/ext/state#interface";
    private const string UridMapUri = "http://lv2plug.in/ns/ext/urid#map";
    private const string AtomStringUri = "http://lv2plug.in/ns/ext/atom#String";
    // LV2_State_Status and LV2_State_Flags.
    private const int StateSuccess = 0, StateErrUnknown = 1, StateErrNoFeature = 4;
    private const uint StateIsPod = 1, StateIsPortable = 2;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Descriptor
    {
        public byte* URI;
        public delegate* unmanaged<Descriptor*, double, byte*, Feature**, nint> instantiate;
        public delegate* unmanaged<nint, uint, void*, void> connect_port;
        public delegate* unmanaged<nint, void> activate;
        public delegate* unmanaged<nint, uint, void> run;
        public delegate* unmanaged<nint, void> deactivate;
        public delegate* unmanaged<nint, void> cleanup;
        public delegate* unmanaged<byte*, void*> extension_data;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Feature
    {
        public byte* URI;
        public void* data;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct UridMap
    {
        public void* handle;
        public delegate* unmanaged<void*, byte*, uint> map;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct StateInterface
    {
        public delegate* unmanaged<nint, delegate* unmanaged<void*, uint, void*, nuint, uint, uint, int>, void*, uint, Feature**, int> save;
        public delegate* unmanaged<nint, delegate* unmanaged<void*, uint, nuint*, uint*, uint*, void*>, void*, uint, Feature**, int> restore;
    }

    /// <summary>The URIDs an instance needs for its state, mapped once at instantiate (0: the host gave no map).</summary>
    private readonly record struct Urids(uint Model, uint ModelVersion, uint AtomString);

    private static readonly object Gate = new();
    private static Descriptor* mono, stereo;
    private static StateInterface* state;
    private static readonly Dictionary<nint, Urids> InstanceUrids = new();

    [UnmanagedCallersOnly(EntryPoint = "lv2_descriptor")]
    public static void* Lv2Descriptor(uint index)
    {
        try
        {
            lock (Gate)
            {
                if (mono == null)
                {
                    mono = Build(MonoUri);
                    stereo = Build(StereoUri);
                    state = (StateInterface*)NativeMemory.AllocZeroed((nuint)sizeof(StateInterface));
                    state->save = &Save;
                    state->restore = &Restore;
                }
            }
            return index switch { 0 => mono, 1 => stereo, _ => null };
        }
        catch { return null; }
    }

    private static Descriptor* Build(string uri)
    {
        var d = (Descriptor*)NativeMemory.AllocZeroed((nuint)sizeof(Descriptor));
        d->URI = Utf8(uri);
        d->instantiate = &Instantiate;
        d->connect_port = &ConnectPort;
        d->activate = &Activate;
        d->run = &Run;
        d->deactivate = &Deactivate;
        d->cleanup = &Cleanup;
        d->extension_data = &ExtensionData;
        return d;
    }

    private static byte* Utf8(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static string? FromUtf8(byte* p) => p == null ? null : Marshal.PtrToStringUTF8((nint)p);

    [UnmanagedCallersOnly]
    private static nint Instantiate(Descriptor* descriptor, double sampleRate, byte* bundlePath, Feature** features)
    {
        try
        {
            var instance = PortInstance.Create(sampleRate, descriptor == stereo ? 2 : 1);
            if (instance is null) return 0;
            var urids = new Urids();
            for (Feature** f = features; f != null && *f != null; f++)
            {
                if (FromUtf8((*f)->URI) != UridMapUri || (*f)->data == null) continue;
                var map = (UridMap*)(*f)->data;
                urids = new Urids(Map(map, ModelKey), Map(map, ModelVersionKey), Map(map, AtomStringUri));
            }
            lock (Gate) InstanceUrids[instance.Handle] = urids;
            return instance.Handle;
        }
        catch { return 0; }
    }

    private static uint Map(UridMap* map, string uri)
    {
        byte* s = Utf8(uri);
        try { return map->map(map->handle, s); }
        finally { NativeMemory.Free(s); }
    }

    [UnmanagedCallersOnly]
    private static void ConnectPort(nint instance, uint port, void* data)
    {
        try { if (instance != 0) PortInstance.From(instance).Connect(port, (float*)data); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void Activate(nint instance)
    {
        try { if (instance != 0) PortInstance.From(instance).Activate(); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void Run(nint instance, uint sampleCount)
    {
        try { if (instance != 0) PortInstance.From(instance).Run((int)Math.Min(sampleCount, int.MaxValue)); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void Deactivate(nint instance)
    {
        try { if (instance != 0) PortInstance.From(instance).Deactivate(); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void Cleanup(nint instance)
    {
        try
        {
            if (instance == 0) return;
            lock (Gate) InstanceUrids.Remove(instance);
            PortInstance.From(instance).Release();
        }
        catch { }
    }

    [UnmanagedCallersOnly]
    private static void* ExtensionData(byte* uri)
    {
        try { return FromUtf8(uri) == StateInterfaceUri ? state : null; }
        catch { return null; }
    }

    private static Urids UridsOf(nint instance)
    {
        lock (Gate) return InstanceUrids.TryGetValue(instance, out var u) ? u : default;
    }

    [UnmanagedCallersOnly]
    private static int Save(nint instance, delegate* unmanaged<void*, uint, void*, nuint, uint, uint, int> store, void* handle, uint flags, Feature** features)
    {
        try
        {
            var u = UridsOf(instance);
            if (u.Model == 0 || u.ModelVersion == 0 || u.AtomString == 0) return StateErrNoFeature;
            var (name, version) = PortInstance.From(instance).Plugin.StateModel;
            int a = StoreString(store, handle, u.Model, u.AtomString, name);
            int b = StoreString(store, handle, u.ModelVersion, u.AtomString, version);
            return a != StateSuccess ? a : b;
        }
        catch { return StateErrUnknown; }
    }

    private static int StoreString(delegate* unmanaged<void*, uint, void*, nuint, uint, uint, int> store, void* handle, uint key, uint type, string value)
    {
        byte* s = Utf8(value);
        try { return store(handle, key, s, (nuint)Encoding.UTF8.GetByteCount(value) + 1, type, StateIsPod | StateIsPortable); }
        finally { NativeMemory.Free(s); }
    }

    /// <summary>
    /// Restores the model a state names (the host calls it outside run()). A state without the
    /// model properties, as a preset written by hand may be, keeps the default model.
    /// </summary>
    [UnmanagedCallersOnly]
    private static int Restore(nint instance, delegate* unmanaged<void*, uint, nuint*, uint*, uint*, void*> retrieve, void* handle, uint flags, Feature** features)
    {
        try
        {
            var u = UridsOf(instance);
            if (u.Model == 0 || u.ModelVersion == 0 || u.AtomString == 0) return StateErrNoFeature;
            string? name = RetrieveString(retrieve, handle, u.Model, u.AtomString);
            string? version = RetrieveString(retrieve, handle, u.ModelVersion, u.AtomString);
            PortInstance.From(instance).Plugin.RestoreModel(name ?? "", version ?? "");
            return StateSuccess;
        }
        catch { return StateErrUnknown; }
    }

    private static string? RetrieveString(delegate* unmanaged<void*, uint, nuint*, uint*, uint*, void*> retrieve, void* handle, uint key, uint atomString)
    {
        nuint size = 0;
        uint type = 0, flags = 0;
        var value = (byte*)retrieve(handle, key, &size, &type, &flags);
        if (value == null || type != atomString || size == 0 || size > 4096) return null;
        int n = (int)size;
        while (n > 0 && value[n - 1] == 0) n--; // the atom:String body ends with its NUL
        return Encoding.UTF8.GetString(value, n);
    }
}
