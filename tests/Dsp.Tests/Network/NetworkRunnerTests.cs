using System.Diagnostics;
using System.Runtime.Intrinsics.X86;
using PercepNetFx.Dsp.Network;
using Xunit.Abstractions;

namespace PercepNetFx.Dsp.Tests.Network;

public class NetworkRunnerTests(ITestOutputHelper output)
{
    private static readonly Lazy<PercepNetModel> Model = new(() => PercepNetModel.Load(Golden.ModelBytes));
    private const int NB = Constants.BandCount, NF = Constants.FeatureCount;

    /// <summary>Runs the golden features through a runner: (gains, strengths) [T·34].</summary>
    private static (float[] G, float[] R) Run(NetworkRunner net)
    {
        var (f, shape) = Golden.ReadNpy("features.npy");
        int t = shape[0];
        Assert.Equal(NF, shape[1]);
        var g = new float[t * NB];
        var r = new float[t * NB];
        for (int i = 0; i < t; i++) net.Step(f.AsSpan(i * NF, NF), g.AsSpan(i * NB, NB), r.AsSpan(i * NB, NB));
        return (g, r);
    }

    private float MaxDiff(float[] a, string npy)
    {
        var (b, shape) = Golden.ReadNpy(npy);
        Assert.Equal(50, shape[0]);
        Assert.Equal(NB, shape[1]);
        Assert.Equal(b.Length, a.Length);
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        output.WriteLine($"{npy}: max |diff| = {m:E2}");
        return m;
    }

    private static float MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    [Fact]
    public void ArchitectureComesFromTheFile()
    {
        var m = Model.Value;
        Assert.Equal((16, 24, 24, 8), (m.D, m.C, m.H, m.R));
        Assert.Equal("golden", m.Name);
    }

    [Fact]
    public void FloatPathMatchesPyTorch()
    {
        var (g, r) = Run(new NetworkRunner(Model.Value, NetworkPrecision.Float32));
        Assert.True(MaxDiff(g, "gains.npy") < 1e-5f);
        Assert.True(MaxDiff(r, "strengths.npy") < 1e-5f);
    }

    [Fact]
    public void DequantisedFloatPathMatchesPyTorch()
    {
        var (g, r) = Run(new NetworkRunner(Model.Value, NetworkPrecision.Float32Dequantised));
        Assert.True(MaxDiff(g, "gains_q8w.npy") < 1e-5f);
        Assert.True(MaxDiff(r, "strengths_q8w.npy") < 1e-5f);
    }

