namespace PercepNetFx.Dsp;

/// <summary>
/// Non-causal comb (pitch) filter of spec §4: p(n) = Σ_{k=−K}^{K} w_k·y(n − kT) with raised-cosine
/// taps of unit sum, K = K_eff(T) = min(3, ⌊960/T⌋) so that the taps stay inside the lookahead.
/// </summary>
public static class CombFilter
{
    private static readonly float[][] Taps = BuildTaps();

    private static float[][] BuildTaps()
    {
        var taps = new float[Constants.MaxCombTaps + 1][];
        for (int k = 1; k <= Constants.MaxCombTaps; k++)
        {
            taps[k] = new float[k + 1]; // w_0 … w_K; w_{−k} = w_k
            for (int i = 0; i <= k; i++)
                taps[k][i] = (float)((1 + Math.Cos(Math.PI * i / (k + 1))) / (2.0 * (k + 1)));
        }
        return taps;
    }

    /// <summary>K_eff(T) = min(M, ⌊960/T⌋) (§4.2).</summary>
    public static int TapCount(int period) => Math.Min(Constants.MaxCombTaps, Constants.WindowSize / period);

    /// <summary>Tap w_k (k ≥ 0) of the K-tap filter.</summary>
    public static float Tap(int tapCount, int k) => Taps[tapCount][Math.Abs(k)];

    /// <summary>Centre tap w_0 = 1/(K + 1).</summary>
    public static float CentreTap(int tapCount) => Taps[tapCount][0];

    /// <summary>White-noise power gain σ²(K) = Σ w_k² = 3/(4(K + 1)) (§4.4).</summary>
    public static float NoisePowerGain(int tapCount) => 3f / (4f * (tapCount + 1));

    /// <summary>
    /// Filters <paramref name="output"/>.Length samples starting at <paramref name="start"/> of
    /// <paramref name="signal"/>; the caller guarantees start − K·T ≥ 0 and the end + K·T ≤ length.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> signal, int start, int period, int tapCount, Span<float> output)
    {
        int n = output.Length;
        float[] w = Taps[tapCount];
        signal.Slice(start, n).CopyTo(output);
        for (int i = 0; i < n; i++) output[i] *= w[0];
        for (int k = 1; k <= tapCount; k++)
        {
            VectorMath.MultiplyAdd(signal.Slice(start - k * period, n), w[k], output);
            VectorMath.MultiplyAdd(signal.Slice(start + k * period, n), w[k], output);
        }
    }
}
