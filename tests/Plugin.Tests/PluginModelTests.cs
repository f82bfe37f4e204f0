using System.Globalization;
using System.Buffers.Binary;
using PercepNetFx.Dsp;
using PercepNetFx.Editor;
using PercepNetFx.Offline;

namespace PercepNetFx.Plugin.Tests;

/// <summary>The plain plug-in model (no vtables), run managed under the JIT.</summary>
public class PluginModelTests
{
    private static PercepNetFxPlugin NewPlugin(int channels, int rate, DenoiseSettings? settings = null)
    {
        var p = new PercepNetFxPlugin(TestData.GoldenModel);
        p.Initialize();
        Assert.True(p.SetChannels(channels));
        if (settings is { } s)
        {
            p.Parameters[Controls.StrengthIndex].Normalized = s.Strength;
            p.Parameters[Controls.PostFilterIndex].Normalized = s.PostFilterAmount;
            p.Parameters[Controls.CombIndex].Normalized = s.CombEnabled ? 1 : 0;
        }
        p.SetupProcessing(rate, 4096);
        p.Start();
        return p;
    }

    /// <summary>Runs the plug-in over the whole signal (plus latency of zeros) in the given block partition.</summary>
    private static float[][] Run(PercepNetFxPlugin p, float[][] input, IReadOnlyList<int> blocks, bool inPlace,
        Action<int, int, ParameterChangeList>? automate = null)
    {
        int ch = input.Length, total = blocks.Sum();
        var output = new float[ch][];
        for (int c = 0; c < ch; c++) output[c] = new float[total];
        var bufIn = new float[ch][];
        var bufOut = new float[ch][];
        int pos = 0;
        foreach (int n in blocks)
        {
            for (int c = 0; c < ch; c++)
            {
                bufIn[c] = new float[n];
                for (int i = 0; i < n; i++) bufIn[c][i] = pos + i < input[c].Length ? input[c][pos + i] : 0f;
                bufOut[c] = inPlace ? bufIn[c] : new float[n];
            }
            p.Changes.Clear();
            automate?.Invoke(pos, n, p.Changes);
            var block = new AudioBlock(bufIn[0], ch == 2 ? bufIn[1] : default, bufOut[0], ch == 2 ? bufOut[1] : default, ch);
            p.Process(block, p.Changes);
            for (int c = 0; c < ch; c++) bufOut[c].CopyTo(output[c], pos);
            pos += n;
        }
        return output;
    }

    [Fact]
    public void EditorDoubleClickDefaultsAreTheParameterDefaults()
    {
        // The editor resets a control to EditorParameters.Default on double-click; the host resets to
        // the parameter's defaultNormalizedValue. Both must agree for every control the editor maps.
        var p = new PercepNetFxPlugin(TestData.GoldenModel);
        Assert.Equal(EditorParameters.Count, Interop.PlugView.ParamIds.Length);
        for (int id = 0; id < EditorParameters.Count; id++)
        {
            var parameter = p.Parameters.Single(x => x.Id == Interop.PlugView.ParamIds[id]);
            Assert.Equal(parameter.DefaultNormalized, EditorParameters.Default(id), 6);
        }
    }

