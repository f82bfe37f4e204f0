using PercepNetFx.Dsp;
using Xunit.Abstractions;

namespace PercepNetFx.Dsp.Tests;

public class StreamingEngineTests(ITestOutputHelper output)
{
    private static float[] Run(StreamingEngine engine, float[] input, Func<int, int> blockSize, float[]? right = null, float[]? outRight = null)
    {
        var result = new float[input.Length];
        int i = 0, call = 0;
        while (i < input.Length)
        {
            int n = Math.Min(blockSize(call++), input.Length - i);
            if (right is null) engine.Process(input.AsSpan(i, n), result.AsSpan(i, n));
            else engine.Process(input.AsSpan(i, n), right.AsSpan(i, n), result.AsSpan(i, n), outRight.AsSpan(i, n));
            i += n;
        }
        return result;
    }

    private static double MaxDelayedError(float[] input, float[] result, int latency, int margin = 0)
    {
        double max = 0;
        for (int n = latency + margin; n < input.Length - margin; n++) max = Math.Max(max, Math.Abs(result[n] - input[n - latency]));
        return max;
    }

    [Fact]
    public void UnityGainsReconstructInputDelayed1440InAlignedMode()
    {
        var input = Signals.WhiteNoise(48000 * 2, 0.577, seed: 1); // uniform in [−1, 1]: full scale
        var engine = new StreamingEngine(48000, 1, hostBlockSize: 480);
        Assert.Equal(1440, engine.LatencySamples);
        var result = Run(engine, input, _ => 480);
        double err = MaxDelayedError(input, result, 1440);
        output.WriteLine($"max error {err:E2}");
        Assert.True(err < 1e-5, $"max error {err}");
        for (int n = 0; n < 1440; n++) Assert.True(Math.Abs(result[n]) < 1e-6, $"n={n}: {result[n]}"); // only FFT round-off before the delayed start
    }

    [Fact]
    public void UnityGainsReconstructStereoDelayed1440WithImagePreserved()
    {
        var left = Signals.WhiteNoise(48000, 0.577, seed: 2);
        var right = Signals.WhiteNoise(48000, 0.3, seed: 3);
        var engine = new StreamingEngine(48000, 2, hostBlockSize: 960);
        var outRight = new float[right.Length];
        var outLeft = Run(engine, left, _ => 960, right, outRight);
        Assert.True(MaxDelayedError(left, outLeft, 1440) < 1e-5);
        Assert.True(MaxDelayedError(right, outRight, 1440) < 1e-5);
    }

    [Fact]
    public void VariableBlocksReportAndHonour1919()
    {
        var input = Signals.WhiteNoise(48000, 0.577, seed: 4);
        var engine = new StreamingEngine(48000, 1);
        Assert.Equal(1919, engine.LatencySamples);
        var rng = new Random(5);
        var result = Run(engine, input, _ => rng.Next(0, 700));
        Assert.True(MaxDelayedError(input, result, 1919) < 1e-5);
        Assert.Equal(0, engine.Underruns);
    }

    [Theory]
    [InlineData(64, 448)]
    [InlineData(256, 448)]
    [InlineData(512, 448)]
    [InlineData(240, 240)]
    [InlineData(4096, 448)]
    public void FixedBlockPaddingFollowsGcdRule(int block, int padding)
    {
        Assert.Equal(padding, StreamingEngine.PaddingFor(block));
        var engine = new StreamingEngine(48000, 1, block);
        Assert.Equal(1440 + padding, engine.LatencySamples);
        var input = Signals.WhiteNoise(48000, 0.5, seed: block);
        var result = Run(engine, input, _ => block);
        Assert.True(MaxDelayedError(input, result, 1440 + padding) < 1e-5);
        Assert.Equal(0, engine.Underruns);
    }

