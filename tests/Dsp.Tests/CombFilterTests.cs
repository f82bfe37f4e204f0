using System.Numerics;
using MathNet.Numerics.IntegralTransforms;
using PercepNetFx.Dsp;

namespace PercepNetFx.Dsp.Tests;

public class CombFilterTests
{
    [Theory]
    [InlineData(60)]
    [InlineData(240)]
    [InlineData(320)]
    [InlineData(400)]
    [InlineData(600)]
    [InlineData(768)]
    public void HarmonicsOfThePeriodPassWithUnitGain(int period)
    {
        // H(e^{jω}) = Σ w_k e^{−jωkT} at ω = 2πm/T must be 1 (§4.3); measured on a periodic signal.
        int taps = CombFilter.TapCount(period);
        int reach = taps * period;
        var rng = new Random(period);
        var cycle = new float[period];
        for (int i = 0; i < period; i++) cycle[i] = (float)(rng.NextDouble() * 2 - 1);
        var x = new float[2 * reach + 960];
        for (int i = 0; i < x.Length; i++) x[i] = cycle[i % period];
        var p = new float[960];
        CombFilter.Apply(x, reach, period, taps, p);
        for (int n = 0; n < 960; n++) Assert.True(Math.Abs(p[n] - x[reach + n]) < 1e-3 * Math.Max(1, Math.Abs(x[reach + n])), $"n={n}");
        double sum = 0;
        for (int k = -taps; k <= taps; k++) sum += CombFilter.Tap(taps, k);
        Assert.Equal(1.0, sum, 6);
    }

    [Theory]
    [InlineData(100, 3)]
    [InlineData(400, 2)]
    [InlineData(700, 1)]
    public void WhiteNoisePowerGainIsSigmaSquaredWithin5Percent(int period, int expectedTaps)
    {
        int taps = CombFilter.TapCount(period);
        Assert.Equal(expectedTaps, taps); // K_eff = min(3, ⌊960/T⌋)
        double expected = 3.0 / (4 * (taps + 1)); // closed form of Σ w_k² (§4.4)
        double sumSq = 0;
        for (int k = -taps; k <= taps; k++) sumSq += Math.Pow(CombFilter.Tap(taps, k), 2);
        Assert.Equal(expected, sumSq, 6);

        int reach = taps * period;
        var x = Signals.WhiteNoise(2 * reach + 48000 * 4, 1.0, seed: period);
        int length = x.Length - 2 * reach;
        var p = new float[length];
        CombFilter.Apply(x, reach, period, taps, p);
        double inPower = 0, outPower = 0;
        for (int n = 0; n < length; n++) { inPower += (double)x[reach + n] * x[reach + n]; outPower += (double)p[n] * p[n]; }
        double gain = outPower / inPower;
        Assert.True(Math.Abs(gain / expected - 1) < 0.05, $"power gain {gain:F4} vs σ² {expected:F4}");
    }

    [Fact]
    public void FrequencyResponseAtHarmonicsIsOneByMathNetFft()
    {
        // Impulse response h(n) = Σ w_k δ(n − kT) placed in a 4800-point buffer; MathNet's FFT at bins of the harmonics.
        const int period = 240, size = 4800; // harmonic m of period 240 lies at bin 20m
        int taps = CombFilter.TapCount(period);
        var h = new Complex[size];
        for (int k = -taps; k <= taps; k++) h[(k * period + size) % size] += CombFilter.Tap(taps, k);
        Fourier.Forward(h, FourierOptions.NoScaling);
        for (int m = 0; m < size / 20 / 2; m++) Assert.True(Math.Abs(h[20 * m].Magnitude - 1) < 1e-3, $"harmonic {m}: {h[20 * m].Magnitude}");
    }
}

public class VectorMathTests
{
    [Fact]
    public void MultiLagCrossCorrelationMatchesDirectSumsInDouble()
    {
        var x = Signals.WhiteNoise(432, 0.5, seed: 21);
        var corr = new float[193];
        VectorMath.CrossCorrelation(x, 192, 240, 15, 192, corr);
        for (int lag = 15; lag <= 192; lag++)
        {
            double expected = 0;
            for (int n = 0; n < 240; n++) expected += (double)x[192 + n] * x[192 + n - lag];
            Assert.True(Math.Abs(corr[lag] - expected) < 1e-4, $"lag {lag}: {corr[lag]} vs {expected}");
        }
    }
}
