using System.Globalization;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Cli;

/// <summary>
/// The CLI commands, one file each (InfoCommand.cs, DenoiseCommand.cs, …): each reads files, calls the
/// library and writes results. This file holds what several of them share: the settings and model
/// options, the checks of inputs and outputs.
/// </summary>
public static partial class Commands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

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

    private static (float[] Samples, int Rate) ReadMono(string path)
    {
        var audio = AudioFiles.Read(path);
        return (Downmix.Mid(audio.Channels), audio.SampleRate);
    }
}
