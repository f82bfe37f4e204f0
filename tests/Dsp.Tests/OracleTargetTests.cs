using PercepNetFx.Dsp;

namespace PercepNetFx.Dsp.Tests;

public class OracleTargetTests
{
    [Fact]
    public void StrengthIsFiniteAndInUnitRangeOverDenseCoherenceGrid()
    {
        foreach (int taps in new[] { 1, 2, 3 })
        {
            float sigma2 = CombFilter.NoisePowerGain(taps);
            for (int i = 0; i <= 200; i++)
            for (int j = 0; j <= 200; j++)
            {
                float qx = i / 200f, qy = j / 200f;
                float r = OracleTargets.Strength(qx, qy, sigma2, out float att);
                Assert.True(float.IsFinite(r) && r >= 0f && r <= 1f, $"r={r} at qx={qx}, qy={qy}");
                Assert.True(float.IsFinite(att) && att > 0f && att <= 1f, $"g_att={att} at qx={qx}, qy={qy}");
            }
        }
    }

    [Fact]
    public void StrengthReachesTheCleanCoherenceUnderTheModel()
    {
        // Closed form check of §4.7: with α = r/(1 − r), q_z(α) = (q_y + α q_p̂)/sqrt(1 + α² + 2α q_y q_p̂) must equal q_x.
        float sigma2 = CombFilter.NoisePowerGain(3);
        for (float qy = 0.2f; qy < 0.8f; qy += 0.1f)
        for (float qx = qy + 0.05f; qx < 0.95f; qx += 0.1f)
        {
            float qp = qy / MathF.Sqrt((1 - sigma2) * qy * qy + sigma2);
            if (qp <= qx) continue;
            float r = OracleTargets.Strength(qx, qy, sigma2, out float att);
            double alpha = r / (1.0 - r);
            double qz = (qy + alpha * qp) / Math.Sqrt(1 + alpha * alpha + 2 * alpha * qy * qp);
            Assert.Equal(qx, qz, 4);
            Assert.Equal(1f, att);
        }
    }

    [Fact]
    public void GuardsOfSection63()
    {
        float sigma2 = CombFilter.NoisePowerGain(3);
        Assert.Equal(0f, OracleTargets.Strength(0.1f, 0.05f, sigma2, out _));   // q_x² ≤ n₀
        Assert.Equal(0f, OracleTargets.Strength(0.6f, 0.7f, sigma2, out _));    // noisy already as periodic
        float r = OracleTargets.Strength(0.99f, 0.1f, sigma2, out float att);   // full filtering not enough
        Assert.Equal(1f, r);
        float qp = 0.1f / MathF.Sqrt((1 - sigma2) * 0.01f + sigma2);
        Assert.Equal(MathF.Sqrt((1.03f - 0.99f * 0.99f) / (1.03f - qp * qp)), att, 5);
        Assert.Equal(1f, OracleTargets.Gain(2f, 1f));
        Assert.Equal(0.5f, OracleTargets.Gain(0.25f - 0.75e-6f, 1f), 5);
    }

    [Fact]
    public void PostFilterAtAmountZeroAndStrengthZeroIsTransparent()
    {
        var g = Enumerable.Range(0, 34).Select(b => b / 34f).ToArray();
        var r = Enumerable.Repeat(0.5f, 34).ToArray();
        var e = Enumerable.Repeat(1f, 34).ToArray();
        var go = new float[34];
        var ro = new float[34];
        PostFilter.Apply(g, r, e, PostFilter.FloorForStrength(0f), 1f, true, go, ro);
        Assert.All(go, v => Assert.Equal(1f, v));
        Assert.All(ro, v => Assert.Equal(0f, v));
        PostFilter.Apply(g, r, e, PostFilter.FloorForStrength(1f), 0f, true, go, ro);
        for (int b = 0; b < 34; b++) Assert.Equal(Math.Max(g[b], 1e-3f), go[b], 6);
    }

    [Fact]
    public void PostFilterMatchesSection7ClosedForm()
    {
        // One band at ĝ = 0.5, the rest at 1, equal energies: warped 0.5·sin(π/4) = 0.3536;
        // R = (33 + 0.25)/(33·1 + 0.125) and G = sqrt((1 + β)R/(1 + βR²)).
        var g = Enumerable.Repeat(1f, 34).ToArray();
        g[10] = 0.5f;
        var e = Enumerable.Repeat(1f, 34).ToArray();
        var go = new float[34];
        var ro = new float[34];
        PostFilter.Apply(g, new float[34], e, 1e-3f, 1f, true, go, ro);
        double warped = 0.5 * Math.Sin(Math.PI / 4);
        double ratio = (33 + 0.25) / (33 + warped * warped);
        double comp = Math.Sqrt(1.02 * ratio / (1 + 0.02 * ratio * ratio));
        Assert.Equal(warped * comp, go[10], 5);
        Assert.Equal(comp, go[0], 5);
    }
}
