using System.Diagnostics;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;
using PercepNetFx.Offline.Metrics;
using PercepNetFx.Offline;

namespace PercepNetFx.Cli;

/// <summary>`percepnetfx denoise`: files, folders and globs through the denoiser.</summary>
public static partial class Commands
{
    public static int Denoise(ParsedArgs a)
    {
        a.NoOthers("strength", "postfilter", "comb", "model", "precision", "format", "listen", "overload-guard", "jobs", "force", "automation");
        if (a.Positional.Count != 2)
            throw a.WrongPositionals($"denoise needs IN and OUT (or a folder or glob and an output folder), got {Arguments(a.Positional)}");
        string inPath = a.Positional[0], outPath = a.Positional[1];
        var settings = ParseSettings(a);
        bool force = a.Switch("force", false);
        if (Batch.IsBatch(inPath))
        {
            if (a.Optional("automation") is not null) throw new UsageException("--automation applies to a single input file");
            if (File.Exists(outPath)) throw new UsageException($"{outPath}: is a file; batch output needs a folder");
            var jobs = Batch.Plan(inPath, outPath);
            if (!force && jobs.FirstOrDefault(j => FilePaths.Same(j.Output, j.Input)) is { } clash)
                throw new UsageException($"{outPath}: holds the inputs themselves ({clash.Input} would be replaced); give another output folder, or --force to replace them");
            int workers = (int)a.Number("jobs", Environment.ProcessorCount, 1, 256);
            if (a.Optional("format") is { } f) OutputFormat(f, WavSampleFormat.Float32); // validate before any work
            return Batch.Run(jobs, LoadModel(a.Optional("model")), settings, a.Optional("format"), workers, force);
        }
        if (a.Optional("jobs") is not null) throw new UsageException("--jobs applies to folders and globs only");
        WavOutputName(outPath);
        CheckOutput(outPath, force, inPath);
        var automation = a.Optional("automation") is { } automationPath ? LoadAutomation(automationPath, a) : null;
        var model = LoadModel(a.Optional("model"));
        using var input = AudioFiles.Open(inPath);
        CheckInput(input.Info, inPath);
        var format = OutputFormat(a.Optional("format") ?? "same", input.Info.Format);
        var progress = Progress.Start("denoise", input.Info.DurationSeconds);
        DenoiseFile(input, outPath, model, settings, format, progress.Report, automation: automation);
        progress.Done();
        return 0;
    }

    /// <summary>The automation file; a control may be set by its option or by a lane, not both.</summary>
    private static Automation LoadAutomation(string path, ParsedArgs a)
    {
        if (!File.Exists(path)) throw new UsageException($"{path}: no such automation file");
        Automation automation;
        try { automation = Automation.Load(path); }
        catch (AutomationFormatException e) { throw new UsageException(e.Message); }
        for (int i = 0; i < Controls.Count; i++)
            if (Controls.All[i].Option is { } option && automation.Has(i) && a.Optional(option) is not null)
                throw new UsageException($"--{option} and the automation file's {option} lane both set {option}: give one");
        return automation;
    }

    /// <summary>
    /// Streams one input through the denoiser into an atomic WAV file, block by block: memory does not grow with
    /// the file's length, and the output is identical to <see cref="OfflineRenderer.Render(float[][], int, PercepNetModel, DenoiseSettings, Action{double}?)"/>
    /// of the whole file. With <paramref name="levels"/>, the 10 ms frame energies of input and output are measured on the way.
    /// </summary>
    internal static void DenoiseFile(AudioInput input, string outPath, PercepNetModel model, DenoiseSettings settings,
        WavSampleFormat format, Action<double>? progress, (FrameEnergies In, FrameEnergies Out)? levels = null, Automation? automation = null)
    {
        var info = input.Info;
        using var writer = WavWriter.Create(outPath, info.SampleRate, info.ChannelCount, info.FrameCount, format);
        BlockSource read = (block, n) =>
        {
            input.Read(block, 0, n); // the renderer asks for exactly the frames the header promises
            levels?.In.Add(block, 0, n);
        };
        BlockSink write = (block, offset, n) =>
        {
            writer.Write(block, offset, n);
            levels?.Out.Add(block, offset, n);
        };
        if (automation is null) OfflineRenderer.Render(info.FrameCount, info.ChannelCount, info.SampleRate, read, write, model, settings, progress);
        else OfflineRenderer.Render(info.FrameCount, info.ChannelCount, info.SampleRate, read, write, model, settings, automation, progress);
        writer.Commit();
    }
}
