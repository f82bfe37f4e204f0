using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace PercepNetFx.Dsp.Network;

/// <summary>
/// A model file with random weights of any width (spec §11 configurations), for benchmarks of
/// networks we have not trained (the paper's 8 M weights). The quantised layers are drawn as int8
/// in ±64 (so the §8.5 pair rule |q₂ⱼ + q₂ⱼ₊₁| ≤ 129 holds) and their float copies are q·scale, so
/// both precisions run the same network.
/// </summary>
public static class RandomModel
{
    public static readonly IReadOnlyDictionary<string, (int D, int C, int H, int R)> Configs =
        new Dictionary<string, (int, int, int, int)>
        {
            ["tiny"] = (64, 128, 128, 32),
            ["small"] = (96, 256, 256, 64),
            ["medium"] = (128, 384, 384, 96),
            ["paper"] = (128, 512, 512, 128),
        };

    public static PercepNetModel Create(string config, int seed = 1)
    {
        if (!Configs.TryGetValue(config, out var w)) throw new ArgumentException($"unknown configuration '{config}'", nameof(config));
        return PercepNetModel.Load(Bytes(w.D, w.C, w.H, w.R, seed, config));
    }

    /// <summary>The safetensors bytes (8-byte header length, JSON header, little-endian data).</summary>
    public static byte[] Bytes(int d, int c, int h, int r, int seed, string name)
    {
        int nf = Constants.FeatureCount, nb = Constants.BandCount;
        var rng = new Random(seed);
        var tensors = new List<(string Name, string DType, int[] Shape, byte[] Data)>();
        void Float(string n, int[] shape, float amplitude)
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            var data = new byte[4 * count];
            for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), (float)((rng.NextDouble() * 2 - 1) * amplitude));
            tensors.Add((n, "F32", shape, data));
        }
        void Quantised(string n, int[] shape)
        {
            int rows = shape[0], count = shape.Aggregate(1, (a, b) => a * b), per = count / rows;
            float scale = 0.5f / 64f / MathF.Sqrt(per / 64f); // keeps pre-activations O(1)
            var q = new byte[count];
            var f = new byte[4 * count];
            for (int i = 0; i < count; i++)
            {
                sbyte v = (sbyte)rng.Next(-64, 65);
                q[i] = (byte)v;
                BinaryPrimitives.WriteSingleLittleEndian(f.AsSpan(4 * i), v * scale);
            }
            var s = new byte[4 * rows];
            for (int i = 0; i < rows; i++) BinaryPrimitives.WriteSingleLittleEndian(s.AsSpan(4 * i), scale);
            tensors.Add((n, "F32", shape, f));
            tensors.Add((n + ".q8", "I8", shape, q));
            tensors.Add((n + ".q8scale", "F32", [rows], s));
        }
        void Gru(string n, int inputs, int hidden)
        {
            Quantised(n + ".weight_ih", [3 * hidden, inputs]);
            Quantised(n + ".weight_hh", [3 * hidden, hidden]);
            Float(n + ".bias_ih", [3 * hidden], 0.1f);
            Float(n + ".bias_hh", [3 * hidden], 0.1f);
        }
        Float("fc_in.weight", [d, nf], 0.2f);
        Float("fc_in.bias", [d], 0.1f);
        Quantised("conv1.weight", [c, d, PercepNetModel.Conv1Kernel]);
        Float("conv1.bias", [c], 0.1f);
        Quantised("conv2.weight", [c, c, PercepNetModel.Conv2Kernel]);
        Float("conv2.bias", [c], 0.1f);
        Gru("gru1", c, h);
        Gru("gru2", h, h);
        Gru("gru3", h, h);
        Gru("gru4", h, h);
        Float("fc_g.weight", [nb, c + 4 * h], 0.05f);
        Float("fc_g.bias", [nb], 0.1f);
        Gru("gru_r", c + h, r);
        Float("fc_r.weight", [nb, r], 0.1f);
        Float("fc_r.bias", [nb], 0.1f);
        Float("norm.mean", [nf], 1f);
        var std = new byte[4 * nf];
        for (int i = 0; i < nf; i++) BinaryPrimitives.WriteSingleLittleEndian(std.AsSpan(4 * i), 1f);
        tensors.Add(("norm.std", "F32", [nf], std));

        var json = new StringBuilder("{\"__metadata__\":{");
        json.Append(CultureInfo.InvariantCulture, $"\"format\":\"{PercepNetModel.Format}\",\"name\":\"random-{name}\",\"version\":\"seed {seed}\",");
        json.Append(CultureInfo.InvariantCulture, $"\"config\":\"{{\\\"D\\\":{d},\\\"C\\\":{c},\\\"H\\\":{h},\\\"R\\\":{r}}}\"}}");
        long offset = 0;
        foreach (var t in tensors)
        {
            json.Append(CultureInfo.InvariantCulture,
                $",\"{t.Name}\":{{\"dtype\":\"{t.DType}\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{offset},{offset + t.Data.Length}]}}");
            offset += t.Data.Length;
        }
        json.Append('}');
        byte[] header = Encoding.UTF8.GetBytes(json.ToString());
        var file = new byte[8 + header.Length + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        long pos = 8 + header.Length;
        foreach (var t in tensors) { t.Data.CopyTo(file, pos); pos += t.Data.Length; }
        return file;
    }
}
