using PercepNetFx.Audio;
using PercepNetFx.Dsp.Network;
using PercepNetFx.Dsp.Tests.Network;
using Xunit.Abstractions;

namespace PercepNetFx.Dsp.Tests;

/// <summary>
/// Signals that break DSP, fed through the whole chain with the shipped model in
/// random host blocks. Speech (the committed noisy sample) runs before and after one second of the
/// hostile signal. The output must stay finite and bounded, must never contain subnormal numbers,
/// and from 100 ms after the hostile part ends it must match, frame by frame, a run in which that
/// second was silence.
/// </summary>
public class HostileSignalTests(ITestOutputHelper output)
{
    private const int Rate = Constants.SampleRate;
    private static readonly Lazy<PercepNetModel> Model = new(ShippedModels.LoadDefault);
    private static readonly Lazy<float[]> Speech = new(() =>
        WavReader.Read(Path.Combine(Repo.Root, "samples", "noisy.wav")).Channels[0]);

    public static TheoryData<string> Signals => new()
    {
        "silence", "dc", "square-0dBFS", "clipped-sine", "sine-20Hz", "white-0dBFS", "nan-inf-bursts", "denormal", "huge",
    };

    private static float Hostile(string kind, int n, Random rng) => kind switch
    {
        "silence" => 0f,
        "dc" => 0.9f,
        "square-0dBFS" => (n / 48 % 2 == 0) ? 1f : -1f,                       // 500 Hz full-scale square
        "clipped-sine" => Math.Clamp(4f * MathF.Sin(2 * MathF.PI * 200f * n / Rate), -1f, 1f),
        "sine-20Hz" => MathF.Sin(2 * MathF.PI * 20f * n / Rate),
        "white-0dBFS" => (float)(rng.NextDouble() * 2 - 1),
        "nan-inf-bursts" => (n % 997) switch { < 40 => float.NaN, < 80 => float.PositiveInfinity, < 120 => float.NegativeInfinity, _ => 0f },
        "denormal" => (n % 2 == 0 ? 1 : -1) * 1e-40f,
        "huge" => (n % 3 - 1) * 1e30f,
        _ => throw new ArgumentException(kind),
    };

    private static float[] Signal(string kind, int offset = 0)
    {
        float[] speech = Speech.Value;
        int head = Rate + offset, bad = Rate, tail = 2 * Rate;
        var x = new float[head + bad + tail];
        var rng = new Random(5);
        for (int n = 0; n < head; n++) x[n] = speech[n];
        for (int n = 0; n < bad; n++) x[head + n] = Hostile(kind, n, rng);
        for (int n = 0; n < tail; n++) x[head + bad + n] = speech[head + n];
        return x;
    }

    /// <summary>Processes in random blocks of 1 … 1024 samples (variable-block latency 1919).</summary>
    private static float[] Process(float[] x, bool network = true, bool guard = true) => Process(x, network, guard, out _);

    private static float[] Process(float[] x, bool network, bool guard, out OverloadGuard? guardSource, PercepNetModel? model = null)
    {
        var denoiser = new Denoiser(Rate, 1, 0, model ?? Model.Value, new DenoiseSettings { OverloadGuard = guard });
        guardSource = denoiser.Guard;
        var engine = denoiser.Engine;
        if (!network) engine.GainSource = new MemorylessGainSource();
        var y = new float[x.Length];
        var rng = new Random(9);
        for (int pos = 0; pos < x.Length;)
        {
            int n = Math.Min(x.Length - pos, 1 + rng.Next(1024));
            engine.Process(x.AsSpan(pos, n), y.AsSpan(pos, n));
            pos += n;
        }
        return y;
    }

    /// <summary>Last time, after the hostile second ends, at which a 10 ms output frame above −60 dBFS is
    /// 1 dB or more off the run in which that second was silence (0 if none).</summary>
    private static double RecoverySeconds(float[] y, float[] reference, int offset = 0)
    {
        int end = 2 * Rate + offset + Latency;
        double lastBad = 0;
        for (int f = end; f + 480 <= y.Length; f += 480)
        {
            double e = 0, r = 0;
            for (int n = f; n < f + 480; n++) { e += y[n] * (double)y[n]; r += reference[n] * (double)reference[n]; }
            if (r < 480 * 1e-6) continue; // frames below −60 dBFS
            if (Math.Abs(10 * Math.Log10((e + 1e-20) / r)) >= 1.0) lastBad = (f + 480 - end) / (double)Rate;
        }
        return lastBad;
    }

