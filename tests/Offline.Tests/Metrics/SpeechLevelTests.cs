using PercepNetFx.Offline.Metrics;

namespace PercepNetFx.Offline.Tests.Metrics;

public class SpeechLevelTests
{
    [Fact]
    public void SineWithSilentGapsReadsItsOwnRmsInDbfs()
    {
        // A 0.25-amplitude 1 kHz sine (RMS −15.05 dBFS) in 100 ms bursts separated by digital
        // silence and −80 dBFS hiss: only the bursts are within 40 dB of the loudest frame.
        var x = new float[48000];
        var rng = new Random(1);
        for (int n = 0; n < x.Length; n++)
            x[n] = n / 4800 % 2 == 0 ? 0.25f * MathF.Sin(2 * MathF.PI * 1000f * n / 48000f) : (float)(1e-4 * (rng.NextDouble() - 0.5));
        double expected = 20 * Math.Log10(0.25 / Math.Sqrt(2));
        Assert.Equal(expected, SpeechLevel.ActiveDbfs([x], 48000), 2);
    }

    [Fact]
    public void StereoUsesTheMidSignalAndSilenceIsMinusInfinity()
    {
        var l = Enumerable.Range(0, 4800).Select(n => 0.5f * MathF.Sin(n * 0.1f)).ToArray();
        var r = l.Select(v => -v).ToArray();
        Assert.Equal(double.NegativeInfinity, SpeechLevel.ActiveDbfs([l, r], 48000)); // L + R cancels
        Assert.Equal(20 * Math.Log10(0.5 / Math.Sqrt(2)), SpeechLevel.ActiveDbfs([l, l], 48000), 1);
    }

    [Fact]
    public void FedInBlocksOfAnySizeTheFramesAndTheLevelAreThoseOfTheWholeSignal()
    {
        // Bursts of a 0.25-amplitude sine as above, 44.1 kHz stereo (441-sample frames), fed in random blocks
        // that cut frames anywhere: the level is the sine's RMS, and the frame count whole frames only.
        const int Rate = 44100, Length = 44100 + 300;
        var x = new float[Length];
        for (int n = 0; n < Length; n++) x[n] = n / 4410 % 2 == 0 ? 0.25f * MathF.Sin(2 * MathF.PI * 1000f * n / Rate) : 0f;
        var meter = new FrameEnergies(Rate);
        var rng = new Random(3);
        for (int done = 0; done < Length;)
        {
            int n = Math.Min(rng.Next(1, 2000), Length - done);
            meter.Add([x, x], done, n);
            done += n;
        }
        Assert.Equal(Length / 441, meter.Energies.Count);
        Assert.Equal(20 * Math.Log10(0.25 / Math.Sqrt(2)), meter.ActiveLevelDbfs(), 2);
    }
}
