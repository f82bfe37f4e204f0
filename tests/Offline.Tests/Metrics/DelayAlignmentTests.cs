using System.Diagnostics;
using PercepNetFx.Offline.Metrics;
using Xunit.Abstractions;

namespace PercepNetFx.Offline.Tests.Metrics;

public sealed class DelayAlignmentTests(ITestOutputHelper output)
{
    private const int Rate = 48000;

    private static float[] Delay(float[] x, int lag, int length)
    {
        var y = new float[length];
        for (int i = 0; i < length; i++)
        {
            int source = i - lag;
            if (source >= 0 && source < x.Length) y[i] = x[source];
        }
        return y;
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(1919)]
    [InlineData(0)]
    [InlineData(-700)]
    [InlineData(2000)]
    public void RecoversDelayOnNoise(int lag)
    {
        var reference = TestSignals.WhiteNoise(10 * Rate, 31);
        var estimate = TestSignals.AddAtSnr(Delay(reference, lag, reference.Length), TestSignals.WhiteNoise(reference.Length, 32), 0);
        var watch = Stopwatch.StartNew();
        int found = DelayAlignment.FindDelay(reference, estimate, 2000);
        output.WriteLine($"10 s at 48 kHz, ±2000: {watch.ElapsedMilliseconds} ms");
        Assert.Equal(lag, found);
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(1919)]
    [InlineData(-333)]
    public void RecoversDelayOnHarmonicSignal(int lag)
    {
        var reference = TestSignals.SpeechLike(Rate, 4, 33);
        var estimate = TestSignals.AddAtSnr(Delay(reference, lag, reference.Length + 500), TestSignals.WhiteNoise(reference.Length + 500, 34), 10);
        Assert.Equal(lag, DelayAlignment.FindDelay(reference, estimate, 2000));
    }

    [Fact]
    public void LagOutsideSearchRangeIsNotReported()
    {
        var reference = TestSignals.WhiteNoise(Rate, 35);
        var estimate = Delay(reference, 1500, reference.Length);
        Assert.InRange(DelayAlignment.FindDelay(reference, estimate, 1000), -1000, 1000);
        Assert.Equal(1500, DelayAlignment.FindDelay(reference, estimate, 1500));
    }

    [Fact]
    public void AlignReturnsOverlappingPair()
    {
        var reference = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var estimate = Delay(reference, 7, 110);
        var (r, e) = DelayAlignment.Align(reference, estimate, 7);
        Assert.Equal(100, r.Length);
        Assert.Equal(r, e);

        var (r2, e2) = DelayAlignment.Align(reference, reference.Skip(5).ToArray(), -5);
        Assert.Equal(95, r2.Length);
        Assert.Equal(r2, e2);

        var (r3, e3) = DelayAlignment.Align(reference, estimate, 500);
        Assert.Empty(r3);
        Assert.Empty(e3);
    }

    [Fact]
    public void ScoreAlignsBeforeMeasuring()
    {
        var clean = TestSignals.SpeechLike(Rate, 3, 36);
        var noisy = TestSignals.AddAtSnr(clean, TestSignals.WhiteNoise(clean.Length, 37), 10);
        var delayed = Delay(noisy, 1440, clean.Length + 1440);
        var aligned = MetricSet.Score(clean, delayed, Rate, 2000);
        var direct = new MetricSet(SiSdr.Compute(clean, noisy), Stoi.Compute(clean, noisy, Rate), SegmentalSnr.Compute(clean, noisy, Rate), 1440);
        output.WriteLine($"{aligned}");
        Assert.Equal(1440, aligned.LagSamples);
        Assert.Equal(direct.SiSdrDb, aligned.SiSdrDb, 9);
        Assert.Equal(direct.Stoi, aligned.Stoi, 9);
        Assert.Equal(direct.SegSnrDb, aligned.SegSnrDb, 9);
        Assert.Equal(10.0, aligned.SiSdrDb, 0.2);

        var unaligned = MetricSet.Score(clean, delayed.AsSpan(0, clean.Length), Rate, 0);
        Assert.Equal(0, unaligned.LagSamples);
        Assert.True(unaligned.Stoi < aligned.Stoi - 0.2);
    }
}
