namespace PercepNetFx.Offline.Metrics;

/// <summary>
/// Small in-place iterative radix-2 complex FFT in double precision, private to the offline metrics
/// (STOI's 512-point spectra and the cross-correlation of <see cref="DelayAlignment"/>). Unscaled
/// forward transform X[k] = Σ x[n]·e^{−2πikn/N}; the inverse is scaled by 1/N.
/// </summary>
internal static class MetricsFft
{
    /// <summary>Transforms (<paramref name="real"/>, <paramref name="imag"/>) in place; length a power of two.</summary>
    public static void Transform(Span<double> real, Span<double> imag, bool inverse)
    {
        int n = real.Length;
        if (imag.Length != n || n == 0 || (n & (n - 1)) != 0)
            throw new ArgumentException("Length must be a power of two and equal for both parts.");

        // Bit-reversal permutation.
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j)
            {
                (real[i], real[j]) = (real[j], real[i]);
                (imag[i], imag[j]) = (imag[j], imag[i]);
            }
        }

        // Twiddles e^{∓2πik/N}, k < N/2, computed directly (no recurrence drift).
        int half = n / 2;
        double sign = inverse ? 1.0 : -1.0;
        var cos = new double[Math.Max(half, 1)];
        var sin = new double[Math.Max(half, 1)];
        for (int k = 0; k < half; k++)
        {
            double angle = 2 * Math.PI * k / n;
            cos[k] = Math.Cos(angle);
            sin[k] = sign * Math.Sin(angle);
        }

        for (int size = 2; size <= n; size <<= 1)
        {
            int halfSize = size >> 1;
            int stride = n / size;
            for (int start = 0; start < n; start += size)
            {
                for (int k = 0; k < halfSize; k++)
                {
                    double wr = cos[k * stride], wi = sin[k * stride];
                    int a = start + k, b = a + halfSize;
                    double tr = real[b] * wr - imag[b] * wi;
                    double ti = real[b] * wi + imag[b] * wr;
                    real[b] = real[a] - tr;
                    imag[b] = imag[a] - ti;
                    real[a] += tr;
                    imag[a] += ti;
                }
            }
        }

        if (inverse)
        {
            double scale = 1.0 / n;
            for (int i = 0; i < n; i++)
            {
                real[i] *= scale;
                imag[i] *= scale;
            }
        }
    }

    /// <summary>Smallest power of two ≥ <paramref name="n"/>.</summary>
    public static int NextPowerOfTwo(int n)
    {
        int size = 1;
        while (size < n) size = checked(size << 1);
        return size;
    }
}
