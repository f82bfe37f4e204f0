using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Dsp.Tests.Network;

public class RandomModelTests
{
    [Theory]
    [InlineData("tiny", 0.54)]
    [InlineData("small", 2.06)]
    [InlineData("paper", 7.95)]
    public void WeightCountsMatchTheSpecTable(string config, double millions)
    {
        // §11: F·D + 5·D·C + 3·C² + 3H(C+H) + 3·3H(2H) + (C+4H)·B + 3R(C+H+R) + R·B (biases excluded).
        var (d, c, h, r) = RandomModel.Configs[config];
        const long f = 70, b = 34;
        long formula = f * d + 5L * d * c + 3L * c * c + 3L * h * (c + h) + 9L * h * (2 * h) + (c + 4L * h) * b + 3L * r * (c + h + r) + (long)r * b;
        var model = RandomModel.Create(config);
        Assert.Equal(formula, model.WeightCount);
        Assert.Equal(millions, model.WeightCount / 1e6, 2);
    }

    [Fact]
    public void Int8AndFloatRunTheSameRandomNetwork()
    {
        var model = RandomModel.Create("small", seed: 4);
        var f = new NetworkRunner(model, NetworkPrecision.Float32);
        var q = new NetworkRunner(model, NetworkPrecision.Int8);
        var rng = new Random(2);
        var x = new float[Constants.FeatureCount];
        float[] gf = new float[34], rf = new float[34], gq = new float[34], rq = new float[34];
        float worst = 0f;
        for (int t = 0; t < 100; t++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            f.Step(x, gf, rf);
            q.Step(x, gq, rq);
            for (int i = 0; i < 34; i++) worst = Math.Max(worst, Math.Max(Math.Abs(gf[i] - gq[i]), Math.Abs(rf[i] - rq[i])));
        }
        Assert.True(worst < 2e-2f, $"int8 vs float {worst}");
        Assert.True(worst > 0f, "the int8 path should differ from float by its activation rounding");
    }
}
