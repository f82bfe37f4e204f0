namespace PercepNetFx.Dsp;

/// <summary>
/// The analysis half of the overload guard (docs/decisions.md, "Overload guard"): the features the
/// network would have seen had a long loud run been silence. From the first hop at or above
/// <see cref="Constants.OverloadMeanSquare"/> it keeps its own copy of the analysis of the mid
/// signal (the ring of the last six hops, the spectra and band energies of frames t − 2 … t, and a
/// pitch tracker) fed the input with the run's samples silenced, its edges decided sample by sample
/// (<see cref="RunSamples"/>), and computes the features F_t from it exactly as the engine does
/// (§5). The hop before the run is taken again with the run's first samples silenced
/// (<see cref="RestartFeatures"/>); hops silenced only in part are taken again as silence once a
/// later hop shows they were inside the run (<see cref="ReplayedHops"/>). The tracker remembers a
/// run (its DC blocker rings, its window holds the overload, it keeps the period found in it), so
/// when the tail after a run of at least <see cref="Constants.OverloadConfirmHops"/> loud hops is
/// over, the real tracker takes the shadow's state, in the same step as the network takes its
/// shadow's (<see cref="Network.OverloadGuard"/>); the rest of the analysis then holds only hops
/// after the run and is the same in both. Shorter loud runs (speech) change nothing.
/// Allocation-free after construction; besides a few copies per hop it works only during a run.
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
    // At most one provisional overload hop and the tail's quiet hops wait for a replay.
    internal readonly float[] replayPeriodCode = new float[Constants.OverloadTailHops + 1];
    internal readonly float[] replayCorrelation = new float[Constants.OverloadTailHops + 1];
    // Where a run starts and ends inside a hop is decided sample by sample: samples this large
    // (mean square 0.25 is an RMS of 0.5) that follow each other within ChainGap samples are one
    // run. ChainGap bridges the quiet stretch around a zero crossing of a full-scale 20 Hz sine
    // (400 samples below 0.5). A smooth waveform also owns the rest of its half-wave on either
    // side while it falls towards zero in steps of at most SmoothStep (a full-scale 20 Hz sine
    // steps 0.003, a 200 Hz sine clipped at 12 dB over full scale 0.1); a jump (a square, DC or
    // noise meeting speech) or a sample that grows again (speech taking over) is the edge. Noise
    // has no such edge: its first and last large samples fall a few samples inside it, and the
    // small samples around them cannot be told from speech. Leaving three samples of full-scale
    // noise costs the network far more than silencing a few samples of speech, so a run that is
    // noise at its edge (mean step between samples above NoiseStep; uniform noise has 2/3, a
    // square 1/24) takes NoiseMargin samples more on that side.
    private const float OverloadSample = 0.5f;
    private const int ChainGap = Hop;
    private const float SmoothStep = 0.25f;
    private const float NoiseStep = 0.25f;
    private const int NoiseWindow = 16, NoiseMargin = 4;
    // A run whose half-wave ends this close to the end of a hop is taken to go on (broadband noise
    // leaves a few small samples after its last large one in most hops); replays stay rare.
    private const int EdgeSlack = 8;
    private readonly float[] edge = new float[2 * Hop];
    private readonly float[] oldestHop = new float[Hop];                       // hop t − 6 of step t − 1's ring
    private readonly float[] frameLRe = new float[Bins], frameLIm = new float[Bins]; // frame t − 3, as step t − 1 saw it
    private readonly float[] frameLEnergy = new float[Bands];
    private long chainEnd;          // input index of the run's last large sample
    private float pendingSign;      // sign of the run's last half-wave while its zero crossing is ahead (0: none)
    private float lastInput;        // the last sample of the previous hop
    private int runStartInHop;      // where the run starts in the hop that started it (0 after that hop)
    private int marginLeft;         // samples of a noise run's end margin still to come in the next hop
    private bool running;
    private int loudHops, quietHops, hopsSinceLoud;

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
    /// <summary>True when this step's hop is the first of a stretch that a later hop may show to be
    /// inside the run: the network's shadow keeps its state from before it, for a replay.</summary>
    public bool GapStarted { get; private set; }

    public void Reset()
    {
        ReplayedHops = 0;
        GapStarted = false;
        pendingSign = 0f;
        lastInput = 0f;
        runStartInHop = 0;
        marginLeft = 0;
        pitch.Reset();
        pitchBeforeGap.Reset();
        pitchBeforeLastHop.Reset();
        running = false;
        loudHops = quietHops = hopsSinceLoud = 0;
    }

    /// <summary>The mid signal of the engine's rings from <paramref name="start"/> on, as many samples as
    /// <paramref name="destination"/> holds (the one ring in mono).</summary>
    private static void Mid(float[] ring0, float[]? ring1, int start, Span<float> destination)
    {
        if (ring1 is null) ring0.AsSpan(start, destination.Length).CopyTo(destination);
        else for (int n = 0; n < destination.Length; n++) destination[n] = 0.5f * (ring0[start + n] + ring1[start + n]);
    }

    /// <summary>True when <paramref name="x"/>, next to <paramref name="neighbour"/> on the run's side,
    /// continues a smooth half-wave of sign <paramref name="sign"/> on its way down to zero.</summary>
    private static bool OnHalfWave(float x, float neighbour, float sign) =>
        x * sign > 0f && x * sign <= neighbour * sign && neighbour * sign - x * sign <= SmoothStep;

    /// <summary>True when the run is noise where it meets the rest of the signal: the mean step between
    /// the <see cref="NoiseWindow"/> samples from <paramref name="at"/> into the run
    /// (<paramref name="direction"/> +1: later samples, −1: earlier ones) exceeds <see cref="NoiseStep"/>.</summary>
    private static bool IsNoise(ReadOnlySpan<float> x, int at, int direction)
    {
        float sum = 0f;
        int count = 0;
        for (int i = 0; i < NoiseWindow; i++)
        {
            int a = at + i * direction, b = a + direction;
            if (b < 0 || b >= x.Length) break;
            sum += MathF.Abs(x[b] - x[a]);
            count++;
        }
        return count > 0 && sum > NoiseStep * count;
    }

    /// <summary>
    /// Follows the run through one hop starting at input index <paramref name="start"/>: its large
    /// samples chained to the run (any large sample in a loud hop) and the half-wave that carries the
    /// last one to its zero crossing. Returns how many samples from the start of the hop belong to the run.
    /// </summary>
    private int RunSamples(ReadOnlySpan<float> hop, long start, bool loud, out bool chained)
    {
        int last = -1;
        for (int n = 0; n < hop.Length; n++)
            if (MathF.Abs(hop[n]) >= OverloadSample && (loud || start + n - chainEnd <= ChainGap)) { chainEnd = start + n; last = n; }
        chained = last >= 0;
        float sign = chained ? MathF.Sign(hop[last]) : pendingSign;
        int end = last + 1;
        if (sign != 0f)
        {
            float previous = end == 0 ? lastInput : hop[end - 1];
            while (end < hop.Length && OnHalfWave(hop[end], previous, sign))
                previous = hop[end++];
            pendingSign = end == hop.Length ? sign : 0f;
        }
        int marginEnd = chained ? (IsNoise(hop, last, -1) ? last + 1 + NoiseMargin : 0) : marginLeft;
        end = Math.Max(end, Math.Min(marginEnd, hop.Length));
        marginLeft = Math.Max(0, marginEnd - hop.Length);
        lastInput = hop[^1];
        return end;
    }

    /// <summary>
    /// Step t, after the engine appended hop t to its rings and before its tracker takes it: a loud
    /// hop starts the shadow from the engine's mid analysis as it stood after step t − 1 (ring,
    /// spectra and energies, tracker), with step t − 1 redone on hop t − 1 silenced from the run's
    /// first sample (<see cref="RestartFeatures"/>).
    /// </summary>
    /// <returns>True when this step started a run (<see cref="RestartFeatures"/> is then valid).</returns>
    public bool Start(bool loud, long step, float[] ring0, float[]? ring1, float[][] midRe, float[][] midIm, float[][] bandEnergy,
        PitchTracker realPitch)
    {
        if (running) return false;
        int slotL = (int)((step + 1) % 3);
        if (!loud)
        {
            // What step t − 1 used that step t overwrites, kept for a run that may start at the next
            // hop: the tracker before hop t, the oldest hop of the ring and frame t − 2's analysis.
            pitchBeforeLastHop.CopyFrom(realPitch);
            Mid(ring0, ring1, 0, oldestHop.AsSpan());
            midRe[slotL].AsSpan().CopyTo(frameLRe);
            midIm[slotL].AsSpan().CopyTo(frameLIm);
            bandEnergy[slotL].AsSpan().CopyTo(frameLEnergy);
            return false;
        }
        // The engine's rings already hold hop t: take the ring of step t − 1 (hops t − 6 … t − 1), so
        // Step appends hop t silenced.
        oldestHop.AsSpan().CopyTo(ring);
        Mid(ring0, ring1, 0, ring.AsSpan(Hop));
        for (int s = 0; s < 3; s++)
        {
            midRe[s].AsSpan().CopyTo(specRe[s]);
            midIm[s].AsSpan().CopyTo(specIm[s]);
            bandEnergy[s].AsSpan().CopyTo(energy[s]);
        }
        // A run rarely starts on a hop boundary: hop t − 1 may already hold its first samples. The run
        // starts where the half-wave (or noise margin) before the first large sample chained to hop
        // t's first one begins (edge holds hops t − 1 and t). Silence hop t − 1 from there and redo
        // step t − 1: frame t − 1's spectrum and energies, the tracker from its state before that
        // hop, frame t − 3's coherence, and the features the network's shadow takes again.
        int last = RingLength - Hop;
        ring.AsSpan(last, Hop).CopyTo(edge);
        Mid(ring0, ring1, last, edge.AsSpan(Hop));
        int first = Hop;
        while (first < 2 * Hop - 1 && MathF.Abs(edge[first]) < OverloadSample) first++;
        for (int n = Hop - 1; n >= 0; n--)
            if (MathF.Abs(edge[n]) >= OverloadSample && first - n <= ChainGap) first = n;
        float sign = MathF.Sign(edge[first]);
        int from = first;
        while (from > 0 && OnHalfWave(edge[from - 1], edge[from], sign)) from--;
        if (IsNoise(edge, first, +1)) from = Math.Max(0, Math.Min(from, first - NoiseMargin));
        if (from < Hop) Array.Clear(ring, last + from, Hop - from);
        runStartInHop = Math.Max(0, from - Hop);
        chainEnd = step * Hop + (first - Hop);
        pendingSign = 0f;
        int slot = (int)((step - 1 + 3) % 3);
        transform.Analyse(ring, specRe[slot], specIm[slot]);
        BandLayout.Energy(specRe[slot], specIm[slot], energy[slot]);
        pitch.CopyFrom(pitchBeforeLastHop);
        pitch.Process(ring.AsSpan(last, Hop));
        Coherence(frameLRe, frameLIm, frameLEnergy);
        FeatureVector.Write(RestartFeatures, energy[slot], coherence, pitch);
        running = true;
        loudHops = quietHops = hopsSinceLoud = 0;
        return true;
    }

    /// <summary>Frame l's coherence from the ring and the tracker's period, as PercepNetCore.Step does (§4.5, §4.8).</summary>
    private void Coherence(float[] re, float[] im, float[] energyL)
    {
        float totalL = 0f;
        for (int b = 0; b < Bands; b++) totalL += energyL[b];
        if (pitch.Voiced && totalL >= Constants.SilentFrameEnergy)
        {
            int taps = CombFilter.TapCount(pitch.Period);
            transform.Comb(ring, pitch.Period, taps, combRe, combIm);
            CombCoherence.CentreFree(re, im, energyL, combRe, combIm, CombFilter.CentreTap(taps), combEnergy, crossCorrelation, coherence);
        }
        else
        {
            Array.Clear(coherence);
        }
    }

    /// <summary>
    /// The quiet hops before hop t (already in the ring) turned out to be inside the run: silences
    /// those still in the ring, redoes the two frames they reach and replays the tracker on silence
    /// from its state before them (at most <see cref="Constants.OverloadTailHops"/> − 1 extra tracker
    /// steps, once per gap); the network's shadow replays them with <see cref="ReplayedHops"/>.
    /// </summary>
    private void ReplayGap(long step)
    {
        int inRing = Math.Min(quietHops, RingHops - 1);
        Array.Clear(ring, RingLength - (inRing + 1) * Hop, inRing * Hop);
        for (int back = 1; back <= 2; back++)
        {
            int slot = (int)((step - back + 3) % 3);
            transform.AnalyseAt(ring, FrameTransform.FrameTStart - back * Hop, specRe[slot], specIm[slot]);
            BandLayout.Energy(specRe[slot], specIm[slot], energy[slot]);
        }
        pitch.CopyFrom(pitchBeforeGap);
        quietHops = Math.Min(quietHops, replayPeriodCode.Length);
        for (int i = 0; i < quietHops; i++)
        {
            pitch.Process(silence);
            replayPeriodCode[i] = FeatureVector.PeriodCode(pitch);
            replayCorrelation[i] = FeatureVector.Correlation(pitch);
        }
        ReplayedHops = quietHops;
        quietHops = 0;
    }

    /// <summary>
    /// Step t after the engine's own analysis: the silenced analysis of hop t (<paramref name="midHop"/>,
    /// the mid input hop), and at the end of a confirmed run's tail the real tracker takes the shadow's state.
    /// </summary>
    /// <returns>True when <see cref="Features"/> holds step t's features.</returns>
    public bool Step(bool loud, long step, ReadOnlySpan<float> midHop, PitchTracker realPitch)
    {
        ReplayedHops = 0;
        GapStarted = false;
        if (!running) return false;
        int slotT = (int)(step % 3), slotL = (int)((step + 1) % 3);
        int runSamples = RunSamples(midHop, step * Hop, loud, out bool chained);
        if (runSamples >= Hop - EdgeSlack) runSamples = Hop;
        // Silence the run's samples of hop t. A hop that continues the run's chain shows that the
        // hops left partly audible since the last snapshot were wholly inside the run: they are
        // replayed as silence before this one is taken.
        midHop.CopyTo(trimmed);
        Array.Clear(trimmed, runStartInHop, Math.Max(0, runSamples - runStartInHop));
        runStartInHop = 0;
        FrameTransform.Shift(ring, trimmed);
        if (chained && quietHops > 0) ReplayGap(step);
        if (runSamples < Hop)
        {
            if (quietHops == 0)
            {
                pitchBeforeGap.CopyFrom(pitch);
                GapStarted = true;
            }
            quietHops++;
        }
        pitch.Process(trimmed);
        if (loud)
        {
            loudHops++;
            hopsSinceLoud = 0;
        }
        else
        {
            hopsSinceLoud++;
        }

        // Frame t's spectrum and energies, frame l's coherence, and F_t, as PercepNetCore.Step does.
        transform.Analyse(ring, specRe[slotT], specIm[slotT]);
        BandLayout.Energy(specRe[slotT], specIm[slotT], energy[slotT]);
        Coherence(specRe[slotL], specIm[slotL], energy[slotL]);
        FeatureVector.Write(Features, energy[slotT], coherence, pitch);

        if (hopsSinceLoud < Constants.OverloadTailHops) return true;
        if (loudHops >= Constants.OverloadConfirmHops) realPitch.CopyFrom(pitch);
        running = false;
        return true;
    }
}
