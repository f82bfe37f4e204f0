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
    /// <summary>True while the overload guard shadows a loud run: <see cref="OverloadFeatures"/> then
    /// holds F_t of the input with the run's loud hops silenced (docs/decisions.md, "Overload guard").</summary>
    public bool OverloadFeaturesValid { get; internal set; }
    public ReadOnlySpan<float> OverloadFeatures => overloadFeatures;
    /// <summary>Quiet hops that this step showed to be a gap inside the loud run: the shadow takes them
    /// again as silence (silent energies, no coherence, and the period code and correlation below per hop).</summary>
    public int OverloadReplayedHops { get; internal set; }
    public ReadOnlySpan<float> OverloadReplayPeriodCode => replayPeriodCode.AsSpan(0, OverloadReplayedHops);
    public ReadOnlySpan<float> OverloadReplayCorrelation => replayCorrelation.AsSpan(0, OverloadReplayedHops);
    /// <summary>True when this hop may be the first of a stretch that a later hop shows to be inside the
    /// run: the shadow keeps its state from before this step for that replay.</summary>
    public bool OverloadGapStarted { get; internal set; }
    /// <summary>True at the step that starts a loud run: <see cref="OverloadRestartFeatures"/> is then F_(t−1)
    /// again with the run's first samples in hop t − 1 silenced, for the shadow to take step t − 1 again.</summary>
    public bool OverloadRestarted { get; internal set; }
    public ReadOnlySpan<float> OverloadRestartFeatures => restartFeatures;
    private readonly float[] overloadFeatures, restartFeatures, replayPeriodCode, replayCorrelation;

    public FrameAnalysis() : this(new float[Constants.FeatureCount], new float[Constants.FeatureCount],
        new float[Constants.OverloadTailHops + 1], new float[Constants.OverloadTailHops + 1]) { }
    internal FrameAnalysis(float[] overloadFeatures, float[] restartFeatures, float[] replayPeriodCode, float[] replayCorrelation)
    {
        this.overloadFeatures = overloadFeatures;
        this.restartFeatures = restartFeatures;
        this.replayPeriodCode = replayPeriodCode;
        this.replayCorrelation = replayCorrelation;
    }

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
