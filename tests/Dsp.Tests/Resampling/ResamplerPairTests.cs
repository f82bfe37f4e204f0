using PercepNetFx.Dsp.Resampling;
using Xunit.Abstractions;

namespace PercepNetFx.Dsp.Tests.Resampling;

public sealed class ResamplerPairTests(ITestOutputHelper output)
{
    private const int EngineLatency = 1440; // spec §1.2 at 48 kHz

    /// <summary>The reported latency equals the spec formula round((1440 + P_pad)·f_s/48000 + d_in + d_out),
    /// whose argument is already an integer.</summary>
    [Theory]
    [InlineData(44100)]
    [InlineData(88200)]
    [InlineData(96000)]
    [InlineData(32000)]
    [InlineData(16000)]
    [InlineData(48000)]
    [InlineData(22050)]
    [InlineData(192000)]
    public void LatencyIsExactInteger(int hostRate)
    {
        var pair = ResamplerPair.Create(hostRate, 48000, EngineLatency);
        double dIn = pair.ToInner.GroupDelayInputSamples;
        double dOut = pair.ToHost.GroupDelayOutputSamples;
        double exact = (double)EngineLatency * hostRate / 48000 + dIn + dOut;
        output.WriteLine($"{hostRate}: d_in {dIn:F6}, d_out {dOut:F6}, pad {pair.PadFineSamples} fine, latency {pair.LatencyHostSamples} ({exact:F9})");
        Assert.Equal(pair.LatencyHostSamples, (int)Math.Round(exact));
        Assert.True(Math.Abs(exact - pair.LatencyHostSamples) < 1e-9);
        Assert.InRange(pair.PadFineSamples, 0, pair.ToInner.UpFactor - 1);
        Assert.Equal(pair.ToInner.TapsPerPhase, new PolyphaseResampler(hostRate, 48000).TapsPerPhase);
    }

    /// <summary>Host → 48 k → 1440-sample delay line → host reproduces the input shifted by exactly
    /// <see cref="ResamplerPair.LatencyHostSamples"/> whole samples (band-limited multi-tone input).</summary>
    [Theory]
    [InlineData(44100)]
    [InlineData(88200)]
    [InlineData(96000)]
    [InlineData(32000)]
    [InlineData(48000)]
    public void RoundTripThroughEngineDelayIsIntegerShift(int hostRate)
    {
        var pair = ResamplerPair.Create(hostRate, 48000, EngineLatency);
        double[] freqs = [97, 1234, 5678, 11111, 17500];
        int n = hostRate / 2;
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double v = 0;
            foreach (double f in freqs) v += 0.15 * Math.Sin(2 * Math.PI * f * i / hostRate + f);
            x[i] = (float)v;
        }
        var delayLine = new Queue<float>(Enumerable.Repeat(0f, EngineLatency));
        float[] Engine(float[] block)
        {
            var result = new float[block.Length];
            for (int i = 0; i < block.Length; i++)
            {
                delayLine.Enqueue(block[i]);
                result[i] = delayLine.Dequeue();
            }
            return result;
        }
        var y = Signals.Chain(x, pair.ToInner, pair.ToHost, chunk: 512, Engine);
        int latency = pair.LatencyHostSamples;
        double err = 0, sig = 0;
        for (int m = latency + 400; m < n; m++)
        {
            double d = y[m] - x[m - latency];
            err += d * d;
            sig += (double)x[m - latency] * x[m - latency];
        }
        double errorDb = 10 * Math.Log10(err / sig);
        output.WriteLine($"{hostRate}: latency {latency} host samples, error {errorDb:F1} dB");
        Assert.True(errorDb < -80, $"{errorDb:F1} dB");
    }
}
