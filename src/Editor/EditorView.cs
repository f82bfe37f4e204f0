using System.Globalization;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Metering;

namespace PercepNetFx.Editor;

/// <summary>
/// The PercepNetFx editor as a plain model: fixed-size layout, drawing from the newest
/// <see cref="MeterSnapshot"/> and the four parameter values, and mouse interaction that turns
/// drags, clicks, double-clicks and wheel steps into <see cref="IEditorHost"/> edits. It knows
/// nothing of X11 or VST3: the caller pumps <see cref="Tick"/> and <see cref="Render"/> at
/// ~30 fps and blits <see cref="Canvas"/>. After the first frame neither allocates.
/// UI thread only (the audio thread talks to it only through the <see cref="MeterExchange"/>).
/// </summary>
public sealed class EditorView
{
    public const int Width = 900;
    public const int Height = 520;

    // ---- Layout (public so tests can compute expected pixels in closed form) ----
    public static readonly RectI BandPanel = new(12, 48, 600, 320);
    /// <summary>Band-gain meters: 0 dB at the top row, <see cref="BandRangeDb"/> at the bottom.</summary>
    public static readonly RectI BandPlot = new(60, 78, Constants.BandCount * BandPitch, 200);
    public const int BandPitch = 16;          // pixels per band column
    public const int BandBarInset = 2;        // bar = column minus 2 px each side
    public const float BandRangeDb = 40f;
    public const float PixelsPerDb = 5f;      // BandPlot.H / BandRangeDb
    public static readonly RectI CombPlot = new(60, 290, Constants.BandCount * BandPitch, 36);
    public static readonly RectI PitchPanel = new(624, 48, 264, 216);
    public static readonly RectI PitchTrace = new(636, 124, 240, 130);
    public const float TraceMinHz = 60f, TraceMaxHz = 800f;
    public const int TraceLength = 150;       // points = 5 s at 30 fps
    public static readonly RectI LevelPanel = new(624, 272, 264, 96);
    public static readonly RectI InputMeter = new(664, 300, 160, 14);
    public static readonly RectI OutputMeter = new(664, 324, 160, 14);
    public const float LevelFloorDb = -60f;
    public static readonly RectI ControlPanel = new(12, 376, 876, 132);
    public static readonly RectI HeaderStatus = new(330, 14, 558, 16);

    /// <summary>Hit area of each control, indexed by <see cref="EditorParameters"/> id.</summary>
    public static RectI ControlRect(int id) => id switch
    {
        EditorParameters.Strength => new RectI(24, 420, 270, 64),
        EditorParameters.PostFilter => new RectI(318, 420, 270, 64),
        EditorParameters.Listen => new RectI(606, 424, 86, 40),
        EditorParameters.Comb => new RectI(698, 424, 86, 40),
        EditorParameters.Bypass => new RectI(790, 424, 86, 40),
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };
    private const int SliderTrackOffsetY = 30, SliderTrackHeight = 8;

    public const int HoldTicks = 45;          // peak hold 1.5 s at 30 fps, then release
    public const float HoldReleaseDbPerTick = 1f;
    public const long DoubleClickMs = 400;
    public const double WheelStep = 0.02;

    private MeterExchange? meters;
    private string modelStatus = "";
    private bool modelMissing;
    private readonly IEditorHost? host;
    private readonly MeterSnapshot current = new();
    private readonly float[] holdDb = new float[Constants.BandCount];
    private readonly int[] holdAge = new int[Constants.BandCount];
    private readonly float[] traceHz = new float[TraceLength];   // NaN = unvoiced
    private readonly float[] traceCorr = new float[TraceLength];
    private int traceHead;                                       // next write position
    private readonly double[] values = new double[EditorParameters.Count];
    private readonly string[] bandLabels = new string[Constants.BandCount];
    private readonly char[] text = new char[96];

    private int dragId = -1;
    private int dragStartX;
    private double dragStartValue;
    private int lastPressId = -1;
    private long lastPressMs = long.MinValue / 2;
    private bool dirty = true;

    public EditorView(MeterExchange? meters, IEditorHost? host)
    {
        this.meters = meters;
        this.host = host;
        Canvas = new Canvas(Width, Height);
        for (int i = 0; i < values.Length; i++) values[i] = EditorParameters.Default(i);
        traceHz.AsSpan().Fill(float.NaN);
        for (int b = 0; b < Constants.BandCount; b++)
        {
            float hz = BandLayout.CentreHz[b];
            bandLabels[b] = hz < 1000f ? hz.ToString("F0", CultureInfo.InvariantCulture)
                : (hz / 1000f).ToString(hz < 10000f ? "0.#" : "F0", CultureInfo.InvariantCulture) + "k";
        }
    }