    [Fact]
    public void Parameters_have_stable_ids_units_defaults_and_value_strings()
    {
        var p = new PercepNetFxPlugin(null, loadDefaultModel: false);
        Assert.Equal(new uint[] { 1, 2, 3, 4, 5 }, p.Parameters.Select(x => x.Id));
        Assert.Equal(new[] { "Suppression strength", "Post-filter amount", "Comb filter", "Bypass", "Listen" }, p.Parameters.Select(x => x.Name));
        Assert.Equal(new[] { "%", "%", "", "", "" }, p.Parameters.Select(x => x.Units));
        Assert.Equal(new[] { 1.0, DenoiseSettings.DefaultPostFilterAmount, 1.0, 0.0, 0.0 }, p.Parameters.Select(x => x.DefaultNormalized)); // §10 defaults (post-filter: docs/decisions.md), Listen = Output
        Assert.Equal(new[] { 0, 0, 1, 1, 1 }, p.Parameters.Select(x => x.StepCount));
        Assert.Equal(new[] { false, false, false, true, false }, p.Parameters.Select(x => x.IsBypass));
        var listen = p.Parameters[4];
        Assert.Equal("Output", listen.Format(0.0)); Assert.Equal("Removed", listen.Format(1.0));
        Assert.True(listen.TryParse("removed", out double lv)); Assert.Equal(1.0, lv);
        var strength = p.Parameters[0];
        Assert.Equal("50.0", strength.Format(0.5));
        Assert.Equal(25.0, strength.ToPlain(0.25));
        Assert.True(strength.TryParse("75 %", out double v)); Assert.Equal(0.75, v);
        Assert.False(strength.TryParse("loud", out _));
        var comb = p.Parameters[2];
        // §7: discrete plain = min(N, ⌊n·(N+1)⌋) with N = 1.
        Assert.Equal("Off", comb.Format(0.49)); Assert.Equal("On", comb.Format(0.5)); Assert.Equal("On", comb.Format(1.0));
        Assert.True(comb.TryParse("off", out v)); Assert.Equal(0.0, v);
        Assert.Equal(1.0, comb.ToNormalized(1));
        strength.Normalized = double.NaN; Assert.Equal(1.0, strength.Normalized); // NaN ignored
        strength.Normalized = 7; Assert.Equal(1.0, strength.Normalized);            // clamped
    }

