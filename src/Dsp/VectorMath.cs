using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PercepNetFx.Dsp;

/// <summary>SIMD helpers for the hot loops (pitch correlation, comb filter).</summary>
public static class VectorMath
{
    /// <summary>Σ a(i)·b(i) over the common length, in float with vector lanes.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = Math.Min(a.Length, b.Length);
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count * 2)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a[..n]);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..n]);
            Vector<float> acc0 = Vector<float>.Zero, acc1 = Vector<float>.Zero;
            int v = 0;
            for (; v + 1 < va.Length; v += 2)
            {
                acc0 += va[v] * vb[v];
                acc1 += va[v + 1] * vb[v + 1];
            }
            for (; v < va.Length; v++) acc0 += va[v] * vb[v];
            sum = Vector.Sum(acc0 + acc1);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>y(i) += gain·x(i).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float gain, Span<float> y)
    {
        int n = Math.Min(x.Length, y.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x[..n]);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y[..n]);
            var g = new Vector<float>(gain);
            for (int v = 0; v < vx.Length; v++) vy[v] += vx[v] * g;
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < n; i++) y[i] += gain * x[i];
    }

    /// <summary>
    /// corr[lag] = Σ_{n=0}^{length−1} x[start + n]·x[start + n − lag] for lag = minLag … maxLag.
    /// Several lags per pass: each x[start + n] is broadcast and multiplied with a vector of
    /// consecutive lagged samples, so one vector accumulator holds Count lags and needs no
    /// horizontal sum (the Opus/RNNoise "xcorr kernel" idea). Requires start ≥ maxLag.
    /// </summary>
    public static void CrossCorrelation(ReadOnlySpan<float> x, int start, int length, int minLag, int maxLag, Span<float> corr)
    {
        int width = Vector<float>.Count;
        int lag0 = minLag;
        if (Vector.IsHardwareAccelerated)
        {
            // Lane j of the group starting at lag0 holds lag0 + width − 1 − j.
            if (start < maxLag || start + length > x.Length) throw new ArgumentOutOfRangeException(nameof(start));
            ref float origin = ref MemoryMarshal.GetReference(x);
            // Two groups per pass share the broadcast of x[start + n].
            for (; lag0 + 2 * width - 1 <= maxLag; lag0 += 2 * width)
            {
                Vector<float> acc0 = Vector<float>.Zero, acc1 = Vector<float>.Zero;
                nuint offset0 = (nuint)(start - lag0 - (width - 1)), offset1 = offset0 - (nuint)width;
                for (int n = 0; n < length; n++)
                {
                    var xn = new Vector<float>(Unsafe.Add(ref origin, start + n));
                    acc0 += xn * Vector.LoadUnsafe(ref origin, offset0 + (nuint)n);
                    acc1 += xn * Vector.LoadUnsafe(ref origin, offset1 + (nuint)n);
                }
                for (int j = 0; j < width; j++)
                {
                    corr[lag0 + width - 1 - j] = acc0[j];
                    corr[lag0 + 2 * width - 1 - j] = acc1[j];
                }
            }
        }
        var frame = x.Slice(start, length);
        for (; lag0 <= maxLag; lag0++) corr[lag0] = Dot(frame, x.Slice(start - lag0, length));
    }
}