    public Canvas Canvas { get; }

    /// <summary>Where the newest snapshot comes from; the plug-in sets it once the processor has shared its exchange.</summary>
    public MeterExchange? Meters
    {
        get => meters;
        set { meters = value; dirty = true; }
    }

    /// <summary>Model line at the bottom right of the controls ("model percepnetfx-v1 1.0.0"); drawn in the warning
    /// colour when <paramref name="missing"/> (a loaded state named a model this build does not embed).</summary>
    public void SetModelStatus(string status, bool missing)
    {
        if (status == modelStatus && missing == modelMissing) return;
        modelStatus = status;
        modelMissing = missing;
        dirty = true;
    }

    /// <summary>Box of the model line (tests look for the warning colour inside it).</summary>
    public static readonly RectI ModelStatusRect = new(448, 490, 428, 14);
    /// <summary>The snapshot currently displayed (the UI's private copy).</summary>
    public MeterSnapshot Current => current;
    public long FramesRendered { get; private set; }
    /// <summary>Deepest reduction held per band (dB, ≤ 0).</summary>
    public ReadOnlySpan<float> PeakHoldDb => holdDb;
    /// <summary>True when something changed since the last <see cref="Render"/>.</summary>
    public bool NeedsRender => dirty;

    // ---------------- parameters ----------------

    public double GetParameter(int id) => values[id];

    /// <summary>Host automation or state load: moves the displayed control without calling the host back.</summary>
    public void SetParameter(int id, double normalized)
    {
        if ((uint)id >= EditorParameters.Count) return;
        double v = double.IsNaN(normalized) ? EditorParameters.Default(id) : Math.Clamp(normalized, 0.0, 1.0);
        if (EditorParameters.IsToggle(id)) v = v >= 0.5 ? 1.0 : 0.0;
        if (values[id] != v) { values[id] = v; dirty = true; }
    }

    // ---------------- meters ----------------

    /// <summary>
    /// One UI frame (~30 fps, driven by the caller): takes the newest snapshot if there is one,
    /// advances peak hold and the pitch trace. Returns true when a repaint is needed.
    /// </summary>
    public bool Tick()
    {
        bool fresh = false;
        if (meters is not null && meters.TryRead(out var s))
        {
            s.CopyTo(current);
            fresh = true;
        }
        for (int b = 0; b < Constants.BandCount; b++)
        {
            float g = current.BandGainDb[b];
            if (g <= holdDb[b]) { holdDb[b] = g; holdAge[b] = 0; }
            else if (++holdAge[b] > HoldTicks) holdDb[b] = MathF.Min(g, holdDb[b] + HoldReleaseDbPerTick);
        }
        if (fresh)
        {
            // The trace scrolls only while audio flows, so a stopped transport freezes it.
            traceHz[traceHead] = ShowsPitch(current) ? current.PitchHz : float.NaN;
            traceCorr[traceHead] = current.PitchCorrelation;
            traceHead = (traceHead + 1) % TraceLength;
            dirty = true;
        }
        return dirty;
    }

    /// <summary>Band bar length in pixels for a gain in dB (closed form the tests rely on).</summary>
    public static int BandBarPixels(float gainDb)
    {
        float reduction = Math.Clamp(-gainDb, 0f, BandRangeDb);
        return (int)MathF.Round(reduction * PixelsPerDb);
    }

    /// <summary>Level-meter fill in pixels for a dBFS value.</summary>
    public static int LevelPixels(float db, int width)
        => (int)MathF.Round(Math.Clamp((db - LevelFloorDb) / -LevelFloorDb, 0f, 1f) * width);

    public static int CombBarPixels(float strength) => (int)MathF.Round(Math.Clamp(strength, 0f, 1f) * CombPlot.H);

    // ---------------- drawing ----------------

    /// <summary>Redraws the whole canvas from the current snapshot and parameters.</summary>
    public void Render()
    {
        var c = Canvas;
        c.Clear(Palette.Background);
        DrawHeader(c);
        DrawBands(c);
        DrawPitch(c);
        DrawLevels(c);
        DrawControls(c);
        FramesRendered++;
        dirty = false;
    }

