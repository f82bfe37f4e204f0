using System.Globalization;
using PercepNetFx.Dsp;
using PercepNetFx.Editor;

namespace PercepNetFx.Offline.Analysis;

/// <summary>Where the report's five plot areas and its summary line lie (public so tests can map axes independently).</summary>
public sealed record ReportLayout(RectI Input, RectI Output, RectI Gains, RectI Comb, RectI Pitch, float TextScale, float LabelScale, int SummaryY)
{
    public RectI[] Plots => new[] { Input, Output, Gains, Comb, Pitch };
}

/// <summary>
/// Draws <see cref="ReportData"/> as one picture: a header with the caption and the summary line, then the
/// input and output spectrograms, the band gains and comb strengths as heat maps and the pitch track,
/// stacked on a shared time axis, each with a title and (where colour carries a value) a labelled colour bar.
/// The spectrograms and the two band panels share one log-frequency axis (<see cref="MinHz"/> …
/// <see cref="MaxHz"/>), so a feature at one frequency sits on the same rows in all four: each row of a band
/// panel shows the value applied at that frequency, the band values interpolated between band centres with
/// the weights the processing uses (gains as amplitudes, comb strengths as they are).
/// Axis mappings (all continuous pixel coordinates inside a plot rectangle r):
/// x(t) = r.X + r.W·t/duration; log axes y(f) = r.Y + r.H·(1 − ln(f/min)/ln(max/min)).
/// </summary>
public static class ReportRenderer
{
    public const double MinHz = 50, MaxHz = 24000;
    public const double PitchMinHz = 50, PitchMaxHz = 1000;
    public const float SpectrumMinDb = -100f, SpectrumMaxDb = 0f;
    public const float GainMinDb = -40f;
    public const int MinWidth = 480, MinHeight = 360;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly double[] FrequencyTicks = { 100, 200, 500, 1000, 2000, 5000, 10000, 20000 };
    private static readonly double[] PitchTicks = { 50, 100, 200, 500, 1000 };

    /// <summary>Relative heights of the five panels: spectrograms get the most room.</summary>
    private static readonly float[] Weights = { 3f, 3f, 2.2f, 1.6f, 1.8f };

    public static ReportLayout Layout(int width, int height)
    {
        if (width < MinWidth || height < MinHeight)
            throw new ArgumentOutOfRangeException(nameof(width), $"the report needs at least {MinWidth}x{MinHeight} pixels");
        // Text grows with the picture so that 1600x1000 reads at scale 2 (10x18-pixel glyphs).
        float text = MathF.Max(1f, MathF.Min(width / 800f, height / 500f));
        float label = MathF.Max(1f, text * 0.75f);
        int th = Canvas.TextHeight(text), lh = Canvas.TextHeight(label);
        int left = Canvas.MeasureText(5, label) + 14;
        int right = 14 + ColourBarWidth(label) + 6 + Canvas.MeasureText(7, label) + 10;
        int summaryY = 7 + th + 6;
        int top = summaryY + lh + 8;
        int bottom = 2 * lh + 18;               // tick labels and the axis title
        int gap = lh + 10;                     // each panel's title sits in the gap above it
        int available = height - top - bottom - Weights.Length * gap;
        float total = Weights.Sum();
        var rects = new RectI[Weights.Length];
        int y = top;
        for (int i = 0; i < Weights.Length; i++)
        {
            y += gap;
            int h = i == Weights.Length - 1 ? height - bottom - y : (int)(available * Weights[i] / total);
            rects[i] = new RectI(left, y, width - left - right, h);
            y += h;
        }
        return new ReportLayout(rects[0], rects[1], rects[2], rects[3], rects[4], text, label, summaryY);
    }

    private static int ColourBarWidth(float label) => (int)(8 * label);

