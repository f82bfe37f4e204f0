using PercepNetFx.Dsp;

namespace PercepNetFx.Tests.Shared;

/// <summary>Deterministic gains and strengths that follow the frame's features (log band energy and
/// coherence), so a test exercises the whole chain and a wrong frame cannot match by accident.</summary>
internal sealed class FeatureGainSource : IGainSource
{
    public void Reset() { }
    public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths)
    {
        for (int b = 0; b < Constants.BandCount; b++)
        {
            gains[b] = 0.5f + 0.5f * MathF.Tanh(frame.Features[b] + 2f);
            strengths[b] = frame.Coherence[b];
        }
    }
}

/// <summary>Gains and strengths from the current frame only (no memory), so any difference that
/// outlives an input must come from DSP state: rings, pitch history, overlap-add.</summary>
internal sealed class MemorylessGainSource : IGainSource
{
    public void Reset() { }
    public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths)
    {
        for (int b = 0; b < Constants.BandCount; b++)
        {
            float e = frame.BandEnergy[b];
            gains[b] = e / (e + 1e-4f);
            strengths[b] = frame.Voiced ? frame.PitchCorrelation : 0f;
        }
    }
}
