using PercepNetFx.Offline.Metrics;

namespace PercepNetFx.Offline.Tests.Metrics;

public sealed class SiSdrTests
{
    private const int Rate = 48000;
    private const int Length = 48000; // 1 s: every tone below has whole cycles, so they are zero-mean and orthogonal

    [Fact]
    public void ScaledCopyIsInfinite()
    {
        var reference = TestSignals.SpeechLike(Rate, 1, 1);
        var estimate = reference.Select(v => 2 * v).ToArray();
        double value = SiSdr.Compute(reference, estimate);
        Assert.True(double.IsPositiveInfinity(value) || value > 150, $"{value}");
    }

    /// <summary>Reference plus an orthogonal zero-mean tone: SI-SDR = 10·log10(P_ref/P_noise) in closed form.</summary>
    [Theory]
    [InlineData(1.0, 0.1)]
    [InlineData(1.0, 1.0)]
    [InlineData(0.5, 2.0)]
    [InlineData(0.8, 0.003)]
    public void OrthogonalNoiseGivesPowerRatio(double referenceAmplitude, double noiseAmplitude)
    {
        var reference = TestSignals.Sine(Length, 440, Rate, referenceAmplitude, 0.3);
        var noise = TestSignals.Sine(Length, 3001, Rate, noiseAmplitude, 1.1);
        var estimate = reference.Zip(noise, (a, b) => a + b).ToArray();
        double expected = 20 * Math.Log10(referenceAmplitude / noiseAmplitude);
        Assert.Equal(expected, SiSdr.Compute(reference, estimate), 3);
    }

    /// <summary>Estimate = g·reference + orthogonal noise: SI-SDR = 10·log10(g²·P_ref/P_noise).</summary>
    [Fact]
    public void ScaledTargetPlusOrthogonalNoise()
    {
        var reference = TestSignals.Sine(Length, 440, Rate, 0.9);
        var noise = TestSignals.Sine(Length, 1750, Rate, 0.05);
        var estimate = reference.Zip(noise, (a, b) => 0.25f * a + b).ToArray();
        double expected = 20 * Math.Log10(0.25 * 0.9 / 0.05);
        Assert.Equal(expected, SiSdr.Compute(reference, estimate), 3);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(-1.7)]
    [InlineData(1e-3)]
    public void IsScaleInvariant(double scale)
    {
        var reference = TestSignals.SpeechLike(Rate, 1, 2);
        var estimate = TestSignals.AddAtSnr(reference, TestSignals.WhiteNoise(reference.Length, 3), 5);
        double baseline = SiSdr.Compute(reference, estimate);
        var scaled = estimate.Select(v => (float)(scale * v)).ToArray();
        Assert.Equal(baseline, SiSdr.Compute(reference, scaled), 4);
        var scaledReference = reference.Select(v => (float)(scale * v)).ToArray();
        Assert.Equal(baseline, SiSdr.Compute(scaledReference, estimate), 4);
    }

    [Fact]
    public void IgnoresDcOffsets()
    {
        var reference = TestSignals.Sine(Length, 440, Rate);
        var noise = TestSignals.Sine(Length, 3001, Rate, 0.1);
        var estimate = reference.Zip(noise, (a, b) => a + b + 0.3f).ToArray();
        Assert.Equal(20.0, SiSdr.Compute(reference, estimate), 3);
    }

    [Fact]
    public void WhiteNoiseAtKnownSnrIsCloseToSnr()
    {
        // Independent noise is only approximately orthogonal: expect the SNR within 0.1 dB for 1 s.
        var reference = TestSignals.SpeechLike(Rate, 2, 4);
        var estimate = TestSignals.AddAtSnr(reference, TestSignals.WhiteNoise(reference.Length, 5), 10);
        Assert.Equal(10.0, SiSdr.Compute(reference, estimate), 0.1);
    }

    [Fact]
    public void RejectsLengthMismatchAndSilentReference()
    {
        Assert.Throws<ArgumentException>(() => SiSdr.Compute(new float[10], new float[11]));
        Assert.True(double.IsNaN(SiSdr.Compute(new float[10], new float[10])));
    }
}
