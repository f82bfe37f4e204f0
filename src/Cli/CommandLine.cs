using System.Reflection;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Cli;

/// <summary>Argument parsing and dispatch; every error is one line on stderr and a non-zero exit.</summary>
public static class CommandLine
{
    public static readonly string Usage = $"""
        percepnetfx: PercepNet voice noise suppression (48 kHz, 10 ms hops, 30 ms latency)

        usage:
          percepnetfx denoise IN.wav OUT.wav {SettingOptions}
                      [--model NAME|M.safetensors] [--precision int8|float] [--format same|s16|s24|f32]
                      [--listen output|removed] [--overload-guard on|off] [--automation FILE] [--force]
          percepnetfx denoise FOLDER|'GLOB' OUTFOLDER [same options] [--jobs N] [--force]
                      (folders: every .wav/.aif/.aiff/.aifc below; globs: * ? **; structure kept; up-to-date outputs skipped)
          percepnetfx report IN.wav [OUT.wav] --png REPORT.png [--width 1600] [--height 1000]
                      [--strength ..] [--postfilter ..] [--comb on|off] [--model ..] [--precision ..] [--format ..] [--force]
                      (spectrograms in and out, band gains, comb strengths, pitch, and a summary: one PNG)
          percepnetfx info FILE.wav
          percepnetfx score --clean C.wav --enhanced E.wav [--max-lag SAMPLES]
          percepnetfx score --list PAIRS.tsv [--max-lag SAMPLES]   (lines: clean<TAB>enhanced; prints enhanced<TAB>scores)
          percepnetfx oracle --clean C.wav --noisy N.wav --mode stft|bands|bands+comb|bands+comb+postfilter OUT.wav [--force]
          percepnetfx features --noisy N.wav --clean C.wav --out PREFIX [--lowpass-bin K] [--mask-bin M]
          percepnetfx features --list LIST.tsv        (lines: noisy<TAB>clean<TAB>lowpass_bin<TAB>out_prefix[<TAB>mask_bin])
          percepnetfx bench [--seconds S] [--runs N] [--stages] [--network off] [--model NAME|M.safetensors | --config tiny|small|medium|paper]
                      (--config: random weights of that size, docs/design.md §11; --runs: median and range of N runs per line)
          percepnetfx COMMAND --help     (what the command does and its options)
          percepnetfx --version          (the program's version and the default model's)

        Inputs: WAV (PCM 8-32-bit, float 32/64), RF64, AIFF and uncompressed AIFF-C, mono or stereo, {Constants.MinSampleRate / 1000}-{Constants.MaxSampleRate / 1000} kHz;
        outputs are WAV.
        Defaults: {DefaultsLine} --precision int8 (docs/decisions.md: post-filter default).
        Options written on|off may be given alone: --force means --force on.
        Output files are written atomically: a failed run leaves no partial file. An output that would replace
        an input file is refused unless --force is given.
        """;

    private static readonly string DenoiseOptions = string.Join("\n",
        new[] { Controls.Strength, Controls.PostFilter, Controls.Comb }.Select(OptionLine).Concat(new[]
        {
            "  --model NAME|M.safetensors   an embedded model by name, or a model file (default: the embedded default)",
            "  --precision int8|float       network arithmetic (default int8)",
            "  --format same|s16|s24|f32    output samples (default same as the input; 8-bit input gives s16)",
        }));

    /// <summary>A control's option as the help lists it: name, values, description and default (from <see cref="Controls"/>).</summary>
    private static string OptionLine(Control c) => $"  {$"--{c.Option} {OptionValues(c)}",-29}{c.OptionHelp} (default {OptionDefault(c)})";

    /// <summary>"0..1" for a continuous control; its choices for a discrete one (on|off for a switch).</summary>
    public static string OptionValues(Control c) => IsSwitch(c) ? "on|off"
        : c.Labels is { } labels ? string.Join("|", labels.Select(l => l.ToLowerInvariant())) : "0..1";

    /// <summary>The default as the option is written: the normalised number, or the choice's word.</summary>
    public static string OptionDefault(Control c) => c.Labels is { } labels
        ? labels[(int)Math.Round(c.DefaultNormalized * c.StepCount)].ToLowerInvariant()
        : c.DefaultNormalized.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An Off/On control is an on|off switch on the command line (<see cref="ParsedArgs.Switch"/>).</summary>
    public static bool IsSwitch(Control c) => c.Labels is ["Off", "On"];

    /// <summary>The automation file's control names and values, one help line each (from <see cref="Controls"/>).</summary>
    private static string AutomationHelp => string.Join("\n", Controls.All.Select(c =>
        $"{"",31}{Offline.Automation.NameOf(c),-11}" + (c.Labels is { } labels
            ? string.Join("|", labels.Select(l => l.ToLowerInvariant()))
            : $"{c.Min.ToString(System.Globalization.CultureInfo.InvariantCulture)}..{c.Max.ToString(System.Globalization.CultureInfo.InvariantCulture)} ({c.Unit})")));

    private static string SettingOptions => string.Join(" ",
        new[] { Controls.Strength, Controls.PostFilter, Controls.Comb }.Select(c => $"[--{c.Option} {OptionValues(c)}]"));

