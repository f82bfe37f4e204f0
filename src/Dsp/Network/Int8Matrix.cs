using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PercepNetFx.Dsp.Network;

/// <summary>Which integer dot-product kernel an int8 layer uses (§8.5).</summary>
public enum Int8Kernel
{
    /// <summary>The AVX2 fast path when the CPU has AVX2 (exact path for matrices that break the pair rule), otherwise scalar.</summary>
    Auto,
    /// <summary>Exact AVX2 path: int8 → int16 sign extension, vpmaddwd into int32 (§8.5 kernel 1).</summary>
    Avx2,
    /// <summary>AVX2 fast path: unsigned activations x_q + 127 × int8 weights with vpmaddubsw (§8.5 kernel 2).
    /// Same integer sums as the exact path when the pair rule holds; matrices that break it use the exact path.</summary>
    Avx2Fast,
    /// <summary>Portable scalar int32 accumulation (§8.5 kernel 4).</summary>
    Scalar,
}

/// <summary>
/// A quantised GEMV matrix (§8.5): row-major int8, each row zero-padded to a multiple of
/// 32 columns and 32-byte aligned, with per-row scales. y_i = scale_i/127 · Σ_j Wq_ij·x_q,j + b_i.
/// Activations x_q are passed as int16 (already round(127·x), padded with zeros to <see cref="Stride"/>).
/// </summary>
public sealed unsafe class Int8Matrix
{
    private readonly sbyte[] _store;   // pinned (POH): the address never changes
    private readonly int _offset;      // first element of row 0, 32-byte aligned
    private readonly float[] _rowScale; // scale_i / 127
    private readonly int[] _rowOffset;  // 127 · Σ_j Wq_ij: removes the +127 of the unsigned activations

    public int Rows { get; }
    public int Columns { get; }
    /// <summary>Padded row length, a multiple of 32.</summary>
    public int Stride { get; }

    /// <param name="q">Row-major [rows, columns] int8 weights.</param>
    /// <param name="scale">Per-row scale_i.</param>
    public Int8Matrix(ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scale, int rows, int columns)
    {
        if (q.Length != rows * columns || scale.Length != rows) throw new ArgumentException("q/scale sizes do not match rows × columns");
        Rows = rows;
        Columns = columns;
        Stride = PadTo32(columns);
        _store = GC.AllocateArray<sbyte>(rows * Stride + 32, pinned: true);
        fixed (sbyte* p = _store) _offset = (int)((32 - ((nint)p & 31)) & 31);
        for (int r = 0; r < rows; r++) q.Slice(r * columns, columns).CopyTo(_store.AsSpan(_offset + r * Stride, columns));
        _rowScale = new float[rows];
        for (int r = 0; r < rows; r++) _rowScale[r] = scale[r] / 127f;
        _rowOffset = new int[rows];
        PairRuleHolds = true;
        for (int r = 0; r < rows; r++)
        {
            var row = _store.AsSpan(_offset + r * Stride, Stride);
            int sum = 0;
            for (int j = 0; j < Stride; j += 2)
            {
                int a = row[j], b = row[j + 1];
                sum += a + b;
                // vpmaddubsw adds u₁·a + u₂·b in int16 with saturation, u ≤ 254: a same-sign pair needs |a + b| ≤ 129 (§8.5).
                if (Math.Sign(a) == Math.Sign(b) && Math.Abs(a + b) > 129) PairRuleHolds = false;
            }
            _rowOffset[r] = 127 * sum;
        }
    }

    /// <summary>Whether every same-sign weight pair satisfies |q₂ⱼ + q₂ⱼ₊₁| ≤ 129, so the fast path is exact.</summary>
    public bool PairRuleHolds { get; }

    public static int PadTo32(int n) => (n + 31) & ~31;

    /// <summary>Activation quantisation x_q = round(127·x), round half to even (§8.5), clamped to ±127.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Quantise(float x) => (short)Math.Clamp(MathF.Round(127f * x), -127f, 127f);

    /// <summary>Quantises <paramref name="x"/> into the first x.Length entries of <paramref name="dst"/>.</summary>
    public static void Quantise(ReadOnlySpan<float> x, Span<short> dst)
    {
        for (int i = 0; i < x.Length; i++) dst[i] = Quantise(x[i]);
    }

