namespace PercepNetFx.Offline.Metrics;

/// <summary>
/// Scale-invariant signal-to-distortion ratio (Le Roux, Wisdom, Erdogan, Hershey, "SDR – half-baked or
/// well done?", ICASSP 2019, eq. 2): after removing the mean of both signals,
/// s_target = (⟨ŝ, s⟩/‖s‖²)·s, e = ŝ − s_target, SI-SDR = 10·log10(‖s_target‖²/‖e‖²).
/// </summary>
public static class SiSdr
{
    /// <summary>SI-SDR in dB of <paramref name="estimate"/> against <paramref name="reference"/>
    /// (equal lengths). Accumulates in double. Returns +∞ when the estimate is an exact scaled copy,
    /// NaN when the zero-mean reference has no energy.</summary>
    public static double Compute(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate)
    {
        if (reference.Length != estimate.Length)
            throw new ArgumentException("Reference and estimate must have the same length.", nameof(estimate));
        int n = reference.Length;
        if (n == 0) return double.NaN;

        (double referenceMean, double estimateMean) = Means.Of(reference, estimate);

        double cross = 0, referenceEnergy = 0;
        for (int i = 0; i < n; i++)
        {
            double s = reference[i] - referenceMean;
            double e = estimate[i] - estimateMean;
            cross += s * e;
            referenceEnergy += s * s;
        }
        if (referenceEnergy == 0) return double.NaN;

        double scale = cross / referenceEnergy; // α in eq. 2
        double targetEnergy = 0, errorEnergy = 0;
        for (int i = 0; i < n; i++)
        {
            double target = scale * (reference[i] - referenceMean);
            double error = (estimate[i] - estimateMean) - target;
            targetEnergy += target * target;
            errorEnergy += error * error;
        }
        if (errorEnergy == 0) return double.PositiveInfinity;
        return 10 * Math.Log10(targetEnergy / errorEnergy);
    }
}
