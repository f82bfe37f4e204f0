using System.Text.Json;

namespace PercepNetFx.Dsp.Network;

/// <summary>
/// Immutable PercepNet weights (§8.1) read from an exported safetensors file (train/export.py).
/// Widths D (FC_in), C (convs), H (main GRUs), R (strength GRU) come from the metadata "config"
/// and must agree with every tensor shape. Safe to share between runners.
/// </summary>
public sealed class PercepNetModel
{
    public const int Conv1Kernel = 5;   // §8.1 layer 2
    public const int Conv2Kernel = 3;   // §8.1 layer 3
    public const string Format = "percepnetfx-model";

    public int D { get; }
    public int C { get; }
    public int H { get; }
    public int R { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public string Name => Metadata.TryGetValue("name", out var n) ? n : "";
    public string Version => Metadata.TryGetValue("version", out var v) ? v : "";

    /// <summary>Multiply-adds per frame = weights applied once per step (§11), biases excluded.</summary>
    public long WeightCount
    {
        get
        {
            long n = 0;
            foreach (var w in new[] { FcIn, Conv1, Conv2, FcG, FcR }) n += (long)w.Rows * w.Columns;
            foreach (var g in Grus) n += 3L * g.Hidden * (g.Inputs + g.Hidden);
            n += 3L * GruR.Hidden * (GruR.Inputs + GruR.Hidden);
            return n;
        }
    }

    internal float[] NormMean { get; }
    internal float[] NormStd { get; }
    public WeightMatrix FcIn { get; }
    /// <summary>conv1 as a GEMV over the FC_in history t−4…t, columns ordered (tap, in).</summary>
    public WeightMatrix Conv1 { get; }
    /// <summary>conv2 as a GEMV over the conv1 history t−2…t, columns ordered (tap, in).</summary>
    public WeightMatrix Conv2 { get; }
    public GruLayer[] Grus { get; }     // gru1..gru4
    public WeightMatrix FcG { get; }
    public GruLayer GruR { get; }
    public WeightMatrix FcR { get; }

    /// <summary>Parses and validates a model file held in memory.</summary>
    public static PercepNetModel Load(ReadOnlySpan<byte> file) => new(SafeTensorFile.Parse(file));

    public static PercepNetModel Load(Stream stream) => new(SafeTensorFile.Parse(stream));

    public PercepNetModel(SafeTensorFile f)
    {
        Metadata = f.Metadata;
        if (f.Metadata.TryGetValue("format", out var fmt) && fmt != Format)
            throw new ModelFormatException($"metadata format is '{fmt}', expected '{Format}'");
        // Widths from the tensors, then cross-checked with the metadata config.
        var fcw = f.Get("fc_in.weight");
        var c1w = f.Get("conv1.weight");
        var g1h = f.Get("gru1.weight_hh");
        var grh = f.Get("gru_r.weight_hh");
        if (fcw.Shape.Count != 2 || c1w.Shape.Count != 3 || g1h.Shape.Count != 2 || grh.Shape.Count != 2)
            throw new ModelFormatException("fc_in.weight, conv1.weight, gru1.weight_hh or gru_r.weight_hh has the wrong rank");
        D = fcw.Shape[0]; C = c1w.Shape[0]; H = g1h.Shape[1]; R = grh.Shape[1];
        CheckConfig(f.Metadata);
        if (D <= 0 || C <= 0 || H <= 0 || R <= 0) throw new ModelFormatException($"zero width in D={D} C={C} H={H} R={R}");

        int nf = Constants.FeatureCount, nb = Constants.BandCount;
        NormMean = F(f, "norm.mean", nf);
        NormStd = F(f, "norm.std", nf);
        foreach (float s in NormStd)
            if (!(s >= 1e-6f)) throw new ModelFormatException($"norm.std holds {s}; it must be at least 1e-6");
        FcIn = new WeightMatrix(D, nf, F(f, "fc_in.weight", D, nf), F(f, "fc_in.bias", D));
        Conv1 = Conv(f, "conv1", C, D, Conv1Kernel);
        Conv2 = Conv(f, "conv2", C, C, Conv2Kernel);
        Grus = [Gru(f, "gru1", C, H), Gru(f, "gru2", H, H), Gru(f, "gru3", H, H), Gru(f, "gru4", H, H)];
        FcG = new WeightMatrix(nb, C + 4 * H, F(f, "fc_g.weight", nb, C + 4 * H), F(f, "fc_g.bias", nb));
        GruR = Gru(f, "gru_r", C + H, R);
        FcR = new WeightMatrix(nb, R, F(f, "fc_r.weight", nb, R), F(f, "fc_r.bias", nb));
    }

    private void CheckConfig(IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue("config", out var json)) return;   // widths from shapes only
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException("metadata config is not a JSON object");
            void Expect(string key, int actual)
            {
                if (!root.TryGetProperty(key, out var v)) return;
                if (!v.TryGetInt32(out int want)) throw new ModelFormatException($"metadata config {key} is not an integer");
                if (want != actual)
                    throw new ModelFormatException($"metadata config {key}={want} does not match the tensor shapes ({key}={actual})");
            }
            Expect("D", D); Expect("C", C); Expect("H", H); Expect("R", R);
            Expect("features", Constants.FeatureCount); Expect("bands", Constants.BandCount);
            Expect("conv1_kernel", Conv1Kernel); Expect("conv2_kernel", Conv2Kernel);
        }
        catch (JsonException e) { throw new ModelFormatException($"metadata config is not valid JSON: {e.Message}"); }
        catch (InvalidOperationException e) { throw new ModelFormatException($"metadata config is malformed: {e.Message}"); }
    }

    /// <summary>Largest magnitude accepted in any float tensor. Trained weights stay within a few units
    /// (quantised layers are clipped to ±0.5, §8.3); the bound keeps every pre-activation finite, so a
    /// corrupt file cannot produce Inf − Inf or 0·Inf (NaN) inside the network.</summary>
    internal const float MaxMagnitude = 1e4f;

    private static float[] F(SafeTensorFile f, string name, params int[] shape)
    {
        float[] v = f.Get(name, TensorDType.F32, shape).ToFloatArray();
        foreach (float x in v)
            if (!(MathF.Abs(x) <= MaxMagnitude)) throw new ModelFormatException($"{name} holds {x}, outside ±{MaxMagnitude} (corrupt file?)");
        return v;
    }

    private static (sbyte[] Q, float[] Scale) Q8(SafeTensorFile f, string name, int rows, params int[] shape)
    {
        var q = f.Get(name + ".q8", TensorDType.I8, shape).ToSByteArray();
        var s = F(f, name + ".q8scale", rows);
        foreach (float v in s)
            if (!(v >= 0f) || !float.IsFinite(v)) throw new ModelFormatException($"{name}.q8scale has a negative or non-finite value");
        foreach (sbyte v in q)
            if (v == sbyte.MinValue) throw new ModelFormatException($"{name}.q8 holds -128 (range is ±127, §8.5)");
        return (q, s);
    }

    /// <summary>[Out, In, K] (PyTorch) → GEMV [Out, K·In] with column k·In + i = W[o, i, k], so the
    /// input is the concatenated history in[t−K+1] … in[t] (§8.2).</summary>
    private static WeightMatrix Conv(SafeTensorFile f, string name, int outs, int ins, int k)
    {
        var w = F(f, name + ".weight", outs, ins, k);
        var b = F(f, name + ".bias", outs);
        var (q, s) = Q8(f, name + ".weight", outs, outs, ins, k);
        var w2 = new float[outs * ins * k];
        var q2 = new sbyte[outs * ins * k];
        for (int o = 0; o < outs; o++)
            for (int i = 0; i < ins; i++)
                for (int t = 0; t < k; t++)
                {
                    int src = (o * ins + i) * k + t, dst = o * ins * k + t * ins + i;
                    w2[dst] = w[src];
                    q2[dst] = q[src];
                }
        return new WeightMatrix(outs, ins * k, w2, b, q2, s);
    }

    private static GruLayer Gru(SafeTensorFile f, string name, int ins, int hidden)
    {
        var bih = F(f, name + ".bias_ih", 3 * hidden);
        var bhh = F(f, name + ".bias_hh", 3 * hidden);
        var (qi, si) = Q8(f, name + ".weight_ih", 3 * hidden, 3 * hidden, ins);
        var (qh, sh) = Q8(f, name + ".weight_hh", 3 * hidden, 3 * hidden, hidden);
        var ih = new WeightMatrix(3 * hidden, ins, F(f, name + ".weight_ih", 3 * hidden, ins), bih, qi, si);
        var hh = new WeightMatrix(3 * hidden, hidden, F(f, name + ".weight_hh", 3 * hidden, hidden), bhh, qh, sh);
        return new GruLayer(ih, hh);
    }
}
