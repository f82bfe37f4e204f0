using PercepNetFx.Offline.Metrics;
using Xunit.Abstractions;

namespace PercepNetFx.Offline.Tests.Metrics;

public sealed class StoiTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(48000)]
    [InlineData(44100)]
    [InlineData(16000)]
    [InlineData(10000)]
    public void IdenticalSignalsScoreOne(int rate)
    {
        var clean = TestSignals.SpeechLike(rate, 3, 21);
        Assert.Equal(1.0, Stoi.Compute(clean, clean, rate), 6);
        var noise = TestSignals.WhiteNoise(2 * rate, 22);
        Assert.Equal(1.0, Stoi.Compute(noise, noise, rate), 6);
    }

    [Fact]
    public void IsInvariantToProcessedGain()
    {
        var clean = TestSignals.SpeechLike(48000, 3, 23);
        var noisy = TestSignals.AddAtSnr(clean, TestSignals.WhiteNoise(clean.Length, 24), 0);
        var louder = noisy.Select(v => 4 * v).ToArray();
        Assert.Equal(Stoi.Compute(clean, noisy, 48000), Stoi.Compute(clean, louder, 48000), 9);
    }

    [Fact]
    public void RanksMinusFiveBelowFifteenDb()
    {
        var clean = TestSignals.SpeechLike(48000, 4, 25);
        var noise = TestSignals.WhiteNoise(clean.Length, 26);
        double low = Stoi.Compute(clean, TestSignals.AddAtSnr(clean, noise, -5), 48000);
        double high = Stoi.Compute(clean, TestSignals.AddAtSnr(clean, noise, 15), 48000);
        output.WriteLine($"STOI -5 dB {low:F4}, 15 dB {high:F4}");
        Assert.True(low < high - 0.1, $"{low} vs {high}");
    }

    [Theory]
    [InlineData(48000)]
    [InlineData(16000)]
    public void DecreasesMonotonicallyWithWhiteNoise(int rate)
    {
        var clean = TestSignals.SpeechLike(rate, 4, 27);
        var noise = TestSignals.WhiteNoise(clean.Length, 28);
        double previous = double.NegativeInfinity;
        foreach (double snrDb in new[] { -10.0, -5, 0, 5, 10, 15, 20 })
        {
            double value = Stoi.Compute(clean, TestSignals.AddAtSnr(clean, noise, snrDb), rate);
            output.WriteLine($"{rate} Hz, SNR {snrDb,3} dB: STOI {value:F4}");
            Assert.InRange(value, 0.0, 1.0);
            Assert.True(value > previous, $"SNR {snrDb}: {value} <= {previous}");
            previous = value;
        }
    }

    [Fact]
    public void BandsMatchReferenceThirdOctaveTable()
    {
        // pystoi thirdoct(10000, 512, 15, 150): bins [lo, hi) per band.
        int[] low = [7, 9, 11, 14, 17, 22, 27, 34, 43, 55, 69, 87, 109, 138, 174];
        int[] high = [9, 11, 14, 17, 22, 27, 34, 43, 55, 69, 87, 109, 138, 174, 219];
        var bands = Stoi.BandBins();
        Assert.Equal(low, bands.Select(b => b.Low).ToArray());
        Assert.Equal(high, bands.Select(b => b.High).ToArray());
    }

    [Fact]
    public void TooShortReturnsReferenceFloor()
    {
        var clean = TestSignals.WhiteNoise(3000, 29); // 29 frames at 10 kHz after silence removal
        Assert.Equal(Stoi.TooShortScore, Stoi.Compute(clean, clean, 10000));
        Assert.Equal(Stoi.TooShortScore, Stoi.Compute(new float[100], new float[100], 10000));
        Assert.Throws<ArgumentException>(() => Stoi.Compute(new float[10], new float[11], 10000));
    }
}