    private void DrawHeader(Canvas c)
    {
        c.DrawText(16, 12, "PercepNetFx", 2.4f, Palette.Text);
        var s = current;
        int n = 0;
        if (s.Hop == 0)
        {
            n = Put("waiting for audio", n);
        }
        else
        {
            n = PutNumber(s.SampleRate / 1000f, "0.#", n);
            n = Put(" kHz   latency ", n);
            n = PutNumber(s.LatencySamples, "F0", n);
            n = Put(" smp = ", n);
            n = PutNumber((float)s.LatencyMs, "F2", n);
            n = Put(" ms   CPU ", n);
            n = PutNumber(s.CpuLoadPercent, "F1", n);
            n = Put(" %", n);
        }
        var r = HeaderStatus;
        c.DrawTextRight(r.X, r.Y, r.W, text.AsSpan(0, n), 1.5f, Palette.DimText);
        c.FillRect(0, 40, Width, 1, Palette.Grid);
    }

    private void DrawBands(Canvas c)
    {
        c.FillRect(BandPanel, Palette.Panel);
        c.DrawText(BandPanel.X + 12, BandPanel.Y + 8, "Gain reduction per ERB band (dB), peak hold", 1.5f, Palette.Text);
        var p = BandPlot;
        c.FillRect(p, Palette.PlotBackground);
        for (int db = 0; db <= (int)BandRangeDb; db += 10)
        {
            int y = p.Y + (int)MathF.Round(db * PixelsPerDb);
            if (db > 0 && db < BandRangeDb) c.FillRect(p.X, y, p.W, 1, Palette.Grid);
            int n = PutNumber(-db, "F0", 0);
            c.DrawTextRight(BandPanel.X + 4, Math.Min(y, p.Bottom - 8) - (db == 0 ? 0 : 4), p.X - BandPanel.X - 10, text.AsSpan(0, n), 1.25f, Palette.DimText);
        }
        var cp = CombPlot;
        c.FillRect(cp, Palette.PlotBackground);
        c.DrawText(BandPanel.X + 6, cp.Y + 6, "comb", 1.25f, Palette.DimText);
        c.DrawText(BandPanel.X + 6, cp.Y + 20, "0..1", 1.25f, Palette.DimText);

        for (int b = 0; b < Constants.BandCount; b++)
        {
            int x = p.X + b * BandPitch + BandBarInset;
            int w = BandPitch - 2 * BandBarInset;
            int len = BandBarPixels(current.BandGainDb[b]);
            if (len > 0) c.FillRect(x, p.Y, w, len, Palette.Reduction);
            int hold = BandBarPixels(holdDb[b]);
            if (hold >= 2) c.FillRect(x, p.Y + hold - 2, w, 2, Palette.PeakHold);
            int comb = CombBarPixels(current.CombStrength[b]);
            if (comb > 0) c.FillRect(x, cp.Bottom - comb, w, comb, Palette.Comb);
            // Frequency axis: a tick per band, a label every third band.
            int tickX = p.X + b * BandPitch + BandPitch / 2;
            c.FillRect(tickX, cp.Bottom + 2, 1, b % 3 == 0 ? 5 : 3, Palette.DimText);
            if (b % 3 == 0)
            {
                string label = bandLabels[b];
                int lw = Canvas.MeasureText(label.Length, 1.25f);
                c.DrawText(Math.Min(tickX - lw / 2, BandPanel.Right - lw - 2), cp.Bottom + 10, label, 1.25f, Palette.DimText);
            }
        }
        c.DrawText(BandPanel.X + 6, cp.Bottom + 10, "Hz", 1.25f, Palette.DimText);
        if (current.Hop == 0) c.DrawTextCentered(p.X, p.Y + p.H / 2 - 8, p.W, "no audio yet", 2f, Palette.DimText);
        else if (current.Bypassed) c.DrawTextCentered(p.X, p.Y + p.H / 2 - 8, p.W, "BYPASSED", 2f, Palette.DimText);
    }

    private static readonly string[] NoteNames = { "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B" };

