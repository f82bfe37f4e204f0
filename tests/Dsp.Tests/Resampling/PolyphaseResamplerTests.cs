using System.Numerics;
using MathNet.Numerics.IntegralTransforms;
using PercepNetFx.Dsp.Resampling;
using Xunit.Abstractions;

namespace PercepNetFx.Dsp.Tests.Resampling;

public sealed class PolyphaseResamplerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(44100, 48000, 160, 147)]
    [InlineData(48000, 44100, 147, 160)]
    [InlineData(32000, 48000, 3, 2)]
    [InlineData(96000, 48000, 1, 2)]
    [InlineData(16000, 48000, 3, 1)]
    [InlineData(88200, 48000, 80, 147)]
    [InlineData(48000, 10000, 5, 24)]
    public void RatioIsReduced(int inRate, int outRate, int up, int down)
    {
        var r = new PolyphaseResampler(inRate, outRate);
        Assert.Equal(up, r.UpFactor);
        Assert.Equal(down, r.DownFactor);
        Assert.Equal(0, r.TapsPerPhase % 8);
        Assert.Equal(1, r.PrototypeLength % 2);
        Assert.Equal((long)up * inRate, r.FineRate);
    }

    [Fact]
    public void IdentityCopiesInput()
    {
        var r = new PolyphaseResampler(48000, 48000);
        var x = Signals.Noise(1000, 1);
        var y = new float[1000];
        Assert.Equal(1000, r.Process(x, y));
        Assert.Equal(x, y);
        Assert.Equal(0.0, r.GroupDelayOutputSamples);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolyphaseResampler(48000, 48000, 1));
    }

    /// <summary>Sines through host→48 k→host against the closed-form sine delayed by the exact group delay.</summary>
    [Theory]
    [InlineData(44100)]
    [InlineData(88200)]
    [InlineData(96000)]
    [InlineData(32000)]
    [InlineData(16000)]
    public void RoundTripSinesMatchDelayedInput(int hostRate)
    {
        var up = new PolyphaseResampler(hostRate, 48000);
        var down = new PolyphaseResampler(48000, hostRate);
        double delayHost = up.GroupDelayInputSamples + down.GroupDelayOutputSamples;
        double passEdge = Math.Min(20000.0, PolyphaseResampler.PassbandEdgeFraction * Math.Min(hostRate, 48000) / 2);
        double[] freqs = [50, 440, 1000, 3150, 0.5 * passEdge, 0.8 * passEdge, 0.95 * passEdge, passEdge];
        foreach (double f in freqs)
        {
            int n = hostRate / 2;
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)(0.7 * Math.Sin(2 * Math.PI * f * i / hostRate + 0.3));
            up.Reset();
            down.Reset();
            var y = Signals.Chain(x, up, down, chunk: 317);
            int skip = (int)Math.Ceiling(2 * delayHost) + 8;
            double err = 0, sig = 0;
            for (int m = skip; m < y.Length - skip; m++)
            {
                double expected = 0.7 * Math.Sin(2 * Math.PI * f * (m - delayHost) / hostRate + 0.3);
                err += (y[m] - expected) * (y[m] - expected);
                sig += expected * expected;
            }
            double errorDb = 10 * Math.Log10(err / sig);
            output.WriteLine($"{hostRate} Hz round trip, {f:F0} Hz: error {errorDb:F1} dB, delay {delayHost:F4} host samples");
            Assert.True(errorDb < -80, $"{f} Hz: error {errorDb:F1} dB");
        }
    }

    /// <summary>Prototype response (MathNet FFT of the impulse response): stop band ≥ 90 dB down, flat pass band.</summary>
    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(48000, 44100)]
    [InlineData(88200, 48000)]
    [InlineData(48000, 88200)]
    [InlineData(96000, 48000)]
    [InlineData(48000, 96000)]
    [InlineData(32000, 48000)]
    [InlineData(16000, 48000)]
    [InlineData(48000, 10000)]
    public void PrototypeStopBandAndRipple(int inRate, int outRate)
    {
        var r = new PolyphaseResampler(inRate, outRate);
        float[] h = r.GetPrototypeFilter();
        int size = 1;
        while (size < 8 * h.Length) size <<= 1;
        var spectrum = new Complex[size];
        for (int k = 0; k < h.Length; k++) spectrum[k] = h[k];
        Fourier.Forward(spectrum, FourierOptions.Matlab);
        double fine = r.FineRate;
        double low = Math.Min(inRate, outRate);
        double stopEdge = low / 2;
        double passEdge = Math.Min(20000.0, PolyphaseResampler.PassbandEdgeFraction * low / 2);
        double worstStopDb = double.NegativeInfinity, worstRippleDb = 0;
        for (int k = 0; k <= size / 2; k++)
        {
            double f = k * fine / size;
            double gainDb = 20 * Math.Log10(spectrum[k].Magnitude / r.UpFactor + 1e-30);
            if (f >= stopEdge) worstStopDb = Math.Max(worstStopDb, gainDb);
            if (f <= passEdge) worstRippleDb = Math.Max(worstRippleDb, Math.Abs(gainDb));
        }
        output.WriteLine($"{inRate}->{outRate}: L/M {r.UpFactor}/{r.DownFactor}, taps/phase {r.TapsPerPhase}, K {r.PrototypeLength}, "
            + $"stop band (>= {stopEdge:F0} Hz) {worstStopDb:F1} dB, ripple (<= {passEdge:F0} Hz) {worstRippleDb:F5} dB, "
            + $"delay {r.GroupDelayOutputSamples:F4} out samples = {r.GroupDelayInputSamples:F4} in samples = {r.GroupDelaySeconds * 1e3:F4} ms");
        Assert.True(worstStopDb <= -90, $"stop band {worstStopDb:F1} dB");
        Assert.True(worstRippleDb <= 0.001, $"ripple {worstRippleDb:F5} dB");
    }

    /// <summary>End to end 48 k→44.1 k: tones above 22.05 kHz alias into the audio band; measure their
    /// aliases against a 1 kHz tone with a coherent (integer-cycle) MathNet FFT of 1 s of output.</summary>
    [Theory]
    [InlineData(48000, 44100, 23000)]
    [InlineData(48000, 44100, 22500)]
    [InlineData(48000, 44100, 22100)]
    [InlineData(48000, 44100, 23950)]
    [InlineData(96000, 48000, 25000)]
    [InlineData(96000, 48000, 40000)]
    [InlineData(88200, 48000, 24500)]
    public void AliasedTonesAreAttenuated(int inRate, int outRate, int toneHz)
    {
        double passLevel = ToneLevel(inRate, outRate, 1000, 1000);
        int aliasHz = Math.Abs(toneHz - outRate * (int)Math.Round((double)toneHz / outRate));
        double aliasLevel = ToneLevel(inRate, outRate, toneHz, aliasHz);
        double attenuationDb = 20 * Math.Log10(aliasLevel / passLevel);
        output.WriteLine($"{inRate}->{outRate}: {toneHz} Hz -> alias {aliasHz} Hz at {attenuationDb:F1} dB");
        Assert.True(attenuationDb <= -90, $"{attenuationDb:F1} dB");
    }

    /// <summary>A 22 kHz tone lies inside the 44.1 kHz band, in the 20–22.05 kHz transition band.
    /// This reports its attenuation (the 90 dB spec applies from 22.05 kHz); it must at least be strongly cut.</summary>
    [Fact]
    public void TransitionBandTone22kHzIsReported()
    {
        double passLevel = ToneLevel(48000, 44100, 1000, 1000);
        double level = ToneLevel(48000, 44100, 22000, 22000);
        double attenuationDb = 20 * Math.Log10(level / passLevel);
        output.WriteLine($"48000->44100: 22000 Hz at {attenuationDb:F1} dB");
        Assert.True(attenuationDb <= -60, $"{attenuationDb:F1} dB");
    }

    private static double ToneLevel(int inRate, int outRate, int toneHz, int measureHz)
    {
        var r = new PolyphaseResampler(inRate, outRate);
        int n = 3 * inRate;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(0.5 * Math.Sin(2 * Math.PI * ((long)toneHz * i % inRate) / inRate));
        var y = new float[r.MaxOutputFor(n)];
        int count = r.Process(x, y);
        Assert.True(count >= 2 * outRate);
        var spectrum = new Complex[outRate];
        for (int m = 0; m < outRate; m++) spectrum[m] = y[outRate / 2 + m]; // 1 s of steady state
        Fourier.Forward(spectrum, FourierOptions.Matlab);
        return 2 * spectrum[measureHz].Magnitude / outRate;
    }

    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(48000, 44100)]
    [InlineData(96000, 48000)]
    [InlineData(16000, 48000)]
    [InlineData(48000, 10000)]
    public void OutputIsIndependentOfPartitioning(int inRate, int outRate)
    {
        var x = Signals.Noise(20000, 7);
        var whole = new PolyphaseResampler(inRate, outRate);
        var reference = new float[whole.MaxOutputFor(x.Length)];
        int referenceCount = whole.Process(x, reference);

        var rng = new Random(11);
        for (int trial = 0; trial < 5; trial++)
        {
            var r = new PolyphaseResampler(inRate, outRate);
            var result = new List<float>();
            int pos = 0;
            while (pos < x.Length)
            {
                int size = Math.Min(x.Length - pos, rng.Next(0, trial == 0 ? 3 : 700));
                var buffer = new float[r.MaxOutputFor(size)];
                int expected = r.OutputCountFor(size);
                int written = r.Process(x.AsSpan(pos, size), buffer);
                Assert.Equal(expected, written);
                result.AddRange(buffer.AsSpan(0, written).ToArray());
                pos += size;
            }
            Assert.Equal(referenceCount, result.Count);
            for (int i = 0; i < referenceCount; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(reference[i]), BitConverter.SingleToInt32Bits(result[i]));
        }
    }

    [Fact]
    public void ResetRestartsFromZeroState()
    {
        var x = Signals.Noise(5000, 3);
        var r = new PolyphaseResampler(44100, 48000);
        var a = new float[r.MaxOutputFor(x.Length)];
        var b = new float[r.MaxOutputFor(x.Length)];
        int na = r.Process(x, a);
        r.Process(Signals.Noise(123, 4), new float[r.MaxOutputFor(123)]);
        r.Reset();
        int nb = r.Process(x, b);
        Assert.Equal(na, nb);
        Assert.Equal(a, b);
    }

    [Fact]
    public void OutputCountMatchesRatioOverLongRuns()
    {
        var r = new PolyphaseResampler(44100, 48000);
        var x = new float[44100];
        var y = new float[r.MaxOutputFor(x.Length)];
        int total = 0;
        for (int s = 0; s < 3; s++) total += r.Process(x, y);
        Assert.Equal(3 * 48000, total);
    }

    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(48000, 44100)]
    [InlineData(96000, 48000)]
    public void ProcessDoesNotAllocate(int inRate, int outRate)
    {
        var r = new PolyphaseResampler(inRate, outRate);
        var x = Signals.Noise(441, 5);
        var y = new float[r.MaxOutputFor(x.Length)];
        var warm = System.Diagnostics.Stopwatch.StartNew(); // let tiered JIT settle first
        while (warm.ElapsedMilliseconds < 300) r.Process(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 5000; i++) sum += r.Process(x, y);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }

    [Fact]
    public void TooSmallOutputThrows()
    {
        var r = new PolyphaseResampler(44100, 48000);
        Assert.Throws<ArgumentException>(() => r.Process(new float[441], new float[10]));
    }

    /// <summary>Offline resampling is zero-phase: output m equals the input sine at time m/outRate.</summary>
    [Theory]
    [InlineData(48000, 10000, 1000.0)]
    [InlineData(48000, 10000, 3900.0)]
    [InlineData(44100, 48000, 15000.0)]
    [InlineData(16000, 10000, 2500.0)]
    public void OfflineResampleIsDelayCompensated(int inRate, int outRate, double f)
    {
        int n = inRate;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)Math.Sin(2 * Math.PI * f * i / inRate + 1.0);
        var y = PolyphaseResampler.Resample(x, inRate, outRate);
        Assert.Equal((int)Math.Ceiling((double)n * outRate / inRate), y.Length);
        double err = 0, sig = 0;
        for (int m = y.Length / 4; m < 3 * y.Length / 4; m++)
        {
            double expected = Math.Sin(2 * Math.PI * f * m / outRate + 1.0);
            err += (y[m] - expected) * (y[m] - expected);
            sig += expected * expected;
        }
        Assert.True(10 * Math.Log10(err / sig) < -80);
    }
}

