using PercepNetFx.Offline.Metrics;

namespace PercepNetFx.Offline.Analysis;

/// <summary>
/// The report's summary numbers, from the input and the latency-compensated output (same length, aligned),
/// both as 10 ms frames of the mid signal (<see cref="FrameEnergies"/>):
/// <list type="bullet">
/// <item>Noise-only stretches: runs of at least <see cref="MinStretchFrames"/> frames whose input energy lies
/// within <see cref="FloorMarginDb"/> of the input's noise floor, the <see cref="FloorPercentile"/>th percentile of
/// its non-silent frame energies. Speech rises well above the floor; what stays on it for 200 ms and more is noise.</item>
/// <item>Noise removed: 10·log10(Σ input energy / Σ output energy) over those frames, in dB.</item>
/// <item>Speech level in and out: the active speech level (<see cref="SpeechLevel"/>) of input and output,
/// as in the folder table of `denoise`.</item>
/// </list>
/// </summary>
public sealed record ReportSummary(double NoiseRemovedDb, double NoiseOnlySeconds, double InputLevelDbfs, double OutputLevelDbfs)
{
    public const double FloorPercentile = 10;
    public const double FloorMarginDb = 6;
    public const int MinStretchFrames = 20;

    /// <summary>True when the input has noise-only stretches (otherwise <see cref="NoiseRemovedDb"/> is NaN).</summary>
    public bool HasNoiseOnly => NoiseOnlySeconds > 0;

    public static ReportSummary Measure(float[][] input, float[][] output, int sampleRate)
    {
        var inFrames = new FrameEnergies(sampleRate);
        var outFrames = new FrameEnergies(sampleRate);
        inFrames.Add(input, 0, input[0].Length);
        outFrames.Add(output, 0, output[0].Length);
        IReadOnlyList<double> ei = inFrames.Energies, eo = outFrames.Energies;

        var audible = ei.Where(e => e > 0).Order().ToArray();
        double inSum = 0, outSum = 0;
        int noiseFrames = 0;
        if (audible.Length > 0)
        {
            double floor = audible[(int)(FloorPercentile / 100 * (audible.Length - 1))];
            double ceiling = floor * Math.Pow(10, FloorMarginDb / 10);
            for (int start = 0; start < ei.Count;)
            {
                int end = start;
                while (end < ei.Count && ei[end] > 0 && ei[end] <= ceiling) end++;
                if (end - start >= MinStretchFrames)
                {
                    for (int f = start; f < end; f++) { inSum += ei[f]; outSum += eo[f]; }
                    noiseFrames += end - start;
                }
                start = Math.Max(end, start + 1);
            }
        }
        double removed = noiseFrames == 0 ? double.NaN : 10 * Math.Log10(inSum / outSum);
        return new ReportSummary(removed, noiseFrames * (double)inFrames.FrameLength / sampleRate,
            inFrames.ActiveLevelDbfs(), outFrames.ActiveLevelDbfs());
    }
}
