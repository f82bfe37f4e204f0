using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using PercepNetFx.Dsp;
using PercepNetFx.Plugin.Interop;
using PercepNetFx.Offline;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// The LADSPA descriptor (ladspa.h, LP64 layout) as a host reads it: field offsets written here from
/// the header's declaration order, independently of the plug-in's own struct.
/// </summary>
internal static unsafe class LadspaAbi
{
    public const int PortCountOffset = 48, Instantiate = 88, ConnectPort = 96, Activate = 104, Run = 112, Deactivate = 136, Cleanup = 144;

    public static byte* Descriptor(nuint index)
    {
        var entry = (delegate* unmanaged<nuint, byte*>)NativeModule.Export("ladspa_descriptor");
        return entry(index);
    }

    public static T Fn<T>(byte* d, int offset) where T : unmanaged => *(T*)(d + offset);

    /// <summary>Instantiates the mono plug-in, connects only the latency port, activates and reads it.</summary>
    public static int ReportedLatency(uint rate)
    {
        byte* d = Descriptor(0);
        Assert.True(d != null);
        nint h = Fn<nint>(d, Instantiate) is var f ? ((delegate* unmanaged<byte*, nuint, nint>)f)(d, rate) : 0;
        Assert.True(h != 0, "instantiate failed");
        float latency = -1;
        int ports = (int)*(nuint*)(d + PortCountOffset);
        ((delegate* unmanaged<nint, nuint, float*, void>)Fn<nint>(d, ConnectPort))(h, (nuint)(ports - 1), &latency);
        ((delegate* unmanaged<nint, void>)Fn<nint>(d, Activate))(h);
        ((delegate* unmanaged<nint, void>)Fn<nint>(d, Deactivate))(h);
        ((delegate* unmanaged<nint, void>)Fn<nint>(d, Cleanup))(h);
        return (int)latency;
    }
}

/// <summary>
/// The C entry points of the LADSPA and LV2 builds driven through their ABI in this process
/// (docs/ladspa-lv2.md): rates the engine refuses, the LV2 state of the model, and that every
/// format ships the same library.
/// </summary>
[Collection("native")]
public unsafe class LadspaLv2AbiTests
{
    // LV2_Descriptor offsets (lv2core's lv2.h): URI, instantiate, connect_port, activate, run, deactivate, cleanup, extension_data.
    private const int Lv2Instantiate = 8, Lv2Connect = 16, Lv2Activate = 24, Lv2Run = 32, Lv2Deactivate = 40, Lv2Cleanup = 48, Lv2Extension = 56;

    [Fact]
    public void Every_format_ships_the_same_library()
    {
        byte[] vst3 = File.ReadAllBytes(TestData.SoPath);
        Assert.Equal(vst3, File.ReadAllBytes(Repo.PathOf("build/ladspa/PercepNetFx.so")));
        Assert.Equal(vst3, File.ReadAllBytes(Repo.PathOf("build/PercepNetFx.lv2/PercepNetFx.so")));
    }

    [Theory]
    [InlineData(7999u)]
    [InlineData(0u)]
    [InlineData(400000u)]
    public void Ladspa_instantiate_refuses_a_rate_the_engine_cannot_run(uint rate)
    {
        Assert.False(Constants.IsSupportedRate(rate));
        byte* d = LadspaAbi.Descriptor(0);
        nint h = ((delegate* unmanaged<byte*, nuint, nint>)LadspaAbi.Fn<nint>(d, LadspaAbi.Instantiate))(d, rate);
        Assert.Equal(0, h);
        Assert.True(LadspaAbi.Descriptor(2) == null, "only two descriptors exist");
    }

    // ---- a minimal LV2 host: URID map, state store and retrieve ----

    private static readonly Dictionary<string, uint> Urids = new();
    private static readonly Dictionary<uint, (uint Type, uint Flags, byte[] Value)> Stored = new();
    private static readonly Dictionary<uint, (uint Type, byte[] Value)> ToRetrieve = new();
    private static byte[]? retrieved; // pinned copy handed to the plug-in during restore

    [UnmanagedCallersOnly]
    private static uint Map(void* handle, byte* uri)
    {
        string s = Marshal.PtrToStringUTF8((nint)uri)!;
        lock (Urids)
        {
            if (!Urids.TryGetValue(s, out uint id)) Urids[s] = id = (uint)Urids.Count + 1;
            return id;
        }
    }