    [Fact]
    public void State_has_the_documented_little_endian_layout_and_round_trips()
    {
        var p = new PercepNetFxPlugin(TestData.GoldenModel);
        double[] values = { 0.3, 0.8, 0.0, 1.0, 1.0 };
        for (int i = 0; i < 5; i++) p.Parameters[i].Normalized = values[i];
        byte[] s = p.SaveState();
        byte[] identity = "golden\0test"u8.ToArray(); // models/golden/golden.safetensors metadata name / version
        Assert.Equal(16 + 5 * 12 + identity.Length, s.Length);
        Assert.Equal("PNFX"u8.ToArray(), s[..4]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(4)));
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(8)));
        Assert.Equal((uint)identity.Length, BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(12)));
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal((uint)(i + 1), BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(16 + 12 * i)));
            Assert.Equal(values[i], BinaryPrimitives.ReadDoubleLittleEndian(s.AsSpan(20 + 12 * i)));
        }
        Assert.Equal(identity, s[(16 + 60)..]);
        var q = new PercepNetFxPlugin(TestData.GoldenModel);
        Assert.True(q.RestoreState(s));
        Assert.Equal(values, q.Parameters.Select(x => x.Normalized));
        Assert.Equal("", q.MissingModel);
        Assert.Same(TestData.GoldenModel, q.Model);
        Assert.Equal(s, q.SaveState()); // same bytes for the same values (§8)
    }

    /// <summary>A version-1 state built by hand from the layout in docs/decisions.md (what projects saved before v2 hold).</summary>
    private static byte[] V1State(params (uint id, double value)[] entries)
    {
        var b = new byte[12 + 12 * entries.Length];
        "PNFX"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12 + 12 * i), entries[i].id);
            BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(16 + 12 * i), entries[i].value);
        }
        return b;
    }

    /// <summary>A version-2 state built by hand: entries, then "name\0version".</summary>
    internal static byte[] V2State(string name, string version, params (uint id, double value)[] entries)
    {
        byte[] identity = System.Text.Encoding.ASCII.GetBytes(name + "\0" + version);
        var b = new byte[16 + 12 * entries.Length + identity.Length];
        "PNFX"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)entries.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), (uint)identity.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16 + 12 * i), entries[i].id);
            BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(20 + 12 * i), entries[i].value);
        }
        identity.CopyTo(b, 16 + 12 * entries.Length);
        return b;
    }

    [Fact]
    public void Version_1_states_load_and_mean_the_default_model()
    {
        var p = new PercepNetFxPlugin(TestData.GoldenModel);
        // First move the instance to another embedded model, then load a v1 state: back to the default.
        var shipped = Dsp.Network.ShippedModels.Load(Dsp.Network.ShippedModels.DefaultName);
        Assert.True(p.RestoreState(V2State(shipped.Name, shipped.Version, (1, 0.5))));
        Assert.Equal(shipped.Name, p.Model!.Name);
        Assert.True(p.RestoreState(V1State((1, 0.25), (2, 0.5), (3, 0.0), (4, 1.0))));
        Assert.Equal(new[] { 0.25, 0.5, 0.0, 1.0, 0.0 }, p.Parameters.Select(x => x.Normalized)); // Listen absent: kept
        Assert.Same(TestData.GoldenModel, p.Model);
        Assert.Equal("", p.MissingModel);
    }

    /// <summary>The default and the earlier models: projects saved with v1, v2 or v3 keep their sound after v3.1 became the default.</summary>
    [Theory]
    [InlineData("percepnetfx-v3.1")]
    [InlineData("percepnetfx-v3")]
    [InlineData("percepnetfx-v2")]
    [InlineData("percepnetfx-v1")]
    public void A_state_naming_an_embedded_model_runs_that_model(string name)
    {
        Assert.Contains(name, Dsp.Network.ShippedModels.Names);
        var shipped = Dsp.Network.ShippedModels.Load(name);
        Assert.Equal(name, shipped.Name);              // the name in models/NAME.safetensors metadata
        var p = NewPlugin(1, 48000);                  // starts on the golden model (the instance default here)
        Assert.True(p.RestoreState(V2State(shipped.Name, shipped.Version, (1, 0.6))));
        Assert.Equal(shipped.Name, p.Model!.Name);
        Assert.Equal(shipped.Version, p.Model.Version);
        Assert.Equal("", p.MissingModel);
        Assert.EndsWith(name + "\0" + shipped.Version, System.Text.Encoding.ASCII.GetString(p.SaveState()));
        // And it really runs it: output = the offline render with the shipped model.
        p.Start();
        int length = 24000, latency = p.LatencySamples;
        var input = new[] { TestData.Voice(length, 48000, 21) };
        var expected = OfflineRenderer.Render(input, 48000, shipped, new DenoiseSettings(0.6f, DenoiseSettings.DefaultPostFilterAmount, true));
        var output = Run(p, input, TestData.RandomBlocks(length + latency, 900, 21), inPlace: false);
        Assert.Equal(expected[0], output[0].AsSpan(latency, length).ToArray());
    }

    [Fact]
    public void A_state_naming_a_missing_model_keeps_the_default_reports_it_once_and_remembers_it()
    {
        var p = NewPlugin(1, 48000);
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try { Assert.True(p.RestoreState(V2State("percepnetfx-v9", "9.0.0", (1, 0.5)))); }
        finally { Console.SetError(old); }
        Assert.Equal(0.5, p.Parameters[0].Normalized);
        Assert.Same(TestData.GoldenModel, p.Model);
        Assert.Equal("percepnetfx-v9 9.0.0", p.MissingModel);
        Assert.Contains("MISSING model percepnetfx-v9 9.0.0", p.ModelStatus);
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("percepnetfx-v9 9.0.0", lines[0]);
        // Saving again keeps the missing model's name, so an update that embeds it brings it back.
        Assert.EndsWith("percepnetfx-v9\09.0.0", System.Text.Encoding.ASCII.GetString(p.SaveState()));
        // An embedded name with another version is missing too (same name, different sound).
        Assert.True(p.RestoreState(V2State("percepnetfx-v1", "0.0.1", (1, 0.5))));
        Assert.Equal("percepnetfx-v1 0.0.1", p.MissingModel);
        // Processing goes on with the default: output = the golden offline render.
        int length = 12000, latency = p.LatencySamples;
        var input = new[] { TestData.Voice(length, 48000, 5) };
        var expected = OfflineRenderer.Render(input, 48000, TestData.GoldenModel, new DenoiseSettings(0.5f, DenoiseSettings.DefaultPostFilterAmount, true));
        var output = Run(p, input, TestData.RandomBlocks(length + latency, 700, 5), inPlace: true);
        Assert.Equal(expected[0], output[0].AsSpan(latency, length).ToArray());
        // The controller's copy says nothing on stderr.
        var c = new PercepNetFxPlugin(TestData.GoldenModel) { ReportMissingModel = false };
        err = new StringWriter();
        Console.SetError(err);
        try { Assert.True(c.RestoreState(V2State("percepnetfx-v9", "9.0.0", (1, 0.5)))); }
        finally { Console.SetError(old); }
        Assert.Equal("", err.ToString());
        Assert.Equal("percepnetfx-v9 9.0.0", c.MissingModel);
    }

    public static IEnumerable<object[]> Corruptions()
    {
        var good = new PercepNetFxPlugin(TestData.GoldenModel);
        good.Parameters[0].Normalized = 0.25;
        byte[] s = good.SaveState();
        int idAt = 16 + 5 * 12; // model identity "golden\0test"
        byte[] Mut(Action<byte[]> f) { var c = (byte[])s.Clone(); f(c); return c; }
        yield return new object[] { "bad magic", Mut(c => c[0] = (byte)'X') };
        yield return new object[] { "version 3", Mut(c => c[4] = 3) };
        yield return new object[] { "version 0", Mut(c => c[4] = 0) };
        yield return new object[] { "count 0", Mut(c => c[8] = 0) };
        yield return new object[] { "count 6", Mut(c => c[8] = 6) };
        yield return new object[] { "count 65", Mut(c => c[8] = 65) };
        yield return new object[] { "identity length 0", Mut(c => c[12] = 0) };
        yield return new object[] { "identity length too long", Mut(c => BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(12), 130)) };
        yield return new object[] { "identity length off by one", Mut(c => c[12]++) };
        yield return new object[] { "unknown id", Mut(c => c[16] = 99) };
        yield return new object[] { "duplicate id", Mut(c => c[28] = 1) };
        yield return new object[] { "NaN value", Mut(c => BinaryPrimitives.WriteDoubleLittleEndian(c.AsSpan(20), double.NaN)) };
        yield return new object[] { "value 1.5", Mut(c => BinaryPrimitives.WriteDoubleLittleEndian(c.AsSpan(20), 1.5)) };
        yield return new object[] { "no NUL in identity", Mut(c => c[idAt + 6] = (byte)'x') };
        yield return new object[] { "two NULs in identity", Mut(c => c[idAt + 1] = 0) };
        yield return new object[] { "control byte in name", Mut(c => c[idAt] = 7) };
        yield return new object[] { "non-ASCII in version", Mut(c => c[^1] = 0xC3) };
        yield return new object[] { "empty name with a version", V2State("", "1.0", (1, 0.5)) };
        yield return new object[] { "name over 64 bytes", V2State(new string('a', 65), "1", (1, 0.5)) };
        yield return new object[] { "v1 header with v2 body", Mut(c => c[4] = 1) };
        yield return new object[] { "trailing byte", s.Concat(new byte[] { 0 }).ToArray() };
        for (int len = 0; len < s.Length; len += 7) yield return new object[] { $"truncated to {len}", s[..len] };
        yield return new object[] { "truncated by one", s[..^1] };
        yield return new object[] { "truncated v1", V1State((1, 0.5), (2, 0.5))[..^3] };
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Corrupt_state_is_rejected_and_defaults_are_kept(string what, byte[] data)
    {
        var p = new PercepNetFxPlugin(TestData.GoldenModel);
        Assert.False(p.RestoreState(data), what);
        Assert.Equal(p.Parameters.Select(x => x.DefaultNormalized), p.Parameters.Select(x => x.Normalized));
        Assert.Same(TestData.GoldenModel, p.Model);
        Assert.Equal("", p.MissingModel);
    }

    [Theory]
    [InlineData(1, 48000, false, 11)]
    [InlineData(2, 48000, true, 12)]
    [InlineData(2, 44100, true, 13)]
    [InlineData(1, 96000, false, 14)]
    public void Output_for_random_blocks_equals_the_offline_render_shifted_by_the_latency(int channels, int rate, bool inPlace, int seed)
    {
        var settings = new DenoiseSettings(0.7f, 0.4f, CombEnabled: seed % 2 == 0);
        int length = rate / 2;
        var input = new float[channels][];
        for (int c = 0; c < channels; c++) input[c] = TestData.Voice(length, rate, seed + c);
        var expected = OfflineRenderer.Render(input, rate, TestData.GoldenModel, settings); // the CLI's offline path

        var p = NewPlugin(channels, rate, settings);
        int latency = p.LatencySamples;
        Assert.Equal(rate switch { 48000 => 1919, 44100 => 1903, 96000 => 3997, _ => -1 }, latency); // spec §9.2/§9.5, README table
        var blocks = TestData.RandomBlocks(length + latency, 1100, seed);
        var output = Run(p, input, blocks, inPlace);
        for (int c = 0; c < channels; c++)
            Assert.Equal(expected[c], output[c].AsSpan(latency, length).ToArray());
    }

    [Fact]
    public void Step_automation_applies_at_hop_resolution_for_any_partition()
    {
        // Independent reference: the engine fed one sample at a time, with each parameter's
        // automation value set before every sample. The engine reads the controls only when a hop
        // completes (§10), so this is exactly "the value at the sample that completes the hop".
        const int rate = 48000, length = 30000;
        var input = new[] { TestData.Voice(length, rate, 5) };
        (int at, int param, double value)[] steps =
        {
            (0, 0, 0.9), (2400, 0, 0.3), (2401, 1, 0.2), (7000, 2, 0.0), (9599, 0, 1.0),
            (12000, 3, 1.0), (15121, 3, 0.0), (20000, 1, 1.0), (20479, 2, 1.0), (25000, 0, 0.0),
        };
        double[] At(int sample)
        {
            var v = new[] { 1.0, DenoiseSettings.DefaultPostFilterAmount, 1.0, 0.0 };
            foreach (var s in steps) if (s.at <= sample) v[s.param] = s.value;
            return v;
        }

        var engine = new Denoiser(rate, 1, 0, TestData.GoldenModel, new DenoiseSettings());
        var reference = new float[length];
        var one = new float[1];
        for (int i = 0; i < length; i++)
        {
            var v = At(i);
            engine.Apply(PercepNetFxPlugin.SettingsFor(v[0], v[1], v[2]));
            engine.Bypass = v[3] >= 0.5;
            one[0] = input[0][i];
            engine.Process(new AudioBlock(one, default, one, default, 1));
            reference[i] = one[0];
        }

        foreach (int seed in new[] { 1, 2, 3 })
        {
            var p = NewPlugin(1, rate);
            // A step in a VST3 queue: the old value on the sample before, the new value at the step.
            var output = Run(p, input, TestData.RandomBlocks(length, 1500, seed), inPlace: seed == 2, (pos, n, changes) =>
            {
                foreach (var s in steps)
                {
                    if (s.at < pos || s.at >= pos + n) continue;
                    if (s.at - 1 >= pos) changes.Add(s.param, s.at - 1 - pos, At(s.at - 1)[s.param]);
                    changes.Add(s.param, s.at - pos, s.value);
                }
            });
            Assert.Equal(reference, output[0]);
        }
    }

    [Theory]
    [InlineData(1, 21)]
    [InlineData(2, 22)]
    [InlineData(2, 23)]
    public void Automation_file_render_equals_the_plugin_given_the_same_lanes_as_parameter_changes_in_random_blocks(int channels, int seed)
    {
        const int rate = 48000, length = 72000;
        var rng = new Random(seed);
        var input = new float[channels][];
        for (int c = 0; c < channels; c++) input[c] = TestData.Voice(length, rate, seed + c, noise: 0.1f);
        // Random lanes on every control, written as an automation file (point times on whole samples).
        var lanes = new List<(int control, int sample, double value, bool ramp)>();
        var text = new System.Text.StringBuilder("# random lanes\n");
        for (int control = 0; control < Controls.Count; control++)
        {
            var c = Controls.All[control];
            int sample = rng.Next(2000);
            for (int k = 0, count = 3 + rng.Next(5); k < count && sample < length; k++, sample += 1 + rng.Next(length / 4))
            {
                bool ramp = c.Labels is null && rng.Next(3) > 0;
                double value = c.Labels is null ? Math.Round(rng.NextDouble() * 100, 2) / 100 : k % 2 == 1 ? 1 : 0;
                lanes.Add((control, sample, value, ramp));
                string shown = c.Labels is { } l ? l[(int)value].ToLowerInvariant() : (100 * value).ToString("0.##", CultureInfo.InvariantCulture) + "%";
                text.Append(CultureInfo.InvariantCulture, $"{(double)sample / rate:R}, {Automation.NameOf(c)}, {shown}, {(ramp ? "ramp" : "step")}\n");
            }
        }
        var automation = Automation.Parse(text.ToString(), "lanes.txt");
        var expected = OfflineRenderer.Render(input, rate, TestData.GoldenModel, new DenoiseSettings(), automation); // the CLI's path

        // The host's side, written from the file's definition: a DAW lane sampled per block.
        double Lane(int control, int sample)
        {
            var pts = lanes.Where(x => x.control == control).ToList();
            int i = pts.FindLastIndex(x => x.sample <= sample);
            if (i < 0) return pts[0].value;
            if (i == pts.Count - 1 || !pts[i + 1].ramp) return pts[i].value;
            return pts[i].value + (pts[i + 1].value - pts[i].value) * (sample - pts[i].sample) / (pts[i + 1].sample - pts[i].sample);
        }
        var p = new PercepNetFxPlugin(TestData.GoldenModel);
        p.Initialize();
        Assert.True(p.SetChannels(channels));
        for (int control = 0; control < Controls.Count; control++) p.Parameters[control].Normalized = Lane(control, 0); // located at time 0
        p.SetupProcessing(rate, 4096);
        p.Start();
        int latency = p.LatencySamples;
        // Each block carries, per lane, its value at the block's first and last sample and the lane's points
        // inside it; a step as the old value on the sample before it and the new value on its sample.
        var output = Run(p, input, TestData.RandomBlocks(length + latency, 1024, seed), inPlace: seed % 2 == 0, (pos, n, changes) =>
        {
            if (n == 0) return;
            for (int control = 0; control < Controls.Count; control++)
            {
                var points = new SortedDictionary<int, double> { [0] = Lane(control, pos), [n - 1] = Lane(control, pos + n - 1) };
                foreach (var x in lanes.Where(x => x.control == control && x.sample > pos && x.sample < pos + n))
                {
                    if (!x.ramp) points[x.sample - 1 - pos] = Lane(control, x.sample - 1);
                    points[x.sample - pos] = x.value;
                }
                foreach (var (offset, value) in points) changes.Add(control, offset, value);
            }
        });
        double worst = 0;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < length; i++) worst = Math.Max(worst, Math.Abs(output[c][latency + i] - expected[c][i]));
        // Bit-exact: both evaluate the same straight lines at the same samples (the host's points lie on them)
        // and run the engine with the same values in effect at every hop and cross-fade.
        Assert.True(worst == 0, $"plug-in vs automation render: largest difference {worst}");
        // And the lanes mattered: the render is far from one at fixed default settings.
        var plain = OfflineRenderer.Render(input, rate, TestData.GoldenModel, new DenoiseSettings());
        Assert.True(plain[0].Zip(expected[0], (a, b) => Math.Abs(a - b)).Max() > 0.01, "automation changed nothing");
    }

    [Fact]
    public void Strength_sweep_makes_no_click()
    {
        // §10: controls change per hop and the 20 ms windowed overlap-add cross-fades them. A
        // linear ramp of strength 1 → 0 → 1 over a steady tone must not create a step larger than
        // the tone itself produces from sample to sample (a click would be a jump of the order of
        // the signal amplitude).
        const int rate = 48000, length = 48000;
        var tone = new float[length];
        for (int i = 0; i < length; i++) tone[i] = 0.3f * MathF.Sin(2 * MathF.PI * 220 * i / rate);
        double maxToneStep = tone.Zip(tone.Skip(1), (a, b) => Math.Abs(b - a)).Max();
        var p = NewPlugin(1, rate);
        var output = Run(p, new[] { tone }, Enumerable.Repeat(256, length / 256 + 1).ToList(), false, (pos, n, changes) =>
        {
            double Sweep(int s) => Math.Abs(1.0 - 2.0 * s / length);
            changes.Add(0, 0, Sweep(pos));
            changes.Add(0, n - 1, Sweep(pos + n - 1));
        })[0];
        double maxStep = output.Zip(output.Skip(1), (a, b) => Math.Abs(b - a)).Max();
        Assert.True(maxStep <= 1.5 * maxToneStep, $"largest step {maxStep} vs tone's {maxToneStep}");
        Assert.True(output.Skip(4000).Max() > 0.01, "the tone must come through at least partly");
    }

    [Theory]
    [InlineData(48000)]
    [InlineData(44100)]
    public void Bypass_outputs_the_input_delayed_by_the_reported_latency(int rate)
    {
        const int length = 20000;
        var input = new[] { TestData.Voice(length, rate, 9), TestData.Voice(length, rate, 10) };
        var p = NewPlugin(2, rate);
        p.Parameters[Controls.BypassIndex].Normalized = 1;
        p.Start(); // bypass settled at activation: no fade
        int latency = p.LatencySamples;
        var output = Run(p, input, TestData.RandomBlocks(length + latency, 700, 4), true);
        for (int c = 0; c < 2; c++) Assert.Equal(input[c], output[c].AsSpan(latency, length).ToArray());

        // Toggling: after one hop of cross-fade the output is exactly the delayed dry signal (§9.3).
        var q = NewPlugin(1, rate);
        var toggled = Run(q, new[] { input[0] }, Enumerable.Repeat(100, (length + latency) / 100).ToList(), false, (pos, n, changes) =>
        {
            if (pos == 10000) changes.Add(Controls.BypassIndex, 0, 1.0);
        })[0];
        int hopHost = (int)Math.Ceiling(480.0 * rate / 48000);
        for (int i = 10000 + hopHost + 1; i < length; i++) Assert.Equal(input[0][i - latency], toggled[i]);
        Assert.All(toggled, x => Assert.True(float.IsFinite(x)));
    }

    [Fact]
    public void Nan_inf_and_denormal_input_gives_finite_output_and_the_same_as_silence()
    {
        const int rate = 48000, length = 24000;
        var clean = TestData.Voice(length, rate, 21);
        var dirty = (float[])clean.Clone();
        var zeroed = (float[])clean.Clone();
        for (int i = 5000; i < 5480; i += 3) { dirty[i] = i % 2 == 0 ? float.NaN : float.PositiveInfinity; zeroed[i] = 0; }
        for (int i = 9000; i < 9100; i++) { dirty[i] = 1e-40f; zeroed[i] = 0; }
        dirty[9100] = float.NegativeInfinity; zeroed[9100] = 0;
        var blocks = TestData.RandomBlocks(length, 512, 8);
        var a = Run(NewPlugin(1, rate), new[] { dirty }, blocks, false)[0];
        var b = Run(NewPlugin(1, rate), new[] { zeroed }, blocks, false)[0];
        Assert.All(a, x => Assert.True(float.IsFinite(x)));
        Assert.Equal(b, a); // the state is not poisoned: bad samples act as silence, recovery is immediate
    }

    [Fact]
    public void Process_allocates_nothing_after_activation()
    {
        var p = NewPlugin(2, 44100); // resampled path: the heavier one
        var meters = new Dsp.Metering.MeterExchange();
        p.Meters = meters; // the editor's data path: a snapshot published after every hop
        var rng = new Random(3);
        var l = new float[2048]; var r = new float[2048];
        for (int i = 0; i < l.Length; i++) { l[i] = (float)(rng.NextDouble() - 0.5); r[i] = (float)(rng.NextDouble() - 0.5); }
        int[] sizes = Enumerable.Range(0, 257).Select(_ => rng.Next(0, 2049)).ToArray();
        void Once(int k)
        {
            int n = sizes[k % sizes.Length];
            p.Changes.Clear();
            if (k % 3 == 0 && n > 0) { p.Changes.Add(0, n / 2, (k % 100) / 100.0); p.Changes.Add(3, n - 1, k % 50 == 0 ? 1 : 0); }
            var block = new AudioBlock(l.AsSpan(0, n), r.AsSpan(0, n), l.AsSpan(0, n), r.AsSpan(0, n), 2);
            p.Process(block, p.Changes);
            if (n == 0) p.ProcessParametersOnly(p.Changes);
        }
        // Time-based warm-up so tiered JIT has promoted the hot paths (tier-0 code may allocate for OSR).
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int k = 0;
        while (sw.ElapsedMilliseconds < 500 || k < 200) Once(k++);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3000; i++) Once(k++);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(meters.PublishedCount > 1000, $"meters published {meters.PublishedCount} snapshots");
    }

    [Theory]
    [InlineData(1, 48000, 31)]
    [InlineData(2, 44100, 32)]
    public void Output_plus_removed_reconstructs_the_delayed_input_and_latency_is_kept(int channels, int rate, int seed)
    {
        int length = rate; // 1 s
        var input = new float[channels][];
        for (int c = 0; c < channels; c++) input[c] = TestData.Voice(length, rate, seed + c, noise: 0.2f);
        var settings = new DenoiseSettings(1f, 1f, true);
        var a = NewPlugin(channels, rate, settings);
        var b = NewPlugin(channels, rate, settings);
        int latency = a.LatencySamples;
        b.Parameters[Controls.ListenIndex].Normalized = 1.0; // Removed
        b.Start();
        Assert.Equal(latency, b.LatencySamples); // switching keeps the reported latency
        var blocksA = TestData.RandomBlocks(length + latency, 1500, seed);
        var blocksB = TestData.RandomBlocks(length + latency, 1500, seed + 100); // a different partition
        var output = Run(a, input, blocksA, inPlace: false);
        var removed = Run(b, input, blocksB, inPlace: true);
        for (int c = 0; c < channels; c++)
        {
            double worst = 0, energy = 0;
            for (int i = 0; i < length; i++)
            {
                worst = Math.Max(worst, Math.Abs(output[c][latency + i] + removed[c][latency + i] - input[c][i]));
                energy += Math.Abs(removed[c][latency + i]);
            }
            Assert.True(worst <= 1e-5, $"channel {c}: |output + removed - delayed input| up to {worst}");
            Assert.True(energy / length > 1e-3, "Removed is not silence (the network takes something away)");
        }
        // Switching with automation while running: the latency is unchanged and the stream continues.
        var sw = NewPlugin(channels, rate, settings);
        Run(sw, input, TestData.RandomBlocks(length, 1000, seed + 7), inPlace: false,
            automate: (pos, n, ch) => { if (pos <= length / 2 && pos + n > length / 2) ch.Add(Controls.ListenIndex, length / 2 - pos, 1.0); });
        Assert.Equal(1.0, sw.Parameters[Controls.ListenIndex].Normalized);
        Assert.Equal(Dsp.ListenMode.Removed, sw.Engine!.Engine.Listen);
        Assert.Equal(latency, sw.LatencySamples);
    }
}