    private static readonly int Latency = new StreamingEngine(Rate, 1).LatencySamples;

    [Theory]
    [MemberData(nameof(Signals))]
    public void OutputStaysFiniteBoundedAndFreeOfSubnormals(string kind)
    {
        float[] x = Signal(kind);
        float peak = 0f;
        foreach (float v in x) if (float.IsFinite(v)) peak = Math.Max(peak, Math.Min(Math.Abs(v), 1000f)); // the input clamp
        foreach (float v in Process(x))
        {
            Assert.True(float.IsFinite(v), $"{kind}: non-finite output");
            Assert.True(v == 0f || float.IsNormal(v), $"{kind}: subnormal output {v}");
            Assert.True(Math.Abs(v) <= 2f * peak, $"{kind}: output {v} beyond twice the input peak {peak}");
        }
    }

    [Theory]
    [MemberData(nameof(Signals))]
    public void DspStateForgetsTheHostileInputWithin100Ms(string kind)
    {
        float[] y = Process(Signal(kind), network: false);
        float[] reference = Process(Signal("silence"), network: false);
        int start = 2 * Rate + Rate / 10 + Latency;
        float worst = 0f;
        for (int n = start; n < y.Length; n++) worst = Math.Max(worst, Math.Abs(y[n] - reference[n]));
        output.WriteLine($"{kind}: max |y − y_silence| from 100 ms after the hostile input: {worst:E2}");
        Assert.True(worst < 1e-5f, $"{kind}: output still differs by {worst:E2} 100 ms after the hostile input");
    }

    [Theory]
    [InlineData("nan-inf-bursts")]
    [InlineData("denormal")]
    public void NonFiniteAndSubnormalInputIsExactlySilenceToTheWholeChain(string kind)
    {
        // Sanitised at the input (§4.8): the network sees zeros, so the run equals the silent one bit for bit.
        Assert.Equal(Process(Signal("silence")), Process(Signal(kind)));
    }