internal static class Signals
{
    public static float[] Noise(int n, int seed, double amplitude = 0.5)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(amplitude * (2 * rng.NextDouble() - 1));
        return x;
    }

    /// <summary>Streams <paramref name="x"/> through the resamplers in fixed chunks, then flushes with zeros
    /// so the output has the full length.</summary>
    public static float[] Chain(float[] x, PolyphaseResampler first, PolyphaseResampler second, int chunk, Func<float[], float[]>? middle = null)
    {
        var result = new List<float>();
        var tail = new float[x.Length + 4 * (first.TapsPerPhase + second.TapsPerPhase) + 8000];
        Array.Copy(x, tail, x.Length);
        for (int pos = 0; pos < tail.Length; pos += chunk)
        {
            int size = Math.Min(chunk, tail.Length - pos);
            var mid = new float[first.MaxOutputFor(size)];
            int n1 = first.Process(tail.AsSpan(pos, size), mid);
            var inner = mid.AsSpan(0, n1).ToArray();
            if (middle != null) inner = middle(inner);
            var outBuf = new float[second.MaxOutputFor(inner.Length)];
            int n2 = second.Process(inner, outBuf);
            result.AddRange(outBuf.AsSpan(0, n2).ToArray());
        }
        return result.GetRange(0, x.Length).ToArray();
    }
}
