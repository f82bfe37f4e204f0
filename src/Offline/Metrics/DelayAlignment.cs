namespace PercepNetFx.Offline.Metrics;

/// <summary>
/// Finds and removes a constant integer delay between a reference and an estimate, so that metrics that
/// need sample alignment (SI-SDR, segmental SNR, STOI) can score a processed signal with latency.
/// </summary>
public static class DelayAlignment
{
    /// <summary>
    /// Lag in samples (−<paramref name="maxLagSamples"/> … +<paramref name="maxLagSamples"/>) maximising the
    /// cross-correlation r[k] = Σ_n estimate[n]·reference[n − k]; positive when the estimate lags the
    /// reference, i.e. estimate[n + lag] ≈ reference[n]. Uses the largest positive correlation (a polarity
    /// inversion is not detected); on ties the most negative lag wins. Computed with one complex FFT of
    /// both real signals packed as re/im and one inverse FFT, of a power-of-two size
    /// ≥ max(lengths) + maxLag + 1 so that no circular wrap reaches the searched lags (2^20 points for
    /// 10 s at 48 kHz and ±2000).
    /// </summary>
    public static int FindDelay(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, int maxLagSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLagSamples);
        if (reference.Length == 0 || estimate.Length == 0) return 0;
        if (maxLagSamples == 0) return 0;

        int size = MetricsFft.NextPowerOfTwo(Math.Max(reference.Length, estimate.Length) + maxLagSamples + 1);
        var real = new double[size];
        var imag = new double[size];
        for (int i = 0; i < estimate.Length; i++) real[i] = estimate[i];
        for (int i = 0; i < reference.Length; i++) imag[i] = reference[i];
        MetricsFft.Transform(real, imag, inverse: false);

        // Z = E + iR with E, R the spectra of the two real signals: E[k] = (Z[k] + conj Z[−k])/2,
        // R[k] = (Z[k] − conj Z[−k])/(2i). The correlation spectrum is E[k]·conj R[k].
        var productReal = new double[size];
        var productImag = new double[size];
        for (int k = 0; k < size; k++)
        {
            int mirror = (size - k) & (size - 1);
            double zr = real[k], zi = imag[k], mr = real[mirror], mi = -imag[mirror]; // m = conj Z[−k]
            double er = 0.5 * (zr + mr), ei = 0.5 * (zi + mi);
            // (Z − m)/(2i) = (a + ib)/(2i) = (b − ia)/2 with a + ib = Z − m.
            double rr = 0.5 * (zi - mi), ri = -0.5 * (zr - mr);
            productReal[k] = er * rr + ei * ri;   // E·conj(R)
            productImag[k] = ei * rr - er * ri;
        }
        MetricsFft.Transform(productReal, productImag, inverse: true);

        int bestLag = 0;
        double best = double.NegativeInfinity;
        for (int lag = -maxLagSamples; lag <= maxLagSamples; lag++)
        {
            double value = productReal[lag >= 0 ? lag : size + lag];
            if (value > best)
            {
                best = value;
                bestLag = lag;
            }
        }
        return bestLag;
    }

    /// <summary>
    /// The overlapping, aligned parts of the pair for a given lag (as returned by <see cref="FindDelay"/>):
    /// for lag ≥ 0, reference[0 …] with estimate[lag …]; for lag &lt; 0, reference[−lag …] with estimate[0 …];
    /// both truncated to the common length.
    /// </summary>
    public static (float[] Reference, float[] Estimate) Align(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, int lagSamples)
    {
        int referenceStart = Math.Max(0, -lagSamples);
        int estimateStart = Math.Max(0, lagSamples);
        int length = Math.Max(0, Math.Min(reference.Length - referenceStart, estimate.Length - estimateStart));
        if (length == 0) return ([], []);
        return (reference.Slice(referenceStart, length).ToArray(), estimate.Slice(estimateStart, length).ToArray());
    }

    /// <summary>Finds the lag within ±<paramref name="maxLagSamples"/> and returns the aligned pair with it.</summary>
    public static (float[] Reference, float[] Estimate, int LagSamples) FindAndAlign(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, int maxLagSamples)
    {
        int lag = FindDelay(reference, estimate, maxLagSamples);
        var (r, e) = Align(reference, estimate, lag);
        return (r, e, lag);
    }
}
