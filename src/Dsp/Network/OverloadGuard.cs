namespace PercepNetFx.Dsp.Network;

/// <summary>
/// The overload guard (docs/decisions.md, "Overload guard") around a <see cref="NetworkRunner"/>:
/// the GRUs integrate over seconds, so a second of DC, a full-scale tone or 0 dBFS noise would
/// otherwise bias the gains for up to 1.8 s after it stops. While hops are at or above
/// <see cref="Constants.OverloadMeanSquare"/>, a shadow runner is stepped next to the real one on
/// the features of the input with the run silenced, which the engine computes beside its own
/// (<see cref="FrameAnalysis.OverloadFeatures"/>). The audible gains always come from the real
/// network; only if the loud run lasted <see cref="Constants.OverloadConfirmHops"/> hops does the
/// shadow's state replace the real one when the run's tail ends, so the network resumes as if the
/// run had been silence. Shorter loud runs (speech) change nothing. Allocation-free after construction.
/// </summary>
public sealed class OverloadGuard : IGainSource
{
    private const int Bands = Constants.BandCount, PeriodIndex = 2 * Bands, CorrelationIndex = 2 * Bands + 1;
    private static readonly float SilentLogEnergy = MathF.Log10(Constants.FeatureEnergyFloor); // L_b of a silent frame (§5)

    private readonly NetworkRunner shadow;
    private readonly NetworkRunner beforeGap;   // the shadow before the current quiet hops of a run
    private readonly NetworkRunner beforeLastStep;   // the network before its previous step
    private readonly float[] replayFeatures = new float[Constants.FeatureCount];
    private readonly float[] discardedGains = new float[Constants.BandCount];
    private bool shadowing;         // a loud run (or its tail) is in progress
    private int loudHops;           // loud hops in the current run
    private int hopsSinceLoud;      // steps since the last loud hop

    public OverloadGuard(NetworkRunner network)
    {
        Network = network;
        shadow = new NetworkRunner(network.Model, network.Precision, network.Kernel);
        beforeGap = new NetworkRunner(network.Model, network.Precision, network.Kernel);
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
        beforeGap.Reset();
        beforeLastStep.Reset();
        shadowing = false;
        loudHops = 0;
        hopsSinceLoud = 0;
    }

    public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths)
    {
        bool loud = frame.InputMeanSquare >= Constants.OverloadMeanSquare;
        if (loud && !shadowing)
        {
            // A run rarely starts on a hop boundary: hop t − 1 already holds its first samples and is
            // in the network's state. The shadow starts from the state before that step and takes it
            // again with those samples silenced.
            shadow.CopyStateFrom(beforeLastStep);
            if (frame.OverloadRestarted) shadow.Step(frame.OverloadRestartFeatures, discardedGains, discardedGains);
            else shadow.CopyStateFrom(Network);
            shadowing = true;
            loudHops = 0;
        }
        if (shadowing && frame.OverloadReplayedHops > 0)
        {
            // The hops since the shadow's last snapshot were inside the run: take them again as silence.
            shadow.CopyStateFrom(beforeGap);
            replayFeatures.AsSpan(0, Bands).Fill(SilentLogEnergy);
            replayFeatures.AsSpan(Bands, Bands).Clear();
            for (int i = 0; i < frame.OverloadReplayedHops; i++)
            {
                replayFeatures[PeriodIndex] = frame.OverloadReplayPeriodCode[i];
                replayFeatures[CorrelationIndex] = frame.OverloadReplayCorrelation[i];
                shadow.Step(replayFeatures, discardedGains, discardedGains);
            }
        }
        if (shadowing && frame.OverloadGapStarted) beforeGap.CopyStateFrom(shadow);
        if (loud)
        {
            loudHops++;
            hopsSinceLoud = 0;
        }
        else if (shadowing)
        {
            hopsSinceLoud++;
        }

        // The shadow steps on the features of the input with the run silenced, which the engine
        // computes beside its own while a run lasts (OverloadShadow); a gain source without them
        // (an engine driven by hand) leaves the network alone.
        if (shadowing && frame.OverloadFeaturesValid) shadow.Step(frame.OverloadFeatures, discardedGains, discardedGains);
        if (!shadowing) beforeLastStep.CopyStateFrom(Network);
        Network.Step(frame.Features, gains, strengths);
        if (!shadowing || loud || hopsSinceLoud < Constants.OverloadTailHops) return;

        if (loudHops >= Constants.OverloadConfirmHops && frame.OverloadFeaturesValid)
        {
            Network.CopyStateFrom(shadow);
            OverloadRecoveries++;
        }
        shadowing = false;
    }
}
