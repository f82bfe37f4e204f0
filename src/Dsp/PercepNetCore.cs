namespace PercepNetFx.Dsp;

/// <summary>
/// The hop-aligned PercepNet chain at 48 kHz (spec §9.1): one call of <see cref="Step"/> takes
/// hop t of every channel and writes hop t − 3, i.e. exactly 1440 samples of latency.
/// Stereo is linked (§9.4): pitch, features, gains and renormalisation come from the mid signal
/// and the same per-band map is applied to each channel. Allocation-free after construction.
/// </summary>
public sealed class PercepNetCore
{
    private const int Hop = Constants.HopSize;
    private const int Win = Constants.WindowSize;
    private const int Bins = Constants.BinCount;
    private const int Bands = Constants.BandCount;
    private const int RingLength = FrameTransform.RingLength;
    private const int FrameTStart = FrameTransform.FrameTStart;
    private const float EqualiseCap = 4f;             // s_b, n_b caps (§4.6)

    private readonly int channels;
    private readonly FrameTransform transform = new();
    private readonly OracleAnalysis oracle;
    private readonly PitchTracker pitch = new();
    private readonly OverloadShadow overload;

    private readonly float[][] ring, ola;
    private readonly float[][][] specRe, specIm;     // [channel][slot t%3][bin]
    private readonly float[][] combRe, combIm;        // P of frame l per channel
    private readonly float[][] midRe, midIm;          // mid spectra per slot (aliases channel 0 in mono)
    private readonly float[] midCombRe, midCombIm;
    private readonly float[][] bandEnergyRing = { new float[Bands], new float[Bands], new float[Bands] };
    private readonly float[] midHop = new float[Hop];

    // Per-frame band and bin scratch.
    private readonly float[] crossCorrelation = new float[Bands]; // C(A, P) of frame l (mid)
    private readonly float[] mixEnergy = new float[Bands];        // E_Z of the mixed mid spectrum (§4.6)
    private readonly float[] rawGain = new float[Bands], rawStrength = new float[Bands];
    private readonly float[] binGain = new float[Bins], binStrength = new float[Bins], binEqualise = new float[Bins];
    private readonly float[] bandEqualise = new float[Bands], bandFinal = new float[Bands];
    private readonly float[] combEnergy = new float[Bands]; // E_P of frame l (mid)
    private readonly float[] outRe = new float[Bins], outIm = new float[Bins];

    private long step = -1;

    public PercepNetCore(int channelCount)
    {
        if (channelCount is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(channelCount), "1 or 2 channels");
        channels = channelCount;
        oracle = new OracleAnalysis(transform);
        overload = new OverloadShadow(transform);
        Analysis = new FrameAnalysis(overload.Features, overload.RestartFeatures, overload.replayPeriodCode, overload.replayCorrelation);
        ring = Jagged(channels, RingLength);
        ola = Jagged(channels, Win);
        specRe = new float[channels][][];
        specIm = new float[channels][][];
        for (int c = 0; c < channels; c++) { specRe[c] = Jagged(3, Bins); specIm[c] = Jagged(3, Bins); }
        combRe = Jagged(channels, Bins);
        combIm = Jagged(channels, Bins);
        if (channels == 1)
        {
            midRe = specRe[0]; midIm = specIm[0];
            midCombRe = combRe[0]; midCombIm = combIm[0];
        }
        else
        {
            midRe = Jagged(3, Bins); midIm = Jagged(3, Bins);
            midCombRe = new float[Bins]; midCombIm = new float[Bins];
        }
        Reset();
    }

    private static float[][] Jagged(int n, int m)
    {
        var a = new float[n][];
        for (int i = 0; i < n; i++) a[i] = new float[m];
        return a;
    }

