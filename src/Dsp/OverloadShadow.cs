namespace PercepNetFx.Dsp;

/// <summary>
/// The analysis half of the overload guard (docs/decisions.md, "Overload guard"): the features the
/// network would have seen had a long loud run been silence. During a run of hops at or above
/// <see cref="Constants.OverloadMeanSquare"/> it keeps its own copy of the analysis of the mid
/// signal (the ring of the last six hops, the spectra and band energies of frames t − 2 … t, and a
/// pitch tracker) fed zeros in place of the loud hops and the real hops after them, and computes
/// the features F_t from it exactly as the engine does (§5). Quiet hops inside a run (a gap shorter
/// than <see cref="Constants.OverloadTailHops"/>, as a 20 Hz tone makes) are taken back and made
/// silence once the next loud hop shows they were part of it. The tracker remembers a run (its DC
/// blocker rings, its window holds the overload, it keeps the period found in it), so when the tail
/// after a run of at least <see cref="Constants.OverloadConfirmHops"/> loud hops is over, the real
/// tracker takes the shadow's state, in the same step as the network takes its shadow's
/// (<see cref="Network.OverloadGuard"/>); the other analysis state then holds only hops after the
/// run and is the same in both. Shorter loud runs (speech) change nothing. Allocation-free after
/// construction; it works only while a run is shadowed.
/// </summary>
internal sealed class OverloadShadow
{
    private const int Hop = Constants.HopSize, Bins = Constants.BinCount, Bands = Constants.BandCount;
    private const int RingLength = FrameTransform.RingLength, RingHops = RingLength / Hop;

    private readonly FrameTransform transform;
    private readonly PitchTracker pitch = new();
    private readonly PitchTracker pitchBeforeGap = new();   // the shadow tracker before the current quiet hops
    private readonly PitchTracker pitchBeforeLastHop = new(); // the real tracker before the previous hop
    private readonly float[] ring = new float[RingLength];
    private readonly float[][] specRe = Jagged(3, Bins), specIm = Jagged(3, Bins);
    private readonly float[][] energy = Jagged(3, Bands);
    private readonly float[] combRe = new float[Bins], combIm = new float[Bins];
    private readonly float[] combEnergy = new float[Bands], crossCorrelation = new float[Bands], coherence = new float[Bands];
    private readonly float[] silence = new float[Hop];
    private readonly float[] trimmed = new float[Hop];
    internal readonly float[] replayPeriodCode = new float[Constants.OverloadTailHops];
    internal readonly float[] replayCorrelation = new float[Constants.OverloadTailHops];
    // A sample this large belongs to the overload: a run rarely ends on a hop boundary, and the
    // first quiet hop still starts with its last samples (mean square 0.25 is an RMS of 0.5).
    private const float OverloadSample = 0.5f;
    private bool running;
    private int loudHops, quietHops;

    public OverloadShadow(FrameTransform transform) => this.transform = transform;

    private static float[][] Jagged(int n, int m)
    {
        var a = new float[n][];
        for (int i = 0; i < n; i++) a[i] = new float[m];
        return a;
    }

    /// <summary>F_t of the silenced input (§5): 34 log energies, 34 coherences, period code, correlation.</summary>
    public float[] Features { get; } = new float[Constants.FeatureCount];
    /// <summary>At the step that starts a run: F_(t−1) again, with the start of the overload in hop t − 1 silenced.</summary>
    public float[] RestartFeatures { get; } = new float[Constants.FeatureCount];

    /// <summary>
    /// Quiet hops this step found to be a gap inside the run and replayed as silence (0 if none).
    /// The network's shadow replays them too, with silent band energies, no coherence and, for
    /// replayed hop i, the tracker's period code and correlation recorded during the replay.
    /// </summary>
    public int ReplayedHops { get; private set; }

    private static float PeriodCode(PitchTracker p) => MathF.Log2(p.Period / (float)PitchTracker.ResetPeriod);

    public void Reset()
    {
        ReplayedHops = 0;
        pitch.Reset();
        pitchBeforeGap.Reset();
        pitchBeforeLastHop.Reset();
        running = false;
        loudHops = quietHops = 0;
    }

