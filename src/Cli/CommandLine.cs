using PercepNetFx.Audio;

namespace PercepNetFx.Cli;

/// <summary>Argument parsing and dispatch; every error is one line on stderr and a non-zero exit.</summary>
public static class CommandLine
{
    public const string Usage = """
        percepnetfx: PercepNet voice noise suppression (48 kHz, 10 ms hops, 30 ms latency)

        usage:
          percepnetfx denoise IN.wav OUT.wav [--strength 0..1] [--postfilter 0..1] [--comb on|off]
                      [--model NAME|M.safetensors] [--precision int8|float] [--format same|s16|s24|f32]
                      [--listen output|removed] [--overload-guard on|off]
          percepnetfx denoise FOLDER|'GLOB' OUTFOLDER [same options] [--jobs N] [--force on]
                      (folders: every .wav/.aif/.aiff/.aifc below; globs: * ? **; structure kept; up-to-date outputs skipped)
          percepnetfx report IN.wav [OUT.wav] --png REPORT.png [--width 1600] [--height 1000]
                      [--strength ..] [--postfilter ..] [--comb on|off] [--model ..] [--precision ..] [--format ..]
                      (spectrograms in and out, band gains, comb strengths, pitch: one PNG)
          percepnetfx info FILE.wav
          percepnetfx score --clean C.wav --enhanced E.wav [--max-lag SAMPLES]
          percepnetfx score --list PAIRS.tsv [--max-lag SAMPLES]   (lines: clean<TAB>enhanced; prints enhanced<TAB>scores)
          percepnetfx oracle --clean C.wav --noisy N.wav --mode stft|bands|bands+comb|bands+comb+postfilter OUT.wav
          percepnetfx features --noisy N.wav --clean C.wav --out PREFIX [--lowpass-bin K]
          percepnetfx features --list LIST.tsv        (lines: noisy<TAB>clean<TAB>lowpass_bin<TAB>out_prefix)
          percepnetfx bench [--seconds S] [--runs N] [--stages on] [--network off] [--model NAME|M.safetensors | --config tiny|small|medium|paper]
                      (--config: random weights of that size, spec §11; --runs: median and range of N runs per line)

        Inputs: WAV (PCM 8-32-bit, float 32/64), RF64, AIFF and uncompressed AIFF-C, mono or stereo, 8-384 kHz;
        outputs are WAV.
        Defaults: --strength 1 --postfilter 0 --comb on --precision int8 (docs/decisions.md: post-filter default).
        Output files are written atomically: a failed run leaves no partial file.
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var options = ParsedArgs.Parse(args.Skip(1).ToArray());
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

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"percepnetfx: error: {message}");
        return 1;
    }
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>--name value options and positional arguments.</summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, string> named = new();
    public List<string> Positional { get; } = new();

    public static ParsedArgs Parse(string[] args)
    {
        var p = new ParsedArgs();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length) throw new UsageException($"option {args[i]} needs a value");
                p.named[args[i][2..]] = args[++i];
            }
            else p.Positional.Add(args[i]);
        }
        return p;
    }

    public string Required(string name) => named.TryGetValue(name, out var v) ? v : throw new UsageException($"missing --{name}");
    public string? Optional(string name) => named.GetValueOrDefault(name);

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