    public int ChannelCount => channels;
    /// <summary>The source of ĝ and r̂ (unity by default). Swap only between steps.</summary>
    public IGainSource GainSource { get; set; } = UnityGainSource.Instance;
    /// <summary>Suppression strength λ ∈ [0, 1] (§10); read once per step.</summary>
    public float Strength { get; set; } = 1f;
    /// <summary>Post-filter amount a ∈ [0, 1] (§7, §10).</summary>
    public float PostFilterAmount { get; set; } = 1f;
    /// <summary>Comb filter on/off (§10): off forces r = 0, features are unchanged.</summary>
    public bool CombEnabled { get; set; } = true;
    /// <summary>Per-bin magnitude oracle (needs a reference): O = |X|·Y/|Y|, bypassing bands and comb.</summary>
    public bool BinMagnitudeOracle { get; set; }
    /// <summary>Training only (§8.4 step 6, §6.5): bins ≥ this are zeroed before every band sum. 481 = off.</summary>
    public int LowpassBin
    {
        get => transform.LowpassBin;
        set => transform.LowpassBin = value;
    }
    /// <summary>Training only: targets above this bin are masked as above <see cref="LowpassBin"/>, but the
    /// input keeps its bandwidth (a band-limited speech recording mixed with fullband noise). 481 = off.</summary>
    public int TargetMaskBin
    {
        get => oracle.MaskBin;
        set => oracle.MaskBin = value;
    }

    /// <summary>The analysis of the last step (features, pitch, targets).</summary>
    public FrameAnalysis Analysis { get; }
    /// <summary>Final band gains g_b applied to the last synthesised frame (for meters).</summary>
    public float[] AppliedGain { get; } = new float[Bands];
    /// <summary>Final comb strengths r_b applied to the last synthesised frame (for meters).</summary>
    public float[] AppliedStrength { get; } = new float[Bands];

    public void Reset()
    {
        for (int c = 0; c < channels; c++)
        {
            Array.Clear(ring[c]);
            Array.Clear(ola[c]);
            for (int s = 0; s < 3; s++) { Array.Clear(specRe[c][s]); Array.Clear(specIm[c][s]); }
        }
        if (channels > 1) for (int s = 0; s < 3; s++) { Array.Clear(midRe[s]); Array.Clear(midIm[s]); }
        foreach (var e in bandEnergyRing) Array.Clear(e);
        oracle.Reset();
        pitch.Reset();
        overload.Reset();
        GainSource.Reset();
        step = -1;
    }

    /// <summary>Mono step t (<see cref="Step(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float})"/>).</summary>
    public void Step(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> reference = default)
        => Step(input, default, output, default, reference);

