using System.Diagnostics;
using System.Globalization;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Offline.Analysis;
using PercepNetFx.Editor;
using PercepNetFx.Offline.Metrics;
using PercepNetFx.Dsp.Network;
using PercepNetFx.Offline;

namespace PercepNetFx.Cli;

/// <summary>The CLI commands: each reads files, calls the library, and writes results.</summary>
public static class Commands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Info(ParsedArgs a)
    {
        a.NoOthers();
        if (a.Positional.Count != 1) throw new UsageException("info takes one audio file");
        var (container, info) = AudioFiles.ReadInfo(a.Positional[0]);
        string inContainer = container == "WAV" ? "" : ", " + container;
        Console.Out.WriteLine(string.Create(Inv, $"{a.Positional[0]}: {info.Format} ({info.BitsPerSample}-bit{(info.IsExtensible ? ", extensible" : "")}{inContainer}), {info.SampleRate} Hz, {info.ChannelCount} channel(s), {info.FrameCount} frames, {info.DurationSeconds:F3} s"));
        return 0;
    }

    public static int Score(ParsedArgs a)
    {
        a.NoOthers("clean", "enhanced", "max-lag", "list");
        if (a.Positional.Count != 0) throw a.WrongPositionals($"score takes its files as --clean/--enhanced or --list, got {Arguments(a.Positional)}");
        int maxLag = (int)a.Number("max-lag", 2400, 0, 48000);
        string? list = a.Optional("list");
        if (list is null)
        {
            Console.Out.WriteLine(ScoreLine(a.Required("clean"), a.Required("enhanced"), maxLag));
            return 0;
        }
        if (a.Optional("clean") is not null || a.Optional("enhanced") is not null)
            throw new UsageException("score takes either --list or --clean/--enhanced, not both");
        // Batch mode for evaluation scripts: one process scores many pairs (saves the runtime's
        // start-up per pair). Every line is parsed before any scoring, so a malformed list fails fast.
        var pairs = new List<(string Clean, string Enhanced)>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(list))
        {
            lineNo++;
            if (raw.Trim().Length == 0 || raw.StartsWith('#')) continue;
            var f = raw.Split('\t');
            if (f.Length != 2 || f[0].Length == 0 || f[1].Length == 0)
                throw new UsageException($"{list}:{lineNo}: expected clean<TAB>enhanced");
            pairs.Add((f[0], f[1]));
        }
        // Lines are printed only when every pair scored, so a failure leaves stdout empty (the error contract).
        var lines = new List<string>(pairs.Count);
        foreach (var (c, e) in pairs)
        {
            try { lines.Add($"{e}\t{ScoreLine(c, e, maxLag)}"); }
            catch (Exception ex) when (ex is UsageException or WavFormatException or IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{list}: pair {c} / {e}: {ex.Message}");
            }
        }
        foreach (var line in lines) Console.Out.WriteLine(line);
        return 0;
    }

    private static string ScoreLine(string cleanPath, string enhancedPath, int maxLag)
    {
        var clean = ReadMono(cleanPath);
        var enhanced = ReadMono(enhancedPath);
        if (clean.Rate != enhanced.Rate) throw new UsageException($"sample rates differ: {clean.Rate} vs {enhanced.Rate} Hz");
        var m = MetricSet.Score(clean.Samples, enhanced.Samples, clean.Rate, maxLag);
        return string.Create(Inv, $"SI-SDR {m.SiSdrDb:F2} dB  STOI {m.Stoi:F4}  segSNR {m.SegSnrDb:F2} dB  lag {m.LagSamples} samples");
    }

    public static int Oracle(ParsedArgs a)
    {
        a.NoOthers("clean", "noisy", "mode", "force");
        if (a.Positional.Count != 1) throw a.WrongPositionals("oracle needs one output path");
        WavOutputName(a.Positional[0]);
        string mode = a.Required("mode");
        OracleMode oracleMode = mode switch
        {
            "stft" => OracleMode.Stft,
            "bands" => OracleMode.Bands,
            "bands+comb" => OracleMode.BandsComb,
            "bands+comb+postfilter" => OracleMode.BandsCombPostFilter,
            _ => throw new UsageException($"--mode must be stft, bands, bands+comb or bands+comb+postfilter, got '{mode}'"),
        };
        string cleanPath = a.Required("clean"), noisyPath = a.Required("noisy");
        CheckOutput(a.Positional[0], a.Switch("force", false), cleanPath, noisyPath);
        var clean = AudioFiles.Read(cleanPath);
        var noisy = AudioFiles.Read(noisyPath);
        if (noisy.ChannelCount > 2) throw new UsageException($"{noisyPath}: {noisy.ChannelCount} channels; only mono and stereo are supported");
        if (clean.SampleRate != noisy.SampleRate) throw new UsageException($"sample rates differ: {cleanPath} {clean.SampleRate} Hz, {noisyPath} {noisy.SampleRate} Hz");
        if (clean.FrameCount != noisy.FrameCount) throw new UsageException($"lengths differ: {cleanPath} {clean.FrameCount} frames, {noisyPath} {noisy.FrameCount} frames");

        float[][] output = Progress.Run($"oracle {mode}", noisy.FrameCount / (double)noisy.SampleRate, report =>
            OracleRender.Render(noisy.Channels, Mix(clean.Channels), noisy.SampleRate, oracleMode, report));
        WavWriter.Write(a.Positional[0], new AudioBuffer(noisy.SampleRate, output), WavSampleFormat.Float32);
        return 0;
    }

    public static int Features(ParsedArgs a)
    {
        a.NoOthers("noisy", "clean", "out", "lowpass-bin", "list");
        if (a.Positional.Count != 0) throw a.WrongPositionals($"features takes its files as --noisy/--clean/--out or --list, got {Arguments(a.Positional)}");
        var jobs = new List<(string Noisy, string Clean, int Lowpass, string Prefix)>();
        string? list = a.Optional("list");
        if (list is not null)
        {
            int lineNo = 0;
            foreach (var raw in File.ReadLines(list))
            {
                lineNo++;
                if (raw.Trim().Length == 0 || raw.StartsWith('#')) continue;
                var f = raw.Split('\t');
                if (f.Length != 4 || !int.TryParse(f[2], NumberStyles.Integer, Inv, out int k))
                    throw new UsageException($"{list}:{lineNo}: expected noisy<TAB>clean<TAB>lowpass_bin<TAB>out_prefix");
                jobs.Add((f[0], f[1], k, f[3]));
            }
        }
        else
        {
            jobs.Add((a.Required("noisy"), a.Required("clean"), (int)a.Number("lowpass-bin", Constants.BinCount, 0, 1_000_000), a.Required("out")));
        }
        // Every destination is checked before any work, so a bad prefix fails fast and leaves the other sets alone.
        foreach (var job in jobs)
            foreach (string path in RecordSetPaths(job.Prefix)) AtomicFile.CheckDestination(path);
        foreach (var job in jobs)
        {
            var noisy = ReadMono(job.Noisy);
            var clean = ReadMono(job.Clean);
            if (noisy.Rate != Constants.SampleRate || clean.Rate != Constants.SampleRate)
                throw new UsageException($"{job.Noisy}: features need 48 kHz input (got {noisy.Rate} and {clean.Rate} Hz)");
            if (noisy.Samples.Length != clean.Samples.Length)
                throw new UsageException($"{job.Noisy}: noisy and clean lengths differ ({noisy.Samples.Length} vs {clean.Samples.Length})");
            var set = FeatureExtractor.Extract(noisy.Samples, clean.Samples, job.Lowpass);
            WriteRecordSet(job.Prefix, set);
        }
        return 0;
    }

    /// <summary>
    /// Writes the three arrays of one sequence as a unit: each goes to a temporary name first and the
    /// three are renamed into place only when all were written, so a failure leaves no partial set.
    /// </summary>
    private static void WriteRecordSet(string prefix, FeatureSet set)
    {
        string[] paths = RecordSetPaths(prefix);
        var files = new (string Path, float[] Data, int Columns)[]
        {
            (paths[0], set.Features, Constants.FeatureCount),
            (paths[1], set.Gains, Constants.BandCount),
            (paths[2], set.Strengths, Constants.BandCount),
        };
        string tag = $".{Guid.NewGuid():N}.part";
        int moved = 0;
        try
        {
            foreach (var f in files) NpyWriter.Write(f.Path + tag, f.Data, set.Frames, f.Columns);
            for (; moved < files.Length; moved++) File.Move(files[moved].Path + tag, files[moved].Path, overwrite: true);
        }
        catch
        {
            // Temporaries, and any file of this set already renamed into place: the set is all or nothing.
            for (int i = 0; i < files.Length; i++)
            {
                try { File.Delete(i < moved ? files[i].Path : files[i].Path + tag); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            throw;
        }
    }

    private static string[] RecordSetPaths(string prefix) => [prefix + ".features.npy", prefix + ".gains.npy", prefix + ".strengths.npy"];

    public static int Denoise(ParsedArgs a)
    {
        a.NoOthers("strength", "postfilter", "comb", "model", "precision", "format", "listen", "overload-guard", "jobs", "force");
        if (a.Positional.Count != 2)
            throw a.WrongPositionals($"denoise needs IN and OUT (or a folder or glob and an output folder), got {Arguments(a.Positional)}");
        string inPath = a.Positional[0], outPath = a.Positional[1];
        var settings = ParseSettings(a);
        bool force = a.Switch("force", false);
        if (Batch.IsBatch(inPath))
        {
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
        var model = LoadModel(a.Optional("model"));
        using var input = AudioFiles.Open(inPath);
        CheckInput(input.Info, inPath);
        var format = OutputFormat(a.Optional("format") ?? "same", input.Info.Format);
        var progress = Progress.Start("denoise", input.Info.DurationSeconds);
        DenoiseFile(input, outPath, model, settings, format, progress.Report);
        progress.Done();
        return 0;
    }

    /// <summary>
    /// Streams one input through the denoiser into an atomic WAV file, block by block: memory does not grow with
    /// the file's length, and the output is identical to <see cref="OfflineRenderer.Render(float[][], int, PercepNetModel, DenoiseSettings, Action{double}?)"/>
    /// of the whole file. With <paramref name="levels"/>, the 10 ms frame energies of input and output are measured on the way.
    /// </summary>
    internal static void DenoiseFile(AudioInput input, string outPath, PercepNetModel model, DenoiseSettings settings,
        WavSampleFormat format, Action<double>? progress, (FrameEnergies In, FrameEnergies Out)? levels = null)
    {
        var info = input.Info;
        using var writer = WavWriter.Create(outPath, info.SampleRate, info.ChannelCount, info.FrameCount, format);
        OfflineRenderer.Render(info.FrameCount, info.ChannelCount, info.SampleRate,
            (block, n) =>
            {
                input.Read(block, 0, n); // the renderer asks for exactly the frames the header promises
                levels?.In.Add(block, 0, n);
            },
            (block, offset, n) =>
            {
                writer.Write(block, offset, n);
                levels?.Out.Add(block, offset, n);
            },
            model, settings, progress);
        writer.Commit();
    }

    /// <summary>What the denoiser accepts: mono or stereo at 8 … 384 kHz.</summary>
    internal static void CheckInput(WavInfo info, string path)
    {
        if (info.ChannelCount > 2) throw new UsageException($"{path}: {info.ChannelCount} channels; only mono and stereo are supported");
        if (!Constants.IsSupportedRate(info.SampleRate))
            throw new UsageException($"{path}: {info.SampleRate} Hz is outside {Constants.MinSampleRate} … {Constants.MaxSampleRate} Hz");
    }

    /// <summary>
    /// Before any work: the output's folder exists and the name is not a folder (one line naming the path, never a
    /// temporary file), and it does not name one of the inputs unless <paramref name="force"/> (the atomic write
    /// makes replacing an input safe: the input is read in full before the new file takes its name).
    /// </summary>
    private static void CheckOutput(string output, bool force, params string[] inputs)
    {
        AtomicFile.CheckDestination(output);
        if (force) return;
        foreach (string input in inputs)
            if (FilePaths.Same(output, input))
                throw new UsageException($"{output}: is the input file {input}; give another name, or --force to replace it");
    }

    private static string Arguments(List<string> positional) =>
        positional.Count == 0 ? "none" : $"{positional.Count}: {string.Join(' ', positional.Select(p => $"'{p}'"))}";

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

    /// <summary>Outputs are always WAV: a name that promises AIFF would hold WAV bytes, so it is refused.</summary>
    private static void WavOutputName(string path)
    {
        string ext = Path.GetExtension(path);
        if (ext.Equals(".aif", StringComparison.OrdinalIgnoreCase) || ext.Equals(".aiff", StringComparison.OrdinalIgnoreCase) || ext.Equals(".aifc", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"{path}: outputs are written as WAV; give the file a .wav name");
    }

    /// <summary>The index of a discrete control's choice, written as its label in lower case; the default when absent.</summary>
    private static int Choice(ParsedArgs a, Control c)
    {
        var words = c.Labels!.Select(l => l.ToLowerInvariant()).ToArray();
        string? given = a.Optional(c.Option!);
        if (given is null) return (int)Math.Round(c.DefaultNormalized * c.StepCount);
        int i = Array.IndexOf(words, given);
        return i >= 0 ? i : throw new UsageException($"--{c.Option} must be {string.Join(" or ", words)}, got '{given}'");
    }

    /// <summary>The §10 controls (options and defaults from <see cref="Controls"/>) and the network arithmetic from the command line.</summary>
    public static DenoiseSettings ParseSettings(ParsedArgs a)
    {
        float strength = (float)a.Number(Controls.Strength.Option!, Controls.Strength.DefaultNormalized, 0, 1);
        float postFilter = (float)a.Number(Controls.PostFilter.Option!, Controls.PostFilter.DefaultNormalized, 0, 1);
        bool comb = a.Switch(Controls.Comb.Option!, Controls.Comb.DefaultNormalized >= 0.5);
        var precision = (a.Optional("precision") ?? "int8") switch
        {
            "int8" => NetworkPrecision.Int8,
            "float" => NetworkPrecision.Float32,
            var v => throw new UsageException($"--precision must be int8 or float, got '{v}'"),
        };
        var listen = (ListenMode)Choice(a, Controls.Listen);
        bool guard = a.Switch("overload-guard", true);
        return new DenoiseSettings(strength, postFilter, comb, precision, listen, guard);
    }

    /// <summary>The embedded default, an embedded model by name, or a .safetensors file; errors name the file.</summary>
    public static PercepNetModel LoadModel(string? spec)
    {
        try
        {
            if (spec is null) return ShippedModels.LoadDefault();
            if (!spec.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) && ShippedModels.Names.Contains(spec))
                return ShippedModels.Load(spec);
            if (!File.Exists(spec))
                throw new UsageException($"{spec}: no such model file (embedded models: {string.Join(", ", ShippedModels.Names)})");
            using var stream = File.OpenRead(spec);
            return PercepNetModel.Load(stream);
        }
        catch (ModelFormatException e)
        {
            throw new UsageException($"{spec ?? "embedded model " + ShippedModels.DefaultName}: {e.Message}");
        }
    }

    public static WavSampleFormat OutputFormat(string name, WavSampleFormat input) => name switch
    {
        // "same" keeps the input's container, except 8-bit, whose noise floor would undo the suppression.
        "same" => input == WavSampleFormat.Pcm8 ? WavSampleFormat.Pcm16 : input,
        "s16" => WavSampleFormat.Pcm16,
        "s24" => WavSampleFormat.Pcm24,
        "f32" => WavSampleFormat.Float32,
        _ => throw new UsageException($"--format must be same, s16, s24 or f32, got '{name}'"),
    };

    public static int Bench(ParsedArgs a)
    {
        a.NoOthers("seconds", "stages", "model", "network", "config", "runs");
        if (a.Positional.Count != 0) throw a.WrongPositionals($"bench takes no file arguments, got {Arguments(a.Positional)}");
        double seconds = a.Number("seconds", 20, 1, 3600);
        double runsAsked = a.Number("runs", 1, 1, 99);
        int runs = (int)runsAsked;
        if (runs != runsAsked) throw new UsageException($"--runs must be a whole number, got {runsAsked.ToString(Inv)}");
        // Every option is checked, and the model loaded, before the first measurement: a mistake fails at once.
        string? config = a.Optional("config");
        if (config is not null && a.Optional("model") is not null) throw new UsageException("--config and --model exclude each other");
        if (config is not null && !RandomModel.Configs.ContainsKey(config))
            throw new UsageException($"--config must be one of {string.Join(", ", RandomModel.Configs.Keys)}, got '{config}'");
        var model = !a.Switch("network", true) ? null : config is null ? LoadModel(a.Optional("model")) : RandomModel.Create(config);
        if (a.Switch("stages", false))
        {
            foreach (var (stage, us) in Benchmark.Stages()) Console.Out.WriteLine(string.Create(Inv, $"{stage,-28} {us,8:F2} µs"));
        }
        void Line(string label, Func<BenchmarkResult> measure)
        {
            var (r, min, max) = Benchmark.Repeat(runs, measure);
            string spread = runs == 1 ? "" : string.Create(Inv, $", median of {runs} runs, range {min:F1}–{max:F1} µs");
            Console.Out.WriteLine(string.Create(Inv,
                $"{label,-34} {r.MicrosecondsPerHop,7:F1} µs per 10 ms hop = {100 * r.RealTimeShare:F3} % of one core (p99.9 {r.P999Microseconds:F1} µs{spread})"));
        }
        foreach (int channels in new[] { 1, 2 })
            Line($"chain without network, {(channels == 1 ? "mono" : "stereo")}", () => Benchmark.Chain(channels, seconds));
        if (model is null) return 0;
        long weights = model.WeightCount;
        Console.Out.WriteLine(string.Create(Inv,
            $"model {model.Name} {model.Version}: D={model.D} C={model.C} H={model.H} R={model.R}, {weights / 1e6:F3} M weights"));
        foreach (var precision in new[] { NetworkPrecision.Float32, NetworkPrecision.Int8 })
        {
            string p = precision == NetworkPrecision.Int8 ? "int8" : "float";
            Line($"network alone, {p}", () => Benchmark.Network(new NetworkRunner(model, precision), seconds));
            Line($"chain with network {p}, mono", () => Benchmark.Chain(1, seconds, new OverloadGuard(new NetworkRunner(model, precision))));
        }
        Line("chain with network int8, stereo", () => Benchmark.Chain(2, seconds, new OverloadGuard(new NetworkRunner(model, NetworkPrecision.Int8))));
        Line("chain int8, mono, 0 dBFS overload", () => Benchmark.Chain(1, seconds, new OverloadGuard(new NetworkRunner(model, NetworkPrecision.Int8)), overload: true));
        return 0;
    }

    private static (float[] Samples, int Rate) ReadMono(string path)
    {
        var audio = AudioFiles.Read(path);
        return (Mix(audio.Channels), audio.SampleRate);
    }

    /// <summary>Mid signal (L + R)/2 for stereo, the channel itself for mono.</summary>
    private static float[] Mix(float[][] channels)
    {
        if (channels.Length == 1) return channels[0];
        var mid = new float[channels[0].Length];
        for (int c = 0; c < channels.Length; c++)
            for (int n = 0; n < mid.Length; n++) mid[n] += channels[c][n] / channels.Length;
        return mid;
    }
}

/// <summary>
/// The progress line of a single long file: "label: 42 %" rewritten in place with a carriage return, then
/// "label: done, … s of audio in … s". Shown only when stderr is a terminal, as progress meters of other
/// command line tools are: a log or a pipe gets no carriage-return clutter, and a successful run stays
/// silent there. Short inputs finish before a meter would be read, so they show none either.
/// </summary>
public sealed class Progress
{
    /// <summary>Inputs at most this long (audio seconds) show no progress line.</summary>
    public const double MinSeconds = 5;

    private readonly string label;
    private readonly double audioSeconds;
    private readonly TextWriter output;
    private readonly bool show;
    private readonly Stopwatch watch = Stopwatch.StartNew();
    private int lastPercent = -1;

    /// <param name="terminal">Whether <paramref name="output"/> is a terminal.</param>
    public Progress(string label, double audioSeconds, TextWriter output, bool terminal)
    {
        this.label = label;
        this.audioSeconds = audioSeconds;
        this.output = output;
        show = terminal && audioSeconds > MinSeconds;
    }

    /// <summary>Progress on the process's stderr.</summary>
    public static Progress Start(string label, double audioSeconds) => new(label, audioSeconds, Console.Error, !Console.IsErrorRedirected);

    /// <summary>The fraction done, 0 … 1; the line is rewritten only when the whole percentage changes.</summary>
    public void Report(double fraction)
    {
        // The small offset keeps fractions given as whole percentages (0.29 is 28.999… % in binary) on their value.
        int percent = (int)Math.Floor(100 * Math.Clamp(fraction, 0, 1) + 1e-9);
        if (!show || percent == lastPercent) return;
        lastPercent = percent;
        output.Write(string.Create(CultureInfo.InvariantCulture, $"\r{label}: {percent} %"));
        output.Flush();
    }

    public void Done()
    {
        if (!show) return;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\r{label}: done, {audioSeconds:F1} s of audio in {watch.Elapsed.TotalSeconds:F1} s"));
    }

    /// <summary>Runs <paramref name="work"/> with a progress line on stderr.</summary>
    public static T Run<T>(string label, double audioSeconds, Func<Action<double>, T> work)
    {
        var progress = Start(label, audioSeconds);
        T result = work(progress.Report);
        progress.Done();
        return result;
    }
}