    /// <summary>Renders the report; <paramref name="caption"/> goes into the header (file, model, settings),
    /// <paramref name="summary"/> on the line below it.</summary>
    public static Canvas Render(ReportData data, int width, int height, string caption, string summary)
    {
        var layout = Layout(width, height);
        var c = new Canvas(width, height);
        c.Clear(Palette.Background);
        float ts = layout.TextScale, ls = layout.LabelScale;
        c.DrawText(layout.Input.X, 7, "PercepNetFx report", ts, Palette.Text);
        c.DrawText(layout.Input.X + Canvas.MeasureText(20, ts), 7 + (Canvas.TextHeight(ts) - Canvas.TextHeight(ls)) / 2, caption, ls, Palette.DimText);
        c.DrawText(layout.Input.X, layout.SummaryY, summary, ls, Palette.Text);

        double duration = Math.Max(data.DurationSeconds, 1e-3);
        Title(c, layout, layout.Input, "Input spectrogram (Hz, dBFS)");
        Spectrogram(c, layout.Input, data, data.InputDb, duration);
        Title(c, layout, layout.Output, "Output spectrogram (Hz, dBFS)");
        Spectrogram(c, layout.Output, data, data.OutputDb, duration);
        Title(c, layout, layout.Gains, "Band gains (dB) as applied per frequency (Hz): 34 bands, interpolated between their centres");
        HopHeatMap(c, layout.Gains, data, data.GainDb, duration, decibels: true, v => Heat((v - GainMinDb) / -GainMinDb));
        ColourBar(c, layout, layout.Gains, Heat, new[] { (0f, "-40 dB"), (0.25f, "-30"), (0.5f, "-20"), (0.75f, "-10"), (1f, "0 dB") });
        Title(c, layout, layout.Comb, "Comb filter strength as applied per frequency (0 = off, 1 = full)");
        HopHeatMap(c, layout.Comb, data, data.CombStrength, duration, decibels: false, CombColour);
        ColourBar(c, layout, layout.Comb, CombColour, new[] { (0f, "0"), (0.5f, "0.5"), (1f, "1") });
        Title(c, layout, layout.Pitch, string.Create(Inv, $"Pitch (Hz), voiced frames with pitch correlation {PitchTracker.VoicingThreshold:0.##} or more; opacity = correlation"));
        PitchTrack(c, layout.Pitch, data, duration);
        ColourBar(c, layout, layout.Pitch, PitchAlphaColour, new[] { (0f, "0"), (0.5f, "0.5"), (1f, "1 corr") });
        TimeAxis(c, layout, duration);
        return c;
    }

    /// <summary>x of time t in a plot (continuous; pixel column = floor).</summary>
    public static double TimeToX(RectI r, double t, double duration) => r.X + r.W * t / duration;

    /// <summary>y of frequency f on a log axis from <paramref name="min"/> (bottom) to <paramref name="max"/> (top).</summary>
    public static double LogToY(RectI r, double f, double min, double max) => r.Y + r.H * (1 - Math.Log(f / min) / Math.Log(max / min));

    private static void Title(Canvas c, ReportLayout layout, RectI r, string text)
        => c.DrawText(r.X, r.Y - Canvas.TextHeight(layout.LabelScale) - 5, text, layout.LabelScale, Palette.Text);

