using PercepNetFx.Dsp;

namespace PercepNetFx.Dsp.Tests;

public class WindowAndBandTests
{
    [Fact]
    public void VorbisWindowIsPowerComplementaryAtHop480()
    {
        var w = VorbisWindow.Values;
        for (int n = 0; n < 480; n++)
        {
            double sum = (double)w[n] * w[n] + (double)w[n + 480] * w[n + 480];
            Assert.True(Math.Abs(sum - 1) < 1e-6, $"n={n}: {sum}");
            Assert.Equal(w[n], w[959 - n]);
        }
        // Closed form at the centre: w(479.5 ± 0.5) → sin(π/2·sin²(π·480/960)) ≈ 1.
        Assert.True(w[480] > 0.99999f);
    }

    [Fact]
    public void BandWeightsArePartitionOfUnityOverAllBins()
    {
        for (int k = 0; k <= 480; k++)
        {
            double sum = 0;
            for (int b = 0; b < 34; b++)
            {
                float w = BandLayout.Weight(b, k);
                Assert.InRange(w, 0f, 1f);
                sum += w;
            }
            Assert.True(Math.Abs(sum - 1) < 1e-6, $"bin {k}: {sum}");
        }
    }

    [Fact]
    public void BandCentresFollowTheErbRecursionOfSection31()
    {
        // Independent derivation: B_{i+1} = B_i − max(2, round(ERB(50·B_i)/50)) from 400, then merge bins 14 and 16 into 15.
        var points = new List<int> { 400 };
        while (points[^1] > 0)
        {
            double f = 50.0 * points[^1];
            double erb = 24.7 * (4.37 * f / 1000 + 1);
            points.Add(points[^1] - Math.Max(2, (int)Math.Round(erb / 50)));
        }
        points.Reverse();
        Assert.Equal(35, points.Count);
        points.Remove(14);
        points[points.IndexOf(16)] = 15;
        Assert.Equal(points.ToArray(), Constants.BandCentreBins.ToArray());
        for (int b = 0; b < 34; b++) Assert.Equal(1f, BandLayout.Weight(b, Constants.BandCentreBins[b]));
    }

    [Fact]
    public void ConstantBandValuesInterpolateToTheSameConstant()
    {
        var bands = Enumerable.Repeat(0.37f, 34).ToArray();
        var bins = new float[481];
        BandLayout.Interpolate(bands, bins);
        Assert.All(bins, v => Assert.Equal(0.37f, v, 6));
    }

    [Fact]
    public void BandEnergiesSumToTotalEnergyWithoutDc()
    {
        var rng = new Random(5);
        var re = new float[481];
        var im = new float[481];
        double total = 0;
        for (int k = 0; k <= 480; k++)
        {
            re[k] = (float)rng.NextDouble();
            im[k] = (float)rng.NextDouble();
            if (k > 0) total += re[k] * re[k] + im[k] * im[k];
        }
        var e = new float[34];
        BandLayout.Energy(re, im, e);
        Assert.Equal(total, e.Sum(v => (double)v), 3);
        // Coherence of a spectrum with itself is 1 in every band that has energy.
        var c = new float[34];
        BandLayout.CrossCorrelation(re, im, re, im, c);
        var q = new float[34];
        BandLayout.Coherence(e, e, c, q);
        Assert.All(q, v => Assert.Equal(1f, v, 4));
    }
}
