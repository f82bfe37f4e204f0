using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PercepNetFx.Dsp;

/// <summary>
/// Mixed-radix complex FFT (radices 2, 3, 4, 5) in Stockham autosort form: no bit reversal,
/// two ping-pong buffers, twiddles precomputed in double and stored as T (spec §2.2).
/// Unnormalised forward transform; <see cref="Inverse"/> applies the 1/n factor.
/// Allocation-free after construction. Generic so that the same code runs in T on the audio
/// path and in double in the tests that hold it to 1e-9 against MathNet.
/// </summary>
public sealed class ComplexFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int size;
    private readonly int[] radices;
    private readonly T[][] twiddleRe; // per stage: [q * (p - 1) + (j - 1)]
    private readonly T[][] twiddleIm;
    private readonly T[] workRe;
    private readonly T[] workIm;

    private static readonly T Half = T.CreateChecked(0.5);
    private static readonly T Sin60 = T.CreateChecked(Math.Sin(2 * Math.PI / 3));
    private static readonly T C51 = T.CreateChecked(Math.Cos(2 * Math.PI / 5));
    private static readonly T C52 = T.CreateChecked(Math.Cos(4 * Math.PI / 5));
    private static readonly T S51 = T.CreateChecked(Math.Sin(2 * Math.PI / 5));
    private static readonly T S52 = T.CreateChecked(Math.Sin(4 * Math.PI / 5));

    public ComplexFft(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size));
        this.size = size;
        radices = Factor(size);
        twiddleRe = new T[radices.Length][];
        twiddleIm = new T[radices.Length][];
        int n = size;
        for (int stage = 0; stage < radices.Length; stage++)
        {
            int p = radices[stage];
            int m = n / p;
            var re = new T[m * (p - 1) + 1];
            var im = new T[m * (p - 1) + 1];
            for (int q = 0; q < m; q++)
            {
                for (int j = 1; j < p; j++)
                {
                    double angle = -2.0 * Math.PI * q * j / n;
                    re[q * (p - 1) + j - 1] = T.CreateChecked(Math.Cos(angle));
                    im[q * (p - 1) + j - 1] = T.CreateChecked(Math.Sin(angle));
                }
            }
            twiddleRe[stage] = re;
            twiddleIm[stage] = im;
            n = m;
        }
        workRe = new T[size];
        workIm = new T[size];
    }

    public int Size => size;

    /// <summary>
    /// A single radix 2 first (if the power of two is odd), then 4s, 3s, 5s; throws for other primes.
    /// Small radices first make the later, heavier stages have strides s ≥ 8, which run on vectors.
    /// </summary>
    private static int[] Factor(int n)
    {
        var list = new List<int>();
        int twos = 0;
        while (n % 2 == 0) { twos++; n /= 2; }
        if (twos % 2 == 1) list.Add(2);
        for (int i = 0; i < twos / 2; i++) list.Add(4);
        while (n % 3 == 0) { list.Add(3); n /= 3; }
        while (n % 5 == 0) { list.Add(5); n /= 5; }
        if (n != 1) throw new ArgumentException("FFT size must factor into 2, 3 and 5.");
        return list.ToArray();
    }

    /// <summary>In-place forward transform X(k) = Σ x(n)·e^{−j2πkn/N}.</summary>
    public void Forward(Span<T> re, Span<T> im) => Transform(re, im);

    /// <summary>In-place inverse transform x(n) = (1/N)·Σ X(k)·e^{+j2πkn/N}, via conjugation.</summary>
    public void Inverse(Span<T> re, Span<T> im)
    {
        for (int i = 0; i < size; i++) im[i] = -im[i];
        Transform(re, im);
        T scale = T.One / T.CreateChecked(size);
        for (int i = 0; i < size; i++)
        {
            re[i] *= scale;
            im[i] = -im[i] * scale;
        }
    }

    private void Transform(Span<T> dataRe, Span<T> dataIm)
    {
        if (dataRe.Length < size || dataIm.Length < size) throw new ArgumentException("buffer too short");
        Span<T> xr = dataRe, xi = dataIm, yr = workRe, yi = workIm;
        int n = size, s = 1;
        for (int stage = 0; stage < radices.Length; stage++)
        {
            int p = radices[stage];
            int m = n / p;
            T[] tr = twiddleRe[stage], ti = twiddleIm[stage];
            bool vector = Vector.IsHardwareAccelerated && s % Vector<T>.Count == 0;
            switch (p)
            {
                case 2: Radix2(xr, xi, yr, yi, m, s, tr, ti); break;
                case 3: if (vector) Radix3V(xr, xi, yr, yi, m, s, tr, ti); else Radix3(xr, xi, yr, yi, m, s, tr, ti); break;
                case 4: if (vector) Radix4V(xr, xi, yr, yi, m, s, tr, ti); else Radix4(xr, xi, yr, yi, m, s, tr, ti); break;
                default: if (vector) Radix5V(xr, xi, yr, yi, m, s, tr, ti); else Radix5(xr, xi, yr, yi, m, s, tr, ti); break;
            }
            var swapR = xr; xr = yr; yr = swapR;
            var swapI = xi; xi = yi; yi = swapI;
            n = m;
            s *= p;
        }
        // After an odd number of stages the result sits in the work buffer.
        if ((radices.Length & 1) == 1)
        {
            xr.CopyTo(dataRe);
            xi.CopyTo(dataIm);
        }
    }

    // Decimation in frequency, Stockham: inputs x[k + s(q + m·j)], outputs y[k + s(p·q + j)] scaled by w^{q·j}.
    // Unchecked indexing (Unsafe.Add): Transform verified the buffer lengths, and every index is < size.
    private static void Radix2(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int m, int s, T[] tr, T[] ti)
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr); ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr); ref T yiR = ref MemoryMarshal.GetReference(yi);
        ref T trR = ref MemoryMarshal.GetArrayDataReference(tr); ref T tiR = ref MemoryMarshal.GetArrayDataReference(ti);
        for (int q = 0; q < m; q++)
        {
            T wr = Unsafe.Add(ref trR, q), wi = Unsafe.Add(ref tiR, q);
            for (int k = 0; k < s; k++)
            {
                int i0 = k + s * q, i1 = i0 + s * m;
                T ar = Unsafe.Add(ref xrR, i0), ai = Unsafe.Add(ref xiR, i0), br = Unsafe.Add(ref xrR, i1), bi = Unsafe.Add(ref xiR, i1);
                int o = k + s * 2 * q;
                Unsafe.Add(ref yrR, o) = ar + br; Unsafe.Add(ref yiR, o) = ai + bi;
                T dr = ar - br, di = ai - bi;
                Unsafe.Add(ref yrR, o + s) = dr * wr - di * wi; Unsafe.Add(ref yiR, o + s) = dr * wi + di * wr;
            }
        }
    }

    private static void Radix3(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int m, int s, T[] tr, T[] ti)
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr); ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr); ref T yiR = ref MemoryMarshal.GetReference(yi);
        ref T trR = ref MemoryMarshal.GetArrayDataReference(tr); ref T tiR = ref MemoryMarshal.GetArrayDataReference(ti);
        for (int q = 0; q < m; q++)
        {
            T w1r = Unsafe.Add(ref trR, 2 * q), w1i = Unsafe.Add(ref tiR, 2 * q), w2r = Unsafe.Add(ref trR, 2 * q + 1), w2i = Unsafe.Add(ref tiR, 2 * q + 1);
            for (int k = 0; k < s; k++)
            {
                int i0 = k + s * q, i1 = i0 + s * m, i2 = i1 + s * m;
                T ar = Unsafe.Add(ref xrR, i0), ai = Unsafe.Add(ref xiR, i0);
                T sr = Unsafe.Add(ref xrR, i1) + Unsafe.Add(ref xrR, i2), si = Unsafe.Add(ref xiR, i1) + Unsafe.Add(ref xiR, i2);
                T dr = Unsafe.Add(ref xrR, i1) - Unsafe.Add(ref xrR, i2), di = Unsafe.Add(ref xiR, i1) - Unsafe.Add(ref xiR, i2);
                T mr = ar - Half * sr, mi = ai - Half * si;
                // e^{-j2π/3}: the difference term rotates by −j·sin60.
                T y1r = mr + Sin60 * di, y1i = mi - Sin60 * dr;
                T y2r = mr - Sin60 * di, y2i = mi + Sin60 * dr;
                int o = k + s * 3 * q;
                Unsafe.Add(ref yrR, o) = ar + sr; Unsafe.Add(ref yiR, o) = ai + si;
                Unsafe.Add(ref yrR, o + s) = y1r * w1r - y1i * w1i; Unsafe.Add(ref yiR, o + s) = y1r * w1i + y1i * w1r;
                Unsafe.Add(ref yrR, o + 2 * s) = y2r * w2r - y2i * w2i; Unsafe.Add(ref yiR, o + 2 * s) = y2r * w2i + y2i * w2r;
            }
        }
    }

    private static void Radix4(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int m, int s, T[] tr, T[] ti)
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr); ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr); ref T yiR = ref MemoryMarshal.GetReference(yi);
        ref T trR = ref MemoryMarshal.GetArrayDataReference(tr); ref T tiR = ref MemoryMarshal.GetArrayDataReference(ti);
        for (int q = 0; q < m; q++)
        {
            T w1r = Unsafe.Add(ref trR, 3 * q), w1i = Unsafe.Add(ref tiR, 3 * q), w2r = Unsafe.Add(ref trR, 3 * q + 1), w2i = Unsafe.Add(ref tiR, 3 * q + 1), w3r = Unsafe.Add(ref trR, 3 * q + 2), w3i = Unsafe.Add(ref tiR, 3 * q + 2);
            for (int k = 0; k < s; k++)
            {
                int i0 = k + s * q, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m;
                T a0r = Unsafe.Add(ref xrR, i0) + Unsafe.Add(ref xrR, i2), a0i = Unsafe.Add(ref xiR, i0) + Unsafe.Add(ref xiR, i2);
                T a1r = Unsafe.Add(ref xrR, i0) - Unsafe.Add(ref xrR, i2), a1i = Unsafe.Add(ref xiR, i0) - Unsafe.Add(ref xiR, i2);
                T a2r = Unsafe.Add(ref xrR, i1) + Unsafe.Add(ref xrR, i3), a2i = Unsafe.Add(ref xiR, i1) + Unsafe.Add(ref xiR, i3);
                T a3r = Unsafe.Add(ref xrR, i1) - Unsafe.Add(ref xrR, i3), a3i = Unsafe.Add(ref xiR, i1) - Unsafe.Add(ref xiR, i3);
                // Y1 = a1 − j·a3, Y3 = a1 + j·a3 (forward sign).
                T y1r = a1r + a3i, y1i = a1i - a3r;
                T y2r = a0r - a2r, y2i = a0i - a2i;
                T y3r = a1r - a3i, y3i = a1i + a3r;
                int o = k + s * 4 * q;
                Unsafe.Add(ref yrR, o) = a0r + a2r; Unsafe.Add(ref yiR, o) = a0i + a2i;
                Unsafe.Add(ref yrR, o + s) = y1r * w1r - y1i * w1i; Unsafe.Add(ref yiR, o + s) = y1r * w1i + y1i * w1r;
                Unsafe.Add(ref yrR, o + 2 * s) = y2r * w2r - y2i * w2i; Unsafe.Add(ref yiR, o + 2 * s) = y2r * w2i + y2i * w2r;
                Unsafe.Add(ref yrR, o + 3 * s) = y3r * w3r - y3i * w3i; Unsafe.Add(ref yiR, o + 3 * s) = y3r * w3i + y3i * w3r;
            }
        }
    }

    private static void Radix5(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int m, int s, T[] tr, T[] ti)
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr); ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr); ref T yiR = ref MemoryMarshal.GetReference(yi);
        ref T trR = ref MemoryMarshal.GetArrayDataReference(tr); ref T tiR = ref MemoryMarshal.GetArrayDataReference(ti);
        for (int q = 0; q < m; q++)
        {
            int t = 4 * q;
            for (int k = 0; k < s; k++)
            {
                int i0 = k + s * q, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m, i4 = i3 + s * m;
                T x0r = Unsafe.Add(ref xrR, i0), x0i = Unsafe.Add(ref xiR, i0);
                T s1r = Unsafe.Add(ref xrR, i1) + Unsafe.Add(ref xrR, i4), s1i = Unsafe.Add(ref xiR, i1) + Unsafe.Add(ref xiR, i4);
                T d1r = Unsafe.Add(ref xrR, i1) - Unsafe.Add(ref xrR, i4), d1i = Unsafe.Add(ref xiR, i1) - Unsafe.Add(ref xiR, i4);
                T s2r = Unsafe.Add(ref xrR, i2) + Unsafe.Add(ref xrR, i3), s2i = Unsafe.Add(ref xiR, i2) + Unsafe.Add(ref xiR, i3);
                T d2r = Unsafe.Add(ref xrR, i2) - Unsafe.Add(ref xrR, i3), d2i = Unsafe.Add(ref xiR, i2) - Unsafe.Add(ref xiR, i3);
                T m1r = x0r + C51 * s1r + C52 * s2r, m1i = x0i + C51 * s1i + C52 * s2i;
                T m2r = x0r + C52 * s1r + C51 * s2r, m2i = x0i + C52 * s1i + C51 * s2i;
                // Forward sign: the odd parts rotate by −j.
                T n1r = S51 * d1i + S52 * d2i, n1i = -(S51 * d1r + S52 * d2r);
                T n2r = S52 * d1i - S51 * d2i, n2i = -(S52 * d1r - S51 * d2r);
                T y1r = m1r + n1r, y1i = m1i + n1i;
                T y4r = m1r - n1r, y4i = m1i - n1i;
                T y2r = m2r + n2r, y2i = m2i + n2i;
                T y3r = m2r - n2r, y3i = m2i - n2i;
                int o = k + s * 5 * q;
                Unsafe.Add(ref yrR, o) = x0r + s1r + s2r; Unsafe.Add(ref yiR, o) = x0i + s1i + s2i;
                Unsafe.Add(ref yrR, o + s) = y1r * Unsafe.Add(ref trR, t) - y1i * Unsafe.Add(ref tiR, t); Unsafe.Add(ref yiR, o + s) = y1r * Unsafe.Add(ref tiR, t) + y1i * Unsafe.Add(ref trR, t);
                Unsafe.Add(ref yrR, o + 2 * s) = y2r * Unsafe.Add(ref trR, t + 1) - y2i * Unsafe.Add(ref tiR, t + 1); Unsafe.Add(ref yiR, o + 2 * s) = y2r * Unsafe.Add(ref tiR, t + 1) + y2i * Unsafe.Add(ref trR, t + 1);
                Unsafe.Add(ref yrR, o + 3 * s) = y3r * Unsafe.Add(ref trR, t + 2) - y3i * Unsafe.Add(ref tiR, t + 2); Unsafe.Add(ref yiR, o + 3 * s) = y3r * Unsafe.Add(ref tiR, t + 2) + y3i * Unsafe.Add(ref trR, t + 2);
                Unsafe.Add(ref yrR, o + 4 * s) = y4r * Unsafe.Add(ref trR, t + 3) - y4i * Unsafe.Add(ref tiR, t + 3); Unsafe.Add(ref yiR, o + 4 * s) = y4r * Unsafe.Add(ref tiR, t + 3) + y4i * Unsafe.Add(ref trR, t + 3);
            }
        }
    }

    // Vector versions: the inner loop over k is contiguous in both x and y, so Vector<T>.Count
    // butterflies run at once with the same (broadcast) twiddles. Same arithmetic as the scalar kernels.
    private static Vector<T> L(ref T r, int i) => Vector.LoadUnsafe(ref r, (nuint)i);
    private static void S(Vector<T> v, ref T r, int i) => Vector.StoreUnsafe(v, ref r, (nuint)i);

    private static void Radix3V(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int m, int s, T[] tr, T[] ti)
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr); ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr); ref T yiR = ref MemoryMarshal.GetReference(yi);
        var half = new Vector<T>(Half); var sin60 = new Vector<T>(Sin60);
        for (int q = 0; q < m; q++)
        {
            var w1r = new Vector<T>(tr[2 * q]); var w1i = new Vector<T>(ti[2 * q]);
            var w2r = new Vector<T>(tr[2 * q + 1]); var w2i = new Vector<T>(ti[2 * q + 1]);
            for (int k = 0; k < s; k += Vector<T>.Count)
            {
                int i0 = k + s * q, i1 = i0 + s * m, i2 = i1 + s * m;
                var ar = L(ref xrR, i0); var ai = L(ref xiR, i0);
                var b1r = L(ref xrR, i1); var b1i = L(ref xiR, i1); var b2r = L(ref xrR, i2); var b2i = L(ref xiR, i2);
                var sr = b1r + b2r; var si = b1i + b2i;
                var dr = b1r - b2r; var di = b1i - b2i;
                var mr = ar - half * sr; var mi = ai - half * si;
                var y1r = mr + sin60 * di; var y1i = mi - sin60 * dr;
                var y2r = mr - sin60 * di; var y2i = mi + sin60 * dr;
                int o = k + s * 3 * q;
                S(ar + sr, ref yrR, o); S(ai + si, ref yiR, o);
                S(y1r * w1r - y1i * w1i, ref yrR, o + s); S(y1r * w1i + y1i * w1r, ref yiR, o + s);
                S(y2r * w2r - y2i * w2i, ref yrR, o + 2 * s); S(y2r * w2i + y2i * w2r, ref yiR, o + 2 * s);
            }
        }
    }

    private static void Radix4V(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int m, int s, T[] tr, T[] ti)
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr); ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr); ref T yiR = ref MemoryMarshal.GetReference(yi);
        for (int q = 0; q < m; q++)
        {
            var w1r = new Vector<T>(tr[3 * q]); var w1i = new Vector<T>(ti[3 * q]);
            var w2r = new Vector<T>(tr[3 * q + 1]); var w2i = new Vector<T>(ti[3 * q + 1]);
            var w3r = new Vector<T>(tr[3 * q + 2]); var w3i = new Vector<T>(ti[3 * q + 2]);
            for (int k = 0; k < s; k += Vector<T>.Count)
            {
                int i0 = k + s * q, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m;
                var x0r = L(ref xrR, i0); var x0i = L(ref xiR, i0); var x1r = L(ref xrR, i1); var x1i = L(ref xiR, i1);
                var x2r = L(ref xrR, i2); var x2i = L(ref xiR, i2); var x3r = L(ref xrR, i3); var x3i = L(ref xiR, i3);
                var a0r = x0r + x2r; var a0i = x0i + x2i; var a1r = x0r - x2r; var a1i = x0i - x2i;
                var a2r = x1r + x3r; var a2i = x1i + x3i; var a3r = x1r - x3r; var a3i = x1i - x3i;
                var y1r = a1r + a3i; var y1i = a1i - a3r;
                var y2r = a0r - a2r; var y2i = a0i - a2i;
                var y3r = a1r - a3i; var y3i = a1i + a3r;
                int o = k + s * 4 * q;
                S(a0r + a2r, ref yrR, o); S(a0i + a2i, ref yiR, o);
                S(y1r * w1r - y1i * w1i, ref yrR, o + s); S(y1r * w1i + y1i * w1r, ref yiR, o + s);
                S(y2r * w2r - y2i * w2i, ref yrR, o + 2 * s); S(y2r * w2i + y2i * w2r, ref yiR, o + 2 * s);
                S(y3r * w3r - y3i * w3i, ref yrR, o + 3 * s); S(y3r * w3i + y3i * w3r, ref yiR, o + 3 * s);
            }
        }
    }

    private static void Radix5V(Span<T> xr, Span<T> xi, Span<T> yr, Span<T> yi, int m, int s, T[] tr, T[] ti)
    {
        ref T xrR = ref MemoryMarshal.GetReference(xr); ref T xiR = ref MemoryMarshal.GetReference(xi);
        ref T yrR = ref MemoryMarshal.GetReference(yr); ref T yiR = ref MemoryMarshal.GetReference(yi);
        var c51 = new Vector<T>(C51); var c52 = new Vector<T>(C52); var s51 = new Vector<T>(S51); var s52 = new Vector<T>(S52);
        for (int q = 0; q < m; q++)
        {
            int t = 4 * q;
            var w1r = new Vector<T>(tr[t]); var w1i = new Vector<T>(ti[t]); var w2r = new Vector<T>(tr[t + 1]); var w2i = new Vector<T>(ti[t + 1]);
            var w3r = new Vector<T>(tr[t + 2]); var w3i = new Vector<T>(ti[t + 2]); var w4r = new Vector<T>(tr[t + 3]); var w4i = new Vector<T>(ti[t + 3]);
            for (int k = 0; k < s; k += Vector<T>.Count)
            {
                int i0 = k + s * q, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m, i4 = i3 + s * m;
                var x0r = L(ref xrR, i0); var x0i = L(ref xiR, i0);
                var x1r = L(ref xrR, i1); var x1i = L(ref xiR, i1); var x4r = L(ref xrR, i4); var x4i = L(ref xiR, i4);
                var x2r = L(ref xrR, i2); var x2i = L(ref xiR, i2); var x3r = L(ref xrR, i3); var x3i = L(ref xiR, i3);
                var s1r = x1r + x4r; var s1i = x1i + x4i; var d1r = x1r - x4r; var d1i = x1i - x4i;
                var s2r = x2r + x3r; var s2i = x2i + x3i; var d2r = x2r - x3r; var d2i = x2i - x3i;
                var m1r = x0r + c51 * s1r + c52 * s2r; var m1i = x0i + c51 * s1i + c52 * s2i;
                var m2r = x0r + c52 * s1r + c51 * s2r; var m2i = x0i + c52 * s1i + c51 * s2i;
                var n1r = s51 * d1i + s52 * d2i; var n1i = -(s51 * d1r + s52 * d2r);
                var n2r = s52 * d1i - s51 * d2i; var n2i = -(s52 * d1r - s51 * d2r);
                var y1r = m1r + n1r; var y1i = m1i + n1i; var y4r = m1r - n1r; var y4i = m1i - n1i;
                var y2r = m2r + n2r; var y2i = m2i + n2i; var y3r = m2r - n2r; var y3i = m2i - n2i;
                int o = k + s * 5 * q;
                S(x0r + s1r + s2r, ref yrR, o); S(x0i + s1i + s2i, ref yiR, o);
                S(y1r * w1r - y1i * w1i, ref yrR, o + s); S(y1r * w1i + y1i * w1r, ref yiR, o + s);
                S(y2r * w2r - y2i * w2i, ref yrR, o + 2 * s); S(y2r * w2i + y2i * w2r, ref yiR, o + 2 * s);
                S(y3r * w3r - y3i * w3i, ref yrR, o + 3 * s); S(y3r * w3i + y3i * w3r, ref yiR, o + 3 * s);
                S(y4r * w4r - y4i * w4i, ref yrR, o + 4 * s); S(y4r * w4i + y4i * w4r, ref yiR, o + 4 * s);
            }
        }
    }
}