    private void DrawPitch(Canvas c)
    {
        var panel = PitchPanel;
        c.FillRect(panel, Palette.Panel);
        c.DrawText(panel.X + 12, panel.Y + 8, "Pitch", 1.5f, Palette.Text);
        var s = current;
        bool voiced = ShowsPitch(s);
        int n;
        if (voiced)
        {
            n = PutNumber(s.PitchHz, "F1", 0);
            n = Put(" Hz", n);
            c.DrawText(panel.X + 12, panel.Y + 28, text.AsSpan(0, n), 2.5f, Palette.Text);
            double midi = 69.0 + 12.0 * Math.Log2(s.PitchHz / 440.0);
            int note = (int)Math.Round(midi);
            int cents = (int)Math.Round(100.0 * (midi - note));
            n = Put(NoteNames[((note % 12) + 12) % 12], 0);
            n = PutNumber(note / 12 - 1, "F0", n);
            n = Put(cents >= 0 ? " +" : " ", n);
            n = PutNumber(cents, "F0", n);
            n = Put("c", n);
            c.DrawText(panel.X + 150, panel.Y + 32, text.AsSpan(0, n), 1.75f, Palette.Pitch);
        }
        else
        {
            c.DrawText(panel.X + 12, panel.Y + 28, "--- Hz", 2.5f, Palette.DimText);
            c.DrawText(panel.X + 150, panel.Y + 32, "unvoiced", 1.75f, Palette.DimText);
        }
        // Voicing: the tracker's pitch correlation, 0…1.
        int barX = panel.X + 76, barY = panel.Y + 58, barW = 140;
        c.DrawText(panel.X + 12, barY + 1, "voicing", 1.25f, Palette.DimText);
        c.FillRect(barX, barY, barW, 10, Palette.Track);
        float corr = Math.Clamp(s.PitchCorrelation, 0f, 1f);
        c.FillRect(barX, barY, (int)MathF.Round(corr * barW), 10, voiced ? Palette.Pitch : Palette.DimText);
        n = PutNumber(corr, "F2", 0);
        c.DrawText(barX + barW + 8, barY + 1, text.AsSpan(0, n), 1.25f, Palette.DimText);

        var t = PitchTrace;
        c.FillRect(t, Palette.PlotBackground);
        ReadOnlySpan<int> gridHz = [100, 200, 400]; // constant data: no stack copy, no allocation at any JIT tier
        foreach (int hz in gridHz)
        {
            int y = (int)MathF.Round(TraceY(hz));
            c.FillRect(t.X, y, t.W, 1, Palette.Grid);
            n = PutNumber(hz, "F0", 0);
            c.DrawText(t.X + 3, y - 10, text.AsSpan(0, n), 1f, Palette.DimText);
        }
        c.DrawText(t.Right - 60, t.Bottom - 10, "last 5 s", 1f, Palette.DimText);
        float step = (t.W - 1f) / (TraceLength - 1);
        float prevX = 0f, prevY = 0f, prevHz = 1f;
        bool prevOk = false;
        for (int i = 0; i < TraceLength; i++)
        {
            int k = (traceHead + i) % TraceLength; // oldest first
            float hz = traceHz[k];
            bool ok = !float.IsNaN(hz);
            float x = t.X + 0.5f + i * step;
            float y = ok ? TraceY(hz) : 0f;
            if (ok)
            {
                uint color = Canvas.WithAlpha(Palette.Pitch, 96 + (int)(159 * Math.Clamp(traceCorr[k], 0f, 1f)));
                // Join neighbours only within a third of an octave: a jump larger than that is a new
                // pitch (or an octave decision of the tracker), and a vertical stroke would read as a glide.
                if (prevOk && MathF.Abs(MathF.Log2(hz / prevHz)) < 1f / 3f) c.DrawLine(prevX, prevY, x, y, 2f, color);
                else c.FillCircle(x, y, 1.2f, color);
            }
            prevX = x; prevY = y; prevOk = ok; prevHz = hz;
        }
    }

    /// <summary>
    /// Whether a snapshot's pitch is shown (readout and trace): the tracker decided the frame voiced and its pitch
    /// correlation reaches the tracker's own voicing threshold. Frames the tracker keeps voiced below it (held by
    /// its switch cost) carry a period that is no more than a guess, often a multiple of the true one in noise.
    /// </summary>
    public static bool ShowsPitch(MeterSnapshot s) =>
        s.Hop > 0 && s.Voiced && s.PitchHz > 0f && s.PitchCorrelation >= PitchTracker.VoicingThreshold;