    [Theory]
    [InlineData(48000, 1)]
    [InlineData(48000, 2)]
    [InlineData(44100, 1)]
    [InlineData(96000, 2)]
    public void OutputIsBitIdenticalForRandomPartitions(int rate, int channels)
    {
        var input = Signals.WhiteNoise(rate, 0.5, seed: 6);
        var right = Signals.WhiteNoise(rate, 0.4, seed: 7);
        float[] RunWith(Func<int, int> blocks)
        {
            var engine = new StreamingEngine(rate, channels);
            engine.GainSource = new FeatureGainSource();
            var outRight = new float[right.Length];
            var l = Run(engine, input, blocks, channels == 2 ? right : null, channels == 2 ? outRight : null);
            Assert.Equal(0, engine.Underruns);
            return channels == 2 ? l.Concat(outRight).ToArray() : l;
        }
        var reference = RunWith(_ => 480);
        var sizes = new[] { 0, 1, 7, 480, 4096 };
        var rng = new Random(8);
        for (int trial = 0; trial < 3; trial++)
        {
            var other = RunWith(call => trial == 0 ? sizes[call % sizes.Length] : rng.Next(0, 2000));
            Assert.Equal(reference, other);
        }
    }

    [Theory]
    [InlineData(44100, 1)]
    [InlineData(88200, 1)]
    [InlineData(96000, 1)]
    [InlineData(48000, 1)]
    [InlineData(44100, 2)]
    [InlineData(88200, 2)]
    [InlineData(96000, 2)]
    [InlineData(48000, 2)]
    public void UnityGainsReconstructDelayedByReportedLatencyAtEveryRate(int rate, int channels)
    {
        // Band-limited test signal (multi-sine, 50 Hz … 15 kHz) so that the resamplers' passband holds it.
        var rng = new Random(rate);
        int length = rate * 2;
        var input = new float[length];
        var freqs = Enumerable.Range(0, 40).Select(i => 50 * Math.Pow(300, i / 39.0)).ToArray();
        var phases = freqs.Select(_ => rng.NextDouble() * 2 * Math.PI).ToArray();
        for (int n = 0; n < length; n++)
        {
            double s = 0;
            for (int i = 0; i < freqs.Length; i++) s += Math.Sin(2 * Math.PI * freqs[i] * n / rate + phases[i]);
            input[n] = (float)(s / freqs.Length * 2.5);
        }
        var engine = new StreamingEngine(rate, channels);
        var right = channels == 2 ? input.Select(v => -0.5f * v).ToArray() : null;
        var outRight = channels == 2 ? new float[length] : null;
        var result = Run(engine, input, _ => rng.Next(1, 1024), right, outRight);
        int latency = engine.LatencySamples;
        double err = MaxDelayedError(input, result, latency, margin: rate / 10);
        if (channels == 2) err = Math.Max(err, MaxDelayedError(right!, outRight!, latency, margin: rate / 10));
        double peak = input.Max(Math.Abs);
        output.WriteLine($"{rate} Hz, {channels} ch: latency {latency} samples ({1000.0 * latency / rate:F3} ms), max error {err:E2}, peak {peak:F2}");
        Assert.True(err < 1e-5 * Math.Max(1, peak), $"max error {err:E2}");
        Assert.Equal(0, engine.Underruns);
    }

    [Fact]
    public void ProcessAllocatesNothingOnceConstructed()
    {
        foreach (int rate in new[] { 48000, 44100 })
        {
            var engine = new StreamingEngine(rate, 2);
            Assert.Equal(0, EngineAllocation.OfProcess(engine, warmUpMs: 700, calls: 2000));
        }
    }

    [Fact]
    public void BypassOutputsTheDryInputAtTheSameLatency()
    {
        var input = Signals.WhiteNoise(48000, 0.5, seed: 12);
        var engine = new StreamingEngine(48000, 1);
        engine.GainSource = new FeatureGainSource();
        engine.Bypass = true;
        engine.Reset();
        var result = Run(engine, input, _ => 333);
        Assert.True(MaxDelayedError(input, result, engine.LatencySamples) < 1e-7);
    }

    [Fact]
    public void NanAndInfBurstsDoNotPoisonTheState()
    {
        var input = Signals.WhiteNoise(48000 * 2, 0.3, seed: 13);
        for (int n = 20000; n < 20100; n++) input[n] = n % 2 == 0 ? float.NaN : float.PositiveInfinity;
        var engine = new StreamingEngine(48000, 1);
        var result = Run(engine, input, _ => 256);
        Assert.All(result, v => Assert.True(float.IsFinite(v)));
        // 100 ms after the burst has left the pipeline, the output is the delayed input again.
        int recovered = 20100 + engine.LatencySamples + 4800;
        for (int n = recovered; n < input.Length; n++) Assert.True(Math.Abs(result[n] - input[n - engine.LatencySamples]) < 1e-5);
    }
}