    /// <summary>
    /// Runs step t: takes input hop t (480 samples per channel; the second channel's spans are empty in
    /// mono), analyses frame t, decides the pitch and synthesises frame t − 2, writing output hop t − 3.
    /// A non-empty <paramref name="reference"/> is the clean hop t for the oracle targets (§6).
    /// </summary>
    public void Step(ReadOnlySpan<float> input0, ReadOnlySpan<float> input1, Span<float> output0, Span<float> output1,
        ReadOnlySpan<float> reference = default)
    {
        if (input0.Length < Hop || output0.Length < Hop || (channels == 2 && (input1.Length < Hop || output1.Length < Hop))
            || (!reference.IsEmpty && reference.Length < Hop))
            throw new ArgumentException("every hop needs 480 samples per channel");
        bool useReference = !reference.IsEmpty;
        step++;
        int slotT = (int)(step % 3), slotL = (int)((step + 1) % 3); // (t − 2) mod 3 = (t + 1) mod 3
        var analysis = Analysis;
        analysis.Step = step;
        analysis.HasReference = useReference;

        // 1. Append the hop and analyse frame t (§2.3).
        float inputMeanSquare = 0f;
        for (int c = 0; c < channels; c++)
        {
            FrameTransform.Shift(ring[c], c == 0 ? input0 : input1);
            transform.Analyse(ring[c], specRe[c][slotT], specIm[c][slotT]);
            var newestHop = ring[c].AsSpan(RingLength - Hop, Hop);
            inputMeanSquare = MathF.Max(inputMeanSquare, VectorMath.Dot(newestHop, newestHop) / Hop);
        }
        analysis.InputMeanSquare = inputMeanSquare;
        if (channels == 2)
        {
            for (int n = 0; n < Hop; n++) midHop[n] = 0.5f * (ring[0][FrameTStart + Hop + n] + ring[1][FrameTStart + Hop + n]);
            Average(specRe[0][slotT], specRe[1][slotT], midRe[slotT]);
            Average(specIm[0][slotT], specIm[1][slotT], midIm[slotT]);
        }
        else
        {
            ring[0].AsSpan(FrameTStart + Hop, Hop).CopyTo(midHop);
        }
        float[] energyT = bandEnergyRing[slotT];
        BandLayout.Energy(midRe[slotT], midIm[slotT], energyT);
        if (useReference) oracle.Analyse(reference, slotT);

        // 2. Pitch of frame l (§3.3 g). With the overload guard, a long loud run is also analysed as
        // if it had been silence, for the network's memory and the tracker's (OverloadShadow).
        bool guarded = GainSource is Network.OverloadGuard;
        bool loud = guarded && inputMeanSquare >= Constants.OverloadMeanSquare;
        analysis.OverloadRestarted = guarded && overload.Start(loud, step, ring[0], channels == 2 ? ring[1] : null, midRe, midIm,
            bandEnergyRing, pitch);
        pitch.Process(midHop);
        analysis.OverloadFeaturesValid = overload.Step(loud, step, midHop, pitch);
        analysis.OverloadReplayedHops = overload.ReplayedHops;
        analysis.OverloadGapStarted = overload.GapStarted;
        analysis.Voiced = pitch.Voiced;
        analysis.Period = pitch.Period;
        analysis.PitchCorrelation = pitch.Correlation;

        // 3. Comb filter and coherence of frame l (§4.1, §4.5, §4.8).
        float[] energyL = bandEnergyRing[slotL];
        energyL.AsSpan().CopyTo(analysis.BandEnergy);
        float totalEnergyL = 0f;
        for (int b = 0; b < Bands; b++) totalEnergyL += energyL[b];
        bool combActive = pitch.Voiced && totalEnergyL >= Constants.SilentFrameEnergy;
        analysis.CombActive = combActive;
        int period = pitch.Period;
        int taps = CombFilter.TapCount(period);
        float centreTap = CombFilter.CentreTap(taps);
        if (combActive)
        {
            for (int c = 0; c < channels; c++) transform.Comb(ring[c], period, taps, combRe[c], combIm[c]);
            if (channels == 2)
            {
                Average(combRe[0], combRe[1], midCombRe);
                Average(combIm[0], combIm[1], midCombIm);
            }
            CombCoherence.CentreFree(midRe[slotL], midIm[slotL], energyL, midCombRe, midCombIm, centreTap, combEnergy, crossCorrelation, analysis.Coherence);
        }
        else
        {
            Array.Clear(analysis.Coherence);
        }

        // 4. Features F_t (§5).
        FeatureVector.Write(analysis.Features, energyT, analysis.Coherence, pitch);

        // 5. Oracle targets of frame l (§6).
        if (useReference)
            oracle.ComputeTargets(analysis, step < Constants.LookaheadFrames, slotL, midRe[slotL], midIm[slotL], energyL, totalEnergyL,
                combActive, period, taps, centreTap);

        // 6. Gains from the source, then controls and post-filter (§10, §7).
        GainSource.Compute(analysis, rawGain, rawStrength);
        float floor = PostFilter.FloorForStrength(Strength);
        PostFilter.Apply(rawGain, rawStrength, energyL, floor, Math.Clamp(PostFilterAmount, 0f, 1f),
            CombEnabled && combActive, AppliedGain, AppliedStrength);

        // 7. Mix, renormalise and synthesise frame l (§4.6, §2.3).
        if (BinMagnitudeOracle && useReference)
        {
            SynthesiseBinOracle(slotL, output0, output1);
        }
        else
        {
            bool mixing = false;
            for (int b = 0; b < Bands; b++) mixing |= AppliedStrength[b] > 0f;
            if (mixing) PrepareMix(slotL, energyL);
            else
            {
                AppliedGain.AsSpan().CopyTo(bandFinal);
            }
            BandLayout.Interpolate(bandFinal, binGain);
            for (int c = 0; c < channels; c++)
            {
                float[] yr = specRe[c][slotL], yi = specIm[c][slotL];
                if (mixing)
                {
                    float[] pr = combRe[c], pi = combIm[c];
                    for (int k = 0; k < Bins; k++)
                    {
                        float r = binStrength[k], dry = 1f - r, wet = r * binEqualise[k];
                        outRe[k] = binGain[k] * (dry * yr[k] + wet * pr[k]);
                        outIm[k] = binGain[k] * (dry * yi[k] + wet * pi[k]);
                    }
                }
                else
                {
                    for (int k = 0; k < Bins; k++) { outRe[k] = binGain[k] * yr[k]; outIm[k] = binGain[k] * yi[k]; }
                }
                Synthesise(c, c == 0 ? output0 : output1);
            }
        }
    }