    /// <summary>y = scale/127 · (Wq · xq) + bias. xq.Length must be ≥ Stride with zeros past Columns.</summary>
    public void Multiply(ReadOnlySpan<short> xq, ReadOnlySpan<float> bias, Span<float> y, Int8Kernel kernel)
    {
        if (xq.Length < Stride || y.Length < Rows || bias.Length < Rows) throw new ArgumentException("buffer too short");
        bool avx = kernel switch
        {
            Int8Kernel.Avx2 or Int8Kernel.Avx2Fast => Avx2.IsSupported ? true : throw new PlatformNotSupportedException("AVX2 not supported"),
            Int8Kernel.Scalar => false,
            _ => Avx2.IsSupported,
        };
        bool fast = avx && kernel != Int8Kernel.Avx2 && PairRuleHolds;
        if (fast)
        {
            // Unsigned activations u = x_q + 127 ∈ [0, 254]; past Columns the weights are zero, so any value does.
            Span<byte> xu = stackalloc byte[Stride];
            for (int j = 0; j < Columns; j++) xu[j] = (byte)(xq[j] + 127);
            xu[Columns..].Clear();
            MultiplyFast(xu, bias, y);
            return;
        }
        fixed (sbyte* w0 = _store)
        fixed (short* x = xq)
        {
            sbyte* w = w0 + _offset;
            int r = 0;
            if (avx)
            {
                for (; r + 4 <= Rows; r += 4, w += 4 * Stride)
                {
                    var sums = DotAvx2x4(w, x, Stride);
                    for (int i = 0; i < 4; i++) y[r + i] = _rowScale[r + i] * sums.GetElement(i) + bias[r + i];
                }
            }
            for (; r < Rows; r++, w += Stride)
            {
                int sum = avx ? DotAvx2(w, x, Stride) : DotScalar(w, x, Columns);
                y[r] = _rowScale[r] * sum + bias[r];
            }
        }
    }

    private void MultiplyFast(ReadOnlySpan<byte> xu, ReadOnlySpan<float> bias, Span<float> y)
    {
        var ones = Vector256.Create((short)1);
        fixed (sbyte* w0 = _store)
        fixed (byte* x = xu)
        {
            sbyte* w = w0 + _offset;
            int r = 0, stride = Stride;
            for (; r + 4 <= Rows; r += 4, w += 4 * stride)
            {
                Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0;
                for (int j = 0; j < stride; j += 32)
                {
                    var xv = Avx.LoadVector256(x + j);
                    a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(xv, Avx.LoadAlignedVector256(w + j)), ones));
                    a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(xv, Avx.LoadAlignedVector256(w + stride + j)), ones));
                    a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(xv, Avx.LoadAlignedVector256(w + 2 * stride + j)), ones));
                    a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(xv, Avx.LoadAlignedVector256(w + 3 * stride + j)), ones));
                }
                var h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
                var sums = Sse2.Add(h.GetLower(), h.GetUpper());
                for (int i = 0; i < 4; i++) y[r + i] = _rowScale[r + i] * (sums.GetElement(i) - _rowOffset[r + i]) + bias[r + i];
            }
            for (; r < Rows; r++, w += stride)
            {
                Vector256<int> acc = Vector256<int>.Zero;
                for (int j = 0; j < stride; j += 32)
                    acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(x + j), Avx.LoadAlignedVector256(w + j)), ones));
                y[r] = _rowScale[r] * (Vector256.Sum(acc) - _rowOffset[r]) + bias[r];
            }
        }
    }

    /// <summary>Four rows at once (shares the activation loads); lanes 0…3 hold the four int32 sums.</summary>
    private static Vector128<int> DotAvx2x4(sbyte* w, short* x, int stride)
    {
        Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < stride; j += 16)
        {
            var xv = Avx.LoadVector256(x + j);
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + j)), xv));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + stride + j)), xv));
            a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + 2 * stride + j)), xv));
            a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + 3 * stride + j)), xv));
        }
        // Horizontal sums: hadd pairs, then fold the 128-bit halves.
        var h01 = Avx2.HorizontalAdd(a0, a1);          // a0 pairs | a1 pairs, per lane
        var h23 = Avx2.HorizontalAdd(a2, a3);
        var h = Avx2.HorizontalAdd(h01, h23);          // per lane: s0 s1 s2 s3
        return Sse2.Add(h.GetLower(), h.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DotScalar(sbyte* w, short* x, int n)
    {
        int s = 0;
        for (int j = 0; j < n; j++) s += w[j] * x[j];
        return s;
    }

    /// <summary>§8.5 exact path: sign-extend 16 int8 weights to int16, vpmaddwd with int16 activations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DotAvx2(sbyte* w, short* x, int stride)
    {
        Vector256<int> acc0 = Vector256<int>.Zero, acc1 = Vector256<int>.Zero;
        for (int j = 0; j < stride; j += 32)
        {
            var w0 = Avx2.ConvertToVector256Int16(Sse2.LoadAlignedVector128(w + j));
            var w1 = Avx2.ConvertToVector256Int16(Sse2.LoadAlignedVector128(w + j + 16));
            acc0 = Avx2.Add(acc0, Avx2.MultiplyAddAdjacent(w0, Avx.LoadVector256(x + j)));
            acc1 = Avx2.Add(acc1, Avx2.MultiplyAddAdjacent(w1, Avx.LoadVector256(x + j + 16)));
        }
        return Vector256.Sum(Avx2.Add(acc0, acc1));
    }
}
