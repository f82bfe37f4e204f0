namespace PercepNetFx.Dsp;

/// <summary>
/// Pitch tracker of spec §3.3: DC-blocked analysis copy, coarse normalised correlation at 12 kHz,
/// refinement at 48 kHz with sub-multiple candidates, and Viterbi tracking whose decision for
/// frame l = t − 2 is read at step t (two frames of lookahead). Allocation-free after construction.
/// </summary>
public sealed class PitchTracker
{
    private const int Hop = Constants.HopSize;
    private const int Frame = Constants.WindowSize;
    private const int MinT = Constants.MinPeriod;
    private const int MaxT = Constants.MaxPeriod;
    private const int History = MaxT;                 // samples needed before the frame (§3.3 b)
    private const int BufferLength = History + Frame; // 1728
    private const int MaxCoarse = 6;                  // N_c (§3.3 d)
    private const int MaxCandidates = 8;
    private const int MinCoarseLag = 15, MaxCoarseLag = MaxT / 4;
    private const float CoarseThreshold = 0.1f;
    private const float EnergyGate = 9.6e-6f;         // about −80 dBFS RMS over 960 samples (§3.3 c)
    private const float CorrelationEpsilon = 1e-12f;
    private const float LagCost = 0.3f, UnvoicedBias = 0.5f, OctaveCost = 0.4f, VoicingSwitchCost = 0.2f; // §3.3 f
    public const int ResetPeriod = 240;

    /// <summary>
    /// The voicing threshold of §3.3 (f): the pitch correlation ρ at which a lone candidate's voiced cost
    /// 1 − ρ equals the unvoiced cost β_U + ρ, i.e. ρ = (1 − β_U)/2 ("about ρ ≈ 0.25" in the spec; the lag cost
    /// raises it slightly for longer periods). The Viterbi path may stay voiced below it, held by the voicing
    /// switch cost; displays of the pitch blank such frames, whose period is no more than a guess.
    /// </summary>
    public const float VoicingThreshold = (1f - UnvoicedBias) / 2f;
    // Deviation (docs/decisions.md): the lag penalty grows with log₂(T/60) rather than linearly in T,
    // so that each octave costs the same; the linear form gave 2T only a 1 % penalty at 800 Hz.
    private static readonly float LogPeriodRange = MathF.Log2((float)MaxT / MinT);

    // DC blocker of §3.3 (a), coefficients in Constants. Double state: its poles are near 1.
    private double hpX1, hpX2, hpY1, hpY2;
    private readonly float[] u = new float[BufferLength];
    private readonly float[] u2 = new float[BufferLength / 2];
    private readonly float[] u4 = new float[BufferLength / 4];
    private readonly long[] lagEnergyStamp = new long[MaxT + 2];
    private readonly double[] lagEnergy = new double[MaxT + 2];
    private double frameEnergy;
    private readonly float[] coarseRho = new float[MaxCoarseLag + 2];
    private readonly int[] coarseLag = new int[MaxCoarse];
    private readonly float[] coarseBest = new float[MaxCoarse];

    // Viterbi ring of 3 slots (frames t−2 … t). State index Count[slot] is the unvoiced state U.
    private readonly int[] count = new int[3];
    private readonly int[,] period = new int[3, MaxCandidates];
    private readonly float[,] rho = new float[3, MaxCandidates];
    private readonly float[,] logPeriod = new float[3, MaxCandidates];
    private readonly float[,] cost = new float[3, MaxCandidates + 1];
    private readonly int[,] back = new int[3, MaxCandidates + 1];
    private long step;
    private readonly long[] lagStamp = new long[MaxT + 1];
    private readonly float[] lagRho = new float[MaxT + 1];
    private int lastVoicedPeriod;

    /// <summary>Period T_l of the decided frame (last voiced value when unvoiced).</summary>
    public int Period { get; private set; }
    /// <summary>Pitch correlation ρ_l of the decided frame, 0 when unvoiced.</summary>
    public float Correlation { get; private set; }
    /// <summary>Voicing flag v_l of the decided frame.</summary>
    public bool Voiced { get; private set; }

    public PitchTracker() => Reset();

    public void Reset()
    {
        hpX1 = hpX2 = hpY1 = hpY2 = 0;
        Array.Clear(u);
        Array.Clear(count);
        Array.Clear(cost);
        Array.Clear(back);
        Array.Fill(lagStamp, -1L);
        Array.Fill(lagEnergyStamp, -1L);
        step = 0;
        lastVoicedPeriod = ResetPeriod;
        Period = ResetPeriod;
        Correlation = 0f;
        Voiced = false;
    }