    private static void Spectrogram(Canvas c, RectI r, ReportData d, float[] db, double duration)
    {
        c.FillRect(r, Palette.PlotBackground);
        double nyquist = d.SampleRate / 2.0;
        var binPos = new double[r.H];
        for (int y = 0; y < r.H; y++)
        {
            double f = RowHz(r, y);
            binPos[y] = f <= nyquist ? f / d.BinHz : -1; // above Nyquist (e.g. 44.1 kHz input): no data
        }
        for (int x = 0; x < r.W; x++)
        {
            // Every STFT column whose centre falls into this pixel's time span; the loudest wins so
            // that short events survive when many columns share a pixel (long files).
            double t0 = x * duration / r.W, t1 = (x + 1) * duration / r.W;
            int j0 = (int)Math.Ceiling(t0 / d.ColumnSeconds - 1e-9), j1 = (int)Math.Ceiling(t1 / d.ColumnSeconds - 1e-9) - 1;
            if (j1 < j0) j0 = j1 = (int)Math.Round((t0 + t1) / 2 / d.ColumnSeconds);
            j0 = Math.Clamp(j0, 0, d.Columns - 1);
            j1 = Math.Clamp(j1, 0, d.Columns - 1);
            for (int y = 0; y < r.H; y++)
            {
                double pos = binPos[y];
                if (pos < 0) continue;
                int k = Math.Min((int)pos, d.Bins - 2);
                float frac = (float)(pos - k);
                float best = float.NegativeInfinity;
                for (int j = j0; j <= j1; j++)
                {
                    // Linear in dB between neighbouring bins: smooth rows where a bin spans many pixels (low end).
                    int o = j * d.Bins + k;
                    best = MathF.Max(best, db[o] + frac * (db[o + 1] - db[o]));
                }
                c.Pixels[(r.Y + y) * c.Width + r.X + x] = Heat((best - SpectrumMinDb) / (SpectrumMaxDb - SpectrumMinDb));
            }
        }
        FrequencyGrid(c, r, nyquist);
        var layout = Layout(c.Width, c.Height);
        ColourBar(c, layout, r, Heat, new[] { (0f, "-100 dB"), (0.2f, "-80"), (0.4f, "-60"), (0.6f, "-40"), (0.8f, "-20"), (1f, "0 dBFS") });
    }

    /// <summary>The shared frequency axis: grid lines (up to the input's Nyquist frequency) and labels.</summary>
    private static void FrequencyGrid(Canvas c, RectI r, double nyquist)
    {
        foreach (double f in FrequencyTicks)
        {
            if (f > nyquist) continue;
            int y = (int)LogToY(r, f, MinHz, MaxHz);
            c.FillRect(r.X, y, r.W, 1, Canvas.WithAlpha(Palette.Grid, 110));
        }
        LogAxisLabels(c, r, FrequencyTicks, MinHz, MaxHz);
    }

    /// <summary>Frequency (Hz) at the centre of pixel row y of a plot on the shared log axis.</summary>
    private static double RowHz(RectI r, int y) => MaxHz * Math.Pow(MinHz / MaxHz, (y + 0.5) / r.H);

    private static void LogAxisLabels(Canvas c, RectI r, double[] ticks, double min, double max)
    {
        float ls = Layout(c.Width, c.Height).LabelScale;
        int lh = Canvas.TextHeight(ls);
        int lastTop = int.MaxValue;
        foreach (double f in ticks) // ascending, so labels go up the axis
        {
            int y = (int)LogToY(r, f, min, max);
            c.FillRect(r.X - 5, y, 5, 1, Palette.DimText);
            // A label that would overlap the one below it is left out (short panels); its tick stays.
            int top = Math.Clamp(y - lh / 2, r.Y - lh / 2, r.Bottom - lh / 2);
            if (top + lh > lastTop) continue;
            c.DrawTextRight(0, top, r.X - 8, HzLabel(f), ls, Palette.DimText);
            lastTop = top;
        }
    }

    private static string HzLabel(double f) => f >= 1000
        ? (f % 1000 == 0 ? string.Create(Inv, $"{f / 1000:0}k") : string.Create(Inv, $"{f / 1000:0.#}k"))
        : string.Create(Inv, $"{f:0}");

