using PercepNetFx.Dsp.Network;
using PercepNetFx.Dsp;
using PercepNetFx.Offline.Analysis;

namespace PercepNetFx.Offline.Tests.Analysis;

public class ReportDataTests
{
    private static readonly Lazy<PercepNetModel> Model = new(ShippedModels.LoadDefault);

    /// <summary>
    /// A voiced burst from 0.6 s to 1.4 s in silence. The first voiced record must be the frame
    /// centred on the onset (its window 0.59 … 0.61 s is the first to hold half a window of signal;
    /// the one before is silent, which the tracker's energy gate marks unvoiced). Reading the records
    /// as the newest frame t instead of frame t − 2 would put the onset 20 ms late; at 44.1 kHz the
    /// records must stay on the input's time axis through the host→48 kHz resampler. The release is not used: the
    /// tracker's DC blocker rings on after the burst, so voicing legitimately lingers there.
    /// </summary>
    [Theory]
    [InlineData(48000)]
    [InlineData(44100)]
    public void FirstVoicedRecordIsTheFrameCentredOnTheOnset(int rate)
    {
        var x = new float[2 * rate];
        for (int n = (int)(0.6 * rate); n < (int)(1.4 * rate); n++)
        {
            double s = 0;
            for (int k = 1; k <= 30; k++) s += Math.Sin(2 * Math.PI * k * 160.0 * n / rate) / k;
            x[n] = (float)(0.2 * s);
        }
        var data = ReportData.Compute(new[] { x }, rate, Model.Value, new DenoiseSettings());
        var voiced = Enumerable.Range(0, data.Hops).Where(h => data.Voiced[h]).Select(h => data.HopTimes[h]).ToArray();
        Assert.NotEmpty(voiced);
        Assert.True(Math.Abs(voiced.Min() - 0.6) <= 0.006, $"voiced from {voiced.Min():F4} s, burst from 0.6 s");
        Assert.InRange(voiced.Max(), 1.38, 1.5);
        // Hop records are 10 ms apart, start at the first frame and never run past the input.
        Assert.InRange(data.HopTimes[0], -0.002, 0.002);
        Assert.True(data.HopTimes[^1] <= data.DurationSeconds);
        Assert.All(data.HopTimes.Zip(data.HopTimes.Skip(1)), p => Assert.Equal(0.01, p.Second - p.First, 9));
        Assert.Equal(data.Hops * Constants.BandCount, data.GainDb.Length);
        Assert.Equal(x.Length, data.Output[0].Length);
    }

    [Fact]
    public void SpectrogramReadsAFullScaleSineAtZeroDbfs()
    {
        var x = new float[48000];
        for (int n = 0; n < x.Length; n++) x[n] = MathF.Sin(2 * MathF.PI * 1000 * n / 48000f);
        var db = ReportData.Spectrogram(x, 48000, out int columns);
        Assert.Equal(100, columns);
        int j = 50;
        Assert.Equal(0.0, db[j * Constants.BinCount + 20], 0.05); // 1 kHz = bin 20
        Assert.True(db[j * Constants.BinCount + 40] < -60);
    }
}
