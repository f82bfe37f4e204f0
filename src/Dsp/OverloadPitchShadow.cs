namespace PercepNetFx.Dsp;

/// <summary>
/// The pitch tracker's half of the overload guard (docs/decisions.md, "Overload guard"). The
/// tracker remembers a loud run after it ends: its DC blocker rings, its analysis window still
/// holds the overload for a few hops (so speech right after reads as unvoiced), and it keeps the
/// period it found in the overload until speech is voiced again. During a run of hops at or above
/// <see cref="Constants.OverloadMeanSquare"/>, a shadow tracker started from the real one is fed
/// silence in place of the run and the real hops after it; quiet hops inside the run (a gap
/// shorter than <see cref="Constants.OverloadTailHops"/>, as a 20 Hz tone makes) are taken back
/// and fed as silence once the next loud hop shows they were part of it. When the tail after a run
/// of at least <see cref="Constants.OverloadConfirmHops"/> loud hops is over, the real tracker takes
/// the shadow's state, in the same step as the network takes its shadow's
/// (<see cref="Network.OverloadGuard"/>), so both continue as in the run where the overload was
/// silence. Shorter loud runs (speech) change nothing. The shadow's pitch features are what the
/// network's shadow sees meanwhile. Allocation-free after construction.
/// </summary>
public sealed class OverloadPitchShadow
{
    private readonly PitchTracker shadow = new();
    private readonly PitchTracker beforeGap = new();   // the shadow before the current run of quiet hops
    private readonly float[] silence = new float[Constants.HopSize];
    private bool running;
    private int loudHops, quietHops;

    /// <summary>True while a loud run (or its tail) is shadowed; <see cref="PeriodCode"/> and <see cref="Correlation"/> are then valid.</summary>
    public bool Running => running;
    /// <summary>The shadow's period feature log₂(T / 240) for the current step (§5).</summary>
    public float PeriodCode { get; private set; }
    /// <summary>The shadow's pitch-correlation feature for the current step (0 when unvoiced).</summary>
    public float Correlation { get; private set; }

    public void Reset()
    {
        shadow.Reset();
        beforeGap.Reset();
        running = false;
        loudHops = quietHops = 0;
    }

    /// <summary>Before the real tracker takes hop t: a loud hop starts the shadow from the real tracker's state.</summary>
    public void BeforeStep(PitchTracker real, bool loud)
    {
        if (!loud || running) return;
        shadow.CopyFrom(real);
        running = true;
        loudHops = quietHops = 0;
    }

    /// <summary>
    /// After the real tracker took hop t (<paramref name="hop"/>): steps the shadow on silence or on
    /// the same hop, and at the end of a confirmed run's tail gives the real tracker its state.
    /// </summary>
    public void AfterStep(PitchTracker real, ReadOnlySpan<float> hop, bool loud)
    {
        if (!running) return;
        if (loud)
        {
            if (quietHops > 0)
            {
                // The quiet hops were a gap inside the run: replay them as silence (at most
                // OverloadTailHops − 1 extra tracker steps, once per gap).
                shadow.CopyFrom(beforeGap);
                for (int i = 0; i < quietHops; i++) shadow.Process(silence);
            }
            shadow.Process(silence);
            loudHops++;
            quietHops = 0;
        }
        else
        {
            if (quietHops == 0) beforeGap.CopyFrom(shadow);
            shadow.Process(hop);
            quietHops++;
        }
        PeriodCode = MathF.Log2(shadow.Period / (float)PitchTracker.ResetPeriod);
        Correlation = shadow.Voiced ? shadow.Correlation : 0f;
        if (loud || quietHops < Constants.OverloadTailHops) return;
        if (loudHops >= Constants.OverloadConfirmHops) real.CopyFrom(shadow);
        running = false;
    }
}