    private static uint Urid(string uri) { lock (Urids) return Urids.TryGetValue(uri, out uint id) ? id : 0; }

    [UnmanagedCallersOnly]
    private static int Store(void* handle, uint key, void* value, nuint size, uint type, uint flags)
    {
        Stored[key] = (type, flags, new ReadOnlySpan<byte>(value, (int)size).ToArray());
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void* Retrieve(void* handle, uint key, nuint* size, uint* type, uint* flags)
    {
        if (!ToRetrieve.TryGetValue(key, out var v)) return null;
        retrieved = GC.AllocateArray<byte>(v.Value.Length, pinned: true);
        v.Value.CopyTo(retrieved, 0);
        *size = (nuint)retrieved.Length;
        *type = v.Type;
        *flags = 3;
        return Unsafe.AsPointer(ref retrieved[0]);
    }

    private sealed class Lv2Host : IDisposable
    {
        private readonly nint[] strings = new nint[2];
        private readonly nint map, feature, featureList;
        public readonly byte* Descriptor;
        public readonly nint Instance;

        public Lv2Host(uint index, double rate)
        {
            var entry = (delegate* unmanaged<uint, byte*>)NativeModule.Export("lv2_descriptor");
            Descriptor = entry(index);
            Assert.True(Descriptor != null);
            strings[0] = Marshal.StringToCoTaskMemUTF8("http://lv2plug.in/ns/ext/urid#map");
            strings[1] = Marshal.StringToCoTaskMemUTF8("/nonexistent/PercepNetFx.lv2/");
            map = Marshal.AllocHGlobal(16);
            ((nint*)map)[0] = 0;
            ((nint*)map)[1] = (nint)(delegate* unmanaged<void*, byte*, uint>)&Map;
            feature = Marshal.AllocHGlobal(16);
            ((nint*)feature)[0] = strings[0];
            ((nint*)feature)[1] = map;
            featureList = Marshal.AllocHGlobal(16);
            ((nint*)featureList)[0] = feature;
            ((nint*)featureList)[1] = 0;
            Instance = ((delegate* unmanaged<byte*, double, byte*, nint*, nint>)Fn(Lv2Instantiate))(Descriptor, rate, (byte*)strings[1], (nint*)featureList);
            Assert.True(Instance != 0, "instantiate failed");
        }

        public nint Fn(int offset) => *(nint*)(Descriptor + offset);

        public void* Extension(string uri)
        {
            nint s = Marshal.StringToCoTaskMemUTF8(uri);
            try { return ((delegate* unmanaged<byte*, void*>)Fn(Lv2Extension))((byte*)s); }
            finally { Marshal.FreeCoTaskMem(s); }
        }

        /// <summary>Runs <paramref name="x"/> through the mono plug-in in blocks of 256 and returns the output.</summary>
        public float[] Process(float[] x, float strength)
        {
            float* input = (float*)NativeMemory.Alloc(256, sizeof(float)), output = (float*)NativeMemory.Alloc(256, sizeof(float));
            var controls = (float*)NativeMemory.Alloc(Controls.Count + 1, sizeof(float));
            try
            {
                for (int i = 0; i < Controls.Count; i++) controls[i] = (float)Controls.All[i].Default;
                controls[Controls.StrengthIndex] = 100 * strength;
                var connect = (delegate* unmanaged<nint, uint, void*, void>)Fn(Lv2Connect);
                connect(Instance, 0, input);
                connect(Instance, 1, output);
                for (uint p = 0; p <= Controls.Count; p++) connect(Instance, 2 + p, controls + p);
                ((delegate* unmanaged<nint, void>)Fn(Lv2Activate))(Instance);
                var y = new float[x.Length];
                for (int pos = 0; pos < x.Length; pos += 256)
                {
                    int n = Math.Min(256, x.Length - pos);
                    x.AsSpan(pos, n).CopyTo(new Span<float>(input, n));
                    ((delegate* unmanaged<nint, uint, void>)Fn(Lv2Run))(Instance, (uint)n);
                    new Span<float>(output, n).CopyTo(y.AsSpan(pos, n));
                }
                ((delegate* unmanaged<nint, void>)Fn(Lv2Deactivate))(Instance);
                Assert.Equal(Constants.AlgorithmLatency + Constants.HopSize - 1, (int)controls[Controls.Count]);
                return y;
            }
            finally { NativeMemory.Free(input); NativeMemory.Free(output); NativeMemory.Free(controls); }
        }

        public void Dispose()
        {
            ((delegate* unmanaged<nint, void>)Fn(Lv2Cleanup))(Instance);
            foreach (var s in strings) Marshal.FreeCoTaskMem(s);
            Marshal.FreeHGlobal(map); Marshal.FreeHGlobal(feature); Marshal.FreeHGlobal(featureList);
        }
    }

    private static string Utf8Z(byte[] value)
    {
        Assert.True(value.Length > 0 && value[^1] == 0, "an atom:String ends with its NUL");
        return Encoding.UTF8.GetString(value, 0, value.Length - 1);
    }

    [Fact]
    public void Lv2_state_saves_the_model_and_restoring_another_embedded_model_makes_the_instance_run_it()
    {
        const string stateInterface = "http://lv2plug.in/ns/ext/state#interface";
        var v2 = ModelProvider.LoadEmbedded("percepnetfx-v2");
        Assert.NotNull(v2);
        var x = TestData.Voice(48000, 48000, seed: 11, noise: 0.1f);
        lock (Stored)
        {
            Stored.Clear();
            using (var host = new Lv2Host(0, 48000))
            {
                Assert.True(host.Extension("urn:percepnetfx:no-such-extension") == null);
                var state = (nint*)host.Extension(stateInterface);
                Assert.True(state != null);
                var save = (delegate* unmanaged<nint, delegate* unmanaged<void*, uint, void*, nuint, uint, uint, int>, void*, uint, void*, int>)state[0];
                Assert.Equal(0, save(host.Instance, &Store, null, 0, null));
            }
            // The module runs the golden model (NativeModule sets PERCEPNETFX_MODEL): that is what a saved project names.
            uint atomString = Urid("http://lv2plug.in/ns/ext/atom#String");
            Assert.NotEqual(0u, atomString);
            var name = Stored[Urid(Lv2.ModelKey)];
            var version = Stored[Urid(Lv2.ModelVersionKey)];
            Assert.Equal((atomString, atomString), (name.Type, version.Type));
            Assert.Equal(3u, name.Flags & 3u); // POD and portable: a host may copy it and move it between machines
            Assert.Equal(TestData.GoldenModel.Name, Utf8Z(name.Value));
            Assert.Equal(TestData.GoldenModel.Version, Utf8Z(version.Value));

            // A project saved with v2: restoring it switches the fresh instance to the embedded v2.
            ToRetrieve.Clear();
            ToRetrieve[Urid(Lv2.ModelKey)] = (atomString, Encoding.UTF8.GetBytes(v2!.Name + "\0"));
            ToRetrieve[Urid(Lv2.ModelVersionKey)] = (atomString, Encoding.UTF8.GetBytes(v2.Version + "\0"));
            float[] y;
            using (var host = new Lv2Host(0, 48000))
            {
                var state = (nint*)host.Extension(stateInterface);
                var restore = (delegate* unmanaged<nint, delegate* unmanaged<void*, uint, nuint*, uint*, uint*, void*>, void*, uint, void*, int>)state[1];
                Assert.Equal(0, restore(host.Instance, &Retrieve, null, 0, null));
                y = host.Process(x, 0.8f);
            }
            int latency = Constants.AlgorithmLatency + Constants.HopSize - 1;
            var settings = PercepNetFxPlugin.SettingsFor(0.8, Controls.PostFilter.DefaultNormalized, Controls.Comb.DefaultNormalized);
            var expected = OfflineRenderer.Render(new[] { x }, 48000, v2, settings)[0];
            Assert.Equal(expected.AsSpan(0, x.Length - latency).ToArray(), y.AsSpan(latency).ToArray());
            var golden = OfflineRenderer.Render(new[] { x }, 48000, TestData.GoldenModel, settings)[0];
            Assert.NotEqual(golden.AsSpan(0, x.Length - latency).ToArray(), y.AsSpan(latency).ToArray());
        }
    }
}
