using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Metering;

namespace PercepNetFx.Editor.Tests;

/// <summary>Records the host calls in order.</summary>
internal sealed class RecordingHost : IEditorHost
{
    public readonly List<(string Kind, int Id, double Value)> Calls = new();
    public void BeginEdit(int id) => Calls.Add(("begin", id, double.NaN));
    public void PerformEdit(int id, double normalized) => Calls.Add(("perform", id, normalized));
    public void EndEdit(int id) => Calls.Add(("end", id, double.NaN));
}

public class EditorViewTests
{
    private static MeterExchange Publish(Action<MeterSnapshot> fill, MeterExchange? exchange = null)
    {
        exchange ??= new MeterExchange();
        var w = exchange.WriteBuffer;
        w.Hop = 1 + (exchange.PublishedCount);
        w.SampleRate = 48000;
        w.LatencySamples = 1919;
        fill(w);
        exchange.Publish();
        return exchange;
    }

    [Fact]
    public void BandMeterAtMinus12DbFillsTheExpectedRows()
    {
        const int band = 5;
        var exchange = Publish(s => { s.BandGainDb[band] = -12f; s.CombStrength[band] = 0.5f; s.CombStrength[9] = 1f; });
        var view = new EditorView(exchange, null);
        Assert.True(view.Tick());
        view.Render();
        var c = view.Canvas;
        var plot = EditorView.BandPlot;
        // Closed form: 200 rows span 40 dB, so −12 dB is 12·200/40 = 60 rows from the 0 dB top row;
        // the peak-hold mark (hold = current on the first frame) is the bar's last two rows.
        int x = plot.X + band * EditorView.BandPitch + EditorView.BandPitch / 2;
        for (int y = plot.Y; y < plot.Y + 58; y++) Assert.Equal(Palette.Reduction, c[x, y]);
        for (int y = plot.Y + 58; y < plot.Y + 60; y++) Assert.Equal(Palette.PeakHold, c[x, y]);
        for (int y = plot.Y + 60; y < plot.Bottom; y++) Assert.Contains(c[x, y], new[] { Palette.PlotBackground, Palette.Grid });
        // Bars stay inside their column: the neighbouring band (0 dB) has no reduction ink.
        int xn = x + EditorView.BandPitch;
        for (int y = plot.Y; y < plot.Bottom; y++) Assert.Contains(c[xn, y], new[] { Palette.PlotBackground, Palette.Grid });
        // Comb strength 0.5 fills half of the 36-row strip from the bottom, strength 1 all of it.
        var comb = EditorView.CombPlot;
        for (int y = comb.Y; y < comb.Bottom; y++)
        {
            Assert.Equal(y >= comb.Bottom - 18 ? Palette.Comb : Palette.PlotBackground, c[x, y]);
            Assert.Equal(Palette.Comb, c[comb.X + 9 * EditorView.BandPitch + 8, y]);
        }
    }

    [Fact]
    public void PeakHoldKeepsTheDeepestReductionThenReleases()
    {
        var exchange = Publish(s => s.BandGainDb[0] = -20f);
        var view = new EditorView(exchange, null);
        view.Tick();
        Publish(s => s.BandGainDb[0] = -5f, exchange);
        view.Tick();
        Assert.Equal(-20f, view.PeakHoldDb[0]);
        for (int i = 1; i < EditorView.HoldTicks; i++) view.Tick();
        Assert.Equal(-20f, view.PeakHoldDb[0]);                     // held for HoldTicks frames after the peak
        view.Tick();
        Assert.Equal(-20f + EditorView.HoldReleaseDbPerTick, view.PeakHoldDb[0]); // then released
        for (int i = 0; i < 30; i++) view.Tick();
        Assert.Equal(-5f, view.PeakHoldDb[0]);                      // down to the current value
        view.Render();
        int x = EditorView.BandPlot.X + EditorView.BandPitch / 2;
        Assert.Equal(Palette.PeakHold, view.Canvas[x, EditorView.BandPlot.Y + 24]); // −5 dB → row 25, mark rows 23–24
    }

