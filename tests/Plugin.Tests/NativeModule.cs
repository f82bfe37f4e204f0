using System.Runtime.InteropServices;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// The built PercepNetFx.so loaded into the test process like a host loads it (docs/vst3.md §5, §6):
/// dlopen, ModuleEntry, GetPluginFactory. Loaded once per process (the image is -z nodelete anyway).
/// PERCEPNETFX_MODEL is set (with libc setenv, which the NativeAOT runtime reads) to the golden
/// test model first, so the network path runs and the offline comparison can use the same model.
/// </summary>
internal static unsafe partial class NativeModule
{
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    private static readonly object Gate = new();
    private static nint lib;
    public static delegate* unmanaged<void*, byte> ModuleEntry;
    public static delegate* unmanaged<byte> ModuleExit;
    public static delegate* unmanaged<void*> GetPluginFactory;

    public static void Load()
    {
        lock (Gate)
        {
            if (lib != 0) return;
            Assert.True(File.Exists(TestData.SoPath), $"{TestData.SoPath} missing: run scripts/build-plugin.sh first");
            SetEnv("PERCEPNETFX_MODEL", TestData.GoldenModelPath, 1);
            lib = NativeLibrary.Load(TestData.SoPath);
            ModuleEntry = (delegate* unmanaged<void*, byte>)NativeLibrary.GetExport(lib, "ModuleEntry");
            ModuleExit = (delegate* unmanaged<byte>)NativeLibrary.GetExport(lib, "ModuleExit");
            GetPluginFactory = (delegate* unmanaged<void*>)NativeLibrary.GetExport(lib, "GetPluginFactory");
            Assert.Equal(1, ModuleEntry((void*)lib));
        }
    }

    /// <summary>Another C export of the loaded module (the LADSPA and LV2 entry points live in the same .so).</summary>
    public static nint Export(string name)
    {
        Load();
        return NativeLibrary.GetExport(lib, name);
    }

    /// <summary>A factory reference for the caller (release it when done).</summary>
    public static void* Factory()
    {
        Load();
        void* f = GetPluginFactory();
        Assert.True(f != null);
        return f;
    }
}

/// <summary>One processor + controller pair, created and connected the way a host does (§6 steps 2–7).</summary>
internal sealed unsafe class PluginInstance : IDisposable
{
    public readonly void* Factory;
    public readonly void* Component;   // IComponent
    public readonly void* Processor;   // IAudioProcessor
    public readonly void* Controller;  // IEditController
    public readonly HostApp App = new();
    public readonly Handler Handler = new();
    private readonly void* compCp, ctrlCp;

    /// <param name="factory">A factory reference to use (e.g. the managed Exports under the JIT); default: the .so's.</param>
    public PluginInstance(bool connect = true, void* factory = null)
    {
        Factory = factory != null ? factory : NativeModule.Factory();
        Component = Create(ProcessorCid, Abi.IComponent);
        Assert.Equal(Abi.Ok, Abi.Call(Component, 3, App.Ptr)); // initialize(context)
        Processor = Abi.Query(Component, Abi.IAudioProcessor);
        Assert.True(Processor != null);
        var cid = new byte[16];
        fixed (byte* p = cid) Assert.Equal(Abi.Ok, Abi.Call(Component, 5, p)); // getControllerClassId
        Controller = Create(cid, Abi.IEditController);
        Assert.Equal(Abi.Ok, Abi.Call(Controller, 3, App.Ptr));
        compCp = Abi.Query(Component, Abi.IConnectionPoint);
        ctrlCp = Abi.Query(Controller, Abi.IConnectionPoint);
        if (connect)
        {
            Assert.Equal(Abi.Ok, Abi.Call(compCp, 3, ctrlCp));
            Assert.Equal(Abi.Ok, Abi.Call(ctrlCp, 3, compCp));
        }
        Assert.Equal(Abi.Ok, Abi.Call(Controller, 16, Handler.Ptr)); // setComponentHandler
    }

    public static byte[] ProcessorCid => Convert.FromHexString(ModuleInfo.ProcessorCid);

