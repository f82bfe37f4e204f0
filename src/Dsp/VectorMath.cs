using System.Numerics;
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
}
