using System.Runtime.CompilerServices;

namespace PercepNetFx.Dsp.Network;

/// <summary>Arithmetic used by the network (§8.5).</summary>
public enum NetworkPrecision
{
    /// <summary>Float32 reference path with the exported float weights (matches PyTorch to 1e-5, §8.1).</summary>
    Float32,
    /// <summary>int8 weights and activations for conv1, conv2 and all GRU matrices; the rest in float (§8.5).</summary>
    Int8,
    /// <summary>Float32 arithmetic with the dequantised int8 weights q·scale (§8.5 "float32 reference path").</summary>
    Float32Dequantised,
}

/// <summary>
/// One GEMV matrix of the network, row-major [Rows, Columns], y = W·x + b. Holds the float
/// weights and, for the quantised layers of §8.5, the int8 copy and its dequantised floats.
/// </summary>
public sealed class WeightMatrix
{
    public int Rows { get; }
    public int Columns { get; }
    internal float[] Weights { get; }
    internal float[] Bias { get; }
    internal Int8Matrix? Quantised { get; }
    internal float[]? Dequantised { get; }

    internal WeightMatrix(int rows, int columns, float[] weights, float[] bias, sbyte[]? q8 = null, float[]? scale = null)
    {
        Rows = rows; Columns = columns; Weights = weights; Bias = bias;
        if (q8 is not null && scale is not null)
        {
            Quantised = new Int8Matrix(q8, scale, rows, columns);
            Dequantised = new float[rows * columns];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++) Dequantised[r * columns + c] = q8[r * columns + c] * scale[r];
        }
    }

    /// <summary>y = W·x + b in the given precision. <paramref name="scratch"/> (int8 only) needs
    /// ≥ Stride entries; entries past Columns may hold anything (they meet zero-padded weights).</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y, NetworkPrecision precision, Int8Kernel kernel, Span<short> scratch)
    {
        x = x[..Columns];
        if (precision == NetworkPrecision.Int8 && Quantised is not null)
        {
            Int8Matrix.Quantise(x, scratch);
            Quantised.Multiply(scratch, Bias, y, kernel);
            return;
        }
        float[] w = precision == NetworkPrecision.Float32Dequantised && Dequantised is not null ? Dequantised : Weights;
        for (int r = 0; r < Rows; r++) y[r] = VectorMath.Dot(w.AsSpan(r * Columns, Columns), x) + Bias[r];
    }

    internal int Stride => Quantised?.Stride ?? Int8Matrix.PadTo32(Columns);
}

internal static class Activations
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    public static void Tanh(Span<float> v)
    {
        for (int i = 0; i < v.Length; i++) v[i] = MathF.Tanh(v[i]);
    }

    public static void Sigmoid(Span<float> v)
    {
        for (int i = 0; i < v.Length; i++) v[i] = Sigmoid(v[i]);
    }
}