    /// <summary>Vertical position of a pitch in the trace (log-frequency axis).</summary>
    public static float TraceY(float hz)
    {
        var t = PitchTrace;
        float u = MathF.Log(Math.Clamp(hz, TraceMinHz, TraceMaxHz) / TraceMinHz) / MathF.Log(TraceMaxHz / TraceMinHz);
        return t.Bottom - 1 - u * (t.H - 2);
    }

    private void DrawLevels(Canvas c)
    {
        var panel = LevelPanel;
        c.FillRect(panel, Palette.Panel);
        c.DrawText(panel.X + 12, panel.Y + 8, "Levels (dBFS): RMS bar, peak tick", 1.25f, Palette.Text);
        DrawLevel(c, "IN", InputMeter, current.InputRmsDb, current.InputPeakDb);
        DrawLevel(c, "OUT", OutputMeter, current.OutputRmsDb, current.OutputPeakDb);
        var m = InputMeter;
        ReadOnlySpan<int> marks = [-60, -40, -20, 0];
        foreach (int db in marks)
        {
            int x = m.X + LevelPixels(db, m.W);
            int n = PutNumber(db, "F0", 0);
            c.DrawText(x - Canvas.MeasureText(n, 1f) / 2, OutputMeter.Bottom + 6, text.AsSpan(0, n), 1f, Palette.DimText);
        }
    }

    private void DrawLevel(Canvas c, string label, RectI m, float rmsDb, float peakDb)
    {
        c.DrawText(LevelPanel.X + 12, m.Y + 2, label, 1.25f, Palette.DimText);
        c.FillRect(m, Palette.Track);
        int fill = current.Hop > 0 ? LevelPixels(rmsDb, m.W) : 0;
        c.FillRect(m.X, m.Y, fill, m.H, rmsDb > -6f ? Palette.LevelHot : Palette.Level);
        if (current.Hop > 0 && peakDb > LevelFloorDb)
        {
            int px = m.X + Math.Min(m.W - 2, LevelPixels(peakDb, m.W));
            c.FillRect(px, m.Y, 2, m.H, peakDb > -1f ? Palette.LevelHot : Palette.Text);
        }
        int n = current.Hop > 0 && peakDb > MeterSnapshot.FloorDb ? PutNumber(peakDb, "F1", 0) : Put("-inf", 0);
        c.DrawText(m.Right + 8, m.Y + 2, text.AsSpan(0, n), 1.25f, Palette.Text);
    }

    private void DrawControls(Canvas c)
    {
        c.FillRect(ControlPanel, Palette.Panel);
        c.DrawText(ControlPanel.X + 12, ControlPanel.Y + 8, "Controls", 1.5f, Palette.Text);
        for (int id = 0; id < EditorParameters.Count; id++)
        {
            var r = ControlRect(id);
            if (EditorParameters.IsToggle(id)) DrawToggle(c, id, r);
            else DrawSlider(c, id, r);
        }
        c.DrawText(ControlPanel.X + 12, ControlPanel.Bottom - 14, "drag or wheel to adjust, double-click resets", 1.25f, Palette.DimText);
        if (modelStatus.Length > 0)
        {
            var m = ModelStatusRect;
            int max = (m.W - 2) / (int)MathF.Round(BitmapFont.Advance * 1.25f);
            var shown = modelStatus.AsSpan(0, Math.Min(modelStatus.Length, max));
            c.DrawTextRight(m.X, m.Y + 2, m.W, shown, 1.25f, modelMissing ? Palette.LevelHot : Palette.DimText);
        }
    }

    private void DrawSlider(Canvas c, int id, RectI r)
    {
        c.DrawText(r.X, r.Y, EditorParameters.Name(id), 1.5f, Palette.Text);
        int n = PutNumber((float)(100.0 * values[id]), "F0", 0);
        n = Put(" %", n);
        c.DrawTextRight(r.X, r.Y, r.W, text.AsSpan(0, n), 1.5f, dragId == id ? Palette.Accent : Palette.Text);
        int ty = r.Y + SliderTrackOffsetY;
        c.FillRect(r.X, ty, r.W, SliderTrackHeight, Palette.Track);
        int fill = SliderFillPixels(values[id], r.W);
        c.FillRect(r.X, ty, fill, SliderTrackHeight, Palette.Accent);
        c.FillCircle(r.X + fill, ty + SliderTrackHeight / 2f, 9f, dragId == id ? Palette.Text : Palette.DimText);
    }