    /// <summary>Makes this tracker continue exactly as <paramref name="other"/> would (no allocation).</summary>
    public void CopyFrom(PitchTracker other)
    {
        hpX1 = other.hpX1; hpX2 = other.hpX2; hpY1 = other.hpY1; hpY2 = other.hpY2;
        other.u.AsSpan().CopyTo(u);
        other.lagEnergyStamp.AsSpan().CopyTo(lagEnergyStamp);
        other.lagEnergy.AsSpan().CopyTo(lagEnergy);
        frameEnergy = other.frameEnergy;
        other.count.AsSpan().CopyTo(count);
        Array.Copy(other.period, period, period.Length);
        Array.Copy(other.rho, rho, rho.Length);
        Array.Copy(other.logPeriod, logPeriod, logPeriod.Length);
        Array.Copy(other.cost, cost, cost.Length);
        Array.Copy(other.back, back, back.Length);
        step = other.step;
        other.lagStamp.AsSpan().CopyTo(lagStamp);
        other.lagRho.AsSpan().CopyTo(lagRho);
        lastVoicedPeriod = other.lastVoicedPeriod;
        Period = other.Period;
        Correlation = other.Correlation;
        Voiced = other.Voiced;
    }

    /// <summary>Consumes hop t (480 samples) and decides frame t − 2 (see <see cref="Period"/>).</summary>
    public void Process(ReadOnlySpan<float> hop)
    {
        Array.Copy(u, Hop, u, 0, BufferLength - Hop);
        HighPass(hop, u.AsSpan(BufferLength - Hop));
        int slot = (int)(step % 3);
        FindCandidates(slot);
        ViterbiStep(slot);
        Decide(slot);
        step++;
    }

