namespace PercepNetFx.Dsp;

/// <summary>
/// The 34 triangular ERB bands of layout A (spec §3.1) and the per-band sums of §3.2.
/// Each bin k belongs to at most two bands: w_{lo}(k) = 1 − frac(k), w_{lo+1}(k) = frac(k).
/// Bins 400 … 480 belong to band 33 with weight 1, so the weights are a partition of unity.
/// </summary>
public static class BandLayout
{
    private const int Bands = Constants.BandCount;
    private const int Bins = Constants.BinCount;

    /// <summary>Lower band of bin k; the upper band is LowBand[k] + 1.</summary>
    public static readonly int[] LowBand = new int[Bins];
    /// <summary>Weight of the upper band at bin k.</summary>
    public static readonly float[] UpperWeight = new float[Bins];
    /// <summary>Centre frequency of each band in Hz.</summary>
    public static readonly float[] CentreHz = new float[Bands];

    static BandLayout()
    {
        ReadOnlySpan<int> centre = Constants.BandCentreBins;
        for (int b = 0; b < Bands; b++) CentreHz[b] = centre[b] * (float)Constants.SampleRate / Constants.WindowSize;
        for (int k = 0; k < Bins; k++)
        {
            if (k >= centre[Bands - 1])
            {
                // Top band covers 20 … 24 kHz with weight 1 (§3.1 choice): expressed as (lo = 32, frac = 1).
                LowBand[k] = Bands - 2;
                UpperWeight[k] = 1f;
                continue;
            }
            int b = 0;
            while (centre[b + 1] <= k) b++;
            LowBand[k] = b;
            UpperWeight[k] = (float)(k - centre[b]) / (centre[b + 1] - centre[b]);
        }
    }

    /// <summary>Weight w_b(k) of band b at bin k (for tests and plots; the hot loops use the tables).</summary>
    public static float Weight(int band, int bin)
    {
        int lo = LowBand[bin];
        if (band == lo) return 1f - UpperWeight[bin];
        if (band == lo + 1) return UpperWeight[bin];
        return 0f;
    }

    /// <summary>E_A(b) = Σ_{k=1}^{480} w_b(k)·|A(k)|² (DC excluded, §3.2).</summary>
    /// <remarks>The energy is A's correlation with itself: the same products in the same order.</remarks>
    public static void Energy(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> bandEnergy) =>
        CrossCorrelation(re, im, re, im, bandEnergy);

    /// <summary>C_AB(b) = Σ_{k=1}^{480} w_b(k)·Re(A(k)·conj(B(k))) (§3.2).</summary>
    public static void CrossCorrelation(ReadOnlySpan<float> aRe, ReadOnlySpan<float> aIm,
        ReadOnlySpan<float> bRe, ReadOnlySpan<float> bIm, Span<float> bandCorrelation)
    {
        bandCorrelation[..Bands].Clear();
        for (int k = 1; k < Bins; k++)
        {
            float c = aRe[k] * bRe[k] + aIm[k] * bIm[k];
            float hi = UpperWeight[k];
            int lo = LowBand[k];
            bandCorrelation[lo] += c - hi * c;
            bandCorrelation[lo + 1] += hi * c;
        }
    }

    /// <summary>coh(A,B)_b = clamp(C_AB / sqrt(E_A·E_B + ε_E), 0, 1) (§3.2).</summary>
    public static void Coherence(ReadOnlySpan<float> energyA, ReadOnlySpan<float> energyB,
        ReadOnlySpan<float> correlation, Span<float> coherence)
    {
        for (int b = 0; b < Bands; b++)
        {
            float c = correlation[b] / MathF.Sqrt(energyA[b] * energyB[b] + Constants.EnergyEpsilon);
            coherence[b] = Math.Clamp(c, 0f, 1f);
        }
    }

    /// <summary>v(k) = (1 − frac(k))·v_lo + frac(k)·v_{lo+1} for k = 0 … 480 (§3.1).</summary>
    public static void Interpolate(ReadOnlySpan<float> bandValue, Span<float> binValue)
    {
        for (int k = 0; k < Bins; k++)
        {
            int lo = LowBand[k];
            float hi = UpperWeight[k];
            binValue[k] = bandValue[lo] + hi * (bandValue[lo + 1] - bandValue[lo]);
        }
    }
}
