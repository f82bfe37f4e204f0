namespace PercepNetFx.Dsp.Network;

/// <summary>
/// One GRU layer with PyTorch's equations, gate order r, z, n (§8.1):
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(…), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
/// h' = (1 − z) ⊙ n + z ⊙ h. Both matrices are int8 in the quantised path (§8.5); the gate and
/// state arithmetic stays in float.
/// </summary>
public sealed class GruLayer
{
    public int Inputs { get; }
    public int Hidden { get; }
    public WeightMatrix InputWeights { get; }   // W_ih [3H, in]
    public WeightMatrix HiddenWeights { get; }  // W_hh [3H, H]

    internal GruLayer(WeightMatrix ih, WeightMatrix hh)
    {
        Inputs = ih.Columns; Hidden = hh.Columns; InputWeights = ih; HiddenWeights = hh;
    }

    /// <summary>h ← GRU(x, h). gi, gh: scratch of ≥ 3H floats.</summary>
    public void Step(ReadOnlySpan<float> x, Span<float> h, Span<float> gi, Span<float> gh,
                     NetworkPrecision precision, Int8Kernel kernel, Span<short> scratch)
    {
        int n = Hidden;
        InputWeights.Apply(x, gi, precision, kernel, scratch);
        HiddenWeights.Apply(h, gh, precision, kernel, scratch);
        for (int i = 0; i < n; i++)
        {
            float r = Activations.Sigmoid(gi[i] + gh[i]);
            float z = Activations.Sigmoid(gi[n + i] + gh[n + i]);
            float c = MathF.Tanh(gi[2 * n + i] + r * gh[2 * n + i]);
            float v = (1f - z) * c + z * h[i];
            h[i] = MathF.Abs(v) < Constants.DenormalFloor ? 0f : v;   // no denormals in the recurrent state (§4.8)
        }
    }
}