    private static void Average(float[] a, float[] b, float[] mid)
    {
        for (int k = 0; k < mid.Length; k++) mid[k] = 0.5f * (a[k] + b[k]);
    }

    /// <summary>s_b, the mid mix energy and n_b (§4.6); fills binStrength, binEqualise and bandFinal.</summary>
    private void PrepareMix(int slotL, float[] energyY)
    {
        float[] yr = midRe[slotL], yi = midIm[slotL];
        for (int b = 0; b < Bands; b++)
            bandEqualise[b] = MathF.Min(EqualiseCap, MathF.Sqrt(energyY[b] / (combEnergy[b] + Constants.EnergyEpsilon)));
        BandLayout.Interpolate(AppliedStrength, binStrength);
        BandLayout.Interpolate(bandEqualise, binEqualise);
        for (int k = 0; k < Bins; k++)
        {
            float r = binStrength[k], dry = 1f - r, wet = r * binEqualise[k];
            outRe[k] = dry * yr[k] + wet * midCombRe[k];
            outIm[k] = dry * yi[k] + wet * midCombIm[k];
        }
        BandLayout.Energy(outRe, outIm, mixEnergy);
        for (int b = 0; b < Bands; b++)
        {
            float eZ = mixEnergy[b];
            float norm = eZ < Constants.EnergyEpsilon ? 1f : MathF.Min(EqualiseCap, MathF.Sqrt(energyY[b] / (eZ + Constants.EnergyEpsilon)));
            bandFinal[b] = AppliedGain[b] * norm;
        }
    }

    private void SynthesiseBinOracle(int slotL, Span<float> output0, Span<float> output1)
    {
        oracle.BinGains(slotL, midRe[slotL], midIm[slotL], binGain);
        for (int c = 0; c < channels; c++)
        {
            float[] yr = specRe[c][slotL], yi = specIm[c][slotL];
            for (int k = 0; k < Bins; k++) { outRe[k] = binGain[k] * yr[k]; outIm[k] = binGain[k] * yi[k]; }
            Synthesise(c, c == 0 ? output0 : output1);
        }
    }

    /// <summary>IFFT, synthesis window and overlap-add of frame l; writes the final hop t − 3 (§2.3).</summary>
    private void Synthesise(int channel, Span<float> output)
    {
        float[] acc = ola[channel];
        transform.SynthesiseInto(outRe, outIm, acc);
        acc.AsSpan(0, Hop).CopyTo(output);
        Array.Copy(acc, Hop, acc, 0, Hop);
        Array.Clear(acc, Hop, Hop);
    }
}
