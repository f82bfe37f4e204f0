using PercepNetFx.Dsp;
using PercepNetFx.Editor;
using PercepNetFx.Offline.Analysis;

namespace PercepNetFx.Offline.Tests.Analysis;

/// <summary>
/// The report's spectrograms and band panels share one frequency axis: a pure tone at a band's centre lights
/// the same pixel row in the input spectrogram, the band-gain map and the comb map, where the documented log
/// axis (50 Hz … 24 kHz) puts that frequency, and the band panels' bright rows stay within that band's width.
/// </summary>
public class ReportFrequencyAxisTests
{
    private const int Rate = 48000;
    private const double Duration = 2.0;
    // Band 5 (bin 10, 500 Hz) for the first second, band 24 (bin 140, 7 kHz) for the second.
    private static readonly (int Band, double Hz, double From, double To)[] Tones = [(5, 500, 0, 1), (24, 7000, 1, 2)];

    private static double LogY(RectI r, double f) => r.Y + r.H * (1 - Math.Log(f / 50) / Math.Log(24000 / 50.0));

    private static Canvas Render()
    {
        int n = (int)(Duration * Rate);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            var tone = Tones.First(t => i < t.To * Rate);
            x[i] = 0.5f * MathF.Sin((float)(2 * Math.PI * tone.Hz * i / Rate));
        }
        // Per hop: 0 dB gain and full comb strength in the tone's band, −40 dB and no comb elsewhere.
        int hops = (int)(Duration * 100);
        var times = new double[hops];
        var gains = new float[hops * Constants.BandCount];
        var comb = new float[hops * Constants.BandCount];
        for (int h = 0; h < hops; h++)
        {
            times[h] = h * 0.01;
            int band = Tones.First(t => times[h] < t.To).Band;
            for (int b = 0; b < Constants.BandCount; b++)
            {
                gains[h * Constants.BandCount + b] = b == band ? 0f : -40f;
                comb[h * Constants.BandCount + b] = b == band ? 1f : 0f;
            }
        }
        var spectrogram = ReportData.Spectrogram(x, Rate, out int columns);
        var data = new ReportData
        {
            SampleRate = Rate, DurationSeconds = Duration, Columns = columns, ColumnSeconds = 0.01,
            Bins = Constants.BinCount, BinHz = Rate / 960.0, InputDb = spectrogram, OutputDb = spectrogram,
            HopTimes = times, GainDb = gains, CombStrength = comb,
            PitchHz = new float[hops], PitchCorrelation = new float[hops], Voiced = new bool[hops],
            Output = [x], Summary = new ReportSummary(double.NaN, 0, -9, -9),
        };
        return ReportRenderer.Render(data, 1600, 1000, "tones", "summary");
    }

    private static double Luma(uint p) => 0.2126 * ((p >> 16) & 255) + 0.7152 * ((p >> 8) & 255) + 0.0722 * (p & 255);

    /// <summary>The brightest row of a plot's column and the rows within 3 luma of it.</summary>
    private static (int Peak, int Top, int Bottom) Brightest(Canvas c, RectI r, int x)
    {
        int best = r.Y;
        for (int y = r.Y; y < r.Bottom; y++) if (Luma(c[x, y]) > Luma(c[x, best])) best = y;
        int top = best, bottom = best;
        while (top > r.Y && Luma(c[x, top - 1]) >= Luma(c[x, best]) - 3) top--;
        while (bottom < r.Bottom - 1 && Luma(c[x, bottom + 1]) >= Luma(c[x, best]) - 3) bottom++;
        return (best, top, bottom);
    }

    [Fact]
    public void APureToneLightsTheSameRowInTheSpectrogramAndInBothBandPanels()
    {
        var canvas = Render();
        var layout = ReportRenderer.Layout(1600, 1000);
        ReadOnlySpan<int> centres = Constants.BandCentreBins;
        foreach (var (band, hz, from, to) in Tones)
        {
            // The band's width on the axis: halfway to its neighbours' centres (where the weights cross).
            double upperHz = (centres[band] + centres[band + 1]) / 2.0 * 50, lowerHz = (centres[band - 1] + centres[band]) / 2.0 * 50;
            foreach (var r in new[] { layout.Input, layout.Gains, layout.Comb })
            {
                int x = (int)(r.X + r.W * (from + to) / 2 / Duration);
                var (peak, top, bottom) = Brightest(canvas, r, x);
                double expected = LogY(r, hz);
                Assert.True(Math.Abs(peak + 0.5 - expected) <= 1.5, $"{hz} Hz in the panel at y {r.Y}: brightest row {peak}, the axis puts it at {expected:F1}");
                Assert.True(top >= LogY(r, upperHz) - 1 && bottom <= LogY(r, lowerHz) + 1,
                    $"{hz} Hz in the panel at y {r.Y}: bright rows {top}…{bottom} spill out of band {band} ({LogY(r, upperHz):F1}…{LogY(r, lowerHz):F1})");
            }
        }
    }
}