    private void HighPass(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int n = 0; n < Hop; n++)
        {
            double xn = x[n];
            if (!double.IsFinite(xn)) xn = 0; // bad input must not poison the recursive state
            double yn = xn - 2 * hpX1 + hpX2 + Constants.DcBlockerA1 * hpY1 - Constants.DcBlockerA2 * hpY2;
            hpX2 = hpX1; hpX1 = xn;
            hpY2 = hpY1; hpY1 = Math.Abs(yn) < Constants.DenormalFloor ? 0 : yn;
            y[n] = (float)yn;
        }
    }

    private void FindCandidates(int slot)
    {
        count[slot] = 0;
        frameEnergy = VectorMath.Dot(u.AsSpan(History, Frame), u.AsSpan(History, Frame));
        if (frameEnergy < EnergyGate) return;

        // Decimate twice with [¼, ½, ¼] (§3.3 d1); edges read zero.
        Decimate(u, u2);
        Decimate(u2, u4);

        // Coarse normalised correlation over the 240 decimated samples of frame t.
        const int frame4 = Frame / 4, start4 = History / 4;
        var x = u4.AsSpan(start4, frame4);
        double e0 = VectorMath.Dot(x, x);
        double eLag = 0;
        for (int n = start4 - MinCoarseLag; n < start4 - MinCoarseLag + frame4; n++) eLag += (double)u4[n] * u4[n];
        VectorMath.CrossCorrelation(u4, start4, frame4, MinCoarseLag, MaxCoarseLag, coarseRho);
        for (int lag = MinCoarseLag; lag <= MaxCoarseLag; lag++)
        {
            if (lag > MinCoarseLag)
            {
                // Slide the lagged window one sample back.
                int enter = start4 - lag, leave = start4 - lag + frame4;
                eLag += (double)u4[enter] * u4[enter] - (double)u4[leave] * u4[leave];
                if (eLag < 0) eLag = 0;
            }
            coarseRho[lag] = (float)(coarseRho[lag] / Math.Sqrt(e0 * eLag + CorrelationEpsilon));
        }

        int found = 0;
        for (int lag = MinCoarseLag; lag <= MaxCoarseLag; lag++)
        {
            float r = coarseRho[lag];
            if (r <= CoarseThreshold) continue;
            if (lag > MinCoarseLag && r < coarseRho[lag - 1]) continue;
            if (lag < MaxCoarseLag && r <= coarseRho[lag + 1]) continue;
            // Insert into the best-N_c list, sorted by decreasing ρ.
            int pos = found < MaxCoarse ? found : MaxCoarse;
            while (pos > 0 && coarseBest[pos - 1] < r) pos--;
            if (pos >= MaxCoarse) continue;
            int last = Math.Min(found, MaxCoarse - 1);
            for (int i = last; i > pos; i--) { coarseBest[i] = coarseBest[i - 1]; coarseLag[i] = coarseLag[i - 1]; }
            coarseBest[pos] = r; coarseLag[pos] = lag;
            if (found < MaxCoarse) found++;
        }
        if (found == 0) return;

        // Refine each coarse lag at 48 kHz over [4τ − 3, 4τ + 3] (§3.3 e).
        int bestT = 0; float bestRho = -2f;
        for (int i = 0; i < found; i++)
        {
            Refine(4 * coarseLag[i], 3, out int t, out float r);
            AddCandidate(slot, t, r);
            if (r > bestRho) { bestRho = r; bestT = t; }
        }
        // Sub-multiples of the best candidate let the tracker escape period multiplication (§3.3 e).
        // Deviation (docs/decisions.md): every T*/k ≥ 60, not only k = 2, 3. In noise all multiples
        // of the period score about the same ρ, so T* is often 4T or 5T; the true period must be
        // among the candidates in every frame for the Viterbi lag cost to prefer it.
        // A sub-multiple is refined only where the coarse correlation near τ*/k is at least half the
        // best coarse value: periodic signals keep their true period, most other k are skipped cheaply.
        float coarseFloor = 0.5f * coarseBest[0];
        for (int div = 2; bestT / div >= MinT - 1; div++)
        {
            int sub = (int)Math.Round((double)bestT / div);
            if (sub < MinT) break;
            if (div > 3 && CoarsePeakNear(sub / 4f) < coarseFloor) continue;
            Refine(sub, div <= 3 ? 2 : 1, out int t, out float r);
            AddCandidate(slot, t, r);
        }
    }

    /// <summary>Largest coarse ρ⁽⁴⁾ within one decimated lag of <paramref name="lag"/>.</summary>
    private float CoarsePeakNear(float lag)
    {
        int lo = Math.Max(MinCoarseLag, (int)MathF.Floor(lag) - 1), hi = Math.Min(MaxCoarseLag, (int)MathF.Ceiling(lag) + 1);
        float best = -1f;
        for (int i = lo; i <= hi; i++) best = MathF.Max(best, coarseRho[i]);
        return best;
    }

    private static void Decimate(ReadOnlySpan<float> src, Span<float> dst)
    {
        for (int m = 0; m < dst.Length; m++)
        {
            int c = 2 * m;
            float left = c > 0 ? src[c - 1] : 0f;
            float right = c + 1 < src.Length ? src[c + 1] : 0f;
            dst[m] = 0.25f * left + 0.5f * src[c] + 0.25f * right;
        }
    }

    /// <summary>
    /// Best ρ_t(T) for T in [centre − radius, centre + radius] ∩ [60, 768]. The returned ρ is the
    /// parabolic peak through the best lag and its neighbours (deviation, docs/decisions.md): with
    /// integer lags a short true period (e.g. 60.8) scores lower than a multiple that happens to fall
    /// near an integer, which made the tracker prefer 4T at high pitches.
    /// </summary>
    private void Refine(int centre, int radius, out int bestT, out float bestRho)
    {
        bestT = Math.Clamp(centre, MinT, MaxT);
        bestRho = -2f;
        int lo = Math.Max(MinT, centre - radius), hi = Math.Min(MaxT, centre + radius);
        for (int t = lo; t <= hi; t++)
        {
            float r = LagCorrelation(t);
            if (r > bestRho) { bestRho = r; bestT = t; }
        }
        if (bestT > MinT && bestT < MaxT)
        {
            float left = LagCorrelation(bestT - 1), right = LagCorrelation(bestT + 1);
            float curvature = 2f * bestRho - left - right;
            if (curvature > 1e-6f)
            {
                float delta = right - left;
                bestRho = MathF.Min(1f, bestRho + delta * delta / (8f * curvature));
            }
        }
        bestRho = Math.Max(bestRho, 0f);
    }

    /// <summary>ρ_t(T) of §3.3 (b) over the 960 samples of frame t, computed once per lag and frame.</summary>
    private float LagCorrelation(int lag)
    {
        if (lagStamp[lag] == step) return lagRho[lag];
        lagStamp[lag] = step;
        return lagRho[lag] = ComputeLagCorrelation(lag);
    }

    private float ComputeLagCorrelation(int lag)
    {
        float num = VectorMath.Dot(u.AsSpan(History, Frame), u.AsSpan(History - lag, Frame));
        return (float)(num / Math.Sqrt(frameEnergy * LagEnergy(lag) + CorrelationEpsilon));
    }

    /// <summary>
    /// Σ u(n − T)² over frame t: slid from a neighbouring lag computed in the same frame (refinement
    /// visits consecutive lags), else one vector dot product.
    /// </summary>
    private double LagEnergy(int lag)
    {
        if (lagEnergyStamp[lag] == step) return lagEnergy[lag];
        double e;
        if (lag > MinT && lagEnergyStamp[lag - 1] == step)
        {
            // Window moves one sample back: gains u(History − T), loses u(BufferLength − T).
            double enter = u[History - lag], leave = u[BufferLength - lag];
            e = Math.Max(0, lagEnergy[lag - 1] + enter * enter - leave * leave);
        }
        else
        {
            var w = u.AsSpan(History - lag, Frame);
            e = VectorMath.Dot(w, w);
        }
        lagEnergyStamp[lag] = step;
        return lagEnergy[lag] = e;
    }

    /// <summary>Adds (T, ρ), merging with an existing candidate closer than 3 samples (keeps the higher ρ).</summary>
    private void AddCandidate(int slot, int t, float r)
    {
        int n = count[slot];
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(period[slot, i] - t) < 3)
            {
                if (r > rho[slot, i]) { period[slot, i] = t; rho[slot, i] = r; }
                return;
            }
        }
        if (n >= MaxCandidates)
        {
            // Full: replace the weakest candidate if the new one is stronger.
            int weakest = 0;
            for (int i = 1; i < n; i++) if (rho[slot, i] < rho[slot, weakest]) weakest = i;
            if (r > rho[slot, weakest]) { period[slot, weakest] = t; rho[slot, weakest] = r; }
            return;
        }
        period[slot, n] = t;
        rho[slot, n] = r;
        count[slot] = n + 1;
    }

    private void ViterbiStep(int slot)
    {
        int prev = (slot + 2) % 3;
        int nPrev = step == 0 ? 0 : count[prev];
        if (step == 0) cost[prev, 0] = 0f; // before the stream: only the unvoiced state, cost 0
        int n = count[slot];
        float maxRho = 0f;
        for (int j = 0; j < n; j++)
        {
            maxRho = Math.Max(maxRho, rho[slot, j]);
            logPeriod[slot, j] = MathF.Log2(period[slot, j]);
        }

        float minCost = float.MaxValue;
        for (int j = 0; j <= n; j++)
        {
            bool voiced = j < n;
            float local = voiced
                ? 1f - rho[slot, j] * (1f - LagCost * MathF.Log2((float)period[slot, j] / MinT) / LogPeriodRange)
                : UnvoicedBias + maxRho;
            float best = float.MaxValue; int arg = nPrev;
            for (int i = 0; i <= nPrev; i++)
            {
                bool prevVoiced = i < nPrev;
                float transition;
                if (voiced && prevVoiced)
                    transition = OctaveCost * MathF.Abs(logPeriod[slot, j] - logPeriod[prev, i]);
                else if (voiced != prevVoiced)
                    transition = VoicingSwitchCost;
                else
                    transition = 0f;
                float c = cost[prev, i] + transition;
                if (c < best) { best = c; arg = i; }
            }
            cost[slot, j] = local + best;
            back[slot, j] = arg;
            if (cost[slot, j] < minCost) minCost = cost[slot, j];
        }
        for (int j = 0; j <= n; j++) cost[slot, j] -= minCost; // keep J bounded (§3.3 f)
    }

    private void Decide(int slot)
    {
        int n = count[slot];
        int best = n; float bestCost = float.MaxValue;
        for (int j = 0; j <= n; j++) if (cost[slot, j] < bestCost) { bestCost = cost[slot, j]; best = j; }
        int s1 = (slot + 2) % 3, s2 = (slot + 1) % 3;
        int j1 = back[slot, best];
        int j2 = step >= 1 ? back[s1, j1] : count[s2];
        if (step >= 2 && j2 < count[s2])
        {
            Voiced = true;
            Period = period[s2, j2];
            Correlation = rho[s2, j2];
            lastVoicedPeriod = Period;
        }
        else
        {
            Voiced = false;
            Period = lastVoicedPeriod;
            Correlation = 0f;
        }
    }
}
