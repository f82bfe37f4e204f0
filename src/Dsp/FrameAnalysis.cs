namespace PercepNetFx.Dsp;

/// <summary>
/// What the engine knows at step t: the features F_t (§5), the pitch and band energies of the
/// output frame l = t − 2, and, when a clean reference is supplied, the oracle targets of §6.
/// Owned and overwritten by the engine every step; read it only inside the step or copy it.
/// </summary>
public sealed class FrameAnalysis
{
    /// <summary>Step index t (hops received since reset, minus one).</summary>
    public long Step { get; internal set; }
    /// <summary>Mean square of the newest input hop after sanitising and clamping, the largest over channels.</summary>
    public float InputMeanSquare { get; internal set; }
    /// <summary>F_t: 34 log energies of frame t, 34 coherences, period code and pitch correlation of frame l.</summary>
    public float[] Features { get; } = new float[Constants.FeatureCount];
    /// <summary>E_Y(b) of frame l (mid signal in stereo).</summary>
    public float[] BandEnergy { get; } = new float[Constants.BandCount];
    /// <summary>q_y(b) of frame l; 0 when the comb is bypassed.</summary>
    public float[] Coherence { get; } = new float[Constants.BandCount];
    public int Period { get; internal set; } = PitchTracker.ResetPeriod;
    public float PitchCorrelation { get; internal set; }
    public bool Voiced { get; internal set; }
    /// <summary>True when frame l is voiced and not silent, so the comb filter runs (§4.8).</summary>
    public bool CombActive { get; internal set; }

    public bool HasReference { get; internal set; }
    /// <summary>g_b of §6.2 (no comb attenuation).</summary>
    public float[] TargetGainPlain { get; } = new float[Constants.BandCount];
    /// <summary>g_b after g_att of §6.3 step 4, clamped to [0, 1].</summary>
    public float[] TargetGain { get; } = new float[Constants.BandCount];
    /// <summary>r_b of §6.3 (0 where unvoiced).</summary>
    public float[] TargetStrength { get; } = new float[Constants.BandCount];
    /// <summary>Loss masks of §6.5: false means "masked" (written as −1 in feature dumps).</summary>
    public bool[] GainValid { get; } = new bool[Constants.BandCount];
    public bool[] StrengthValid { get; } = new bool[Constants.BandCount];
}
