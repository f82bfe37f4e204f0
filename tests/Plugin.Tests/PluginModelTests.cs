using System.Buffers.Binary;
using PercepNetFx.Dsp;

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
            p.Parameters[PercepNetFxPlugin.StrengthIndex].Normalized = s.Strength;
            p.Parameters[PercepNetFxPlugin.PostFilterIndex].Normalized = s.PostFilterAmount;
            p.Parameters[PercepNetFxPlugin.CombIndex].Normalized = s.CombEnabled ? 1 : 0;
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
    public void Parameters_have_stable_ids_units_defaults_and_value_strings()
    {
        var p = new PercepNetFxPlugin(null, loadDefaultModel: false);
        Assert.Equal(new uint[] { 1, 2, 3, 4 }, p.Parameters.Select(x => x.Id));
        Assert.Equal(new[] { "Suppression strength", "Post-filter amount", "Comb filter", "Bypass" }, p.Parameters.Select(x => x.Name));
        Assert.Equal(new[] { "%", "%", "", "" }, p.Parameters.Select(x => x.Units));
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 0.0 }, p.Parameters.Select(x => x.DefaultNormalized)); // spec §10 defaults
        Assert.Equal(new[] { 0, 0, 1, 1 }, p.Parameters.Select(x => x.StepCount));
        Assert.Equal(new[] { false, false, false, true }, p.Parameters.Select(x => x.IsBypass));
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
        var p = new PercepNetFxPlugin(null, loadDefaultModel: false);
        double[] values = { 0.3, 0.8, 0.0, 1.0 };
        for (int i = 0; i < 4; i++) p.Parameters[i].Normalized = values[i];
        byte[] s = p.SaveState();
        Assert.Equal(12 + 4 * 12, s.Length);
        Assert.Equal("PNFX"u8.ToArray(), s[..4]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(4)));
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(8)));
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal((uint)(i + 1), BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(12 + 12 * i)));
            Assert.Equal(values[i], BinaryPrimitives.ReadDoubleLittleEndian(s.AsSpan(16 + 12 * i)));
        }
        var q = new PercepNetFxPlugin(null, loadDefaultModel: false);
        Assert.True(q.RestoreState(s));
        Assert.Equal(values, q.Parameters.Select(x => x.Normalized));
        Assert.Equal(s, q.SaveState()); // same bytes for the same values (§8)
    }

    public static IEnumerable<object[]> Corruptions()
    {
        var good = new PercepNetFxPlugin(null, loadDefaultModel: false);
        good.Parameters[0].Normalized = 0.25;
        byte[] s = good.SaveState();
        byte[] Mut(Action<byte[]> f) { var c = (byte[])s.Clone(); f(c); return c; }
        yield return new object[] { "bad magic", Mut(c => c[0] = (byte)'X') };
        yield return new object[] { "version 2", Mut(c => c[4] = 2) };
        yield return new object[] { "count 0", Mut(c => c[8] = 0) };
        yield return new object[] { "count 5", Mut(c => c[8] = 5) };
        yield return new object[] { "unknown id", Mut(c => c[12] = 99) };
        yield return new object[] { "duplicate id", Mut(c => c[24] = 1) };
        yield return new object[] { "NaN value", Mut(c => BinaryPrimitives.WriteDoubleLittleEndian(c.AsSpan(16), double.NaN)) };
        yield return new object[] { "value 1.5", Mut(c => BinaryPrimitives.WriteDoubleLittleEndian(c.AsSpan(16), 1.5)) };
        yield return new object[] { "trailing byte", s.Concat(new byte[] { 0 }).ToArray() };
        for (int len = 0; len < s.Length; len += 7) yield return new object[] { $"truncated to {len}", s[..len] };
        yield return new object[] { "truncated by one", s[..^1] };
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Corrupt_state_is_rejected_and_defaults_are_kept(string what, byte[] data)
    {
        var p = new PercepNetFxPlugin(null, loadDefaultModel: false);
        Assert.False(p.RestoreState(data), what);
        Assert.Equal(p.Parameters.Select(x => x.DefaultNormalized), p.Parameters.Select(x => x.Normalized));
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
        var expected = Denoiser.Render(input, rate, TestData.GoldenModel, settings); // the CLI's offline path

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
            var v = new[] { 1.0, 1.0, 1.0, 0.0 };
            foreach (var s in steps) if (s.at <= sample) v[s.param] = s.value;
            return v;
        }

        var engine = new StreamingEngine(rate, 1, 0);
        Denoiser.Attach(engine, TestData.GoldenModel, new DenoiseSettings());
        var reference = new float[length];
        var one = new float[1];
        for (int i = 0; i < length; i++)
        {
            var v = At(i);
            Denoiser.Apply(engine, PercepNetFxPlugin.SettingsFor(v[0], v[1], v[2]));
            engine.Bypass = v[3] >= 0.5;
            one[0] = input[0][i];
            engine.Process(one, one);
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
        p.Parameters[PercepNetFxPlugin.BypassIndex].Normalized = 1;
        p.Start(); // bypass settled at activation: no fade
        int latency = p.LatencySamples;
        var output = Run(p, input, TestData.RandomBlocks(length + latency, 700, 4), true);
        for (int c = 0; c < 2; c++) Assert.Equal(input[c], output[c].AsSpan(latency, length).ToArray());

        // Toggling: after one hop of cross-fade the output is exactly the delayed dry signal (§9.3).
        var q = NewPlugin(1, rate);
        var toggled = Run(q, new[] { input[0] }, Enumerable.Repeat(100, (length + latency) / 100).ToList(), false, (pos, n, changes) =>
        {
            if (pos == 10000) changes.Add(PercepNetFxPlugin.BypassIndex, 0, 1.0);
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
    }
}
