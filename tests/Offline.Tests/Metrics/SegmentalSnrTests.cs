using PercepNetFx.Offline.Metrics;

namespace PercepNetFx.Offline.Tests.Metrics;

public sealed class SegmentalSnrTests
{
    private const int Rate = 48000;
    private const int Frame = 960; // 20 ms: 1 kHz and 3 kHz have whole cycles per frame

    [Fact]
    public void FrameIs20Milliseconds()
    {
        Assert.Equal(960, SegmentalSnr.FrameLength(48000));
        Assert.Equal(882, SegmentalSnr.FrameLength(44100));
        Assert.Equal(320, SegmentalSnr.FrameLength(16000));
    }

    /// <summary>Clean 1 kHz sine of amplitude A, noise a 3 kHz sine of amplitude a: every frame has
    /// Σs² = 480·A², Σn² = 480·a², so segSNR = clamp(20·log10(A/a)).</summary>
    [Theory]
    [InlineData(1.0, 0.1, 20.0)]
    [InlineData(0.5, 0.5, 0.0)]
    [InlineData(1.0, 0.3, 10.457574905606752)]
    [InlineData(1.0, 0.001, 35.0)]   // 60 dB clamped
    [InlineData(0.1, 1.0, -10.0)]    // −20 dB clamped
    public void ConstantFrameSnrMatchesClosedForm(double cleanAmplitude, double noiseAmplitude, double expectedDb)
    {
        int n = 50 * Frame;
        var clean = TestSignals.Sine(n, 1000, Rate, cleanAmplitude);
        var noise = TestSignals.Sine(n, 3000, Rate, noiseAmplitude, 0.7);
        var enhanced = clean.Zip(noise, (a, b) => a + b).ToArray();
        Assert.Equal(expectedDb, SegmentalSnr.Compute(clean, enhanced, Rate), 3);
    }

    /// <summary>Loud frames at 20 dB, quiet frames (−30 dB clean, same noise) at −10.46 → clamped −10,
    /// silent frames (zero clean, or −50 dB) excluded: mean = (30·20 + 10·(−10))/40.</summary>
    [Fact]
    public void SilentFramesAreExcludedAndQuietOnesClamped()
    {
        int n = 60 * Frame;
        var clean = new float[n];
        var tone = TestSignals.Sine(n, 1000, Rate);
        var noise = TestSignals.Sine(n, 3000, Rate, 0.1, 0.7);
        for (int f = 0; f < 60; f++)
        {
            double amplitude = f < 30 ? 1.0 : f < 40 ? 0.0316 : f < 50 ? 0.0 : 0.003;
            for (int i = f * Frame; i < (f + 1) * Frame; i++) clean[i] = (float)(amplitude * tone[i]);
        }
        var enhanced = clean.Zip(noise, (a, b) => a + b).ToArray();
        Assert.Equal((30 * 20.0 + 10 * -10.0) / 40, SegmentalSnr.Compute(clean, enhanced, Rate), 3);
    }

    /// <summary>Arbitrary signals against a direct per-frame evaluation of the definition.</summary>
    [Fact]
    public void MatchesDirectEvaluation()
    {
        var clean = TestSignals.SpeechLike(Rate, 3, 8);
        var enhanced = TestSignals.AddAtSnr(clean, TestSignals.WhiteNoise(clean.Length, 9), 5);
        double max = 0;
        var energies = new List<(double S, double E)>();
        for (int f = 0; (f + 1) * Frame <= clean.Length; f++)
        {
            double s = 0, e = 0;
            for (int i = f * Frame; i < (f + 1) * Frame; i++)
            {
                s += (double)clean[i] * clean[i];
                e += (double)(clean[i] - enhanced[i]) * (clean[i] - enhanced[i]);
            }
            energies.Add((s, e));
            max = Math.Max(max, s);
        }
        var counted = energies.Where(x => x.S > 0 && 10 * Math.Log10(max / x.S) <= 40)
            .Select(x => Math.Clamp(10 * Math.Log10(x.S / x.E), -10, 35)).ToList();
        Assert.True(counted.Count < energies.Count); // the signal has silent gaps
        Assert.Equal(counted.Average(), SegmentalSnr.Compute(clean, enhanced, Rate), 6);
    }

    [Fact]
    public void IdenticalSignalsScoreMaximum()
    {
        var clean = TestSignals.SpeechLike(Rate, 1, 1);
        Assert.Equal(35.0, SegmentalSnr.Compute(clean, clean, Rate));
    }

    [Fact]
    public void TooShortOrSilentIsNaN()
    {
        Assert.True(double.IsNaN(SegmentalSnr.Compute(new float[500], new float[500], Rate)));
        Assert.True(double.IsNaN(SegmentalSnr.Compute(new float[5000], new float[5000], Rate)));
        Assert.Throws<ArgumentException>(() => SegmentalSnr.Compute(new float[10], new float[11], Rate));
    }
}
