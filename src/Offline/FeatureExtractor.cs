using PercepNetFx.Dsp;

namespace PercepNetFx.Offline;

/// <summary>Per-step training records of spec §6.6: F_t (70), g and r of frame t − 2 (34 each, −1 = masked).</summary>
public sealed record FeatureSet(int Frames, float[] Features, float[] Gains, float[] Strengths);

/// <summary>
/// Runs the engine's own analysis on a (noisy, clean) pair at 48 kHz, so training features come
/// from exactly the code path the plug-in runs (§5, §6). One record per received hop.
/// </summary>
public static class FeatureExtractor
{
    /// <param name="lowpassBin">§8.4 step 6: bins from this one on are zeroed in the input and the target (481 = off).</param>
    /// <param name="maskBin">Targets above this bin are masked, the input left as it is (481 = off).</param>
    public static FeatureSet Extract(ReadOnlySpan<float> noisy, ReadOnlySpan<float> clean, int lowpassBin = Constants.BinCount,
        int maskBin = Constants.BinCount)
    {
        if (noisy.Length != clean.Length) throw new ArgumentException("noisy and clean lengths differ");
        const int hop = Constants.HopSize, nf = Constants.FeatureCount, nb = Constants.BandCount;
        int frames = noisy.Length / hop;
        var core = new PercepNetCore(1)
        {
            LowpassBin = Math.Clamp(lowpassBin, 1, Constants.BinCount),
            TargetMaskBin = Math.Clamp(maskBin, 1, Constants.BinCount),
        };
        var features = new float[frames * nf];
        var gains = new float[frames * nb];
        var strengths = new float[frames * nb];
        var a = core.Analysis;
        var output = new float[hop];
        for (int t = 0; t < frames; t++)
        {
            core.Step(noisy.Slice(t * hop, hop), output, clean.Slice(t * hop, hop));
            a.Features.AsSpan().CopyTo(features.AsSpan(t * nf, nf));
            for (int b = 0; b < nb; b++)
            {
                gains[t * nb + b] = a.GainValid[b] ? a.TargetGain[b] : -1f;
                strengths[t * nb + b] = a.StrengthValid[b] ? a.TargetStrength[b] : -1f;
            }
        }
        return new FeatureSet(frames, features, gains, strengths);
    }
}