    private static string DefaultsLine => string.Join(" ",
        Controls.All.Where(c => c.Option is not null && c != Controls.Listen).Select(c => $"--{c.Option} {OptionDefault(c)}"));

    /// <summary>The text of <c>percepnetfx COMMAND --help</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> CommandHelp = new Dictionary<string, string>
    {
        ["denoise"] = $"""
            usage: percepnetfx denoise IN OUT [options]
                   percepnetfx denoise FOLDER|'GLOB' OUTFOLDER [options] [--jobs N] [--force]

            Removes noise from speech. OUT is a WAV file with the input's rate, channels and length, sample-aligned
            with it (the 30 ms latency is compensated). The input is read and the output written block by block, so
            a file of any length runs in the same small memory.
            Inputs longer than {Progress.MinSeconds} s show a progress line on stderr when it is a terminal.
            A folder is processed file by file (every .wav/.aif/.aiff/.aifc below it, the folder structure kept under
            OUTFOLDER); a glob ('*' within a folder, '**' across folders, '?' one character; quote it) takes the
            files it matches. Outputs newer than their input are skipped, and a table of the files ends the run.

            options:
            {DenoiseOptions}
            {OptionLine(Controls.Listen)}
              --overload-guard on|off      keep overload input (DC, full-scale tones) from biasing the network (default on)
              --automation FILE            single files: the controls follow automation lanes, as the plug-in follows
                                           a DAW's. One point per line: time_seconds,control,value[,ramp|step]
            {AutomationHelp}
                                           ramp (default for % values): a straight line from the control's previous
                                           point; step (the only shape for choices): the value jumps at the point's
                                           time. Before a lane's first point its first value holds, after its last
                                           point its last. '#' starts a comment. Each 10 ms hop uses the values at
                                           the sample that completes it; bypass and listen cross-fade over one hop
                                           from the point's sample. A control can have a lane or its option, not both.
              --force [on|off]             allow OUT to be IN itself (it is replaced only when the run succeeded);
                                           folders: also redo outputs that are up to date
              --jobs N                     folders and globs: files processed at once (default: one per core)
            """,
        ["report"] = $"""
            usage: percepnetfx report IN [OUT.wav] --png REPORT.png [options]

            Denoises IN like `denoise` (OUT.wav, if given, is that output) and draws one picture: the input and
            output spectrograms, the band gains and comb-filter strengths as applied per frequency (on the
            spectrograms' frequency axis), the pitch of voiced frames, and a summary line, which is also printed on
            stdout: the noise removed over the input's noise-only stretches, the speech level in and out, and the model.

            options:
              --png REPORT.png             the picture (required)
              --width W, --height H        its size in pixels (default 1600 x 1000)
            {DenoiseOptions}
              --force [on|off]             allow OUT.wav or REPORT.png to be IN itself
            """,
        ["info"] = """
            usage: percepnetfx info FILE

            Prints the file's sample format, container, rate, channels, frames and duration.
            """,
        ["score"] = """
            usage: percepnetfx score --clean C.wav --enhanced E.wav [--max-lag SAMPLES]
                   percepnetfx score --list PAIRS.tsv [--max-lag SAMPLES]

            Scores an enhanced file against its clean reference: SI-SDR, STOI and segmental SNR after aligning
            them (a delay of up to --max-lag samples, default 2400). With --list, every line clean<TAB>enhanced
            is scored and printed as enhanced<TAB>scores; nothing is printed unless every pair scored.
            """,
        ["oracle"] = """
            usage: percepnetfx oracle --clean C.wav --noisy N.wav --mode MODE OUT.wav [--force]

            Renders the noisy file with gains computed from the clean reference (what a perfect network would
            output). MODE: stft (per-bin magnitude), bands (34 band gains), bands+comb (plus comb filtering),
            bands+comb+postfilter (plus the post-filter). --force allows OUT.wav to be one of the inputs.
            """,
        ["features"] = """
            usage: percepnetfx features --noisy N.wav --clean C.wav --out PREFIX [--lowpass-bin K] [--mask-bin M]
                   percepnetfx features --list LIST.tsv

            Writes the network's training arrays for a 48 kHz mixture: PREFIX.features.npy, PREFIX.gains.npy
            and PREFIX.strengths.npy (all three or none). Bins from K on (default: none) are removed from input
            and target, and the targets above them masked (docs/design.md §8.4 step 6). Targets above bin M are
            masked too, the input left as it is: for speech recorded with less bandwidth than the noise.
            With --list, every line noisy<TAB>clean<TAB>lowpass_bin<TAB>out_prefix[<TAB>mask_bin] is one mixture.
            """,
        ["bench"] = """
            usage: percepnetfx bench [--seconds S] [--runs N] [--stages] [--network off] [--model M | --config C]

            Times the processing chain per 10 ms hop on a synthetic voiced signal, without and with the network,
            mono and stereo, and prints the share of one CPU core it needs in real time.

            options:
              --seconds S                  audio seconds per measurement (default 20)
              --runs N                     repeat each line N times; print the median and the range (default 1)
              --stages [on|off]            also time each stage of the chain
              --network on|off             off: only the chain without the network (default on)
              --model NAME|M.safetensors   the model timed (default: the embedded default)
              --config tiny|small|medium|paper   random weights of that size instead of a model
            """,
    };

