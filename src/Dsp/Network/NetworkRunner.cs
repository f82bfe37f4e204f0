namespace PercepNetFx.Dsp.Network;

/// <summary>
/// Streaming state of one network instance (§8.2 table): FC_in history (5 frames, the newest
/// included), conv1 history (3 frames), GRU1…4 and GRU_r hidden states, plus scratch. All
/// preallocated; <see cref="Reset"/> zeroes it, which matches PyTorch's left zero padding.
/// </summary>
public sealed class NetworkState
{
    internal readonly float[] Normalised = new float[Constants.FeatureCount];
    internal readonly float[] FcInHistory;   // [5·D]: FC_in outputs of t−4 … t
    internal readonly float[] Conv1History;  // [3·C]: conv1 outputs of t−2 … t
    internal readonly float[] GainInput;     // [C + 4H]: conv2 | h1 | h2 | h3 | h4 (the h_n live here)
    internal readonly float[] StrengthInput; // [C + H]: conv2 | h3
    internal readonly float[] HiddenR;       // [R]
    internal readonly float[] Gi, Gh;        // [3·max(H,R)] gate pre-activations
    internal readonly short[] Scratch;       // int8 activations, ≥ the widest padded row

    public NetworkState(PercepNetModel m)
    {
        FcInHistory = new float[PercepNetModel.Conv1Kernel * m.D];
        Conv1History = new float[PercepNetModel.Conv2Kernel * m.C];
        GainInput = new float[m.C + 4 * m.H];
        StrengthInput = new float[m.C + m.H];
        HiddenR = new float[m.R];
        Gi = new float[3 * Math.Max(m.H, m.R)];
        Gh = new float[3 * Math.Max(m.H, m.R)];
        int stride = 0;
        foreach (var w in new[] { m.Conv1, m.Conv2, m.GruR.InputWeights, m.GruR.HiddenWeights })
            stride = Math.Max(stride, w.Stride);
        foreach (var g in m.Grus) stride = Math.Max(stride, Math.Max(g.InputWeights.Stride, g.HiddenWeights.Stride));
        Scratch = new short[stride];
    }

    /// <summary>Copies every recurrent quantity (not the scratch) from <paramref name="other"/>.</summary>
    public void CopyFrom(NetworkState other)
    {
        other.FcInHistory.AsSpan().CopyTo(FcInHistory);
        other.Conv1History.AsSpan().CopyTo(Conv1History);
        other.GainInput.AsSpan().CopyTo(GainInput);
        other.StrengthInput.AsSpan().CopyTo(StrengthInput);
        other.HiddenR.AsSpan().CopyTo(HiddenR);
    }

    public void Reset()
    {
        Array.Clear(FcInHistory);
        Array.Clear(Conv1History);
        Array.Clear(GainInput);
        Array.Clear(StrengthInput);
        Array.Clear(HiddenR);
        Array.Clear(Scratch);
    }
}

/// <summary>
/// Runs <see cref="PercepNetModel"/> one step per hop (§8.1, §8.2) and supplies ĝ, r̂ to the
/// engine. The output of step t belongs to frame t − 2; FrameAnalysis.Features is F_t, already
/// aligned (§5), so no shifting happens here. Does not allocate after construction; the overload
/// guard is a wrapper around it (<see cref="OverloadGuard"/>).
/// </summary>
public sealed class NetworkRunner : IGainSource
{
    private readonly NetworkState state;

    public NetworkRunner(PercepNetModel model, NetworkPrecision precision = NetworkPrecision.Float32,
                         Int8Kernel kernel = Int8Kernel.Auto)
    {
        if (kernel is Int8Kernel.Avx2 or Int8Kernel.Avx2Fast && !System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            throw new PlatformNotSupportedException("the AVX2 int8 kernel needs a CPU with AVX2");
        Model = model;
        state = new NetworkState(model);
        Precision = precision;
        Kernel = kernel;
    }

    public PercepNetModel Model { get; }
    public NetworkPrecision Precision { get; }
    public Int8Kernel Kernel { get; }

    public void Reset() => state.Reset();

    public void Compute(FrameAnalysis frame, Span<float> gains, Span<float> strengths) => Step(frame.Features, gains, strengths);

    /// <summary>Takes over every recurrent quantity of <paramref name="other"/> (a runner of the same model).</summary>
    public void CopyStateFrom(NetworkRunner other) => state.CopyFrom(other.state);

    /// <summary>One step: raw features F_t (70) → 34 gains and 34 strengths for frame t − 2.</summary>
    public void Step(ReadOnlySpan<float> features, Span<float> gains, Span<float> strengths)
    {
        var s = state;
        var m = Model;
        var p = Precision;
        var k = Kernel;
        int d = m.D, c = m.C, h = m.H;
        var scratch = s.Scratch.AsSpan();

        // §5: f' = (f − μ)/s.
        for (int i = 0; i < Constants.FeatureCount; i++) s.Normalised[i] = (features[i] - m.NormMean[i]) / m.NormStd[i];

        // FC_in (tanh), appended to the history t−4 … t (§8.2).
        var hist1 = s.FcInHistory.AsSpan();
        hist1[d..].CopyTo(hist1);
        var a = hist1[(4 * d)..];
        m.FcIn.Apply(s.Normalised, a, NetworkPrecision.Float32, k, scratch);
        Activations.Tanh(a);

        // conv1, kernel 5 over t−4 … t (tanh), appended to the history t−2 … t.
        var hist2 = s.Conv1History.AsSpan();
        hist2[c..].CopyTo(hist2);
        var c1 = hist2[(2 * c)..];
        m.Conv1.Apply(hist1, c1, p, k, scratch);
        Activations.Tanh(c1);

        // conv2, kernel 3 over t−2 … t (tanh).
        var cat = s.GainInput.AsSpan();
        var c2 = cat[..c];
        m.Conv2.Apply(hist2, c2, p, k, scratch);
        Activations.Tanh(c2);

        // GRU1 … GRU4; the states are the slices of the FC_g input.
        ReadOnlySpan<float> x = c2;
        for (int g = 0; g < 4; g++)
        {
            var state = cat.Slice(c + g * h, h);
            m.Grus[g].Step(x, state, s.Gi, s.Gh, p, k, scratch);
            x = state;
        }

        // FC_g on concat(conv2, GRU1…4), sigmoid → ĝ.
        m.FcG.Apply(cat, gains, NetworkPrecision.Float32, k, scratch);
        Activations.Sigmoid(gains[..Constants.BandCount]);

        // GRU_r on concat(conv2, GRU3), FC_r, sigmoid → r̂.
        var catR = s.StrengthInput.AsSpan();
        c2.CopyTo(catR);
        cat.Slice(c + 2 * h, h).CopyTo(catR[c..]);
        m.GruR.Step(catR, s.HiddenR, s.Gi, s.Gh, p, k, scratch);
        m.FcR.Apply(s.HiddenR, strengths, NetworkPrecision.Float32, k, scratch);
        Activations.Sigmoid(strengths[..Constants.BandCount]);
    }
}
