using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Metering;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Editor.Tests;

/// <summary>
/// Runs the committed noisy speech through the real engine with meters attached and an editor
/// ticking at 30 fps of audio time, like the plug-in does, then checks the picture against the
/// engine's own numbers. With PERCEPNETFX_SCREENSHOT=path it also writes the PNG (that is how
/// scripts/editor_screenshot.sh makes docs/editor.png).
/// </summary>
public class SpeechScreenshotTests
{
    public const int SamplesPerFrame = 48000 / 30;

    /// <summary>Processes samples/noisy.wav until the first frame at or after <paramref name="stopSeconds"/> whose pitch the editor shows.</summary>
    internal static (EditorView View, StreamingEngine Engine, string Source) RunSpeech(double stopSeconds)
    {
        var noisy = WavReader.Read(Repo.PathOf("samples/noisy.wav")).Channels[0];
        var clean = WavReader.Read(Repo.PathOf("samples/clean.wav")).Channels[0];
        var engine = new StreamingEngine(48000, 1) { Meters = new MeterExchange() };
        string source;
        if (ShippedModels.Names.Contains(ShippedModels.DefaultName))
        {
            engine = new Denoiser(48000, 1, 0, ShippedModels.LoadDefault(), new DenoiseSettings()) { Meters = engine.Meters }.Engine;
            source = "shipped model " + ShippedModels.DefaultName;
        }
        else
        {
            // No trained model on this branch yet: the §6 oracle gains and comb strengths computed from
            // the clean reference, i.e. what a perfect network would output.
            engine.GainSource = new OracleGainSource(OracleMode.BandsComb);
            source = "oracle (bands + comb)";
        }
        var view = new EditorView(engine.Meters, null);
        var output = new float[SamplesPerFrame];
        for (int start = 0; start + SamplesPerFrame <= noisy.Length; start += SamplesPerFrame)
        {
            var block = noisy.AsSpan(start, SamplesPerFrame);
            var reference = clean.AsSpan(start, SamplesPerFrame);
            engine.Process(block, output, reference); // one 1600-sample host block per UI frame
            view.Tick();
            if (start >= stopSeconds * 48000 && EditorView.ShowsPitch(view.Current)) break;
        }
        view.Render();
        return (view, engine, source);
    }

    [Fact]
    public void EditorShowsTheProcessedSpeech()
    {
        var (view, engine, source) = RunSpeech(4.5);
        var s = view.Current;
        // The snapshot is the engine's last hop.
        for (int b = 0; b < 34; b++) Assert.Equal(MeterSnapshot.ToDb(engine.Core.AppliedGain[b]), s.BandGainDb[b]);
        Assert.Equal(engine.Core.Analysis.Step + 1, s.Hop);
        Assert.True(s.Voiced);
        Assert.Equal(engine.LatencySamples, s.LatencySamples);

        var c = view.Canvas;
        var plot = EditorView.BandPlot;
        int reduced = 0;
        for (int b = 0; b < 34; b++)
        {
            int x = plot.X + b * EditorView.BandPitch + EditorView.BandPitch / 2;
            int bar = EditorView.BandBarPixels(s.BandGainDb[b]);
            int hold = EditorView.BandBarPixels(view.PeakHoldDb[b]);
            if (bar >= 1 && hold >= bar + 2) { Assert.Equal(Palette.Reduction, c[x, plot.Y + bar - 1]); reduced++; }
            if (hold == 0) Assert.Equal(Palette.PlotBackground, c[x, plot.Y]);
            int below = plot.Y + Math.Max(bar, hold) + 1;
            if (below < plot.Bottom) Assert.Contains(c[x, below], new[] { Palette.PlotBackground, Palette.Grid, Palette.DimText });
        }
        Assert.True(reduced >= 5, $"{source}: only {reduced} bands show reduction");

        // The pitch trace holds several seconds of voiced frames: count its bright pixels.
        var t = EditorView.PitchTrace;
        int ink = 0;
        for (int y = t.Y; y < t.Bottom; y++)
            for (int x = t.X + 70; x < t.Right; x++)
            {
                uint p = c[x, y];
                if (((p >> 16) & 255) < ((p >> 0) & 255) - 60) ink++; // bluish: the trace colour blended over dark grey
            }
        Assert.True(ink > 150, $"pitch trace too sparse ({ink} px)");

        string? path = Environment.GetEnvironmentVariable("PERCEPNETFX_SCREENSHOT");
        using var dir = new TempDir();
        path = string.IsNullOrEmpty(path) ? dir.File("editor.png") : Path.GetFullPath(path);
        PngWriter.Write(path, c);
        string decoded = PngTests.RunPython("-c", "import sys,struct;d=open(sys.argv[1],'rb').read();print(*struct.unpack('>II',d[16:24]))", path);
        Assert.Equal("900 520", decoded.Trim());
    }
}
