using PercepNetFx.Audio;
using PercepNetFx.Dsp.Network;
using PercepNetFx.Dsp.Tests.Network;
using PercepNetFx.Offline;

namespace PercepNetFx.Dsp.Tests;

/// <summary>
/// The §10 controls with the shipped model on the committed noisy sample. The network sees the
/// noisy input's features, which no control changes, so its raw ĝ, r̂ are the same at every
/// setting; a recording wrapper captures them so each control is checked against its closed form.
/// </summary>
public class ControlsTests
{
    private static readonly Lazy<PercepNetModel> Model = new(ShippedModels.LoadDefault);
    private static readonly Lazy<float[]> Noisy = new(() =>
        WavReader.Read(Path.Combine(Repo.Root, "samples", "noisy.wav")).Channels[0]);

    private sealed class Recorder(IGainSource inner) : IGainSource
    {
        public readonly List<float[]> RawGains = [], RawStrengths = [], Applied = [], AppliedR = [];
        public void Reset() => inner.Reset();
        public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths)
        {
            inner.Compute(frame, gains, strengths);
            RawGains.Add(gains.ToArray());
            RawStrengths.Add(strengths.ToArray());
        }
    }

    /// <summary>Runs the sample in aligned hops; returns the recorder with the applied gains per hop.</summary>
    private static (Recorder Rec, float[] Output) Run(DenoiseSettings s)
    {
        var denoiser = new Denoiser(Constants.SampleRate, 1, Constants.HopSize, Model.Value, s);
        var engine = denoiser.Engine;
        var rec = new Recorder(denoiser.Network!);
        engine.GainSource = rec;
        float[] x = Noisy.Value, y = new float[x.Length];
        for (int pos = 0; pos + Constants.HopSize <= x.Length; pos += Constants.HopSize)
        {
            engine.Process(x.AsSpan(pos, Constants.HopSize), y.AsSpan(pos, Constants.HopSize));
            rec.Applied.Add(engine.Core.AppliedGain.ToArray());
            rec.AppliedR.Add(engine.Core.AppliedStrength.ToArray());
        }
        return (rec, y);
    }

    [Fact]
    public void StrengthZeroReproducesTheDelayedInput()
    {
        float[] x = Noisy.Value;
        float[] y = OfflineRenderer.Render([x], Constants.SampleRate, Model.Value, new DenoiseSettings { Strength = 0f })[0];
        float maxErr = 0f;
        for (int n = 0; n < x.Length; n++) maxErr = Math.Max(maxErr, Math.Abs(y[n] - x[n]));
        Assert.True(maxErr < 1e-5f, $"max |out − in| = {maxErr:E2} at strength 0");
    }

    [Fact]
    public void PostFilterOffAppliesTheNetworkGainsAboveTheStrengthFloor()
    {
        foreach (float strength in new[] { 0.25f, 1f })
        {
            var (rec, _) = Run(new DenoiseSettings { Strength = strength, PostFilterAmount = 0f });
            float floor = MathF.Pow(10f, -60f * strength / 20f); // §10: floor_dB = −60·λ
            for (int t = 0; t < rec.Applied.Count; t++)
                for (int b = 0; b < Constants.BandCount; b++)
                    Assert.Equal(Math.Max(rec.RawGains[t][b], floor), rec.Applied[t][b], 6);
        }
    }

    [Fact]
    public void GainsFallMonotonicallyWithStrength()
    {
        // The floor itself is checked exactly with the post-filter off (above): at full post-filter the
        // §7 compensation G = √((1+β)R/(1+βR²)) drops below 1 for very peaky frames, so g may dip under it.
        float[] strengths = [0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f];
        var runs = strengths.Select(s => Run(new DenoiseSettings { Strength = s }).Rec).ToArray();
        var meanDb = new double[strengths.Length];
        for (int i = 0; i < strengths.Length; i++)
        {
            float floor = MathF.Pow(10f, -3f * strengths[i]);
            double sum = 0; int n = 0;
            foreach (var g in runs[i].Applied)
                foreach (float v in g) { sum += 20 * Math.Log10(v); n++; }
            meanDb[i] = sum / n;
        }
        Assert.Equal(0.0, meanDb[0], 6); // strength 0: every gain is exactly 1
        // Strictly lower while the floor binds often (down to −36 dB); never higher beyond, where the
        // network's own gains rarely reach the floor.
        for (int i = 1; i < strengths.Length; i++)
        {
            if (strengths[i] <= 0.6f)
                Assert.True(meanDb[i] < meanDb[i - 1] - 0.1, $"mean gain {meanDb[i]:F2} dB at {strengths[i]} not below {meanDb[i - 1]:F2} dB");
            else
                Assert.True(meanDb[i] <= meanDb[i - 1] + 1e-9, $"mean gain {meanDb[i]:F2} dB at {strengths[i]} above {meanDb[i - 1]:F2} dB");
        }
        // Post-filter off: the floored gains are elementwise monotone in the strength.
        var plain = strengths.Select(s => Run(new DenoiseSettings { Strength = s, PostFilterAmount = 0f }).Rec.Applied).ToArray();
        for (int i = 1; i < strengths.Length; i++)
            for (int t = 0; t < plain[i].Count; t++)
                for (int b = 0; b < Constants.BandCount; b++)
                    Assert.True(plain[i][t][b] <= plain[i - 1][t][b] + 1e-7f);
    }

    [Fact]
    public void CombOffForcesEveryStrengthToZeroAndCombOnScalesByOneMinusFloor()
    {
        var (off, _) = Run(new DenoiseSettings { CombEnabled = false });
        Assert.All(off.AppliedR, r => Assert.All(r, v => Assert.Equal(0f, v)));

        var (on, _) = Run(new DenoiseSettings { Strength = 0.5f });
        float scale = 1f - MathF.Pow(10f, -1.5f);
        int active = 0;
        for (int t = 0; t < on.AppliedR.Count; t++)
            for (int b = 0; b < Constants.BandCount; b++)
            {
                float applied = on.AppliedR[t][b];
                if (applied == 0f) continue; // unvoiced or silent frame: the comb is inactive (§4.8)
                active++;
                Assert.Equal(Math.Clamp(on.RawStrengths[t][b], 0f, 1f) * scale, applied, 5);
            }
        Assert.True(active > 100, $"only {active} band-frames used the comb on voiced speech");
    }

    [Fact]
    public void PostFilterAmountMovesGainsFromFlooredToWarped()
    {
        var (full, _) = Run(new DenoiseSettings { PostFilterAmount = 1f });
        var (half, _) = Run(new DenoiseSettings { PostFilterAmount = 0.5f });
        var (off, _) = Run(new DenoiseSettings { PostFilterAmount = 0f });
        // The warp sin(πg/2)^a lowers each gain relative to the others; in the frame's own
        // energy-compensated terms, the spread of gains in dB grows with the amount (§7).
        static double Spread(List<float[]> gains) => gains.Average(g =>
        {
            double[] db = g.Select(v => 20 * Math.Log10(v)).ToArray();
            return db.Max() - db.Min();
        });
        double s0 = Spread(off.Applied), s5 = Spread(half.Applied), s1 = Spread(full.Applied);
        Assert.True(s0 < s5 && s5 < s1, $"gain spread {s0:F2} / {s5:F2} / {s1:F2} dB at post-filter 0 / 0.5 / 1");
    }
}