    [Fact]
    public void LevelMetersShowRmsAndPeak()
    {
        var exchange = Publish(s => { s.InputRmsDb = -15f; s.InputPeakDb = -12f; s.OutputRmsDb = -30f; s.OutputPeakDb = -27f; });
        var view = new EditorView(exchange, null);
        view.Tick();
        view.Render();
        var c = view.Canvas;
        var m = EditorView.InputMeter;
        int rms = (int)MathF.Round((60f - 15f) / 60f * m.W); // −15 dBFS on a −60…0 scale
        Assert.Equal(120, rms);
        int ym = m.Y + m.H / 2;
        Assert.Equal(Palette.Level, c[m.X + rms - 1, ym]);
        Assert.Equal(Palette.Track, c[m.X + rms + 1, ym]);
        Assert.Equal(Palette.Text, c[m.X + 128, ym]); // peak tick at −12 dBFS: (48/60)·160 = 128
        var o = EditorView.OutputMeter;
        Assert.Equal(Palette.Level, c[o.X + 79, o.Y + 2]); // −30 dBFS → 80 px
        Assert.Equal(Palette.Track, c[o.X + 81, o.Y + 2]);
    }

    [Fact]
    public void TogglesAndAutomationChangeTheControlsPixelsOnly()
    {
        var view = new EditorView(null, null);
        view.Render();
        var before = (uint[])view.Canvas.Pixels.Clone();
        view.SetParameter(EditorParameters.Comb, 0);      // host automation: comb off
        view.SetParameter(EditorParameters.PostFilter, 0.25);
        Assert.True(view.NeedsRender);
        view.Render();
        var after = view.Canvas.Pixels;
        var comb = EditorView.ControlRect(EditorParameters.Comb);
        var post = EditorView.ControlRect(EditorParameters.PostFilter);
        int changedInside = 0;
        for (int i = 0; i < after.Length; i++)
        {
            if (before[i] == after[i]) continue;
            int x = i % EditorView.Width, y = i / EditorView.Width;
            bool inControl = comb.Contains(x, y) || (post.Contains(x, y) || new RectI(post.X - 10, post.Y, post.W + 20, post.H).Contains(x, y));
            Assert.True(inControl, $"pixel ({x},{y}) changed outside the two controls");
            changedInside++;
        }
        Assert.True(changedInside > 200);
        Assert.Equal(Palette.ToggleOff, view.Canvas[comb.X + 3, comb.Y + 3]);
        // Slider fill: 25 % of the 300-px track is accent, the rest track colour.
        int ty = post.Y + 30 + 1;
        Assert.Equal(Palette.Accent, view.Canvas[post.X + 40, ty]);   // left of the 9-px handle at 75
        Assert.Equal(Palette.Track, view.Canvas[post.X + 120, ty]);
    }

    [Fact]
    public void DragSendsBeginMonotonePerformsEnd()
    {
        var host = new RecordingHost();
        var view = new EditorView(null, host);
        view.SetParameter(EditorParameters.Strength, 0.2);
        var r = EditorView.ControlRect(EditorParameters.Strength);
        view.MouseDown(r.X + 50, r.Y + 30, 1000);
        for (int dx = 0; dx <= 150; dx += 10) view.MouseMove(r.X + 50 + dx, r.Y + 30 + dx / 3); // vertical wobble is ignored
        view.MouseUp(r.X + 200, r.Y + 40);
        Assert.Equal(("begin", 0), (host.Calls[0].Kind, host.Calls[0].Id));
        Assert.Equal(("end", 0), (host.Calls[^1].Kind, host.Calls[^1].Id));
        var performs = host.Calls.Skip(1).SkipLast(1).ToList();
        Assert.All(performs, p => Assert.Equal(("perform", 0), (p.Kind, p.Id)));
        Assert.True(performs.Count >= 10);
        for (int i = 1; i < performs.Count; i++) Assert.True(performs[i].Value > performs[i - 1].Value);
        Assert.Equal(270, r.W); // the track width this test's arithmetic assumes
        Assert.Equal(0.2 + 150.0 / 270.0, performs[^1].Value, 12); // relative drag: 150 px of a 270-px track
        Assert.Equal(0.2 + 150.0 / 270.0, view.GetParameter(EditorParameters.Strength), 12);

        // Dragging past the end clamps at 1 and sends nothing once clamped.
        host.Calls.Clear();
        view.MouseDown(r.X + 10, r.Y + 30, 5000);
        view.MouseMove(r.X + 1000, r.Y + 30);
        view.MouseMove(r.X + 2000, r.Y + 30);
        view.MouseUp(r.X + 2000, r.Y + 30);
        Assert.Equal(new[] { "begin", "perform", "end" }, host.Calls.Select(c => c.Kind));
        Assert.Equal(1.0, host.Calls[1].Value);
    }

