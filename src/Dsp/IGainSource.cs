namespace PercepNetFx.Dsp;

/// <summary>
/// Supplies the per-band gains ĝ_b and comb strengths r̂_b (both in [0, 1]) for frame l = t − 2
/// at step t (spec §9.1): unity, the oracle, or the network. Called on the audio thread once per
/// hop: implementations must not allocate, lock or throw.
/// </summary>
public interface IGainSource
{
    /// <summary>Clears any recurrent state (engine reset).</summary>
    void Reset();

    /// <summary>Writes 34 gains and 34 strengths for the frame described by <paramref name="frame"/>.</summary>
    void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths);
}

/// <summary>All gains 1 and strengths 0: the engine is then exactly transparent (§2.3).</summary>
public sealed class UnityGainSource : IGainSource
{
    public static readonly UnityGainSource Instance = new();
    public void Reset() { }
    public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths)
    {
        gains[..Constants.BandCount].Fill(1f);
        strengths[..Constants.BandCount].Clear();
    }
}

/// <summary>Which oracle stage of the signal chain to emulate (Amazon Science blog post stages).</summary>
public enum OracleMode
{
    /// <summary>Per-bin magnitude oracle with the noisy phase (handled by the engine: no band gains).</summary>
    Stft,
    /// <summary>34-band gain oracle g_b of §6.2, no comb filter.</summary>
    Bands,
    /// <summary>Band gains with g_att and oracle comb strengths r_b of §6.3.</summary>
    BandsComb,
    /// <summary>As BandsComb; the engine's post-filter amount is set to 1 by the caller.</summary>
    BandsCombPostFilter,
}

/// <summary>Reads the targets the engine computed from the clean reference of the same frame (§6).</summary>
public sealed class OracleGainSource(OracleMode mode) : IGainSource
{
    public OracleMode Mode { get; } = mode;
    public void Reset() { }
    public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths)
    {
        if (!frame.HasReference)
        {
            UnityGainSource.Instance.Compute(frame, gains, strengths);
            return;
        }
        bool comb = Mode is OracleMode.BandsComb or OracleMode.BandsCombPostFilter;
        for (int b = 0; b < Constants.BandCount; b++)
        {
            gains[b] = comb ? frame.TargetGain[b] : frame.TargetGainPlain[b];
            strengths[b] = comb ? frame.TargetStrength[b] : 0f;
        }
    }
}