    /// <summary>Options that take on|off and may be given alone, meaning on.</summary>
    private static readonly HashSet<string> Switches =
        ["force", "overload-guard", "stages", "network", .. Controls.All.Where(c => c.Option is not null && IsSwitch(c)).Select(c => c.Option!)];

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            if (args.Length == 2 && args[0] == "help" && CommandHelp.TryGetValue(args[1], out var text))
            {
                Console.Out.WriteLine(text);
                return 0;
            }
            if (args.Length >= 2 && args[0] == "help") return Fail($"unknown command '{args[1]}' (commands: {string.Join(", ", CommandHelp.Keys)})");
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "-V")
        {
            if (args.Length > 1) return Fail($"--version takes no arguments, got '{args[1]}'");
            return Version();
        }
        // --help anywhere after a known command shows that command's help, whatever else is on the line.
        if (CommandHelp.TryGetValue(args[0], out var help) && args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            Console.Out.WriteLine(help);
            return 0;
        }
        try
        {
            var options = ParsedArgs.Parse(args.Skip(1).ToArray(), Switches);
            return args[0] switch
            {
                "denoise" => Commands.Denoise(options),
                "info" => Commands.Info(options),
                "report" => Commands.Report(options),
                "score" => Commands.Score(options),
                "oracle" => Commands.Oracle(options),
                "features" => Commands.Features(options),
                "bench" => Commands.Bench(options),
                _ => throw new UsageException($"unknown command '{args[0]}' (try --help)"),
            };
        }
        catch (UsageException e) { return Fail(e.Message); }
        catch (WavFormatException e) { return Fail(e.Message); }
        catch (IOException e) { return Fail(e.Message); }
        catch (UnauthorizedAccessException e) { return Fail(e.Message); }
    }

    /// <summary>The program's version (with the commit it was built from) and the default model's name and version.</summary>
    private static int Version()
    {
        string version = typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(CommandLine).Assembly.GetName().Version?.ToString() ?? "unknown";
        var model = ShippedModels.LoadDefault();
        Console.Out.WriteLine($"percepnetfx {version}");
        Console.Out.WriteLine($"default model {model.Name} {model.Version}");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"percepnetfx: error: {message}");
        return 1;
    }
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>--name value options, on|off switches that may stand alone, and positional arguments.</summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, string> named = new();
    private (string Switch, string Word)? wordAfterSwitch;
    public List<string> Positional { get; } = new();

    /// <param name="switches">Names of the on|off options: given alone (not followed by on or off) they mean on.</param>
    public static ParsedArgs Parse(string[] args, IReadOnlySet<string>? switches = null)
    {
        var p = new ParsedArgs();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                string name = args[i][2..];
                if (switches is not null && switches.Contains(name))
                {
                    string? next = i + 1 < args.Length ? args[i + 1] : null;
                    // Other spellings of a truth value are a mistake, not a file name: say what is accepted.
                    if (next is "yes" or "no" or "true" or "false" or "1" or "0" or "enable" or "disable")
                        throw new UsageException($"--{name} must be on or off (or stand alone for on), got '{next}'");
                    p.named[name] = next is "on" or "off" ? args[++i] : "on";
                    if (next is not (null or "on" or "off") && !next.StartsWith("--", StringComparison.Ordinal)) p.wordAfterSwitch ??= (name, next);
                    continue;
                }
                if (i + 1 >= args.Length) throw new UsageException($"option {args[i]} needs a value");
                p.named[name] = args[++i];
            }
            else p.Positional.Add(args[i]);
        }
        return p;
    }

    /// <summary>
    /// The error for a wrong number of positional arguments. `--comb maybe` reads as --comb on and an argument
    /// "maybe", so when a word followed an on|off option the error names that option instead.
    /// </summary>
    public UsageException WrongPositionals(string message) => wordAfterSwitch is var (name, word)
        ? new UsageException($"--{name} must be on or off (or stand alone for on), got '{word}'")
        : new UsageException(message);

    public string Required(string name) => named.TryGetValue(name, out var v) ? v : throw new UsageException($"missing --{name}");
    public string? Optional(string name) => named.GetValueOrDefault(name);

    /// <summary>An on|off option (Parse allows no other value): <paramref name="fallback"/> when absent.</summary>
    public bool Switch(string name, bool fallback) => named.TryGetValue(name, out var v) ? v == "on" : fallback;

    public double Number(string name, double fallback, double min, double max)
    {
        if (!named.TryGetValue(name, out var v)) return fallback;
        if (!double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
            throw new UsageException($"--{name} must be a number, got '{v}'");
        if (x < min || x > max) throw new UsageException($"--{name} must be in [{min}, {max}], got {x}");
        return x;
    }

    public void NoOthers(params string[] allowed)
    {
        foreach (var key in named.Keys)
            if (!allowed.Contains(key)) throw new UsageException($"unknown option --{key}");
    }
}
