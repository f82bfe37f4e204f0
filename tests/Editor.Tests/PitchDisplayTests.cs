using System.Globalization;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Metering;

namespace PercepNetFx.Editor.Tests;

/// <summary>
/// The pitch readout and the 5 s trace show a pitch only where there is one: a harmonic tone of known
/// pitch reads as that pitch (to the tracker's integer period), white noise reads "--- Hz" and leaves a gap
/// in the trace, and a frame the tracker keeps voiced with a pitch correlation below its own voicing
/// threshold (the spec's ρ ≈ 0.25) is blank as well.
/// </summary>
public class PitchDisplayTests
{
    private const int Rate = 48000;
    private const int Block = 1600;                  // one UI frame at 30 fps
    private const int Frames = EditorView.TraceLength; // 5 s: trace point i is UI frame i
    private const double Low = 140, High = 220;
    // Seconds: tone at Low until ToneEnd, white noise until NoiseEnd, tone at High to the end.
    private const double ToneEnd = 2.0, NoiseEnd = 3.5;

    private static float[] Signal()
    {
        var x = new float[Frames * Block];
        var rng = new Random(8);
        double phase = 0;
        for (int n = 0; n < x.Length; n++)
        {
            double t = (double)n / Rate;
            if (t >= ToneEnd && t < NoiseEnd) { x[n] = (float)(0.2 * (rng.NextDouble() * 2 - 1)); continue; }
            double f0 = t < ToneEnd ? Low : High;
            phase += 2 * Math.PI * f0 / Rate;
            double s = 0;
            for (int k = 1; k * f0 < 8000; k++) s += Math.Sin(k * phase) / k; // band-limited sawtooth
            x[n] = (float)(0.1 * s);
        }
        return x;
    }

    /// <summary>What a period the tracker can find (an integer number of samples) reads as near <paramref name="f0"/>.</summary>
    private static string[] Readings(double f0) =>
        Enumerable.Range((int)Math.Round(Rate / f0) - 1, 3).Select(t => ((float)Rate / t).ToString("F1", CultureInfo.InvariantCulture) + " Hz").ToArray();

    /// <summary>The readout area as drawn with <paramref name="text"/> in the readout's place, scale and colour.</summary>
    private static uint[] Expected(string text)
    {
        var c = new Canvas(EditorView.Width, EditorView.Height);
        c.Clear(Palette.Panel);
        c.DrawText(EditorView.PitchPanel.X + 12, EditorView.PitchPanel.Y + 28, text, 2.5f, Palette.Text);
        return Readout(c);
    }

    private static readonly RectI ReadoutArea = new(EditorView.PitchPanel.X + 12, EditorView.PitchPanel.Y + 28, 134, Canvas.TextHeight(2.5f));

    private static uint[] Readout(Canvas c)
    {
        var r = ReadoutArea;
        var pixels = new uint[r.W * r.H];
        for (int y = 0; y < r.H; y++)
            for (int x = 0; x < r.W; x++) pixels[y * r.W + x] = c[r.X + x, r.Y + y];
        return pixels;
    }

