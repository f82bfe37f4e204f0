using System.Diagnostics;
using PercepNetFx.Dsp;

namespace PercepNetFx.Offline;

public sealed record BenchmarkResult(int Hops, double MicrosecondsPerHop, double P999Microseconds, double RealTimeShare);

/// <summary>Times the hop engine on synthetic speech-like input, as a share of real time (10 ms per hop).</summary>
public static class Benchmark
{
    /// <summary>
    /// Repeats a measurement and returns the run with the median cost per hop, with the fastest and
    /// slowest means. On a shared VM other tenants slow single runs by up to 50 %; the median of
    /// several runs is the figure quoted in docs/benchmarks.md, the range shows the spread.
    /// </summary>
    public static (BenchmarkResult Median, double MinMicroseconds, double MaxMicroseconds) Repeat(int runs, Func<BenchmarkResult> measure)
    {
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs), runs, "at least one run");
        var results = new BenchmarkResult[runs];
        for (int i = 0; i < runs; i++) results[i] = measure();
        Array.Sort(results, (a, b) => a.MicrosecondsPerHop.CompareTo(b.MicrosecondsPerHop));
        return (results[(runs - 1) / 2], results[0].MicrosecondsPerHop, results[^1].MicrosecondsPerHop);
    }

    /// <param name="overload">Feed a full-scale 500 Hz square instead: every hop is an overload hop, so
    /// the network's overload guard steps its shadow state too (the worst case per hop).</param>
    public static BenchmarkResult Chain(int channels, double audioSeconds, IGainSource? source = null, bool overload = false)
    {
        const int hop = Constants.HopSize;
        var core = new PercepNetCore(channels) { GainSource = source ?? new SyntheticGainSource() };
        int hops = (int)(audioSeconds * 100);
        var rng = new Random(1);
        // A voiced 150 Hz harmonic signal in noise keeps the pitch search and comb filter busy.
        var signal = new float[hop * 200];
        double phase = 0;
        for (int n = 0; n < signal.Length; n++)
        {
            double s = 0;
            for (int h = 1; h <= 20; h++) s += Math.Sin(h * phase) / h;
            phase += 2 * Math.PI * (150 + 10 * Math.Sin(n / 4800.0)) / Constants.SampleRate;
            signal[n] = overload ? (n / 48 % 2 == 0 ? 1f : -1f) : (float)(0.2 * s + 0.05 * (rng.NextDouble() * 2 - 1));
        }
        var output = new float[channels][];
        for (int c = 0; c < channels; c++) output[c] = new float[hop];
        var times = new double[hops];
        // Warm up for a second of wall time so tiered JIT compilation has settled.
        var warmUp = Stopwatch.StartNew();
        for (int warm = 0; warmUp.ElapsedMilliseconds < 1000; warm++) RunHop(core, signal, warm, output);
        var total = Stopwatch.StartNew();
        for (int t = 0; t < hops; t++)
        {
            long start = Stopwatch.GetTimestamp();
            RunHop(core, signal, t, output);
            times[t] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        double perHop = total.Elapsed.TotalMicroseconds / hops;
        Array.Sort(times);
        double p999 = times[Math.Min(hops - 1, (int)(0.999 * hops))];
        return new BenchmarkResult(hops, perHop, p999, perHop / 10_000.0);
    }

    /// <summary>The network alone, one step per hop on recorded-like features (a slowly varying random walk).</summary>
    public static BenchmarkResult Network(Dsp.Network.NetworkRunner runner, double audioSeconds)
    {
        int hops = (int)(audioSeconds * 100);
        var rng = new Random(3);
        var features = new float[200 * Constants.FeatureCount];
        for (int i = 0; i < features.Length; i++) features[i] = (float)(rng.NextDouble() * 2 - 1);
        var gains = new float[Constants.BandCount];
        var strengths = new float[Constants.BandCount];
        void Step(int t) => runner.Step(features.AsSpan(t % 200 * Constants.FeatureCount, Constants.FeatureCount), gains, strengths);
        var warmUp = Stopwatch.StartNew();
        for (int warm = 0; warmUp.ElapsedMilliseconds < 1000; warm++) Step(warm);
        var times = new double[hops];
        var total = Stopwatch.StartNew();
        for (int t = 0; t < hops; t++)
        {
            long start = Stopwatch.GetTimestamp();
            Step(t);
            times[t] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        double perHop = total.Elapsed.TotalMicroseconds / hops;
        Array.Sort(times);
        return new BenchmarkResult(hops, perHop, times[Math.Min(hops - 1, (int)(0.999 * hops))], perHop / 10_000.0);
    }

    /// <summary>Per-stage cost in µs per call, for profiling the hop (FFT, pitch, band sums, comb).</summary>
    public static IReadOnlyList<(string Stage, double Microseconds)> Stages()
    {
        var rng = new Random(2);
        var x = new float[Constants.SampleRate * 2];
        for (int n = 0; n < x.Length; n++) x[n] = (float)(0.3 * Math.Sin(2 * Math.PI * 150 * n / 48000.0) + 0.05 * (rng.NextDouble() - 0.5));
        var fft = new RealFft<float>();
        var re = new float[Constants.BinCount];
        var im = new float[Constants.BinCount];
        var frame = new float[Constants.WindowSize];
        var bands = new float[Constants.BandCount];
        var pitch = new PitchTracker();
        int hopIndex = 0;
        var list = new List<(string, double)>
        {
            ("real FFT forward (960)", Time(() => fft.Forward(x.AsSpan(0, 960), re, im))),
            ("real FFT inverse (960)", Time(() => fft.Inverse(re, im, frame))),
            ("pitch tracker (per hop)", Time(() => { pitch.Process(x.AsSpan(480 * (hopIndex++ % 190), 480)); })),
            ("band energy (34 bands)", Time(() => BandLayout.Energy(re, im, bands))),
            ("band interpolation", Time(() => BandLayout.Interpolate(bands, re))),
            ("comb filter (K = 3)", Time(() => CombFilter.Apply(x, 3000, 320, 3, frame))),
        };
        return list;
    }

    private static double Time(Action action)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 300) action();
        const int calls = 5000;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++) action();
        return watch.Elapsed.TotalMicroseconds / calls;
    }

    // Both channels of a stereo core take the same hop of the signal.
    private static void RunHop(PercepNetCore core, float[] signal, int t, float[][] output)
    {
        var hop = signal.AsSpan(t % 200 * Constants.HopSize, Constants.HopSize);
        bool stereo = output.Length == 2;
        core.Step(hop, stereo ? hop : default, output[0], stereo ? output[1] : default);
    }

    /// <summary>Input-dependent gains and strengths so that every stage of the chain runs.</summary>
    private sealed class SyntheticGainSource : IGainSource
    {
        public void Reset() { }
        public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths)
        {
            for (int b = 0; b < Constants.BandCount; b++)
            {
                gains[b] = 0.3f + 0.7f * frame.Coherence[b];
                strengths[b] = frame.Coherence[b];
            }
        }
    }
}