    [Fact]
    public void DoubleClickResetsToDefault()
    {
        var host = new RecordingHost();
        var view = new EditorView(null, host);
        view.SetParameter(EditorParameters.PostFilter, 0.3);
        var r = EditorView.ControlRect(EditorParameters.PostFilter);
        view.MouseDown(r.X + 20, r.Y + 30, 2000);
        view.MouseUp(r.X + 20, r.Y + 30);
        view.MouseDown(r.X + 21, r.Y + 30, 2250);
        view.MouseUp(r.X + 21, r.Y + 30);
        Assert.Equal(DenoiseSettings.DefaultPostFilterAmount, view.GetParameter(EditorParameters.PostFilter));
        Assert.Equal(new[] { ("begin", 1), ("end", 1), ("begin", 1), ("perform", 1), ("end", 1) }, host.Calls.Select(c => (c.Kind, c.Id)));
        Assert.Equal(EditorParameters.Default(EditorParameters.PostFilter), host.Calls[3].Value);

        // Two clicks too far apart in time are two single clicks (no reset).
        view.SetParameter(EditorParameters.PostFilter, 0.3);
        view.MouseDown(r.X + 20, r.Y + 30, 10_000);
        view.MouseUp(r.X + 20, r.Y + 30);
        view.MouseDown(r.X + 20, r.Y + 30, 10_000 + EditorView.DoubleClickMs + 1);
        view.MouseUp(r.X + 20, r.Y + 30);
        Assert.Equal(0.3, view.GetParameter(EditorParameters.PostFilter));
    }

    [Fact]
    public void ClickTogglesAndWheelAdjusts()
    {
        var host = new RecordingHost();
        var view = new EditorView(null, host);
        var bypass = EditorView.ControlRect(EditorParameters.Bypass);
        view.MouseDown(bypass.X + 5, bypass.Y + 5, 100);
        view.MouseUp(bypass.X + 5, bypass.Y + 5);
        Assert.Equal(1.0, view.GetParameter(EditorParameters.Bypass));
        Assert.Equal(new[] { ("begin", 3, double.NaN), ("perform", 3, 1.0), ("end", 3, double.NaN) }, host.Calls);

        host.Calls.Clear();
        view.SetParameter(EditorParameters.Strength, 0.5);
        var s = EditorView.ControlRect(EditorParameters.Strength);
        view.MouseWheel(s.X + 10, s.Y + 10, +3);
        view.MouseWheel(s.X + 10, s.Y + 10, -1);
        Assert.Equal(0.5 + 2 * EditorView.WheelStep, view.GetParameter(EditorParameters.Strength), 12);
        Assert.Equal(new[] { "begin", "perform", "end", "begin", "perform", "end" }, host.Calls.Select(c => c.Kind));
        Assert.Equal(0.56, host.Calls[1].Value, 12);
        Assert.Equal(0.54, host.Calls[4].Value, 12);

        // Outside every control nothing happens.
        host.Calls.Clear();
        view.MouseWheel(5, 5, 1);
        view.MouseDown(5, 5, 5000);
        view.MouseUp(5, 5);
        Assert.Empty(host.Calls);
    }

    [Fact]
    public void TickAndRenderAllocateNothingAfterTheFirstFrame()
    {
        var exchange = new MeterExchange();
        var view = new EditorView(exchange, new RecordingHostNoAlloc());
        var rng = new Random(5);
        void Produce()
        {
            var w = exchange.WriteBuffer;
            w.Hop++;
            w.SampleRate = 48000; w.LatencySamples = 1919; w.CpuLoadPercent = (float)rng.NextDouble() * 10;
            for (int b = 0; b < 34; b++) { w.BandGainDb[b] = -40f * (float)rng.NextDouble(); w.CombStrength[b] = (float)rng.NextDouble(); }
            w.Voiced = rng.Next(2) == 0; w.PitchHz = 80 + 300 * (float)rng.NextDouble(); w.PitchCorrelation = (float)rng.NextDouble();
            w.InputPeakDb = -6; w.InputRmsDb = -12; w.OutputPeakDb = -9; w.OutputRmsDb = -20;
            exchange.Publish();
        }
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500) { Produce(); view.Tick(); view.Render(); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 60; i++)
        {
            Produce();
            view.Tick();
            view.Render();
            view.MouseWheel(30, 430, 1);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private sealed class RecordingHostNoAlloc : IEditorHost
    {
        public void BeginEdit(int id) { }
        public void PerformEdit(int id, double normalized) { }
        public void EndEdit(int id) { }
    }
}
