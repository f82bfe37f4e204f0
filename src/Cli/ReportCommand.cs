using PercepNetFx.Audio;
using PercepNetFx.Offline.Analysis;
using PercepNetFx.Editor;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Cli;

/// <summary>`percepnetfx report`: the denoised file and its picture.</summary>
public static partial class Commands
{
    public static int Report(ParsedArgs a)
    {
        a.NoOthers("png", "width", "height", "strength", "postfilter", "comb", "model", "precision", "format", "force");
        if (a.Positional.Count is < 1 or > 2) throw a.WrongPositionals("report needs IN.wav and optionally OUT.wav, plus --png REPORT.png");
        string pngPath = a.Required("png");
        int width = (int)a.Number("width", 1600, ReportRenderer.MinWidth, 8000);
        int height = (int)a.Number("height", 1000, ReportRenderer.MinHeight, 8000);
        var settings = ParseSettings(a);
        bool force = a.Switch("force", false);
        string inPath = a.Positional[0];
        string? outPath = a.Positional.Count == 2 ? a.Positional[1] : null;
        if (outPath is not null && FilePaths.Same(outPath, pngPath)) throw new UsageException("OUT.wav and --png name the same file");
        if (outPath is not null) WavOutputName(outPath);
        CheckOutput(pngPath, force, inPath);
        if (outPath is not null) CheckOutput(outPath, force, inPath);
        var model = LoadModel(a.Optional("model"));
        var noisy = AudioFiles.Read(inPath);
        var inputInfo = AudioFiles.ReadInfo(inPath).Info;
        CheckInput(inputInfo, inPath);
        if (noisy.FrameCount == 0) throw new UsageException($"{inPath}: no audio frames");
        var format = OutputFormat(a.Optional("format") ?? "same", inputInfo.Format);

        var data = Progress.Run("report", noisy.FrameCount / (double)noisy.SampleRate, report =>
            ReportData.Compute(noisy.Channels, noisy.SampleRate, model, settings, report));
        string caption = string.Create(Inv, $"{Path.GetFileName(inPath)}, {noisy.SampleRate} Hz, {data.DurationSeconds:0.0#} s; model {model.Name} {model.Version}; strength {settings.Strength:0.##}, post-filter {settings.PostFilterAmount:0.##}, comb {(settings.CombEnabled ? "on" : "off")}");
        string summary = SummaryLine(data.Summary, model);
        var canvas = ReportRenderer.Render(data, width, height, caption, summary);

        // The picture goes to a temporary file next to its destination first; the WAV (itself atomic)
        // follows, and only then is the picture renamed into place, so a failure anywhere leaves neither
        // a partial PNG nor a WAV without its report.
        bool wavWritten = false;
        try
        {
            using var png = new AtomicFile(pngPath);
            PngWriter.Write(png.Stream, canvas.Pixels, canvas.Width, canvas.Height);
            if (outPath is not null)
            {
                WavWriter.Write(outPath, new AudioBuffer(noisy.SampleRate, data.Output), format);
                wavWritten = true;
            }
            png.Commit();
        }
        catch
        {
            if (wavWritten) { try { File.Delete(outPath!); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
            throw;
        }
        Console.Out.WriteLine(summary);
        return 0;
    }

    /// <summary>The report's summary, on its picture and on stdout (definitions: <see cref="ReportSummary"/>).</summary>
    public static string SummaryLine(ReportSummary s, PercepNetModel model)
    {
        string removed = !s.HasNoiseOnly ? "noise removed: no noise-only stretch found"
            : double.IsPositiveInfinity(s.NoiseRemovedDb) ? string.Create(Inv, $"noise removed: all (output silent) over {s.NoiseOnlySeconds:0.0#} s of noise-only stretches")
            : string.Create(Inv, $"noise removed {s.NoiseRemovedDb:F1} dB over {s.NoiseOnlySeconds:0.0#} s of noise-only stretches");
        return string.Create(Inv, $"summary: {removed}; speech level {Level(s.InputLevelDbfs)} in, {Level(s.OutputLevelDbfs)} out; model {model.Name} {model.Version}");
    }

    private static string Level(double dbfs) => double.IsFinite(dbfs) ? dbfs.ToString("F1", Inv) + " dBFS" : "silent";
}
