namespace PercepNetFx.Offline.Metrics;

/// <summary>
/// Segmental SNR (Hansen &amp; Pellom, "An effective quality evaluation protocol for speech enhancement
/// algorithms", ICSLP 1998; Loizou, "Speech Enhancement: Theory and Practice", §11.1.1).
/// </summary>
/// <remarks>
/// Choices (the literature varies):
/// <list type="bullet">
/// <item>Frames of <see cref="FrameSeconds"/> = 20 ms (960 samples at 48 kHz, the engine's window),
/// rectangular and non-overlapping; a final partial frame is dropped.</item>
/// <item>Per frame: SNR = 10·log10(Σ s² / Σ (s − ŝ)²), clamped to [<see cref="MinSnrDb"/>,
/// <see cref="MaxSnrDb"/>] = [−10, 35] dB; a frame with no error scores 35 dB.</item>
/// <item>Silent frames are excluded: a frame whose clean energy is zero or more than
/// <see cref="SilenceRangeDb"/> = 40 dB below the most energetic clean frame (the same dynamic range as
/// STOI's silent-frame removal) does not count.</item>
/// <item>Result: the mean of the clamped per-frame values in dB. NaN when no frame counts (signal shorter
/// than one frame or all-zero clean signal).</item>
/// </list>
/// </remarks>
public static class SegmentalSnr
{
    public const double FrameSeconds = 0.020;
    public const double MinSnrDb = -10.0;
    public const double MaxSnrDb = 35.0;
    public const double SilenceRangeDb = 40.0;

    /// <summary>Frame length in samples at <paramref name="sampleRate"/>: round(0.020·rate).</summary>
    public static int FrameLength(int sampleRate) => (int)Math.Round(FrameSeconds * sampleRate);

    /// <summary>Segmental SNR in dB of <paramref name="enhanced"/> against <paramref name="clean"/>.</summary>
    public static double Compute(ReadOnlySpan<float> clean, ReadOnlySpan<float> enhanced, int sampleRate)
    {
        if (clean.Length != enhanced.Length)
            throw new ArgumentException("Clean and enhanced must have the same length.", nameof(enhanced));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);

        int frameLength = FrameLength(sampleRate);
        int frameCount = clean.Length / frameLength;
        if (frameCount == 0) return double.NaN;

        var signalEnergy = new double[frameCount];
        var errorEnergy = new double[frameCount];
        double maxSignalEnergy = 0;
        for (int f = 0; f < frameCount; f++)
        {
            double signal = 0, error = 0;
            for (int i = f * frameLength; i < (f + 1) * frameLength; i++)
            {
                double s = clean[i];
                double d = s - enhanced[i];
                signal += s * s;
                error += d * d;
            }
            signalEnergy[f] = signal;
            errorEnergy[f] = error;
            maxSignalEnergy = Math.Max(maxSignalEnergy, signal);
        }

        double silenceThreshold = maxSignalEnergy * Math.Pow(10, -SilenceRangeDb / 10);
        double sumDb = 0;
        int counted = 0;
        for (int f = 0; f < frameCount; f++)
        {
            if (signalEnergy[f] == 0 || signalEnergy[f] < silenceThreshold) continue;
            double snrDb = errorEnergy[f] == 0 ? MaxSnrDb : 10 * Math.Log10(signalEnergy[f] / errorEnergy[f]);
            sumDb += Math.Clamp(snrDb, MinSnrDb, MaxSnrDb);
            counted++;
        }
        return counted == 0 ? double.NaN : sumDb / counted;
    }
}