/// <summary>The Removed listen mode is the delayed input minus the processed output.</summary>
public class ListenModeTests
{
    private static readonly Lazy<PercepNetModel> Model = new(ShippedModels.LoadDefault);

    private static float[][] Input(int channels)
    {
        float[] x = WavReader.Read(Path.Combine(Repo.Root, "samples", "noisy.wav")).Channels[0][..96000];
        return channels == 1 ? [x] : [x, x.Select((v, i) => 0.5f * v + 0.01f * MathF.Sin(i * 0.01f)).ToArray()];
    }

    [Theory]
    [InlineData(48000, 1)]
    [InlineData(48000, 2)]
    [InlineData(44100, 1)]
    public void OutputPlusRemovedReconstructsTheDelayedInput(int rate, int channels)
    {
        var x = Input(channels);
        var output = OfflineRenderer.Render(x, rate, Model.Value, new DenoiseSettings());
        var removed = OfflineRenderer.Render(x, rate, Model.Value, new DenoiseSettings { Listen = ListenMode.Removed });
        var dry = OfflineRenderer.Render(x, rate, b => new StreamingEngine(rate, x.Length, b) { Bypass = true }); // the delayed input, as the engine hears it
        double removedEnergy = 0;
        for (int c = 0; c < channels; c++)
            for (int n = 0; n < x[c].Length; n++)
            {
                Assert.True(Math.Abs(output[c][n] + removed[c][n] - dry[c][n]) < 1e-5f, $"sample {n}: {output[c][n]} + {removed[c][n]} ≠ {dry[c][n]}");
                removedEnergy += removed[c][n] * (double)removed[c][n];
            }
        Assert.True(removedEnergy > 1e-3, "the model removed nothing from a noisy recording");
        if (rate == Constants.SampleRate)
            for (int n = 0; n < x[0].Length; n++) Assert.Equal(x[0][n], dry[0][n]); // bypass = input, aligned
    }

    [Fact]
    public void SwitchingListenModeRampsOverOneHopWithoutAStep()
    {
        var x = Input(1)[0];
        var engine = new Denoiser(Constants.SampleRate, 1, Constants.HopSize, Model.Value, new DenoiseSettings()).Engine;
        var y = new float[x.Length];
        int switchAt = 48000;
        engine.Process(x.AsSpan(0, switchAt), y.AsSpan(0, switchAt));
        engine.Listen = ListenMode.Removed;
        engine.Process(x.AsSpan(switchAt), y.AsSpan(switchAt));
        // Around the switch, consecutive samples differ no more than the largest step elsewhere.
        float Step(int from, int to) { float m = 0; for (int n = from + 1; n < to; n++) m = Math.Max(m, Math.Abs(y[n] - y[n - 1])); return m; }
        float atSwitch = Step(switchAt - 4, switchAt + 4);
        float elsewhere = Math.Max(Step(1, switchAt - 4), Step(switchAt + 4, y.Length));
        Assert.True(atSwitch <= elsewhere, $"step {atSwitch} at the switch exceeds the signal's own {elsewhere}");
    }
}
