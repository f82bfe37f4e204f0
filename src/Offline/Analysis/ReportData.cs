using PercepNetFx.Audio;
using PercepNetFx.Dsp.Network;
using PercepNetFx.Dsp;

namespace PercepNetFx.Offline.Analysis;

/// <summary>
/// Everything the report picture shows, as plain arrays on one time axis (seconds of the input):
/// the input and output spectrograms, and per hop the 34 applied band gains, the comb strengths
/// and the pitch track, and the summary numbers. Pure computation, no I/O; <see cref="Compute"/> also returns the
/// latency-compensated processed audio so the caller can save it without a second render.
/// </summary>
public sealed class ReportData
{
    /// <summary>Lowest dB value stored in the spectrograms (silence is clamped here, not −∞).</summary>
    public const float FloorDb = -140f;

    public required int SampleRate { get; init; }
    public required double DurationSeconds { get; init; }

    /// <summary>Spectrogram columns; column j is centred at j·<see cref="ColumnSeconds"/>.</summary>
    public required int Columns { get; init; }
    public required double ColumnSeconds { get; init; }
    /// <summary>Bins per column (481, bins 0 … 480 of the 960-point FFT).</summary>
    public required int Bins { get; init; }
    /// <summary>Frequency of bin k is k·BinHz.</summary>
    public required double BinHz { get; init; }
    /// <summary>Input spectrogram in dBFS (a full-scale sine reads 0 dB), column-major: [j·Bins + k].</summary>
    public required float[] InputDb { get; init; }
    /// <summary>Output spectrogram in dBFS, same layout, of the latency-compensated output.</summary>
    public required float[] OutputDb { get; init; }

    /// <summary>Per-hop records: time (s) of the frame each describes, on the input's time axis.</summary>
    public required double[] HopTimes { get; init; }
    /// <summary>Applied band gain in dB (after strength and post-filter), [h·34 + b].</summary>
    public required float[] GainDb { get; init; }
    /// <summary>Applied comb strength 0 … 1, [h·34 + b].</summary>
    public required float[] CombStrength { get; init; }
    /// <summary>Pitch in Hz (48000 / period), valid where <see cref="Voiced"/>.</summary>
    public required float[] PitchHz { get; init; }
    public required float[] PitchCorrelation { get; init; }
    public required bool[] Voiced { get; init; }

    /// <summary>The processed audio, sample-aligned with the input (as <see cref="OfflineRenderer.Render(float[][], int, PercepNetModel, DenoiseSettings, Action{double}?)"/>).</summary>
    public required float[][] Output { get; init; }

    /// <summary>Noise removed over the noise-only stretches, speech levels in and out.</summary>
    public required ReportSummary Summary { get; init; }

    public int Hops => HopTimes.Length;

    /// <summary>Runs the denoiser over <paramref name="input"/> and collects the report's arrays.</summary>
    public static ReportData Compute(float[][] input, int sampleRate, PercepNetModel model, DenoiseSettings settings,
        Action<double>? progress = null)
    {
        const int Bands = Constants.BandCount;
        double duration = input[0].Length / (double)sampleRate;
        var times = new List<double>();
        var gains = new List<float>();
        var strengths = new List<float>();
        var pitch = new List<float>();
        var correlation = new List<float>();
        var voiced = new List<bool>();

        float[][] output = OfflineRenderer.Render(input, sampleRate, blockSize =>
        {
            var engine = new Denoiser(sampleRate, input.Length, blockSize, model, settings).Engine;
            double innerDelay = engine.InnerInputDelaySeconds;
            engine.HopCompleted = core =>
            {
                // Alignment: after step t the core's applied gains, strengths and pitch belong to frame
                // l = t − 2 (§9.1: the network's lookahead), the 960-sample window over inner samples
                // 480(l − 1) … 480(l + 1) − 1, centred at 480·l. The inner (48 kHz) stream is the host input
                // delayed by the host→inner resampler only (0 at 48 kHz); the engine's output latency
                // (LatencySamples) plays no part here because OfflineRenderer already removed it from the
                // audio, and these records are placed by what they analyse, not by when they were heard.
                long l = core.Analysis.Step - Constants.LookaheadFrames;
                double t = (double)l * Constants.HopSize / Constants.SampleRate - innerDelay;
                // Steps 0 and 1 have no frame yet; hops past the end only see the padding zeros.
                if (l < 0 || t > duration) return;
                times.Add(t);
                for (int b = 0; b < Bands; b++)
                {
                    gains.Add(20f * MathF.Log10(MathF.Max(core.AppliedGain[b], 1e-7f)));
                    strengths.Add(core.AppliedStrength[b]);
                }
                var a = core.Analysis;
                pitch.Add(a.Period > 0 ? (float)Constants.SampleRate / a.Period : 0f);
                correlation.Add(a.PitchCorrelation);
                voiced.Add(a.Voiced);
            };
            return engine;
        }, progress: progress);

        var inDb = Spectrogram(Downmix.Mid(input), sampleRate, out int columns);
        var outDb = Spectrogram(Downmix.Mid(output), sampleRate, out _);
        return new ReportData
        {
            SampleRate = sampleRate,
            DurationSeconds = duration,
            Columns = columns,
            ColumnSeconds = (double)Constants.HopSize / sampleRate,
            Bins = Constants.BinCount,
            BinHz = (double)sampleRate / Constants.WindowSize,
            InputDb = inDb,
            OutputDb = outDb,
            HopTimes = times.ToArray(),
            GainDb = gains.ToArray(),
            CombStrength = strengths.ToArray(),
            PitchHz = pitch.ToArray(),
            PitchCorrelation = correlation.ToArray(),
            Voiced = voiced.ToArray(),
            Output = output,
            Summary = ReportSummary.Measure(input, output, sampleRate),
        };
    }

    /// <summary>
    /// |STFT|² in dBFS with the algorithm's own 960-point Vorbis window and 480-sample hop, at the
    /// file's rate (so bins are rate/960 Hz apart). Column j's window is centred on sample 480·j, the
    /// signal being zero outside, so column times line up with the per-hop records at 48 kHz.
    /// </summary>
    public static float[] Spectrogram(float[] x, int sampleRate, out int columns)
    {
        const int W = Constants.WindowSize, Hop = Constants.HopSize, Bins = Constants.BinCount;
        columns = Math.Max(1, (x.Length + Hop - 1) / Hop);
        var window = VorbisWindow.Values;
        // A full-scale sine at a bin centre gives |X| = Σw/2; dividing by it makes that 0 dBFS.
        double sum = 0;
        foreach (float w in window) sum += w;
        float norm = (float)(1.0 / (sum / 2 * (sum / 2)));
        var fft = new RealFft<float>();
        var frame = new float[W];
        var re = new float[Bins];
        var im = new float[Bins];
        var db = new float[columns * Bins];
        for (int j = 0; j < columns; j++)
        {
            long start = (long)j * Hop - W / 2;
            for (int n = 0; n < W; n++)
            {
                long i = start + n;
                frame[n] = i >= 0 && i < x.Length ? x[i] * window[n] : 0f;
            }
            fft.Forward(frame, re, im);
            for (int k = 0; k < Bins; k++)
            {
                float p = (re[k] * re[k] + im[k] * im[k]) * norm;
                db[j * Bins + k] = p > 0f ? MathF.Max(FloorDb, 10f * MathF.Log10(p)) : FloorDb;
            }
        }
        return db;
    }
}
