using PercepNetFx.Audio;
using PercepNetFx.Dsp.Network;
using PercepNetFx.Editor;
using PercepNetFx.Offline.Analysis;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// `percepnetfx report`: the picture is decoded by an independent PNG decoder (Python's zlib, as in
/// the editor's PNG tests) and checked for structure against facts known from the input signals.
/// Only the plot rectangles come from <see cref="ReportRenderer.Layout"/>; the axis mappings are
/// recomputed here from the documented axis ranges.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReportTests : CliTest
{
    private const int Rate = 48000;

    private sealed record Image(int Width, int Height, byte[] Rgba)
    {
        public (int R, int G, int B) this[int x, int y]
        {
            get { int o = 4 * (y * Width + x); return (Rgba[o], Rgba[o + 1], Rgba[o + 2]); }
        }

        public double Luma(int x, int y)
        {
            var (r, g, b) = this[x, y];
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }
    }

    private Image Decode(string png)
    {
        var (w, h, rgba) = PythonPng.Decode(png, dir.Path);
        return new Image(w, h, rgba);
    }

    private string WriteWav(string name, float[] samples)
    {
        string path = dir.File(name);
        WavWriter.Write(path, new AudioBuffer(Rate, new[] { samples }), WavSampleFormat.Float32);
        return path;
    }

    private Image Report(string input, params string[] extra)
    {
        string png = dir.File("report.png");
        var r = Cli.Run(["report", input, "--png", png, .. extra]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return Decode(png);
    }

    // Independent restatement of the documented axes: log frequency from 50 Hz (bottom) to 24 kHz (top),
    // pitch 50 Hz … 1 kHz, time 0 … duration across the plot's width.
    private static double LogY(RectI r, double f, double min, double max) => r.Y + r.H * (1 - Math.Log(f / min) / Math.Log(max / min));
    private static int TimeX(RectI r, double t, double duration) => (int)(r.X + r.W * t / duration);

    [Fact]
    public void PictureHasTheRequestedSizeAndTheProcessedAudioIsWritten()
    {
        var rng = new Random(5);
        var noise = new float[Rate];
        for (int i = 0; i < noise.Length; i++) noise[i] = 0.05f * (float)(rng.NextDouble() * 2 - 1);
        string input = WriteWav("noise.wav", noise), output = dir.File("out.wav");
        string png = dir.File("small.png");
        var r = Cli.Run("report", input, output, "--png", png, "--width", "900", "--height", "640");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var image = Decode(png);
        Assert.Equal((900, 640), (image.Width, image.Height));
        var audio = WavReader.Read(output);
        Assert.Equal(noise.Length, audio.FrameCount);
        Assert.Equal(Rate, audio.SampleRate);

        var dflt = Report(input);
        Assert.Equal((1600, 1000), (dflt.Width, dflt.Height));
        Assert.DoesNotContain(dir.Names(), n => n.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void SineRowsSitAtTheirFrequenciesOnTheLogAxis()
    {
        // 1 kHz for the first second, then 4 kHz: both are exact bins (50 Hz spacing).
        var x = new float[2 * Rate];
        for (int n = 0; n < x.Length; n++)
            x[n] = 0.5f * MathF.Sin(2 * MathF.PI * (n < Rate ? 1000 : 4000) * n / Rate);
        var image = Report(WriteWav("sines.wav", x), "--strength", "0");
        var panel = ReportRenderer.Layout(1600, 1000).Input;
        foreach (var (t0, t1, f) in new[] { (0.2, 0.8, 1000.0), (1.2, 1.8, 4000.0) })
        {
            double expected = LogY(panel, f, 50, 24000);
            for (double t = t0; t <= t1; t += 0.1)
            {
                int px = TimeX(panel, t, 2.0);
                int best = panel.Y;
                for (int y = panel.Y; y < panel.Bottom; y++)
                    if (image.Luma(px, y) > image.Luma(px, best)) best = y;
                Assert.True(Math.Abs(best + 0.5 - expected) <= 2, $"t={t:F1}s: brightest row {best}, {f} Hz maps to {expected:F1}");
            }
        }
    }

    [Fact]
    public void PitchTraceOfA200HzSawtoothSitsAt200Hz()
    {
        // Band-limited sawtooth, f0 = 200 Hz: harmonics 1 … 100 with amplitudes 1/k.
        var x = new float[2 * Rate];
        for (int n = 0; n < x.Length; n++)
        {
            double s = 0;
            for (int k = 1; k <= 100; k++) s += Math.Sin(2 * Math.PI * k * 200.0 * n / Rate) / k;
            x[n] = (float)(0.15 * s);
        }
        var image = Report(WriteWav("saw.wav", x));
        var panel = ReportRenderer.Layout(1600, 1000).Pitch;
        double expected = LogY(panel, 200, 50, 1000);
        var rows = new List<int>();
        for (int px = TimeX(panel, 0.3, 2.0); px < TimeX(panel, 1.7, 2.0); px++)
            for (int y = panel.Y; y < panel.Bottom; y++)
            {
                var (r, _, b) = image[px, y];
                if (b > 120 && b - r > 60) rows.Add(y); // the trace's blue; grid lines and background are grey
            }
        Assert.True(rows.Count > 200, $"only {rows.Count} trace pixels");
        rows.Sort();
        double median = rows[rows.Count / 2] + 0.5;
        Assert.True(Math.Abs(median - expected) <= 2, $"trace at row {median}, 200 Hz maps to {expected:F1}");
        // The whole trace sits near 200 Hz: no octave errors drawn as voiced.
        Assert.True(rows[rows.Count / 50] > expected - 8 && rows[rows.Count * 49 / 50] < expected + 8, "trace spread too wide");
    }

    [Fact]
    public void GainMapIsUniformAtZeroStrengthAndDarkerForNoiseAtFullStrength()
    {
        var rng = new Random(11);
        var noise = new float[2 * Rate];
        for (int i = 0; i < noise.Length; i++) noise[i] = 0.03f * (float)(rng.NextDouble() * 2 - 1);
        string input = WriteWav("noise.wav", noise);
        var panel = ReportRenderer.Layout(1600, 1000).Gains;
        var (r0, g0, b0) = Unpack(ReportRenderer.Heat(1f)); // the 0 dB end of the colour bar

        // The frequency grid's lines (100, 200, 500 Hz, 1, 2, 5, 10, 20 kHz on the 50 Hz … 24 kHz log axis) cross the map.
        var gridRows = new[] { 100.0, 200, 500, 1000, 2000, 5000, 10000, 20000 }.Select(f => (int)LogY(panel, f, 50, 24000)).ToHashSet();
        double Mean(Image image, out double zeroDbShare)
        {
            double sum = 0;
            int count = 0, zero = 0;
            for (int y = panel.Y; y < panel.Bottom; y++)
                for (int x = TimeX(panel, 0.1, 2.0); x < TimeX(panel, 1.9, 2.0) && !gridRows.Contains(y); x++)
                {
                    sum += image.Luma(x, y);
                    var (r, g, b) = image[x, y];
                    if (Math.Abs(r - r0) + Math.Abs(g - g0) + Math.Abs(b - b0) <= 12) zero++;
                    count++;
                }
            zeroDbShare = zero / (double)count;
            return sum / count;
        }

        double transparent = Mean(Report(input, "--strength", "0"), out double share);
        Assert.True(share > 0.95, $"only {share:P1} of the gain map at the 0 dB colour with strength 0");
        double suppressed = Mean(Report(input, "--strength", "1"), out _);
        Assert.True(suppressed < transparent - 60, $"mean brightness {suppressed:F0} at strength 1 vs {transparent:F0} at 0");
    }

    [Fact]
    public void TheSummaryLineIsOnStdoutAndOnThePictureWithNumbersRecomputedFromTheFiles()
    {
        // Harmonic bursts (a speech stand-in) over white noise, with 1 s of noise alone between them.
        const double Seconds = 7;
        var rng = new Random(21);
        var x = new float[(int)(Seconds * Rate)];
        bool Tone(double t) => t % 2.0 is >= 1.0 and < 2.0;
        for (int n = 0; n < x.Length; n++)
        {
            double t = (double)n / Rate, s = 0;
            if (Tone(t))
                for (int k = 1; k * 150 < 6000; k++) s += Math.Sin(2 * Math.PI * k * 150.0 * n / Rate) / k;
            x[n] = (float)(0.08 * s + 0.01 * (rng.NextDouble() * 2 - 1));
        }
        string input = WriteWav("mix.wav", x), output = dir.File("out.wav"), png = dir.File("summary.png");
        var r = Cli.Run("report", input, output, "--png", png, "--format", "f32");
        Assert.True(r.ExitCode == 0, r.Stderr);
        string line = Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var m = System.Text.RegularExpressions.Regex.Match(line,
            @"^summary: noise removed (-?\d+\.\d) dB over (\d+\.\d+) s of noise-only stretches; speech level (-?\d+\.\d) dBFS in, (-?\d+\.\d) dBFS out; model (\S+) (\S+)$");
        Assert.True(m.Success, line);
        double Value(int group) => double.Parse(m.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);

        // The documented rules, restated here on sox's decode of the two files: 10 ms frames; the noise floor is
        // the 10th percentile of the input's non-zero frame energies; noise-only stretches are runs of 20 or more
        // frames within 6 dB of it; speech level: RMS over the frames within 40 dB of the loudest.
        double[] Frames(string path)
        {
            float[] v = Sox.DecodeToF32(path, out _);
            var e = new double[v.Length / 480];
            for (int f = 0; f < e.Length; f++)
            {
                for (int i = 0; i < 480; i++) e[f] += (double)v[f * 480 + i] * v[f * 480 + i];
                e[f] /= 480;
            }
            return e;
        }
        double[] ein = Frames(input), eout = Frames(output);
        var sorted = ein.Where(e => e > 0).Order().ToArray();
        double ceiling = sorted[(int)(0.1 * (sorted.Length - 1))] * Math.Pow(10, 0.6);
        var quiet = new bool[ein.Length];
        for (int f = 0; f < ein.Length;)
        {
            int end = f;
            while (end < ein.Length && ein[end] > 0 && ein[end] <= ceiling) end++;
            for (int g = f; g < end && end - f >= 20; g++) quiet[g] = true;
            f = Math.Max(end, f + 1);
        }
        double Ratio(Func<int, bool> take) =>
            10 * Math.Log10(Enumerable.Range(0, ein.Length).Where(take).Sum(f => ein[f]) / Enumerable.Range(0, ein.Length).Where(take).Sum(f => eout[f]));
        static double Level(double[] e)
        {
            double threshold = e.Max() * 1e-4;
            return 10 * Math.Log10(e.Where(v => v > threshold).Average());
        }
        Assert.Equal(Ratio(f => quiet[f]), Value(1), 0.051);
        Assert.Equal(quiet.Count(q => q) * 0.01, Value(2), 0.006);
        Assert.Equal(Level(ein), Value(3), 0.051);
        Assert.Equal(Level(eout), Value(4), 0.051);
        Assert.Equal(ShippedModels.DefaultName, m.Groups[5].Value);

        // Against the signal as built: the stretches are most of the 4 s of noise alone, and the noise removed
        // over all of those 4 s (edges next to the bursts included, where the gains open and close) is what
        // the line says.
        Assert.InRange(Value(2), 3.2, 4.0);
        Assert.Equal(Ratio(f => !Tone(f * 0.01) && !Tone(f * 0.01 + 0.0099)), Value(1), 1.0);
        Assert.True(Value(1) > 6, $"only {Value(1)} dB of white noise removed");

        // The picture carries the same line, drawn in the header where the layout puts it.
        var layout = ReportRenderer.Layout(1600, 1000);
        var expected = new Canvas(1600, 1000);
        expected.Clear(Palette.Background);
        expected.DrawText(layout.Input.X, layout.SummaryY, line, layout.LabelScale, Palette.Text);
        var image = Decode(png);
        for (int y = layout.SummaryY; y < layout.SummaryY + Canvas.TextHeight(layout.LabelScale); y++)
            for (int px = layout.Input.X; px < layout.Input.X + Canvas.MeasureText(line.Length, layout.LabelScale); px++)
                Assert.Equal(Unpack(expected[px, y]), image[px, y]);
    }

    private static (int, int, int) Unpack(uint argb) => ((int)(argb >> 16) & 255, (int)(argb >> 8) & 255, (int)argb & 255);

    private void FailsLeavingNothing(string[] args, string expectedPart)
    {
        string[] before = dir.Names();
        var r = Cli.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        var line = Assert.Single(r.StderrLines);
        Assert.StartsWith("percepnetfx: error: ", line);
        Assert.Contains(expectedPart, line);
        Assert.Equal(before, dir.Names());
    }

    [Fact]
    public void ErrorsAreOneLineAndLeaveNoFiles()
    {
        string input = WriteWav("in.wav", new float[Rate / 2]);
        string png = dir.File("r.png"), wav = dir.File("o.wav");
        FailsLeavingNothing(["report", input, wav], "missing --png");
        FailsLeavingNothing(["report", dir.File("absent.wav"), wav, "--png", png], "absent.wav");
        string garbage = dir.File("garbage.wav");
        File.WriteAllText(garbage, "not a wav file at all");
        FailsLeavingNothing(["report", garbage, wav, "--png", png], "garbage.wav");
        FailsLeavingNothing(["report", input, wav, "--png", png, "--width", "10"], "--width");
        FailsLeavingNothing(["report", input, wav, "--png", png, "--height", "tall"], "--height");
        FailsLeavingNothing(["report", input, "--png", dir.File("no/such/folder/r.png")], "");
        FailsLeavingNothing(["report", input, wav, "--png", png, "--listen", "removed"], "--listen");
        FailsLeavingNothing(["report", "--png", png], "report needs IN.wav");
    }
}
