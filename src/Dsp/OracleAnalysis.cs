namespace PercepNetFx.Dsp;

/// <summary>
/// The clean reference's side of <see cref="PercepNetCore"/> (oracle experiments and training
/// targets, §6): its ring and spectra in lockstep with the noisy signal, the targets g_b and r_b of
/// frame l with the noisy pitch (§6.1–§6.5), and the per-bin magnitude oracle |X|/|Y|.
/// Allocation-free after construction.
/// </summary>
internal sealed class OracleAnalysis(FrameTransform transform)
{
    private const int Bins = Constants.BinCount;
    private const int Bands = Constants.BandCount;
    private const float SilentTargetEnergy = 8.6e-5f; // §6.5
    private const float QuietBandEnergy = 4.3e-5f;    // §6.5

    /// <summary>Training only: targets of bands whose centre is above this bin are masked, like those
    /// above the low-pass, without filtering the input (speech recorded with less bandwidth than the
    /// noise mixed with it). <see cref="Bins"/> = off.</summary>
    public int MaskBin { get; set; } = Bins;

    private readonly float[] ring = new float[FrameTransform.RingLength];
    private readonly float[][] cleanRe = { new float[Bins], new float[Bins], new float[Bins] };  // X per slot t%3
    private readonly float[][] cleanIm = { new float[Bins], new float[Bins], new float[Bins] };
    private readonly float[] combRe = new float[Bins], combIm = new float[Bins];                 // P°_x of frame l
    private readonly float[] cleanEnergy = new float[Bands];      // E_X
    private readonly float[] combEnergy = new float[Bands];       // E_P°x
    private readonly float[] crossCorrelation = new float[Bands]; // C(X, P°x), then C(Y, P°x)

    public void Reset()
    {
        Array.Clear(ring);
        for (int s = 0; s < 3; s++) { Array.Clear(cleanRe[s]); Array.Clear(cleanIm[s]); }
    }

    /// <summary>Appends the clean hop t and analyses clean frame t into slot <paramref name="slotT"/>.</summary>
    public void Analyse(ReadOnlySpan<float> hop, int slotT)
    {
        FrameTransform.Shift(ring, hop);
        transform.Analyse(ring, cleanRe[slotT], cleanIm[slotT]);
    }

    /// <summary>Per-bin magnitude oracle of frame l: |X|/|Y| against the noisy (mid) spectrum Y.</summary>
    public void BinGains(int slotL, float[] noisyRe, float[] noisyIm, float[] binGain)
    {
        float[] xr = cleanRe[slotL], xi = cleanIm[slotL];
        for (int k = 0; k < Bins; k++)
        {
            float magY = MathF.Sqrt(noisyRe[k] * noisyRe[k] + noisyIm[k] * noisyIm[k]);
            float magX = MathF.Sqrt(xr[k] * xr[k] + xi[k] * xi[k]);
            binGain[k] = magY > 1e-12f ? magX / magY : 0f;
        }
    }

    /// <summary>g_b, r_b and masks of §6 for frame l (slot <paramref name="slotL"/>), with the noisy pitch (§6.1).</summary>
    /// <param name="startUp">The first steps, whose frame l is not a real frame yet.</param>
    public void ComputeTargets(FrameAnalysis a, bool startUp, int slotL, float[] noisyRe, float[] noisyIm, float[] energyY,
        float totalEnergyY, bool combActive, int period, int taps, float centreTap)
    {
        float[] xr = cleanRe[slotL], xi = cleanIm[slotL];
        BandLayout.Energy(xr, xi, cleanEnergy);
        float[] energyX = cleanEnergy;

        bool silent = totalEnergyY < SilentTargetEnergy;
        int lastBand = Bands - 1;
        int lowpassBin = Math.Min(transform.LowpassBin, MaskBin);
        if (lowpassBin < Bins)
        {
            // b_lp: first band with c_b > k_lp; bands above it are masked (§6.5).
            ReadOnlySpan<int> centre = Constants.BandCentreBins;
            lastBand = 0;
            while (lastBand < Bands - 1 && centre[lastBand] <= lowpassBin) lastBand++;
        }
        for (int b = 0; b < Bands; b++)
        {
            float g = OracleTargets.Gain(energyX[b], energyY[b]);
            a.TargetGainPlain[b] = g;
            a.TargetGain[b] = g;
            a.TargetStrength[b] = 0f;
            bool valid = !startUp && !silent && b <= lastBand
                && !(energyX[b] < QuietBandEnergy && energyY[b] < QuietBandEnergy);
            a.GainValid[b] = valid;
            a.StrengthValid[b] = valid && combActive;
        }
        if (!combActive) return;

        // Clean comb reference P_x with the noisy pitch, and coherences against P°_x (§6.3).
        transform.Comb(ring, period, taps, combRe, combIm);
        float inv = 1f / (1f - centreTap);
        for (int k = 0; k < Bins; k++)
        {
            combRe[k] = (combRe[k] - centreTap * xr[k]) * inv;
            combIm[k] = (combIm[k] - centreTap * xi[k]) * inv;
        }
        BandLayout.Energy(combRe, combIm, combEnergy);
        BandLayout.CrossCorrelation(xr, xi, combRe, combIm, crossCorrelation);
        Span<float> cleanCoherence = stackalloc float[Bands];
        BandLayout.Coherence(energyX, combEnergy, crossCorrelation, cleanCoherence);
        BandLayout.CrossCorrelation(noisyRe, noisyIm, combRe, combIm, crossCorrelation);
        Span<float> noisyCoherence = stackalloc float[Bands];
        BandLayout.Coherence(energyY, combEnergy, crossCorrelation, noisyCoherence);
        float sigma2 = CombFilter.NoisePowerGain(taps);
        for (int b = 0; b < Bands; b++)
        {
            float r = OracleTargets.Strength(cleanCoherence[b], noisyCoherence[b], sigma2, out float att);
            a.TargetStrength[b] = r;
            a.TargetGain[b] = Math.Clamp(a.TargetGainPlain[b] * att, 0f, 1f);
        }
    }
}