    /// <summary>Filled length of a slider track for a normalised value.</summary>
    public static int SliderFillPixels(double value, int trackWidth) => (int)Math.Round(Math.Clamp(value, 0, 1) * trackWidth);

    private void DrawToggle(Canvas c, int id, RectI r)
    {
        bool on = values[id] >= 0.5;
        uint fill = !on ? Palette.ToggleOff : id == EditorParameters.Bypass ? Palette.ToggleBypassOn : Palette.ToggleOn;
        c.FillRect(r, fill);
        c.StrokeRect(r, on ? Palette.Text : Palette.Grid);
        string name = EditorParameters.Name(id);
        float scale = Canvas.MeasureText(name.Length, 1.4f) <= r.W - 6 ? 1.4f : 1.25f;
        c.DrawTextCentered(r.X, r.Y + 7, r.W, name, scale, Palette.Text);
        string state = EditorParameters.StateWord(id, on);
        c.DrawTextCentered(r.X, r.Y + 24, r.W, state, 1.25f, on ? Palette.Text : Palette.DimText);
    }

    // ---------------- text scratch (allocation-free formatting) ----------------

    private int Put(string s, int at)
    {
        int n = Math.Min(s.Length, text.Length - at);
        s.AsSpan(0, n).CopyTo(text.AsSpan(at));
        return at + n;
    }

    private int PutNumber(float v, string format, int at)
    {
        if (!float.IsFinite(v)) return Put("-", at);
        return v.TryFormat(text.AsSpan(at), out int w, format, CultureInfo.InvariantCulture) ? at + w : at;
    }

    // ---------------- mouse ----------------

    /// <summary>The control under (x, y), or −1.</summary>
    public static int HitTest(int x, int y)
    {
        for (int id = 0; id < EditorParameters.Count; id++)
            if (ControlRect(id).Contains(x, y)) return id;
        return -1;
    }

    /// <summary>Left button pressed at (x, y); <paramref name="timeMs"/> is the event time (X11 Time) for double-click detection.</summary>
    public void MouseDown(int x, int y, long timeMs)
    {
        int id = HitTest(x, y);
        bool doubleClick = id >= 0 && id == lastPressId && timeMs - lastPressMs <= DoubleClickMs;
        lastPressId = id;
        lastPressMs = doubleClick ? long.MinValue / 2 : timeMs; // a triple click is a double click + a single click
        if (id < 0) return;
        if (dragId >= 0) EndDrag();
        if (doubleClick)
        {
            Edit(id, EditorParameters.Default(id));
            return;
        }
        if (EditorParameters.IsToggle(id))
        {
            Edit(id, values[id] >= 0.5 ? 0.0 : 1.0);
            return;
        }
        // Sliders move relative to the drag (no jump on click): a full track width = full range.
        dragId = id;
        dragStartX = x;
        dragStartValue = values[id];
        host?.BeginEdit(id);
        dirty = true;
    }

    public void MouseMove(int x, int y)
    {
        if (dragId < 0) return;
        var r = ControlRect(dragId);
        double v = Math.Clamp(dragStartValue + (double)(x - dragStartX) / r.W, 0.0, 1.0);
        if (v == values[dragId]) return;
        values[dragId] = v;
        host?.PerformEdit(dragId, v);
        dirty = true;
    }

    public void MouseUp(int x, int y)
    {
        if (dragId < 0) return;
        MouseMove(x, y);
        EndDrag();
    }

    private void EndDrag()
    {
        host?.EndEdit(dragId);
        dragId = -1;
        dirty = true;
    }

    /// <summary>Wheel over a control: <paramref name="steps"/> &gt; 0 increases (wheel up), each step = <see cref="WheelStep"/>; toggles flip.</summary>
    public void MouseWheel(int x, int y, int steps)
    {
        int id = HitTest(x, y);
        if (id < 0 || steps == 0 || id == dragId) return;
        double v = EditorParameters.IsToggle(id) ? (steps > 0 ? 1.0 : 0.0) : Math.Clamp(values[id] + steps * WheelStep, 0.0, 1.0);
        if (v != values[id]) Edit(id, v);
    }

    /// <summary>A complete one-shot edit: begin, perform, end (what a click, double-click or wheel step is to the host).</summary>
    private void Edit(int id, double v)
    {
        host?.BeginEdit(id);
        values[id] = v;
        host?.PerformEdit(id, v);
        host?.EndEdit(id);
        dirty = true;
    }
}