    /// <summary>
    /// Step t, after the engine appended hop t to its rings and before its tracker takes it: a loud
    /// hop starts the shadow from the engine's mid analysis as it stood after step t − 1 (ring,
    /// spectra and energies of the last two frames, tracker), with step t − 1 redone on hop t − 1
    /// silenced from the overload's first sample (<see cref="RestartFeatures"/>).
    /// </summary>
    /// <returns>True when this step started a run (<see cref="RestartFeatures"/> is then valid).</returns>
    public bool Start(bool loud, long step, float[] ring0, float[]? ring1, float[][] midRe, float[][] midIm, float[][] bandEnergy,
        PitchTracker realPitch, ReadOnlySpan<float> previousFeatures)
    {
        if (running) return false;
        if (!loud)
        {
            // Kept for a run that may start at the next hop (one copy per hop; nothing else runs).
            pitchBeforeLastHop.CopyFrom(realPitch);
            return false;
        }
        // The engine's rings already hold hop t: take hops t − 5 … t − 1, so Step appends hop t silenced.
        Array.Clear(ring, 0, Hop);
        if (ring1 is null) Array.Copy(ring0, 0, ring, Hop, RingLength - Hop);
        else for (int n = 0; n < RingLength - Hop; n++) ring[Hop + n] = 0.5f * (ring0[n] + ring1[n]);
        for (int s = 0; s < 3; s++)
        {
            midRe[s].AsSpan().CopyTo(specRe[s]);
            midIm[s].AsSpan().CopyTo(specIm[s]);
            bandEnergy[s].AsSpan().CopyTo(energy[s]);
        }
        // A run rarely starts on a hop boundary: hop t − 1 already holds its first samples. Silence it
        // from the first overload sample on and redo step t − 1: frame t − 1's spectrum and energies,
        // the tracker from its state before that hop, and the features the network's shadow takes
        // again (frame t − 3's coherence is before the run and stays).
        int last = RingLength - Hop;
        for (int n = 0; n < Hop; n++)
            if (MathF.Abs(ring[last + n]) >= OverloadSample) { Array.Clear(ring, last + n, Hop - n); break; }
        int slot = (int)((step - 1 + 3) % 3);
        transform.Analyse(ring, specRe[slot], specIm[slot]);
        BandLayout.Energy(specRe[slot], specIm[slot], energy[slot]);
        pitch.CopyFrom(pitchBeforeLastHop);
        pitch.Process(ring.AsSpan(last, Hop));
        previousFeatures.CopyTo(RestartFeatures);
        for (int b = 0; b < Bands; b++) RestartFeatures[b] = MathF.Log10(energy[slot][b] + Constants.FeatureEnergyFloor);
        RestartFeatures[2 * Bands] = PeriodCode(pitch);
        RestartFeatures[2 * Bands + 1] = pitch.Voiced ? pitch.Correlation : 0f;
        running = true;
        loudHops = quietHops = 0;
        return true;
    }

    /// <summary>
    /// Step t after the engine's own analysis: the silenced analysis of hop t (<paramref name="midHop"/>,
    /// the mid input hop), and at the end of a confirmed run's tail the real tracker takes the shadow's state.
    /// </summary>
    /// <returns>True when <see cref="Features"/> holds step t's features.</returns>
    public bool Step(bool loud, long step, ReadOnlySpan<float> midHop, PitchTracker realPitch)
    {
        ReplayedHops = 0;
        if (!running) return false;
        int slotT = (int)(step % 3), slotL = (int)((step + 1) % 3);
        if (loud)
        {
            FrameTransform.Shift(ring, silence);
            if (quietHops > 0)
            {
                // The quiet hops were a gap inside the run: silence them in the ring (those still in
                // it), redo the two frames they reach and replay the tracker on silence (at most
                // OverloadTailHops − 1 extra tracker steps, once per gap).
                int inRing = Math.Min(quietHops, RingHops - 1);
                Array.Clear(ring, RingLength - (inRing + 1) * Hop, inRing * Hop);
                for (int back = 1; back <= 2; back++)
                {
                    int slot = (int)((step - back + 3) % 3);
                    transform.AnalyseAt(ring, FrameTransform.FrameTStart - back * Hop, specRe[slot], specIm[slot]);
                    BandLayout.Energy(specRe[slot], specIm[slot], energy[slot]);
                }
                pitch.CopyFrom(pitchBeforeGap);
                for (int i = 0; i < quietHops; i++)
                {
                    pitch.Process(silence);
                    replayPeriodCode[i] = PeriodCode(pitch);
                    replayCorrelation[i] = pitch.Voiced ? pitch.Correlation : 0f;
                }
            }
            ReplayedHops = quietHops;
            pitch.Process(silence);
            loudHops++;
            quietHops = 0;
        }
        else
        {
            ReplayedHops = 0;
            if (quietHops == 0) pitchBeforeGap.CopyFrom(pitch);
            // A quiet hop after the run can still hold its last samples (a slow waveform has quiet
            // hops before it ends): silence the hop up to its last overload sample.
            midHop.CopyTo(trimmed);
            for (int n = Hop - 1; n >= 0; n--)
                if (MathF.Abs(trimmed[n]) >= OverloadSample) { Array.Clear(trimmed, 0, n + 1); break; }
            midHop = trimmed;
            FrameTransform.Shift(ring, midHop);
            pitch.Process(midHop);
            quietHops++;
        }

        // Frame t's spectrum and energies, frame l's coherence, and F_t, as PercepNetCore.Step does.
        transform.Analyse(ring, specRe[slotT], specIm[slotT]);
        BandLayout.Energy(specRe[slotT], specIm[slotT], energy[slotT]);
        float[] energyL = energy[slotL];
        float totalL = 0f;
        for (int b = 0; b < Bands; b++) totalL += energyL[b];
        int period = pitch.Period;
        if (pitch.Voiced && totalL >= Constants.SilentFrameEnergy)
        {
            int taps = CombFilter.TapCount(period);
            transform.Comb(ring, period, taps, combRe, combIm);
            CombCoherence.CentreFree(specRe[slotL], specIm[slotL], energyL, combRe, combIm, CombFilter.CentreTap(taps),
                combEnergy, crossCorrelation, coherence);
        }
        else
        {
            Array.Clear(coherence);
        }
        float[] f = Features;
        for (int b = 0; b < Bands; b++) f[b] = MathF.Log10(energy[slotT][b] + Constants.FeatureEnergyFloor);
        for (int b = 0; b < Bands; b++) f[Bands + b] = coherence[b];
        f[2 * Bands] = PeriodCode(pitch);
        f[2 * Bands + 1] = pitch.Voiced ? pitch.Correlation : 0f;

        if (loud || quietHops < Constants.OverloadTailHops) return true;
        if (loudHops >= Constants.OverloadConfirmHops) realPitch.CopyFrom(pitch);
        running = false;
        return true;
    }
}
