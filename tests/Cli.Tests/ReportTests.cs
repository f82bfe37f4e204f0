using PercepNetFx.Audio;
using PercepNetFx.Editor;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// `percepnetfx report`: the picture is decoded by an independent PNG decoder (Python's zlib, as in
/// the editor's PNG tests) and checked for structure against facts known from the input signals.
/// Only the plot rectangles come from <see cref="ReportRenderer.Layout"/>; the axis mappings are
/// recomputed here from the documented axis ranges.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReportTests : IDisposable
{
    private const int Rate = 48000;
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

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

        double Mean(Image image, out double zeroDbShare)
        {
            double sum = 0;
            int count = 0, zero = 0;
            for (int y = panel.Y; y < panel.Bottom; y++)
                for (int x = TimeX(panel, 0.1, 2.0); x < TimeX(panel, 1.9, 2.0); x++)
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