    [Fact]
    public void TheReadoutShowsTheTonesPitchOnVoicedFramesAndNoPitchInNoise()
    {
        var x = Signal();
        var engine = new StreamingEngine(Rate, 1) { Meters = new MeterExchange() };
        var view = new EditorView(engine.Meters, null);
        var low = Readings(Low).Select(Expected).ToArray();
        var high = Readings(High).Select(Expected).ToArray();
        var output = new float[Block];
        for (int frame = 0; frame < Frames; frame++)
        {
            engine.Process(x.AsSpan(frame * Block, Block), output);
            view.Tick();
            view.Render();
            // The snapshot describes the frame two hops back (the tracker's lookahead) plus up to a block.
            double t = (frame * Block - 2.0 * Constants.HopSize) / Rate;
            uint[] shown = Readout(view.Canvas);
            bool Is(uint[][] candidates) => candidates.Any(e => e.AsSpan().SequenceEqual(shown));
            if (t > 0.3 && t < ToneEnd - 0.1) Assert.True(Is(low), $"frame {frame} ({t:F2} s): the {Low} Hz tone is not read as {string.Join(" or ", Readings(Low))}");
            if (t > NoiseEnd + 0.3) Assert.True(Is(high), $"frame {frame} ({t:F2} s): the {High} Hz tone is not read as {string.Join(" or ", Readings(High))}");
            if (t > ToneEnd + 0.1 && t < NoiseEnd - 0.05)
                Assert.True(shown.All(p => p != Palette.Text), $"frame {frame} ({t:F2} s): a pitch is shown in white noise");
        }
        // The gap in the trace: no trace pixel in the noise's columns, trace pixels at both tones' rows.
        var trace = EditorView.PitchTrace;
        float step = (trace.W - 1f) / (Frames - 1);
        int Column(double t) => (int)(trace.X + 0.5f + (float)((t * Rate + 2.0 * Constants.HopSize) / Block) * step);
        int Ink(double t0, double t1, int y0, int y1)
        {
            int ink = 0;
            for (int px = Column(t0); px < Column(t1); px++)
                for (int y = y0; y < y1; y++)
                {
                    uint p = view.Canvas[px, y];
                    if (((p >> 16) & 255) + 60 < (p & 255)) ink++; // the trace's blue over the plot's grey
                }
            return ink;
        }
        int Row(double hz) => (int)EditorView.TraceY((float)hz);
        Assert.Equal(0, Ink(ToneEnd + 0.15, NoiseEnd - 0.1, trace.Y, trace.Bottom));
        Assert.True(Ink(0.5, ToneEnd - 0.2, Row(Low) - 3, Row(Low) + 4) > 40, "no trace at the low tone's pitch");
        Assert.True(Ink(NoiseEnd + 0.4, 4.8, Row(High) - 3, Row(High) + 4) > 20, "no trace at the high tone's pitch");
    }

    [Fact]
    public void TheVoicingThresholdIsTheSpecsOne()
    {
        // §3.3 (f): unvoiced cost β_U + ρ against voiced 1 − ρ, β_U = 0.5: equal at ρ = 0.25.
        Assert.Equal(0.25f, PitchTracker.VoicingThreshold);
    }

    [Fact]
    public void AFrameHeldVoicedBelowTheVoicingThresholdShowsNoPitch()
    {
        // The tracker's Viterbi path can stay voiced while the correlation falls below the threshold (its switch
        // cost holds it): such a frame is drawn as unvoiced; at the threshold the pitch is shown.
        var exchange = new MeterExchange();
        var view = new EditorView(exchange, null);
        uint[] Show(float correlation)
        {
            var w = exchange.WriteBuffer;
            w.Hop = exchange.PublishedCount + 1;
            w.SampleRate = Rate;
            w.Voiced = true;
            w.PitchHz = 410.3f;
            w.PitchCorrelation = correlation;
            exchange.Publish();
            Assert.True(view.Tick());
            view.Render();
            return Readout(view.Canvas);
        }
        uint[] below = Show(PitchTracker.VoicingThreshold - 0.01f);
        Assert.DoesNotContain(Palette.Text, below);
        Assert.Contains(Palette.DimText, below); // "--- Hz"
        int ink = 0;
        var trace = EditorView.PitchTrace;
        for (int y = trace.Y; y < trace.Bottom; y++)
            for (int x = trace.X; x < trace.Right; x++)
            {
                uint p = view.Canvas[x, y];
                if (((p >> 16) & 255) + 60 < (p & 255)) ink++;
            }
        Assert.Equal(0, ink);
        Assert.Equal(Expected("410.3 Hz"), Show(PitchTracker.VoicingThreshold));
    }
}