    public static TheoryData<string, string> SignalsAndModels()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in ShippedModels.Names)
            foreach (string kind in Signals) data.Add(kind, model);
        return data;
    }

    /// <summary>Where the hostile second starts against the hop grid: every 30 samples of a hop.</summary>
    private static readonly int[] Offsets = Enumerable.Range(0, 16).Select(i => 30 * i).ToArray();

    [Theory]
    [MemberData(nameof(SignalsAndModels))]
    public void NetworkReturnsToTheCleanRunWithin100MsWhereverTheRunFallsInAHop(string kind, string modelName)
    {
        // The GRUs integrate over seconds; the overload guard (OverloadGuard, OverloadShadow) steps a
        // shadow of the network on the input with the run silenced, its edges decided sample by
        // sample, and swaps it in when the run is over. So every 10 ms frame from 100 ms after the
        // hostile second is within 1 dB of a run in which that second was silence, wherever the
        // second starts in a hop. Every embedded model, since saved projects may name an older one;
        // the legacy v1 is the most sensitive to the few samples at a noise run's edges and gets
        // 150 ms (1.87 s without the guard); docs/reliability.md records both.
        var model = ShippedModels.Load(modelName);
        double bound = modelName == "percepnetfx-v1" ? 0.15 : 0.1;
        var times = new List<string>();
        var late = new List<int>();
        foreach (int offset in Offsets)
        {
            double lastBad = RecoverySeconds(Process(Signal(kind, offset), true, true, out _, model),
                                             Process(Signal("silence", offset), true, true, out _, model), offset);
            times.Add($"{1000 * lastBad:F0}");
            if (lastBad > bound) late.Add(offset);
        }
        output.WriteLine($"{modelName}, {kind}: ms until within 1 dB of the clean run, run starting 0, 30, … 450 samples into a hop: {string.Join(" ", times)}");
        Assert.True(late.Count == 0, $"{modelName}, {kind}: more than 1 dB off the clean run {1000 * bound:F0} ms after the hostile input at offsets {string.Join(", ", late)}");
    }

    [Theory]
    [InlineData("dc")]
    [InlineData("square-0dBFS")]
    public void AfterARunWithSharpEdgesTheOutputIsTheSilentRunsBitForBit(string kind)
    {
        // DC and a square jump from speech to full scale and back: the guard finds the run's edges to
        // the sample, its shadow then sees exactly the silent run's input, and once the tail is over
        // the network and the tracker hold exactly the silent run's state, wherever the run falls.
        foreach (int offset in Offsets)
        {
            float[] y = Process(Signal(kind, offset)), reference = Process(Signal("silence", offset));
            int from = 2 * Rate + offset + Latency + Rate / 5;
            for (int n = from; n < y.Length; n++)
                Assert.True(y[n] == reference[n], $"{kind}, offset {offset}: sample {n - from} after the tail differs ({y[n]} vs {reference[n]})");
        }
    }

    [Theory]
    [InlineData("square-0dBFS")]
    [InlineData("white-0dBFS")]
    [InlineData("sine-20Hz")]
    public void WithoutTheGuardTheNetworkRemembersFullScaleInputForOverASecond(string kind)
    {
        // The control for the test above: the same measurement sees the GRUs' memory when the guard is off.
        double lastBad = RecoverySeconds(Process(Signal(kind), guard: false), Process(Signal("silence"), guard: false));
        output.WriteLine($"{kind}, guard off: within 1 dB of the clean run from {1000 * lastBad:F0} ms after the hostile input");
        Assert.True(lastBad > 1.0, $"{kind}: guard off recovered in {1000 * lastBad:F0} ms; the recovery test above no longer measures the guard");
    }

    [Theory]
    [InlineData("square-0dBFS")]
    [InlineData("dc")]
    public void TheGuardChangesNothingAudibleUntilTheOverloadRunHasEnded(string kind)
    {
        // The audible gains always come from the real network state; only the memory kept after the
        // run differs. Output samples before the hostile end + 2 hops come from steps before the swap.
        float[] x = Signal(kind);
        float[] guarded = Process(x, true, true, out var guardSource);
        float[] plain = Process(x, guard: false);
        Assert.Equal(1, guardSource!.OverloadRecoveries);
        int same = 2 * Rate + 2 * Constants.HopSize;
        Assert.Equal(plain.AsSpan(0, same).ToArray(), guarded.AsSpan(0, same).ToArray());
        Assert.NotEqual(plain.AsSpan(same).ToArray(), guarded.AsSpan(same).ToArray());
    }

    [Fact]
    public void SpeechNormalisedToFullScaleAndShortBurstsNeverEngageTheGuard()
    {
        // The committed sample peak-normalised to 0 dBFS, then a 400 ms full-scale square (shorter than
        // the 500 ms a run needs): with and without the guard the output is identical, bit for bit.
        float[] speech = Speech.Value;
        float peak = speech.Max(MathF.Abs);
        var x = new float[speech.Length + Rate];
        for (int n = 0; n < speech.Length; n++) x[n] = speech[n] / peak;
        for (int n = 0; n < 4 * Rate / 10; n++) x[speech.Length + Rate / 4 + n] = Hostile("square-0dBFS", n, null!);
        float[] guarded = Process(x, true, true, out var guardSource);
        Assert.Equal(0, guardSource!.OverloadRecoveries);
        Assert.Equal(Process(x, guard: false), guarded);
    }

    [Fact]
    public void ResetForgetsAnOverloadRunInProgress()
    {
        // Half a hostile run, Reset, then speech: the same output as a fresh engine on the speech alone.
        float[] bad = new float[Rate / 2];
        for (int n = 0; n < bad.Length; n++) bad[n] = Hostile("square-0dBFS", n, null!);
        float[] speech = Speech.Value.AsSpan(0, 2 * Rate).ToArray();
        var engine = new Denoiser(Rate, 1, 0, Model.Value, new DenoiseSettings()).Engine;
        var y = new float[speech.Length];
        engine.Process(bad, new float[bad.Length]);
        engine.Reset();
        engine.Process(speech, y);
        var fresh = new Denoiser(Rate, 1, 0, Model.Value, new DenoiseSettings()).Engine;
        var expected = new float[speech.Length];
        fresh.Process(speech, expected);
        Assert.Equal(expected, y);
    }

    [Theory]
    [InlineData("square-0dBFS", 0)]
    [InlineData("sine-20Hz", 137)]   // quiet hops inside the run: provisional hops replayed
    [InlineData("white-0dBFS", 333)]
    public void TheGuardedChainAllocatesNothingThroughOverloadRuns(string kind, int offset)
    {
        var engine = new Denoiser(Rate, 1, 0, Model.Value, new DenoiseSettings()).Engine;
        float[] x = Signal(kind, offset);
        var y = new float[x.Length];
        engine.Process(x, y); // warm-up: every path of the guard, JIT tiering
        engine.Process(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int pos = 0; pos < x.Length; pos += 512)
        {
            int n = Math.Min(512, x.Length - pos);
            engine.Process(x.AsSpan(pos, n), y.AsSpan(pos, n));
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
