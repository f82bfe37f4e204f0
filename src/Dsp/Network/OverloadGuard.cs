namespace PercepNetFx.Dsp.Network;

/// <summary>
/// The overload guard (docs/decisions.md, "Overload guard") around a <see cref="NetworkRunner"/>:
/// the GRUs integrate over seconds, so a second of DC, a full-scale tone or 0 dBFS noise would
/// otherwise bias the gains for up to 1.8 s after it stops. While hops are at or above
/// <see cref="Constants.OverloadMeanSquare"/>, a shadow runner, started from the network's state,
/// is stepped on silence features (what the network sees for NaN/Inf input, §4.8) next to the real
/// one. The audible gains always come from the real network; only if the loud run lasted
/// <see cref="Constants.OverloadConfirmHops"/> hops does the shadow's state replace the real one
/// when the run ends, so the network resumes as after a gap. Shorter loud runs (speech) change
/// nothing. Allocation-free after construction.
/// </summary>
public sealed class OverloadGuard : IGainSource
{
    private const int Bands = Constants.BandCount, PeriodIndex = 2 * Bands, CorrelationIndex = 2 * Bands + 1;
    private static readonly float SilentLogEnergy = MathF.Log10(Constants.FeatureEnergyFloor); // L_b of a silent frame (§5)

    private readonly NetworkRunner shadow;
    private readonly NetworkRunner beforeLastStep;   // the network's state before its previous step
    private readonly float[] silentFeatures = new float[Constants.FeatureCount]; // what the shadow sees
    private readonly float[] discardedGains = new float[Bands];
    private bool shadowing;         // a loud run (or its tail) is in progress
    private int loudHops;           // loud hops in the current run
    private int hopsSinceLoud;      // steps since the last loud hop

    public OverloadGuard(NetworkRunner network)
    {
        Network = network;
        shadow = new NetworkRunner(network.Model, network.Precision, network.Kernel);
        beforeLastStep = new NetworkRunner(network.Model, network.Precision, network.Kernel);
    }

    /// <summary>The guarded network.</summary>
    public NetworkRunner Network { get; }
    /// <summary>Number of overload runs whose memory the guard has discarded since construction.</summary>
    public long OverloadRecoveries { get; private set; }

    public void Reset()
    {
        Network.Reset();
        shadow.Reset();
        beforeLastStep.Reset();
        shadowing = false;
        loudHops = 0;
        hopsSinceLoud = 0;
    }

    public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths)
    {
        ReadOnlySpan<float> features = frame.Features;
        bool loud = frame.InputMeanSquare >= Constants.OverloadMeanSquare;
        if (loud)
        {
            if (!shadowing)
            {
                // A run rarely starts on a hop boundary: the hop before the first loud one already
                // holds part of the overload (below the threshold on average), and its frame is in
                // the network's state. So the shadow starts from the state before the previous step
                // and takes that step again on silence band energies, with the pitch features the
                // tracker gave then (it decides frame t − 2, still before the run).
                shadow.CopyStateFrom(beforeLastStep);
                silentFeatures.AsSpan(0, Bands).Fill(SilentLogEnergy);   // every feature is set:
                silentFeatures.AsSpan(Bands, Bands).Clear();             // energies, coherences,
                silentFeatures[PeriodIndex] = features[PeriodIndex];     // period, correlation
                silentFeatures[CorrelationIndex] = 0f;
                shadow.Step(silentFeatures, discardedGains, discardedGains);
                shadowing = true;
                loudHops = 0;
            }
            loudHops++;
            hopsSinceLoud = 0;
        }
        else if (shadowing)
        {
            hopsSinceLoud++;
        }

        if (!shadowing) beforeLastStep.CopyStateFrom(Network);
        Network.Step(features, gains, strengths);
        if (!shadowing) return;

        // The shadow sees the run as silence: silent band energies in frames t and t + 1 after a
        // loud hop t (frame t spans hops t − 1, t), no coherence (the real tracker's period, which
        // it needs, still remembers the run until the tail is over), and the pitch features of the
        // tracker's own shadow (OverloadPitchShadow), whose state the real tracker takes with ours.
        features.CopyTo(silentFeatures);
        if (hopsSinceLoud <= 1) silentFeatures.AsSpan(0, Bands).Fill(SilentLogEnergy);
        silentFeatures.AsSpan(Bands, Bands).Clear();
        if (frame.OverloadPitchValid)
        {
            silentFeatures[PeriodIndex] = frame.OverloadPeriodCode;
            silentFeatures[CorrelationIndex] = frame.OverloadPitchCorrelation;
        }
        shadow.Step(silentFeatures, discardedGains, discardedGains);
        if (loud || hopsSinceLoud < Constants.OverloadTailHops) return;

        if (loudHops >= Constants.OverloadConfirmHops)
        {
            Network.CopyStateFrom(shadow);
            OverloadRecoveries++;
        }
        shadowing = false;
    }
}
