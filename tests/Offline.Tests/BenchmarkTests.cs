using PercepNetFx.Offline;

namespace PercepNetFx.Offline.Tests;

/// <summary>
/// The arithmetic of `percepnetfx bench` (not its timings, which are machine facts reported by the
/// tool, never asserted by a test).
/// </summary>
public sealed class BenchmarkTests
{
    private static BenchmarkResult Result(double us) => new(100, us, 2 * us, us / 10_000.0);

    [Theory]
    [InlineData(new[] { 90.0, 70.0, 150.0 }, 90.0, 70.0, 150.0)]
    [InlineData(new[] { 80.0, 75.0, 120.0, 73.0, 74.0 }, 75.0, 73.0, 120.0)]
    [InlineData(new[] { 60.0, 61.0 }, 60.0, 60.0, 61.0)] // even count: the lower middle run, a real measurement
    [InlineData(new[] { 42.0 }, 42.0, 42.0, 42.0)]
    public void RepeatReturnsTheMedianRunAndTheRangeOfMeans(double[] means, double median, double min, double max)
    {
        int call = 0;
        var (r, lo, hi) = Benchmark.Repeat(means.Length, () => Result(means[call++]));
        Assert.Equal(means.Length, call);
        Assert.Equal(median, r.MicrosecondsPerHop);
        Assert.Equal(2 * median, r.P999Microseconds); // the whole record of that run, not a mix of runs
        Assert.Equal(min, lo);
        Assert.Equal(max, hi);
    }

    [Fact]
    public void RepeatRejectsZeroRuns() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Benchmark.Repeat(0, () => Result(1)));

    [Fact]
    public void ChainResultIsOneHopPerTenMillisecondsAndItsShareIsTheMeanOverTenThousandMicroseconds()
    {
        var r = Benchmark.Chain(1, 1.5);
        Assert.Equal(150, r.Hops);
        Assert.True(r.MicrosecondsPerHop > 0);
        Assert.Equal(r.MicrosecondsPerHop / 10_000.0, r.RealTimeShare, 12);
        Assert.True(r.P999Microseconds > 0);
    }
}