    /// <summary>
    /// Per-hop band values as a heat map on the shared frequency axis: each pixel column takes the mean of the
    /// hops whose frame centres fall into it (or the nearest hop when hops are wider than pixels), and each row
    /// the value applied at its frequency: the two bands around it weighted as the processing weights them
    /// (<see cref="BandLayout"/>: linear between band centres, the top band alone above its centre), in
    /// amplitude for gains in dB. Rows above the input's Nyquist frequency hold no signal and stay empty.
    /// </summary>
    private static void HopHeatMap(Canvas c, RectI r, ReportData d, float[] values, double duration, bool decibels, Func<float, uint> colour)
    {
        const int Bands = Constants.BandCount;
        c.FillRect(r, Palette.PlotBackground);
        double nyquist = d.SampleRate / 2.0;
        var lower = new int[r.H];
        var upperWeight = new float[r.H];
        ReadOnlySpan<int> centres = Constants.BandCentreBins;
        double bandBinHz = (double)Constants.SampleRate / Constants.WindowSize;
        for (int y = 0; y < r.H; y++)
        {
            double f = RowHz(r, y);
            if (f > nyquist) { lower[y] = -1; continue; }
            double bin = f / bandBinHz;
            int b = 0;
            while (b < Bands - 2 && centres[b + 1] <= bin) b++;
            lower[y] = b;
            upperWeight[y] = (float)Math.Clamp((bin - centres[b]) / (centres[b + 1] - centres[b]), 0, 1);
        }
        if (d.Hops > 0)
        {
            var mean = new float[Bands];
            for (int x = 0; x < r.W; x++)
            {
                double t0 = x * duration / r.W, t1 = (x + 1) * duration / r.W;
                int h0 = LowerBound(d.HopTimes, t0), h1 = LowerBound(d.HopTimes, t1);
                if (h1 <= h0)
                {
                    int near = Nearest(d.HopTimes, (t0 + t1) / 2);
                    if (Math.Abs(d.HopTimes[near] - (t0 + t1) / 2) > 0.01) continue; // no frame within a hop of here
                    h0 = near; h1 = near + 1;
                }
                Array.Clear(mean);
                for (int h = h0; h < h1; h++)
                    for (int b = 0; b < Bands; b++) mean[b] += values[h * Bands + b] / (h1 - h0);
                for (int y = 0; y < r.H; y++)
                {
                    int b = lower[y];
                    if (b < 0) continue;
                    float w = upperWeight[y];
                    float v = decibels
                        ? 20f * MathF.Log10(MathF.Max((1 - w) * MathF.Pow(10f, mean[b] / 20f) + w * MathF.Pow(10f, mean[b + 1] / 20f), 1e-7f))
                        : (1 - w) * mean[b] + w * mean[b + 1];
                    c.Pixels[(r.Y + y) * c.Width + r.X + x] = colour(v);
                }
            }
        }
        FrequencyGrid(c, r, nyquist);
    }

    private static void PitchTrack(Canvas c, RectI r, ReportData d, double duration)
    {
        c.FillRect(r, Palette.PlotBackground);
        foreach (double f in PitchTicks)
            c.FillRect(r.X, (int)LogToY(r, f, PitchMinHz, PitchMaxHz), r.W, 1, Palette.Grid);
        LogAxisLabels(c, r, PitchTicks, PitchMinHz, PitchMaxHz);
        float radius = MathF.Max(1.5f, 1.2f * (r.W / (float)Math.Max(1, d.Hops)) / 2);
        radius = MathF.Min(radius, 3f);
        for (int h = 0; h < d.Hops; h++)
        {
            // Unvoiced frames are left out, and so are those below the tracker's voicing threshold (as in the editor).
            if (!d.Voiced[h] || d.PitchHz[h] <= 0 || d.PitchCorrelation[h] < PitchTracker.VoicingThreshold) continue;
            float x = (float)TimeToX(r, d.HopTimes[h], duration);
            float y = (float)LogToY(r, Math.Clamp(d.PitchHz[h], PitchMinHz, PitchMaxHz), PitchMinHz, PitchMaxHz);
            c.FillCircle(x, y, radius, PitchAlphaColour(d.PitchCorrelation[h]));
        }
    }

    private static uint PitchAlphaColour(float correlation)
        => Canvas.WithAlpha(Palette.Pitch, (int)(40 + 215 * Math.Clamp(correlation, 0f, 1f)));

    private static void ColourBar(Canvas c, ReportLayout layout, RectI plot, Func<float, uint> colour, (float At, string Label)[] labels)
    {
        int w = ColourBarWidth(layout.LabelScale);
        var bar = new RectI(plot.Right + 14, plot.Y, w, plot.H);
        c.FillRect(bar, Palette.PlotBackground);
        for (int y = 0; y < bar.H; y++)
        {
            float v = 1f - (y + 0.5f) / bar.H;
            uint col = colour(v);
            for (int x = 0; x < w; x++) c.Blend(bar.X + x, bar.Y + y, col, 1f);
        }
        int lh = Canvas.TextHeight(layout.LabelScale);
        foreach (var (at, text) in labels)
        {
            int y = (int)(bar.Bottom - at * bar.H);
            c.FillRect(bar.Right, Math.Min(y, bar.Bottom - 1), 4, 1, Palette.DimText);
            c.DrawText(bar.Right + 6, Math.Clamp(y - lh / 2, bar.Y - 2, bar.Bottom - lh + 2), text, layout.LabelScale, Palette.DimText);
        }
    }

