using System.Buffers.Binary;
using PercepNetFx.Dsp;
using PercepNetFx.Offline;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// The built PercepNetFx.so (scripts/build-plugin.sh), driven through its exports and vtables
/// by the independent test host in TestHost.cs / NativeModule.cs.
/// </summary>
[Collection("native")]
public unsafe class NativeHostTests
{
    [Fact]
    public void Exports_factory_and_class_infos_match_moduleinfo()
    {
        void* f = NativeModule.Factory();
        try
        {
            Assert.True(Abi.Query(f, Abi.IPluginFactory3) is var f3 && f3 != null);
            Abi.Release(Abi.Query(f, Abi.IPluginFactory3));
            Abi.Release(Abi.Query(f, Abi.IPluginFactory3));
            var fi = stackalloc byte[452];
            Assert.Equal(Abi.Ok, Abi.Call(f, 3, fi));
            Assert.Equal(ModuleInfo.Root.GetProperty("Factory Info").GetProperty("Vendor").GetString(), Abi.Char8(fi, 64));
            Assert.Equal(16, *(int*)(fi + 448)); // kUnicode
            Assert.Equal(2, Abi.Call(f, 4));
            var classes = ModuleInfo.Root.GetProperty("Classes");
            var c1 = stackalloc byte[116];
            var c2 = stackalloc byte[440];
            var cw = stackalloc byte[696];
            Assert.Equal(2, classes.GetArrayLength());
            for (int i = 0; i < 2; i++)
            {
                var json = classes[i];
                Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, int, byte*, int>)Abi.Slot(f, 5))(f, i, c1));
                Assert.Equal(json.GetProperty("CID").GetString(), Convert.ToHexString(new ReadOnlySpan<byte>(c1, 16)));
                Assert.Equal(0x7FFFFFFF, *(int*)(c1 + 16));
                Assert.Equal(json.GetProperty("Category").GetString(), Abi.Char8(c1 + 20, 32));
                Assert.Equal(json.GetProperty("Name").GetString(), Abi.Char8(c1 + 52, 64));
                Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, int, byte*, int>)Abi.Slot(f, 7))(f, i, c2));
                Assert.Equal((uint)json.GetProperty("Class Flags").GetInt32(), *(uint*)(c2 + 116));
                string sub = json.TryGetProperty("Sub Categories", out var s) ? string.Join("|", s.EnumerateArray().Select(x => x.GetString())) : "";
                Assert.Equal(sub, Abi.Char8(c2 + 120, 128));
                Assert.Equal(json.GetProperty("Version").GetString(), Abi.Char8(c2 + 312, 64));
                Assert.Equal(json.GetProperty("SDKVersion").GetString(), Abi.Char8(c2 + 376, 64));
                Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, int, byte*, int>)Abi.Slot(f, 8))(f, i, cw));
                Assert.Equal(json.GetProperty("Name").GetString(), Abi.Char16(cw + 52, 64));
                Assert.Equal(json.GetProperty("Vendor").GetString(), Abi.Char16(cw + 312, 64));
                Assert.Equal(sub, Abi.Char8(cw + 184, 128));
            }
            Assert.Equal(2, ((delegate* unmanaged<void*, int, byte*, int>)Abi.Slot(f, 5))(f, 2, c1)); // kInvalidArgument
            // createInstance of an unknown class fails cleanly.
            void* obj = (void*)1;
            fixed (byte* c = Abi.IUnknownJunk) fixed (byte* iid = Abi.IComponent)
                Assert.NotEqual(Abi.Ok, ((delegate* unmanaged<void*, byte*, byte*, void**, int>)Abi.Slot(f, 6))(f, c, iid, &obj));
            Assert.True(obj == null);
            // ModuleEntry may be called again (counted), ModuleExit balances it (§5).
            Assert.Equal(1, NativeModule.ModuleEntry(null));
            Assert.Equal(1, NativeModule.ModuleExit());
        }
        finally { Abi.Release(f); }
    }

    [Fact]
    public void Each_interface_has_its_own_view_and_unknown_ones_are_refused()
    {
        using var p = new PluginInstance();
        void* unk1 = Abi.Query(p.Component, Abi.FUnknown);
        void* unk2 = Abi.Query(p.Processor, Abi.FUnknown);
        Assert.True(unk1 == unk2); // one identity for all views (§3)
        Abi.Release(unk1); Abi.Release(unk2);
        Assert.True(p.Processor != p.Component);
        Assert.Equal(Abi.Ok, Abi.QueryRc(p.Component, Abi.IProcessContextRequirements));
        void* pcr = Abi.Query(p.Component, Abi.IProcessContextRequirements);
        Assert.Equal(0, Abi.Call(pcr, 3)); // no transport needed
        Abi.Release(pcr);
        Assert.Equal(Abi.NoInterface, Abi.QueryRc(p.Component, Abi.IUnknownJunk));
        Assert.Equal(Abi.NoInterface, Abi.QueryRc(p.Component, Abi.IEditController));
        Assert.Equal(Abi.Ok, Abi.QueryRc(p.Controller, Abi.IEditController2));
        Assert.Equal(Abi.NoInterface, Abi.QueryRc(p.Controller, Abi.IAudioProcessor));
        fixed (byte* name = "graph\0"u8) Assert.True(((delegate* unmanaged<void*, byte*, void*>)Abi.Slot(p.Controller, 17))(p.Controller, name) == null);
        void* view;
        fixed (byte* name = "editor\0"u8) view = ((delegate* unmanaged<void*, byte*, void*>)Abi.Slot(p.Controller, 17))(p.Controller, name);
        Assert.True(view != null); // the editor (§11); its own interfaces are tested in EditorHostTests
        Assert.Equal(Abi.Ok, Abi.QueryRc(view, Abi.IPlugView));
        Assert.Equal(Abi.NoInterface, Abi.QueryRc(view, Abi.IEditController));
        Abi.Release(view);
    }

    [Fact]
    public void Controller_describes_five_parameters_with_bypass_flag_and_value_strings()
    {
        using var p = new PluginInstance();
        Assert.Equal(5, Abi.Call(p.Controller, 8));
        var info = stackalloc byte[792];
        var expect = new (uint id, string title, string units, int steps, double def, int flags)[]
        {
            (1, "Suppression strength", "%", 0, 1, 1), (2, "Post-filter amount", "%", 0, DenoiseSettings.DefaultPostFilterAmount, 1),
            (3, "Comb filter", "", 1, 1, 1 | 8), (4, "Bypass", "", 1, 0, 1 | (1 << 16)), (5, "Listen", "", 1, 0, 1 | 8),
        };
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, int, byte*, int>)Abi.Slot(p.Controller, 9))(p.Controller, i, info));
            Assert.Equal(expect[i].id, *(uint*)info);
            Assert.Equal(expect[i].title, Abi.Char16(info + 4, 128));
            Assert.Equal(expect[i].units, Abi.Char16(info + 516, 128));
            Assert.Equal(expect[i].steps, *(int*)(info + 772));
            Assert.Equal(expect[i].def, *(double*)(info + 776));
            Assert.Equal(0, *(int*)(info + 784));
            Assert.Equal(expect[i].flags, *(int*)(info + 788));
        }
        var text = stackalloc char[128];
        Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, uint, double, char*, int>)Abi.Slot(p.Controller, 10))(p.Controller, 1, 0.425, text));
        Assert.Equal("42.5", new string(text));
        Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, uint, double, char*, int>)Abi.Slot(p.Controller, 10))(p.Controller, 4, 1.0, text));
        Assert.Equal("On", new string(text));
        double v;
        fixed (char* s = "30 %\0") Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, uint, char*, double*, int>)Abi.Slot(p.Controller, 11))(p.Controller, 2, s, &v));
        Assert.Equal(0.3, v, 12);
        fixed (char* s = "nonsense\0") Assert.Equal(Abi.False, ((delegate* unmanaged<void*, uint, char*, double*, int>)Abi.Slot(p.Controller, 11))(p.Controller, 2, s, &v));
        Assert.Equal(50.0, ((delegate* unmanaged<void*, uint, double, double>)Abi.Slot(p.Controller, 12))(p.Controller, 1, 0.5));
        Assert.Equal(0.25, ((delegate* unmanaged<void*, uint, double, double>)Abi.Slot(p.Controller, 13))(p.Controller, 1, 25));
        Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, uint, double, int>)Abi.Slot(p.Controller, 15))(p.Controller, 2, 0.125));
        Assert.Equal(0.125, p.GetParamNormalized(2));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void Output_silence_flags_mark_exactly_the_channels_whose_block_is_all_zeros(int channels, bool doubles)
    {
        using var p = new PluginInstance();
        p.Activate(channels, 48000, 512, doubles ? 1 : 0);
        var voice = TestData.Voice(48000, 48000, seed: 8);
        int latency = (int)p.Latency;
        const ulong hostBits = 0xF0UL; // bits of channels the plug-in does not have: the host's, left alone
        p.SilenceFlagsSent = hostBits | ((1UL << channels) - 1); // claims "silent" before every call
        var rng = new Random(4);
        int pos = 0, silentBlocks = 0, soundBlocks = 0;
        // Voice on channel 0 for half a second (channel 1 stays silent), then silence on both.
        while (pos < 48000)
        {
            int n = 1 + rng.Next(512);
            var input = new float[channels][];
            for (int c = 0; c < channels; c++)
            {
                input[c] = new float[n];
                if (c == 0) for (int i = 0; i < n; i++) input[c][i] = pos + i < 24000 ? voice[pos + i] : 0f;
            }
            var output = p.Process(input, n, inPlace: false, doubles: doubles);
            ulong expected = hostBits;
            for (int c = 0; c < channels; c++) if (output[c].All(v => v == 0f)) expected |= 1UL << c;
            Assert.Equal(expected, p.OutputSilenceFlags);
            if ((expected & 1) != 0) silentBlocks++; else soundBlocks++;
            pos += n;
        }
        // Both states were seen on channel 0: sound while the voice came out, zeros once the latency had passed.
        Assert.True(soundBlocks > 0 && silentBlocks > 0, $"{soundBlocks} blocks with sound, {silentBlocks} silent");
        Assert.True(24000 + latency < 48000);
    }

    [Fact]
    public void Bus_arrangements_mono_and_stereo_only()
    {
        using var p = new PluginInstance();
        Assert.Equal(1, ((delegate* unmanaged<void*, int, int, int>)Abi.Slot(p.Component, 7))(p.Component, 0, 0));
        Assert.Equal(1, ((delegate* unmanaged<void*, int, int, int>)Abi.Slot(p.Component, 7))(p.Component, 0, 1));
        Assert.Equal(0, ((delegate* unmanaged<void*, int, int, int>)Abi.Slot(p.Component, 7))(p.Component, 1, 0)); // no event bus
        Assert.Equal(Abi.Ok, p.SetArrangement(0x80000, 0x80000));
        ulong arr;
        Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, int, int, ulong*, int>)Abi.Slot(p.Processor, 4))(p.Processor, 1, 0, &arr));
        Assert.Equal(0x80000UL, arr);
        var bus = stackalloc byte[276];
        Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, int, int, int, byte*, int>)Abi.Slot(p.Component, 8))(p.Component, 0, 0, 0, bus));
        Assert.Equal(1, *(int*)(bus + 8));
        Assert.Equal("Input", Abi.Char16(bus + 12, 128));
        Assert.Equal(1u, *(uint*)(bus + 272));
        Assert.Equal(Abi.Ok, p.SetArrangement(0x3, 0x3));
        Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, int, int, int, byte*, int>)Abi.Slot(p.Component, 8))(p.Component, 0, 1, 0, bus));
        Assert.Equal(2, *(int*)(bus + 8));
        Assert.Equal(Abi.False, p.SetArrangement(0x80000, 0x3)); // mono → stereo refused
        Assert.Equal(Abi.False, p.SetArrangement(0x3F, 0x3F));   // 5.1 refused
        Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, int, int, ulong*, int>)Abi.Slot(p.Processor, 4))(p.Processor, 0, 0, &arr));
        Assert.Equal(0x3UL, arr); // unchanged after a refusal
        Assert.Equal(Abi.Ok, Abi.CallI(p.Processor, 5, 0)); // 32-bit
        Assert.Equal(Abi.Ok, Abi.CallI(p.Processor, 5, 1)); // 64-bit
    }

    [Fact]
    public void Latency_is_exact_at_every_rate_and_changes_are_reported_with_restartComponent()
    {
        using var p = new PluginInstance();
        // Spec §9.2/§9.5 with P_pad = 479 (variable host blocks); README latency table.
        var expected = new[] { (44100, 1903u), (48000, 1919u), (88200, 3676u), (96000, 3997u), (48000, 1919u) };
        uint previous = 0;
        foreach (var (rate, latency) in expected)
        {
            int before = p.Handler.Restarts.Count;
            Assert.Equal(Abi.Ok, p.Setup(rate, 512));
            Assert.Equal(Abi.Ok, p.SetActive(true));
            Assert.Equal(latency, p.Latency);
            Assert.Equal(latency, p.Tail);
            Assert.Equal(latency, (uint)new StreamingEngine(rate, 2).LatencySamples);
            // A changed latency reaches the host as restartComponent(kLatencyChanged = 8) (§6).
            if (previous != 0 && previous != latency) Assert.Contains(8, p.Handler.Restarts.Skip(before));
            if (previous == latency) Assert.Equal(before, p.Handler.Restarts.Count);
            Assert.Equal(Abi.Ok, p.SetActive(false));
            previous = latency;
        }
        // Latency announcements, plus one message per connection carrying the meters' registry id (editor data path).
        Assert.All(p.App.Messages, m => Assert.Contains(m.Id, new[] { "PercepNetFx.Latency", "PercepNetFx.Meters" }));
        Assert.Single(p.App.Messages, m => m.Id == "PercepNetFx.Meters");
    }

    private static float[][] Signal(int channels, int length, int rate, int seed) =>
        Enumerable.Range(0, channels).Select(c => TestData.Voice(length, rate, seed + c)).ToArray();

    [Theory]
    [InlineData(2, 48000, true, false, 1)]
    [InlineData(1, 48000, false, true, 2)]
    [InlineData(2, 44100, false, false, 3)]
    [InlineData(1, 88200, true, true, 4)]
    public void Process_with_random_blocks_equals_the_offline_render_shifted_by_latency(int channels, int rate, bool inPlace, bool doubles, int seed)
    {
        const int maxBlock = 1024;
        var settings = new DenoiseSettings(0.6f, 0.75f, CombEnabled: seed % 2 == 1);
        int length = rate * 6 / 10;
        var input = Signal(channels, length, rate, 100 + seed);
        var expected = OfflineRenderer.Render(input, rate, TestData.GoldenModel, settings);

        using var p = new PluginInstance();
        p.Activate(channels, rate, maxBlock, doubles ? 1 : 0);
        int latency = (int)p.Latency;
        var blocks = TestData.RandomBlocks(length + latency, maxBlock, seed);
        var output = new float[channels][];
        for (int c = 0; c < channels; c++) output[c] = new float[length + latency];
        int pos = 0; bool first = true;
        foreach (int n in blocks)
        {
            var block = new float[channels][];
            for (int c = 0; c < channels; c++) block[c] = Enumerable.Range(pos, n).Select(i => i < length ? input[c][i] : 0f).ToArray();
            Changes? changes = null;
            if (first && n > 0)
            {
                // The settings arrive as parameter changes at offset 0 of the first audio block.
                changes = new Changes().Add(1, 0, settings.Strength).Add(2, 0, settings.PostFilterAmount).Add(3, 0, settings.CombEnabled ? 1 : 0);
                first = false;
            }
            var o = p.Process(block, n, inPlace, changes, doubles);
            for (int c = 0; c < channels; c++) o[c].CopyTo(output[c], pos);
            pos += n;
        }
        for (int c = 0; c < channels; c++) Assert.Equal(expected[c], output[c].AsSpan(latency, length).ToArray());
        // The processor's state now carries the automated values (what a host saves).
        var state = p.GetState();
        Assert.Equal((double)settings.Strength, BinaryPrimitives.ReadDoubleLittleEndian(state.AsSpan(20))); // v2: values from offset 16 + 4
    }

    [Theory]
    [InlineData(false, 11)]
    [InlineData(true, 12)]
    public void Output_silence_flags_mark_exactly_the_channels_whose_output_block_is_all_zeros(bool doubles, int seed)
    {
        // Stereo is linked (one gain per band for both channels, docs/design.md §9.4), but each channel's
        // gains multiply only its own spectrum and comb signal, so a silent channel's output is exactly zero
        // once its delay lines have flushed, whatever the other channel carries.
        using var p = new PluginInstance();
        p.Activate(2, 48000, 1024, doubles ? 1 : 0);
        int latency = (int)p.Latency, part = 24000;
        var voice = Signal(2, part, 48000, seed);
        var silent = new float[part];
        // Four parts: both channels speak, both silent, left only, right only.
        var left = voice[0].Concat(silent).Concat(voice[0]).Concat(silent).ToArray();
        var right = voice[1].Concat(silent).Concat(silent).Concat(voice[1]).ToArray();
        // The flags the output must carry where neighbouring parts cannot reach: output sample t depends
        // on input up to t (the latency is look-ahead) and back to t − latency − one window − the comb
        // filter's reach (its taps lie up to MaxCombTaps pitch periods away), so part k alone shapes the
        // output from its start + latency + that reach to its end.
        int reach = latency + Constants.WindowSize + Constants.MaxCombTaps * Constants.MaxPeriod;
        ulong[] settled = { 0, 3, 2, 1 };
        var rng = new Random(seed);
        var seen = new HashSet<ulong>();
        for (int pos = 0; pos < left.Length;)
        {
            int n = Math.Min(1 + rng.Next(1024), left.Length - pos);
            var o = p.Process(new[] { left[pos..(pos + n)], right[pos..(pos + n)] }, n, rng.Next(2) == 0, doubles: doubles);
            ulong fromOutput = (o[0].All(v => v == 0f) ? 1UL : 0) | (o[1].All(v => v == 0f) ? 2UL : 0);
            Assert.True(fromOutput == p.OutputSilenceFlags, $"block at {pos}: flags {p.OutputSilenceFlags}, output says {fromOutput}");
            int k = pos / part;
            if (pos >= k * part + reach && pos + n <= (k + 1) * part)
            {
                Assert.True(settled[k] == p.OutputSilenceFlags, $"block at {pos} (part {k}): flags {p.OutputSilenceFlags}, expected {settled[k]}");
                seen.Add(p.OutputSilenceFlags);
            }
            pos += n;
        }
        Assert.Equal(new HashSet<ulong> { 0, 1, 2, 3 }, seen); // every case was exercised
    }

    [Fact]
    public void Bypass_parameter_gives_the_input_delayed_by_latency_and_flush_calls_apply_parameters()
    {
        using var p = new PluginInstance();
        p.Activate(1, 48000, 512);
        // A flush (numSamples 0, no buses) carrying bypass = 1: applied before any audio (§4).
        p.Process(new[] { Array.Empty<float>() }, 0, false, new Changes().Add(4, 0, 1.0));
        Assert.Equal(1.0, BinaryPrimitives.ReadDoubleLittleEndian(p.GetState().AsSpan(16 + 3 * 12 + 4)));
        Assert.Equal(Abi.Ok, p.SetActive(false));
        Assert.Equal(Abi.Ok, p.SetActive(true)); // bypass settled at activation
        int latency = (int)p.Latency, length = 6000;
        var x = TestData.Voice(length + latency, 48000, 77);
        var y = new List<float>();
        for (int pos = 0; pos < x.Length; pos += 333)
        {
            int n = Math.Min(333, x.Length - pos);
            y.AddRange(p.Process(new[] { x[pos..(pos + n)] }, n, true)[0]);
        }
        Assert.Equal(x[..length], y.Skip(latency).Take(length).ToArray());
    }

    [Fact]
    public void State_round_trips_syncs_the_controller_and_corrupt_state_is_rejected()
    {
        byte[] saved;
        using (var a = new PluginInstance())
        {
            a.Activate(2, 48000, 256);
            a.Process(new[] { new float[64], new float[64] }, 64, true, new Changes().Add(1, 10, 0.3).Add(3, 0, 0.0).Add(2, 63, 0.55));
            saved = a.GetState();
        }
        Assert.Equal(16 + 5 * 12 + "golden\0test".Length, saved.Length); // v2 naming the model the .so runs
        using var b = new PluginInstance();
        byte[] defaults = b.GetState();
        Assert.Equal(Abi.Ok, b.SetState(saved)); // read in 5-byte pieces: short reads handled
        Assert.Equal(saved, b.GetState());
        int restartsBefore = b.Handler.Restarts.Count;
        Assert.Equal(Abi.Ok, b.SetComponentState(saved));
        Assert.Equal(0.3, b.GetParamNormalized(1));
        Assert.Equal(0.55, b.GetParamNormalized(2));
        Assert.Equal(0.0, b.GetParamNormalized(3));
        Assert.Equal(restartsBefore, b.Handler.Restarts.Count); // latency unchanged: no restart

        using var c = new PluginInstance();
        foreach (var bad in new[] { saved[..^1], saved[..12], saved[..16], saved[..^5], Array.Empty<byte>(), "PNFX\u0002\0\0\0"u8.ToArray(), saved.Select((x, i) => i == 16 ? (byte)0xFF : x).ToArray() })
        {
            var corrupt = bad.ToArray();
            if (corrupt.Length == saved.Length) BinaryPrimitives.WriteDoubleLittleEndian(corrupt.AsSpan(20), double.NaN);
            Assert.Equal(Abi.False, c.SetState(corrupt));
            Assert.Equal(Abi.False, c.SetComponentState(corrupt));
            Assert.Equal(defaults, c.GetState());
            Assert.Equal(1.0, c.GetParamNormalized(1));
        }
    }

    [Fact]
    public void Nan_and_inf_input_through_the_vtables_gives_finite_output()
    {
        using var p = new PluginInstance();
        p.Activate(2, 48000, 1024);
        var bad = new[] { Enumerable.Repeat(float.NaN, 1000).ToArray(), Enumerable.Repeat(float.PositiveInfinity, 1000).ToArray() };
        var good = Signal(2, 1000, 48000, 5);
        for (int k = 0; k < 6; k++)
        {
            var o = p.Process(k == 1 ? bad : good, 1000, k % 2 == 0);
            Assert.All(o, ch => Assert.All(ch, v => Assert.True(float.IsFinite(v))));
        }
    }

    [Fact]
    public void Listen_output_plus_removed_reconstructs_the_delayed_input_through_the_vtables()
    {
        using var a = new PluginInstance();
        using var b = new PluginInstance();
        a.Activate(1, 48000, 1500);
        b.Activate(1, 48000, 1500);
        int latency = (int)a.Latency, length = 30000;
        // Removed set by automation in the first block (a flush would do too); the latency must not move.
        var x = TestData.Voice(length + latency, 48000, 41, noise: 0.2f);
        var ya = new float[x.Length];
        var yb = new float[x.Length];
        var rng = new Random(41);
        for (int pos = 0, first = 1; pos < x.Length; first = 0)
        {
            int n = Math.Min(rng.Next(1, 1500), x.Length - pos);
            a.Process(new[] { x[pos..(pos + n)] }, n, false)[0].CopyTo(ya, pos);
            b.Process(new[] { x[pos..(pos + n)] }, n, true, first == 1 ? new Changes().Add(5, 0, 1.0) : null)[0].CopyTo(yb, pos);
            pos += n;
        }
        Assert.Equal((uint)latency, b.Latency);
        Assert.Equal(1.0, BinaryPrimitives.ReadDoubleLittleEndian(b.GetState().AsSpan(16 + 4 * 12 + 4))); // Listen = Removed was stored
        double worst = 0;
        for (int i = 480; i < length; i++) worst = Math.Max(worst, Math.Abs(ya[latency + i] + yb[latency + i] - x[i]));
        Assert.True(worst <= 1e-5, $"|output + removed - delayed input| up to {worst}");
    }

    [Fact]
    public void A_state_naming_the_embedded_model_switches_the_so_to_it_and_version_1_states_still_load()
    {
        var shipped = Dsp.Network.ShippedModels.Load(Dsp.Network.ShippedModels.DefaultName);
        using var p = new PluginInstance();
        p.Activate(1, 48000, 1024);
        var v2 = PluginModelTests.V2State(shipped.Name, shipped.Version, (1, 0.8));
        Assert.Equal(Abi.Ok, p.SetState(v2));
        Assert.Equal(Abi.Ok, p.SetComponentState(v2));
        Assert.EndsWith(shipped.Name + "\0" + shipped.Version, System.Text.Encoding.ASCII.GetString(p.GetState()));
        Assert.Equal(Abi.Ok, p.SetActive(false));
        Assert.Equal(Abi.Ok, p.SetActive(true));
        int latency = (int)p.Latency, length = 24000;
        var x = TestData.Voice(length, 48000, 43);
        var expected = OfflineRenderer.Render(new[] { x }, 48000, shipped, new DenoiseSettings(0.8f, DenoiseSettings.DefaultPostFilterAmount, true))[0];
        var y = new List<float>();
        var padded = x.Concat(new float[latency]).ToArray();
        for (int pos = 0; pos < padded.Length; pos += 700)
        {
            int n = Math.Min(700, padded.Length - pos);
            y.AddRange(p.Process(new[] { padded[pos..(pos + n)] }, n, false)[0]);
        }
        Assert.Equal(expected, y.Skip(latency).Take(length).ToArray());

        // A version-1 state (hand-built from the documented layout) loads and means the default model again.
        var v1 = new byte[12 + 12];
        "PNFX"u8.CopyTo(v1);
        BinaryPrimitives.WriteUInt32LittleEndian(v1.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(v1.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(v1.AsSpan(12), 1);
        BinaryPrimitives.WriteDoubleLittleEndian(v1.AsSpan(16), 0.5);
        Assert.Equal(Abi.Ok, p.SetState(v1));
        Assert.Equal(Abi.Ok, p.SetComponentState(v1));
        Assert.Equal(0.5, p.GetParamNormalized(1));
        Assert.EndsWith("golden\0test", System.Text.Encoding.ASCII.GetString(p.GetState()));
    }
}
