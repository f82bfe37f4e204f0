using System.Globalization;
using System.Text.RegularExpressions;

namespace PercepNetFx.Cli.Tests;

/// <summary>`percepnetfx bench`: the lines it prints are self-consistent; bad options are one clear error.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class BenchCommandTests
{
    private static readonly Regex LineWithRuns = new(
        @"^(?<label>chain without network, (mono|stereo)) +(?<us>[0-9.]+) µs per 10 ms hop = (?<share>[0-9.]+) % of one core \(p99\.9 [0-9.]+ µs, median of 3 runs, range (?<lo>[0-9.]+)–(?<hi>[0-9.]+) µs\)$");

    private static double D(Match m, string g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void RunsPrintsTheMedianInsideItsRangeAndTheShareAsMicrosecondsOverTenThousand()
    {
        var r = Cli.Run("bench", "--seconds", "1", "--runs", "3", "--network", "off");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        foreach (string line in lines)
        {
            var m = LineWithRuns.Match(line.TrimEnd('\r'));
            Assert.True(m.Success, line);
            double us = D(m, "us");
            Assert.InRange(us, D(m, "lo"), D(m, "hi"));
            Assert.Equal(us / 100, D(m, "share"), 0.0011); // printed with 1 and 3 decimals
        }
    }

    [Theory]
    [InlineData("0", "--runs must be in [1, 99], got 0")]
    [InlineData("2.5", "--runs must be a whole number, got 2.5")]
    [InlineData("many", "--runs must be a number, got 'many'")]
    public void BadRunCountIsOneClearError(string runs, string message)
    {
        var r = Cli.Run("bench", "--seconds", "1", "--runs", runs, "--network", "off");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