    private static void TimeAxis(Canvas c, ReportLayout layout, double duration)
    {
        float ls = layout.LabelScale;
        var last = layout.Pitch;
        double step = TimeStep(duration, last.W / (double)(Canvas.MeasureText(6, ls) + 24));
        int lh = Canvas.TextHeight(ls);
        for (int i = 0; i * step <= duration + 1e-9; i++)
        {
            double t = i * step;
            int x = Math.Min((int)TimeToX(last, t, duration), last.Right - 1);
            foreach (var r in layout.Plots)
                c.FillRect(x, r.Bottom, 1, 5, Palette.DimText);
            string label = step < 1 ? string.Create(Inv, $"{t:0.0#}") : string.Create(Inv, $"{t:0}");
            int lw = Canvas.MeasureText(label.Length, ls);
            c.DrawText(Math.Clamp(x - lw / 2, 0, c.Width - lw), last.Bottom + 8, label, ls, Palette.DimText);
        }
        c.DrawTextRight(last.X, last.Bottom + 12 + lh, last.W, "time (s)", ls, Palette.Text);
    }

    /// <summary>The smallest 1-2-5 step that gives at most <paramref name="maxTicks"/> intervals.</summary>
    private static double TimeStep(double duration, double maxTicks)
    {
        foreach (double s in new[] { 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600 })
            if (duration / s <= maxTicks) return s;
        return Math.Ceiling(duration / maxTicks / 3600) * 3600;
    }

    private static int LowerBound(double[] a, double v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi) { int m = (lo + hi) >> 1; if (a[m] < v) lo = m + 1; else hi = m; }
        return lo;
    }

    private static int Nearest(double[] a, double v)
    {
        int i = Math.Clamp(LowerBound(a, v), 0, a.Length - 1);
        return i > 0 && Math.Abs(a[i - 1] - v) <= Math.Abs(a[i] - v) ? i - 1 : i;
    }

    // Colour stops chosen for this report: near-black through indigo, magenta, red and orange to pale
    // yellow, each brighter than the last, so brightness alone orders the values (also in grey print).
    private static readonly (float At, int R, int G, int B)[] HeatStops =
    {
        (0f, 6, 6, 16), (0.18f, 42, 20, 92), (0.36f, 118, 30, 120), (0.54f, 200, 52, 72),
        (0.72f, 244, 128, 40), (0.88f, 250, 208, 80), (1f, 255, 250, 205),
    };

    /// <summary>Value in [0, 1] (clamped) to the heat colour; brightness increases monotonically.</summary>
    public static uint Heat(float v) => Ramp(HeatStops, v);

    private static readonly (float At, int R, int G, int B)[] CombStops =
    {
        (0f, 16, 19, 23), (0.5f, 22, 110, 108), (1f, 150, 245, 240),
    };

    /// <summary>Comb strength in [0, 1] to a dark-to-cyan ramp (distinct from the gain map).</summary>
    public static uint CombColour(float v) => Ramp(CombStops, v);

    private static uint Ramp((float At, int R, int G, int B)[] stops, float v)
    {
        v = float.IsNaN(v) ? 0f : Math.Clamp(v, 0f, 1f);
        int i = 1;
        while (i < stops.Length - 1 && stops[i].At < v) i++;
        var (a0, r0, g0, b0) = stops[i - 1];
        var (a1, r1, g1, b1) = stops[i];
        float f = (v - a0) / (a1 - a0);
        return Canvas.Rgb((int)(r0 + f * (r1 - r0) + 0.5f), (int)(g0 + f * (g1 - g0) + 0.5f), (int)(b0 + f * (b1 - b0) + 0.5f));
    }
}