    public void* Create(byte[] cid, byte[] iid)
    {
        void* obj = null;
        fixed (byte* c = cid) fixed (byte* i = iid)
            Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, byte*, byte*, void**, int>)Abi.Slot(Factory, 6))(Factory, c, i, &obj));
        Assert.True(obj != null);
        return obj;
    }

    public int SetArrangement(ulong input, ulong output)
    {
        ulong i = input, o = output;
        return ((delegate* unmanaged<void*, ulong*, int, ulong*, int, int>)Abi.Slot(Processor, 3))(Processor, &i, 1, &o, 1);
    }

    public int Setup(double rate, int maxBlock, int sampleSize = 0, int mode = 0)
    {
        var setup = stackalloc byte[24];
        new Span<byte>(setup, 24).Clear();
        *(int*)setup = mode; *(int*)(setup + 4) = sampleSize; *(int*)(setup + 8) = maxBlock; *(double*)(setup + 16) = rate;
        return Abi.Call(Processor, 7, setup);
    }

    public int SetActive(bool on) => ((delegate* unmanaged<void*, byte, int>)Abi.Slot(Component, 11))(Component, on ? (byte)1 : (byte)0);
    public uint Latency => ((delegate* unmanaged<void*, uint>)Abi.Slot(Processor, 6))(Processor);
    public uint Tail => ((delegate* unmanaged<void*, uint>)Abi.Slot(Processor, 10))(Processor);

    /// <summary>Full activation sequence (§6 steps 9–14).</summary>
    public void Activate(int channels, double rate, int maxBlock, int sampleSize = 0)
    {
        ulong arr = channels == 1 ? 0x80000UL : 0x3UL;
        Assert.Equal(Abi.Ok, SetArrangement(arr, arr));
        Assert.Equal(Abi.Ok, Setup(rate, maxBlock, sampleSize));
        Assert.Equal(Abi.Ok, SetActive(true));
        Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, byte, int>)Abi.Slot(Processor, 8))(Processor, 1)); // setProcessing(1)
    }

    public byte[] GetState()
    {
        var s = new MemStream();
        Assert.Equal(Abi.Ok, Abi.Call(Component, 13, s.Ptr));
        return s.Bytes;
    }

    public int SetState(byte[] data) => Abi.Call(Component, 12, new MemStream(data) { MaxChunk = 5 }.Ptr);
    public int SetComponentState(byte[] data) => Abi.Call(Controller, 5, new MemStream(data).Ptr);
    public double GetParamNormalized(uint id) => ((delegate* unmanaged<void*, uint, double>)Abi.Slot(Controller, 14))(Controller, id);

    /// <summary>The output bus's silenceFlags before the next <see cref="Process"/> call, and as the last one left them.</summary>
    public ulong SilenceFlagsSent { get; set; }
    public ulong OutputSilenceFlags { get; private set; }

    /// <summary>
    /// One process call: planar channels, 32-bit (float) or 64-bit (double), in place or not.
    /// Returns the output. numSamples 0 sends a flush with no buses.
    /// </summary>
    public float[][] Process(float[][] input, int n, bool inPlace, Changes? changes = null, bool doubles = false)
    {
        int ch = input.Length, size = doubles ? 8 : 4;
        var data = (byte*)NativeMemory.AllocZeroed(80);
        var inBus = (byte*)NativeMemory.AllocZeroed(24);
        var outBus = (byte*)NativeMemory.AllocZeroed(24);
        var inPtrs = (nint*)NativeMemory.AllocZeroed(2, 8);
        var outPtrs = (nint*)NativeMemory.AllocZeroed(2, 8);
        var result = new float[ch][];
        try
        {
            for (int c = 0; c < ch; c++)
            {
                inPtrs[c] = (nint)NativeMemory.Alloc((nuint)Math.Max(1, n), (nuint)size);
                outPtrs[c] = inPlace ? inPtrs[c] : (nint)NativeMemory.Alloc((nuint)Math.Max(1, n), (nuint)size);
                for (int i = 0; i < n; i++)
                    if (doubles) ((double*)inPtrs[c])[i] = input[c][i]; else ((float*)inPtrs[c])[i] = input[c][i];
            }
            *(int*)inBus = ch; *(nint*)(inBus + 16) = (nint)inPtrs;
            *(int*)outBus = ch; *(nint*)(outBus + 16) = (nint)outPtrs;
            *(ulong*)(outBus + 8) = SilenceFlagsSent; // what the plug-in finds there: it must overwrite its channels' bits
            *(int*)(data + 4) = doubles ? 1 : 0;
            *(int*)(data + 8) = n;
            if (n > 0)
            {
                *(int*)(data + 12) = 1; *(int*)(data + 16) = 1;
                *(nint*)(data + 24) = (nint)inBus; *(nint*)(data + 32) = (nint)outBus;
            }
            if (changes is not null) *(nint*)(data + 40) = (nint)changes.Ptr;
            Assert.Equal(Abi.Ok, Abi.Call(Processor, 9, data));
            OutputSilenceFlags = *(ulong*)(outBus + 8);
            for (int c = 0; c < ch; c++)
            {
                result[c] = new float[n];
                for (int i = 0; i < n; i++)
                    result[c][i] = doubles ? (float)((double*)outPtrs[c])[i] : ((float*)outPtrs[c])[i];
            }
            return result;
        }
        finally
        {
            for (int c = 0; c < ch; c++)
            {
                if (outPtrs[c] != inPtrs[c]) NativeMemory.Free((void*)outPtrs[c]);
                NativeMemory.Free((void*)inPtrs[c]);
            }
            NativeMemory.Free(data); NativeMemory.Free(inBus); NativeMemory.Free(outBus); NativeMemory.Free(inPtrs); NativeMemory.Free(outPtrs);
        }
    }

    public void Dispose()
    {
        SetActive(false);
        if (compCp != null && ctrlCp != null) { Abi.Call(compCp, 4, ctrlCp); Abi.Call(ctrlCp, 4, compCp); }
        Abi.Call(Controller, 16, null);
        Abi.Call(Controller, 4); Abi.Call(Component, 4); // terminate
        if (compCp != null) Abi.Release(compCp);
        if (ctrlCp != null) Abi.Release(ctrlCp);
        Abi.Release(Processor); Abi.Release(Controller); Abi.Release(Component); Abi.Release(Factory);
    }
}

/// <summary>The bundle's moduleinfo.json, parsed (the CIDs the test host uses come from there).</summary>
internal static class ModuleInfo
{
    private static System.Text.Json.JsonDocument? doc;
    public static System.Text.Json.JsonElement Root => (doc ??= System.Text.Json.JsonDocument.Parse(
        File.ReadAllText(Path.Combine(TestData.BundlePath, "Contents", "Resources", "moduleinfo.json")))).RootElement;
    public static string ProcessorCid => Root.GetProperty("Classes")[0].GetProperty("CID").GetString()!;
    public static string ControllerCid => Root.GetProperty("Classes")[1].GetProperty("CID").GetString()!;
}
