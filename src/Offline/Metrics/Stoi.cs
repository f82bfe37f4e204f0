using PercepNetFx.Dsp.Resampling;

namespace PercepNetFx.Offline.Metrics;

/// <summary>
/// Short-Time Objective Intelligibility (Taal, Hendriks, Heusdens, Jensen, "An algorithm for
/// intelligibility prediction of time–frequency weighted noisy speech", IEEE TASLP 19(7), 2011),
/// following the reference implementation's behaviour (the authors' MATLAB <c>stoi.m</c> and its Python
/// port pystoi) step by step.
/// </summary>
/// <remarks>
/// <para>Steps (paper §II):</para>
/// <list type="number">
/// <item>Resample both signals to 10 kHz. Here with <see cref="PolyphaseResampler.Resample"/>
/// (delay-compensated, length ceil(n·10000/fs), flat to 0.907·5 kHz = 4.535 kHz, above the top band edge
/// 4.29 kHz) instead of MATLAB's <c>resample</c> (Kaiser β = 5, 10 taps per side); for 48 kHz the ratio
/// is 5/24.</item>
/// <item>Remove silent frames (MATLAB <c>removeSilentFrames</c>): 256-sample frames, hop 128, window
/// <c>hanning(256)</c> (= 0.5 − 0.5·cos(2π(n+1)/257)), frame starts 0, 128, … while start &lt; len − 256
/// (the reference's exclusive bound); frame energy 20·log10(‖w·x‖ + ε); frames with energy
/// ≤ max − 40 dB are dropped from both signals, the kept windowed frames are overlap-added back
/// (length (frames − 1)·128 + 256).</item>
/// <item>STFT with the same window, hop 128, frames again while start &lt; len − 256, zero-padded
/// 512-point FFT, bins 0 … 256.</item>
/// <item>15 one-third-octave bands, centres 150·2^(k/3) Hz; band k sums the power of FFT bins
/// [b_lo, b_hi) where b_lo/b_hi are the bins nearest 150·2^((2k∓1)/6) Hz (first bin on a tie);
/// envelope = √(Σ |X|²).</item>
/// <item>Short-time segments of N = 30 frames ending at frames 30 … J: the processed envelope y is
/// normalised to the clean segment's norm, α = ‖x‖/(‖y‖ + ε), clipped
/// ŷ = min(α·y, (1 + 10^(−β/20))·x) with β = −15 dB (eq. 3), then d = correlation coefficient of x and ŷ
/// (means removed, each divided by its norm + ε; eq. 4–5).</item>
/// <item>STOI = mean of d over all bands and segments (eq. 6).</item>
/// </list>
/// <para>ε = 2.220446e−16 (numpy's float eps) as in pystoi. Fewer than 30 frames after silence removal
/// (or a signal shorter than one frame) returns <see cref="TooShortScore"/> = 1e−5, like pystoi.
/// All arithmetic is in double.</para>
/// </remarks>
public static class Stoi
{
    public const int InternalSampleRate = 10000;
    public const int FrameLength = 256;
    public const int FrameHop = FrameLength / 2;
    public const int FftLength = 512;
    public const int BandCount = 15;
    public const double MinCentreFrequencyHz = 150.0;
    public const int SegmentFrames = 30;
    public const double BetaDb = -15.0;
    public const double DynamicRangeDb = 40.0;
    public const double TooShortScore = 1e-5;

    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>STOI of <paramref name="processed"/> against <paramref name="clean"/> (equal lengths, same
    /// time alignment), sampled at <paramref name="sampleRate"/> Hz. Typically 0.4 … 1.</summary>
    public static double Compute(ReadOnlySpan<float> clean, ReadOnlySpan<float> processed, int sampleRate)
    {
        if (clean.Length != processed.Length)
            throw new ArgumentException("Clean and processed must have the same length.", nameof(processed));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);

        double[] x = ToDouble(sampleRate == InternalSampleRate ? clean : PolyphaseResampler.Resample(clean, sampleRate, InternalSampleRate));
        double[] y = ToDouble(sampleRate == InternalSampleRate ? processed : PolyphaseResampler.Resample(processed, sampleRate, InternalSampleRate));

        double[] window = HannWindow(FrameLength);
        if (!RemoveSilentFrames(x, y, window, out double[] xKept, out double[] yKept)) return TooShortScore;

        double[,] xEnvelope = ThirdOctaveEnvelopes(xKept, window);
        double[,] yEnvelope = ThirdOctaveEnvelopes(yKept, window);
        int frameCount = xEnvelope.GetLength(0);
        if (frameCount < SegmentFrames) return TooShortScore;

        double clip = 1 + Math.Pow(10, -BetaDb / 20);
        Span<double> xs = stackalloc double[SegmentFrames];
        Span<double> ys = stackalloc double[SegmentFrames];
        double sum = 0;
        int segmentCount = frameCount - SegmentFrames + 1;
        for (int end = SegmentFrames; end <= frameCount; end++)
        {
            for (int band = 0; band < BandCount; band++)
            {
                double xNorm = 0, yNorm = 0;
                for (int t = 0; t < SegmentFrames; t++)
                {
                    xs[t] = xEnvelope[end - SegmentFrames + t, band];
                    ys[t] = yEnvelope[end - SegmentFrames + t, band];
                    xNorm += xs[t] * xs[t];
                    yNorm += ys[t] * ys[t];
                }
                // Normalise the processed envelope to the clean energy and clip at the SDR bound β (eq. 3).
                double alpha = Math.Sqrt(xNorm) / (Math.Sqrt(yNorm) + Epsilon);
                for (int t = 0; t < SegmentFrames; t++)
                    ys[t] = Math.Min(alpha * ys[t], clip * xs[t]);
                sum += Correlation(xs, ys);
            }
        }
        return sum / (segmentCount * BandCount);
    }

