using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// What a command line tool owes its users beyond its results: --help and -h on every command, --version,
/// on|off options that may stand alone, one clear line for an output in a missing folder or in a folder's
/// place, no silent replacement of an input, and a progress line only where a person watches.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class MannersTests : CliTest
{
    private static readonly string[] Commands = ["denoise", "report", "info", "score", "oracle", "features", "bench"];

    private string Noise(string name, double seconds = 0.5, int rate = 48000, int channels = 1)
    {
        string path = dir.File(name);
        Sox.Run("-R", "-n", "-r", rate.ToString(CultureInfo.InvariantCulture), "-c", channels.ToString(CultureInfo.InvariantCulture), "-b", "16", path,
            "synth", seconds.ToString(CultureInfo.InvariantCulture), "pinknoise", "synth", seconds.ToString(CultureInfo.InvariantCulture), "sine", "mix", "180", "gain", "-20");
        return path;
    }

    [Fact]
    public void EveryCommandPrintsItsHelpOnStdoutForHelpAndH()
    {
        foreach (string command in Commands)
            foreach (string flag in new[] { "--help", "-h" })
            {
                var r = Cli.Run(command, flag);
                Assert.True(r.ExitCode == 0, $"{command} {flag}: exit {r.ExitCode}, {r.Stderr}");
                Assert.Equal("", r.Stderr);
                Assert.StartsWith($"usage: percepnetfx {command} ", r.Stdout);
                Assert.EndsWith("\n", r.Stdout);
                // The same text as `percepnetfx help COMMAND`, and whatever else is on the line does not matter.
                Assert.Equal(r.Stdout, Cli.Run("help", command).Stdout);
                Assert.Equal(r.Stdout, Cli.Run(command, "no-such-file.wav", "--bogus", "1", flag).Stdout);
            }
    }

    [Fact]
    public void EachHelpNamesTheOptionsOfItsUsageLinesAndTheParserAcceptsEveryOptionItNames()
    {
        // The usage summary's lines of a command (its own line and the indented lines under it).
        var usage = new Dictionary<string, string>();
        string? current = null;
        foreach (string line in CommandLine.Usage.Split('\n'))
        {
            var m = Regex.Match(line, @"^\s+percepnetfx ([a-z]+) ");
            if (m.Success) current = m.Groups[1].Value;
            else if (!line.StartsWith("              ", StringComparison.Ordinal)) current = null;
            if (current is not null) usage[current] = usage.GetValueOrDefault(current, "") + line + "\n";
        }
        static string[] Options(string text) => Regex.Matches(text, @"--([a-z][a-z-]+)").Select(m => m.Groups[1].Value).Distinct().Order().ToArray();
        foreach (string command in Commands)
        {
            string help = Cli.Run(command, "--help").Stdout;
            Assert.Empty(Options(usage[command]).Except(Options(help)));
            foreach (string option in Options(help))
                Assert.DoesNotContain($"unknown option --{option}", Cli.Run(command, $"--{option}", "x").Stderr);
            Assert.Contains("unknown option --surely-not", Cli.Run(command, "--surely-not", "x").Stderr);
        }
    }

    [Fact]
    public void VersionPrintsTheProgramsVersionAndTheDefaultModelsNameAndVersion()
    {
        var r = Cli.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^percepnetfx \d+\.\d+\.\d+", lines[0]);
        // The embedded default's name and version, read here from the committed file's safetensors header.
        byte[] file = File.ReadAllBytes(Repo.PathOf($"models/{ShippedModels.DefaultName}.safetensors"));
        long headerLength = BitConverter.ToInt64(file, 0);
        using var header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        var meta = header.RootElement.GetProperty("__metadata__");
        Assert.Equal($"default model {meta.GetProperty("name").GetString()} {meta.GetProperty("version").GetString()}", lines[1]);
        Assert.Contains("--version takes no arguments", Fails("--version", "extra"));
    }

    [Fact]
    public void OnOffOptionsMayStandAloneMeaningOn()
    {
        string input = Noise("in.wav");
        string plain = dir.File("plain.wav"), alone = dir.File("alone.wav"), off = dir.File("off.wav");
        Assert.Equal(0, Cli.Run("denoise", input, plain).ExitCode);
        Assert.Equal(0, Cli.Run("denoise", "--comb", input, alone, "--overload-guard").ExitCode); // the defaults, spelt alone
        Assert.Equal(0, Cli.Run("denoise", input, off, "--comb", "off").ExitCode);
        Assert.Equal(File.ReadAllBytes(plain), File.ReadAllBytes(alone));
        Assert.NotEqual(File.ReadAllBytes(plain), File.ReadAllBytes(off));

        // Other truth words and a stray word after a switch name the switch.
        Assert.Contains("--comb must be on or off", Fails("denoise", input, dir.File("x.wav"), "--comb", "yes"));
        Assert.Contains("--force must be on or off", Fails("denoise", input, dir.File("x.wav"), "--force", "maybe"));
        Assert.Contains("--stages must be on or off", Fails("bench", "--stages", "all"));
    }

    [Fact]
    public void AnOutputInAMissingFolderOrInAFoldersPlaceIsOneLineWithoutTemporaryNames()
    {
        string input = Noise("in.wav");
        string missing = Path.Combine(dir.Path, "no", "out.wav"), folder = dir.File("taken");
        Directory.CreateDirectory(folder);
        var attempts = new (string[] Args, string Path)[]
        {
            (["denoise", input, missing], missing),
            (["denoise", input, folder], folder),
            (["report", input, "--png", missing + ".png"], missing + ".png"),
            (["report", input, missing, "--png", dir.File("r.png")], missing),
            (["report", input, "--png", folder], folder),
            (["oracle", "--clean", input, "--noisy", input, "--mode", "bands", missing], missing),
            (["features", "--noisy", input, "--clean", input, "--out", Path.Combine(dir.Path, "no", "set")], Path.Combine(dir.Path, "no", "set") + ".features.npy"),
        };
        foreach (var (args, path) in attempts)
        {
            string line = Fails(args);
            string reason = Directory.Exists(path) ? "is a folder" : $"folder {Path.Combine(dir.Path, "no")} does not exist";
            Assert.Equal($"{Prefix}{path}: {reason}" + (reason == "is a folder" ? "; give a file name" : ""), line);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void WritingOverTheInputIsRefusedUnlessForcedAndThenGivesTheDenoisedFile()
    {
        string input = Noise("in.wav"), copy = dir.File("copy.wav"), expected = dir.File("expected.wav");
        File.Copy(input, copy);
        Assert.Equal(0, Cli.Run("denoise", input, expected).ExitCode);
        byte[] original = File.ReadAllBytes(input);

        Assert.Contains("is the input file", Fails("denoise", input, input));
        Assert.Contains("--force", Fails("denoise", input, Path.Combine(dir.Path, ".", "in.wav")));
        Assert.Contains("is the input file", Fails("denoise", input, input, "--force", "off"));
        Assert.Contains("is the input file", Fails("report", input, input, "--png", dir.File("r.png")));
        Assert.Contains("is the input file", Fails("oracle", "--clean", copy, "--noisy", input, "--mode", "bands", copy));
        // A link to the input is the input too.
        string link = dir.File("link.wav");
        File.CreateSymbolicLink(link, input);
        Assert.Contains("is the input file", Fails("denoise", input, link));
        File.Delete(link);
        Assert.Equal(original, File.ReadAllBytes(input));

        var r = Cli.Run("denoise", input, input, "--force");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(input));
        Assert.Equal([".", "copy.wav", "expected.wav", "in.wav"], [".", .. dir.Names()]);
    }

    [Fact]
    public void AFolderDenoisedIntoItselfIsRefusedUnlessForced()
    {
        string folder = dir.File("takes");
        Directory.CreateDirectory(folder);
        string a = Noise("takes/a.wav"), expected = dir.File("expected.wav");
        Assert.Equal(0, Cli.Run("denoise", a, expected).ExitCode);
        Assert.Contains("holds the inputs themselves", Fails("denoise", folder, folder));
        var r = Cli.Run("denoise", folder, folder, "--force", "--jobs", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(a));
    }

    private static string WithProgress(double audioSeconds, bool terminal)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var progress = new Progress("denoise", audioSeconds, output, terminal);
        for (int percent = 0; percent <= 100; percent++)
        {
            progress.Report(percent / 100.0);
            progress.Report(percent / 100.0); // a repeated fraction does not rewrite the line
        }
        progress.Done();
        return output.ToString();
    }

    [Fact]
    public void TheProgressLineCountsToAHundredInPlaceOnATerminalForLongInputsOnly()
    {
        string shown = WithProgress(Progress.MinSeconds + 1, terminal: true);
        string[] updates = shown.Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(102, updates.Length); // 0 … 100 %, then the final line
        for (int p = 0; p <= 100; p++) Assert.Equal($"denoise: {p} %", updates[p]);
        Assert.Matches(@"^denoise: done, 6\.0 s of audio in \d+\.\d s\n$", updates[101]);
        Assert.Equal("", WithProgress(Progress.MinSeconds + 1, terminal: false));
        Assert.Equal("", WithProgress(Progress.MinSeconds, terminal: true));
    }
}
