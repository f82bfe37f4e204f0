using PercepNetFx.Dsp.Network;
using Xunit.Abstractions;

namespace PercepNetFx.Dsp.Tests.Network;

/// <summary>
/// Every shipped model, as embedded in the assembly, against PyTorch's outputs of the same file
/// (models/golden/NAME/, written by train/golden.py --shipped): the weights the CLI and the plug-in
/// carry compute what the trained network computes.
/// </summary>
public class ShippedModelGoldenTests(ITestOutputHelper output)
{
    private const int NB = Constants.BandCount, NF = Constants.FeatureCount;

    public static TheoryData<string> ShippedWithGoldens()
    {
        var d = new TheoryData<string>();
        foreach (string name in ShippedModels.Names)
            if (Directory.Exists(Path.Combine(Golden.Dir, name))) d.Add(name);
        return d;
    }

    [Fact]
    public void EveryEmbeddedModelHasGoldenVectors()
    {
        foreach (string name in ShippedModels.Names)
            Assert.True(File.Exists(Path.Combine(Golden.Dir, name, "gains.npy")), $"no models/golden/{name}/ (train/golden.py --shipped)");
    }

    [Theory]
    [MemberData(nameof(ShippedWithGoldens))]
    public void EmbeddedModelMatchesPyTorch(string name)
    {
        PercepNetModel model = ShippedModels.Load(name);
        var (f, shape) = Golden.ReadNpy(Path.Combine(name, "features.npy"));
        int t = shape[0];
        Assert.Equal(NF, shape[1]);
        foreach (var (precision, suffix, tol) in new[] { (NetworkPrecision.Float32, "", 1e-5f), (NetworkPrecision.Int8, "_q8", 1e-4f) })
        {
            var net = new NetworkRunner(model, precision);
            var g = new float[t * NB];
            var r = new float[t * NB];
            for (int i = 0; i < t; i++) net.Step(f.AsSpan(i * NF, NF), g.AsSpan(i * NB, NB), r.AsSpan(i * NB, NB));
            float dg = MaxDiff(g, Path.Combine(name, $"gains{suffix}.npy"));
            float dr = MaxDiff(r, Path.Combine(name, $"strengths{suffix}.npy"));
            output.WriteLine($"{name} {precision}: gains {dg:E2}, strengths {dr:E2}");
            Assert.True(dg < tol && dr < tol, $"{name} {precision}: {dg:E2} / {dr:E2} above {tol:E0}");
        }
    }

    private static float MaxDiff(float[] a, string npy)
    {
        var (b, _) = Golden.ReadNpy(npy);
        Assert.Equal(b.Length, a.Length);
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}