    /// <summary>Sample correlation coefficient as in the reference: means removed, each vector divided by
    /// (its norm + ε), then the dot product (eq. 5).</summary>
    private static double Correlation(Span<double> x, Span<double> y)
    {
        int n = x.Length;
        (double xMean, double yMean) = Means.Of<double>(x, y);
        double xNorm = 0, yNorm = 0;
        for (int t = 0; t < n; t++)
        {
            x[t] -= xMean;
            y[t] -= yMean;
            xNorm += x[t] * x[t];
            yNorm += y[t] * y[t];
        }
        xNorm = Math.Sqrt(xNorm) + Epsilon;
        yNorm = Math.Sqrt(yNorm) + Epsilon;
        double dot = 0;
        for (int t = 0; t < n; t++) dot += (x[t] / xNorm) * (y[t] / yNorm);
        return dot;
    }

    /// <summary>Drops frames of the clean signal more than 40 dB below its loudest frame (and the same
    /// frames of the processed signal) and overlap-adds the kept windowed frames. False when there is no frame.</summary>
    private static bool RemoveSilentFrames(double[] x, double[] y, double[] window, out double[] xKept, out double[] yKept)
    {
        int frameCount = FrameStarts(x.Length);
        xKept = yKept = [];
        if (frameCount == 0) return false;

        var energyDb = new double[frameCount];
        double maxDb = double.NegativeInfinity;
        for (int f = 0; f < frameCount; f++)
        {
            double energy = 0;
            for (int i = 0; i < FrameLength; i++)
            {
                double v = window[i] * x[f * FrameHop + i];
                energy += v * v;
            }
            energyDb[f] = 20 * Math.Log10(Math.Sqrt(energy) + Epsilon);
            maxDb = Math.Max(maxDb, energyDb[f]);
        }

        var kept = new List<int>(frameCount);
        for (int f = 0; f < frameCount; f++)
            if (maxDb - DynamicRangeDb - energyDb[f] < 0) kept.Add(f);

        int length = (kept.Count - 1) * FrameHop + FrameLength;
        xKept = new double[length];
        yKept = new double[length];
        for (int k = 0; k < kept.Count; k++)
        {
            int source = kept[k] * FrameHop, target = k * FrameHop;
            for (int i = 0; i < FrameLength; i++)
            {
                xKept[target + i] += window[i] * x[source + i];
                yKept[target + i] += window[i] * y[source + i];
            }
        }
        return true;
    }

    /// <summary>One-third-octave band envelopes √(Σ|X|²), indexed [frame, band].</summary>
    private static double[,] ThirdOctaveEnvelopes(double[] signal, double[] window)
    {
        (int Low, int High)[] bands = BandBins();
        int frameCount = FrameStarts(signal.Length);
        var envelopes = new double[frameCount, BandCount];
        var real = new double[FftLength];
        var imag = new double[FftLength];
        var power = new double[FftLength / 2 + 1];
        for (int f = 0; f < frameCount; f++)
        {
            Array.Clear(real);
            Array.Clear(imag);
            for (int i = 0; i < FrameLength; i++) real[i] = window[i] * signal[f * FrameHop + i];
            MetricsFft.Transform(real, imag, inverse: false);
            for (int k = 0; k < power.Length; k++) power[k] = real[k] * real[k] + imag[k] * imag[k];
            for (int b = 0; b < BandCount; b++)
            {
                double bandPower = 0;
                for (int k = bands[b].Low; k < bands[b].High; k++) bandPower += power[k];
                envelopes[f, b] = Math.Sqrt(bandPower);
            }
        }
        return envelopes;
    }

    /// <summary>FFT bin range [Low, High) of each one-third-octave band (reference <c>thirdoct</c>).</summary>
    public static (int Low, int High)[] BandBins()
    {
        var bands = new (int, int)[BandCount];
        for (int b = 0; b < BandCount; b++)
        {
            double lowHz = MinCentreFrequencyHz * Math.Pow(2.0, (2.0 * b - 1) / 6);
            double highHz = MinCentreFrequencyHz * Math.Pow(2.0, (2.0 * b + 1) / 6);
            bands[b] = (NearestBin(lowHz), NearestBin(highHz));
        }
        return bands;
    }

    private static int NearestBin(double frequencyHz)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int k = 0; k <= FftLength / 2; k++)
        {
            double d = k * (double)InternalSampleRate / FftLength - frequencyHz;
            if (d * d < bestDistance)
            {
                bestDistance = d * d;
                best = k;
            }
        }
        return best;
    }

    /// <summary>Number of frames the reference takes: starts 0, hop, … &lt; length − 256.</summary>
    private static int FrameStarts(int length) =>
        length > FrameLength ? (length - FrameLength + FrameHop - 1) / FrameHop : 0;

    /// <summary>MATLAB <c>hanning(n)</c>: 0.5 − 0.5·cos(2π(i + 1)/(n + 1)).</summary>
    private static double[] HannWindow(int length)
    {
        var w = new double[length];
        for (int i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * (i + 1) / (length + 1));
        return w;
    }

    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }
}