    public static TheoryData<Int8Kernel> Kernels()
    {
        var d = new TheoryData<Int8Kernel> { Int8Kernel.Scalar };
        if (Avx2.IsSupported) { d.Add(Int8Kernel.Avx2); d.Add(Int8Kernel.Avx2Fast); }
        return d;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Int8PathMatchesGoldenAndFloat(Int8Kernel kernel)
    {
        var (g, r) = Run(new NetworkRunner(Model.Value, NetworkPrecision.Int8, kernel));
        Assert.True(MaxDiff(g, "gains_q8.npy") < 1e-4f);
        Assert.True(MaxDiff(r, "strengths_q8.npy") < 1e-4f);
        Assert.True(MaxDiff(g, "gains.npy") < 2e-2f);      // §8.5 quantised vs float
        Assert.True(MaxDiff(r, "strengths.npy") < 2e-2f);
    }

    [Fact]
    public void Int8KernelsAgreeExactly()
    {
        if (!Avx2.IsSupported) return;
        var a = Run(new NetworkRunner(Model.Value, NetworkPrecision.Int8, Int8Kernel.Scalar));
        var b = Run(new NetworkRunner(Model.Value, NetworkPrecision.Int8, Int8Kernel.Avx2));
        var c = Run(new NetworkRunner(Model.Value, NetworkPrecision.Int8, Int8Kernel.Avx2Fast));
        Assert.Equal(a.G, b.G);
        Assert.Equal(a.R, b.R);
        Assert.Equal(a.G, c.G);
        Assert.Equal(a.R, c.R);
    }

    [Theory]
    [InlineData(NetworkPrecision.Float32)]
    [InlineData(NetworkPrecision.Int8)]
    public void ResetReproducesTheSequence(NetworkPrecision p)
    {
        var net = new NetworkRunner(Model.Value, p);
        var first = Run(net);
        net.Reset();
        var second = Run(net);
        Assert.Equal(first.G, second.G);
        Assert.Equal(first.R, second.R);
        // Via IGainSource with a FrameAnalysis, after another reset.
        net.Reset();
        var (f, _) = Golden.ReadNpy("features.npy");
        var frame = new FrameAnalysis();
        var g = new float[NB];
        var r = new float[NB];
        for (int t = 0; t < 3; t++)
        {
            f.AsSpan(t * NF, NF).CopyTo(frame.Features);
            ((IGainSource)net).Compute(frame, g, r);
        }
        Assert.Equal(first.G.AsSpan(2 * NB, NB).ToArray(), g);
        Assert.Equal(first.R.AsSpan(2 * NB, NB).ToArray(), r);
    }

    [Theory]
    [InlineData(NetworkPrecision.Float32)]
    [InlineData(NetworkPrecision.Int8)]
    public void StepAllocatesNothing(NetworkPrecision p)
    {
        var net = new NetworkRunner(Model.Value, p);
        var (f, _) = Golden.ReadNpy("features.npy");
        var g = new float[NB];
        var r = new float[NB];
        var warm = Stopwatch.StartNew();
        int t = 0;
        while (warm.ElapsedMilliseconds < 300) net.Step(f.AsSpan((t++ % 50) * NF, NF), g, r);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++) net.Step(f.AsSpan((i % 50) * NF, NF), g, r);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Int8MatrixKernelsMatchOnRandomData()
    {
        var rng = new Random(5);
        foreach (int range in new[] { 127, 64 })
        foreach (int cols in new[] { 1, 31, 32, 33, 70, 257 })
        {
            int rows = 7;
            var q = new sbyte[rows * cols];
            // ±64 always satisfies the §8.5 pair rule; ±127 breaks it (for a row of two or more columns).
            for (int i = 0; i < q.Length; i++) q[i] = (sbyte)rng.Next(-range, range + 1);
            var scale = Enumerable.Range(0, rows).Select(i => 0.001f * (i + 1)).ToArray();
            var m = new Int8Matrix(q, scale, rows, cols);
            Assert.Equal(0, m.Stride % 32);
            var x = new short[m.Stride];
            for (int j = 0; j < cols; j++) x[j] = (short)rng.Next(-127, 128);
            var bias = new float[rows];
            var ys = new float[rows];
            m.Multiply(x, bias, ys, Int8Kernel.Scalar);
            for (int i = 0; i < rows; i++)
            {
                long s = 0;
                for (int j = 0; j < cols; j++) s += q[i * cols + j] * x[j];
                Assert.Equal(scale[i] / 127f * s, ys[i]);
            }
            if (Avx2.IsSupported)
            {
                var ya = new float[rows];
                m.Multiply(x, bias, ya, Int8Kernel.Avx2);
                Assert.Equal(ys, ya);
                if (range == 64) Assert.True(m.PairRuleHolds);
                if (range == 127 && cols >= 32) Assert.False(m.PairRuleHolds);
                var yf = new float[rows];
                m.Multiply(x, bias, yf, Int8Kernel.Avx2Fast); // exact fallback when the rule is broken
                Assert.Equal(ys, yf);
            }
        }
    }

    [Fact]
    public void ActivationQuantisationRoundsHalfToEven()
    {
        Assert.Equal(0, Int8Matrix.Quantise(0.5f / 127f));
        Assert.Equal(2, Int8Matrix.Quantise(1.5f / 127f));
        Assert.Equal(127, Int8Matrix.Quantise(1f));
        Assert.Equal(-127, Int8Matrix.Quantise(-3f));
    }
}
