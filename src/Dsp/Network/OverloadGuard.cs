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
    private readonly float[] heldFeatures = new float[Constants.FeatureCount];   // F_t with the held period code
    private readonly float[] silentFeatures = new float[Constants.FeatureCount]; // what the shadow sees
    private readonly float[] discardedGains = new float[Bands];
    private bool shadowing;         // a loud run (or its tail) is in progress
    private int loudHops;           // loud hops in the current run
    private int hopsSinceLoud;      // steps since the last loud hop
    private bool holdPeriod;        // feed heldPeriodCode until the tracker is voiced again
    private float heldPeriodCode;

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
        holdPeriod = false;
        heldPeriodCode = 0f;
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
                // and takes that step again on silence band energies. The period code it sees is the
                // one held before the run, as the pitch tracker would hold it through silence.
                if (!holdPeriod) heldPeriodCode = features[PeriodIndex];
                shadow.CopyStateFrom(beforeLastStep);
                silentFeatures.AsSpan(0, Bands).Fill(SilentLogEnergy);   // every feature is set:
                silentFeatures.AsSpan(Bands, Bands).Clear();             // energies, coherences,
                silentFeatures[PeriodIndex] = heldPeriodCode;            // period, correlation
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

        // After a discarded run the tracker still holds the period it found in the overload (a
        // 20 Hz tone reads as T = 60) until speech is voiced again; the network gets the code
        // held before the run instead, as if the run had been silence.
        if (holdPeriod)
        {
            if (features[CorrelationIndex] > 0f)
            {
                holdPeriod = false;
            }
            else
            {
                features.CopyTo(heldFeatures);
                heldFeatures[PeriodIndex] = heldPeriodCode;
                features = heldFeatures;
            }
        }
        if (!shadowing) beforeLastStep.CopyStateFrom(Network);
        Network.Step(features, gains, strengths);
        if (!shadowing) return;

        // Silence features wherever the overload reaches: the band energies of frames t and t + 1
        // after a loud hop t (frame t spans hops t − 1, t), the pitch features for the tail.
        features.CopyTo(silentFeatures);
        if (hopsSinceLoud <= 1) silentFeatures.AsSpan(0, Bands).Fill(SilentLogEnergy);
        silentFeatures.AsSpan(Bands, Bands).Clear();
        silentFeatures[PeriodIndex] = heldPeriodCode;
        silentFeatures[CorrelationIndex] = 0f;
        shadow.Step(silentFeatures, discardedGains, discardedGains);
        if (loud || hopsSinceLoud < Constants.OverloadTailHops) return;

        if (loudHops >= Constants.OverloadConfirmHops)
        {
            Network.CopyStateFrom(shadow);
            holdPeriod = true;
            OverloadRecoveries++;
        }
        shadowing = false;
    }
}
