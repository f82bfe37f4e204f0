using System.Globalization;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// The error contract of the CLI (CommandLine's summary and --help): every failure is exactly one line on
/// stderr starting with "percepnetfx: error:", nothing on stdout, a non-zero exit code, and no output or
/// temporary file left behind.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ErrorTests : CliTest
{
    private readonly string clean48, noisy48, noisy44, short48;

    public ErrorTests()
    {
        clean48 = Write("clean48.wav", 48000, "0.5", "sawtooth 150");
        noisy48 = Write("noisy48.wav", 48000, "0.5", "whitenoise");
        noisy44 = Write("noisy44.wav", 44100, "0.5", "whitenoise");
        short48 = Write("short48.wav", 48000, "0.4", "whitenoise");
    }

    private string Write(string name, int rate, string seconds, string synth)
    {
        string path = dir.File(name);
        var args = new List<string> { "-R", "-n", "-r", rate.ToString(CultureInfo.InvariantCulture), "-c", "1", "-b", "16", path, "synth", seconds };
        args.AddRange(synth.Split(' '));
        args.AddRange(["gain", "-20"]);
        Sox.Run([.. args]);
        return path;
    }

    private string[] Oracle(string clean, string noisy, string mode, string output) =>
        ["oracle", "--clean", clean, "--noisy", noisy, "--mode", mode, output];

    [Fact]
    public void MissingInputFileIsOneErrorLineNamingTheFile()
    {
        string missing = dir.File("no-such-file.wav");
        Assert.Contains(missing, Fails("info", missing));
        Assert.Contains(missing, Fails("score", "--clean", clean48, "--enhanced", missing));
        string output = dir.File("out.wav");
        Assert.Contains(missing, Fails(Oracle(missing, noisy48, "bands", output)));
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData(30)]    // inside the fmt chunk
    [InlineData(1000)]  // inside the data chunk (declared size larger than present)
    public void TruncatedWavIsOneErrorLineNamingTheFile(int keepBytes)
    {
        string truncated = dir.File("truncated.wav");
        byte[] whole = File.ReadAllBytes(noisy48);
        Assert.True(whole.Length > keepBytes + 100);
        File.WriteAllBytes(truncated, whole[..keepBytes]);
        Assert.Contains(truncated, Fails("info", truncated));
        string output = dir.File("out.wav");
        Assert.Contains(truncated, Fails(Oracle(clean48, truncated, "bands", output)));
        Assert.Contains(truncated, Fails("score", "--clean", truncated, "--enhanced", noisy48));
    }

    [Fact]
    public void ScoreListErrorsAreOneLineNamingTheListAndNothingIsPrintedForTheGoodPairs()
    {
        string list = dir.File("pairs.tsv");
        string missing = dir.File("no-such-file.wav");
        File.WriteAllText(list, $"{clean48}\t{noisy48}\n{clean48}\t{missing}\n");
        string message = Fails("score", "--list", list);
        Assert.Contains(list, message);
        Assert.Contains(missing, message);

        File.WriteAllText(list, $"{clean48}\t{noisy48}\n{clean48} {noisy48}\n");
        Assert.Contains($"{list}:2:", Fails("score", "--list", list));

        Assert.Contains("--list", Fails("score", "--list", list, "--clean", clean48));
        string noList = dir.File("no-such-list.tsv");
        File.Delete(list);
        Assert.Contains(noList, Fails("score", "--list", noList));
    }

    [Fact]
    public void UnknownCommandIsOneErrorLine()
    {
        Assert.Contains("unknown command 'bogus'", Fails("bogus", noisy48));
    }

    [Fact]
    public void UnknownOptionIsOneErrorLineNamingTheOption()
    {
        Assert.Contains("--bogus", Fails("score", "--clean", clean48, "--enhanced", noisy48, "--bogus", "1"));
        Assert.Contains("--strength", Fails("oracle", "--clean", clean48, "--noisy", noisy48, "--mode", "bands", "--strength", "1", dir.File("out.wav")));
    }

    [Fact]
    public void OracleWithoutModeIsOneErrorLineNamingTheOption()
    {
        Assert.Contains("--mode", Fails("oracle", "--clean", clean48, "--noisy", noisy48, dir.File("out.wav")));
    }

    [Theory]
    [InlineData("comb")]
    [InlineData("STFT")]
    [InlineData("")]
    public void OracleWithABadModeIsOneErrorLineQuotingTheValue(string mode)
    {
        Assert.Contains($"'{mode}'", Fails(Oracle(clean48, noisy48, mode, dir.File("out.wav"))));
    }

    [Fact]
    public void RateMismatchIsOneErrorLineGivingBothRates()
    {
        string message = Fails(Oracle(clean48, noisy44, "bands", dir.File("out.wav")));
        Assert.Contains("48000", message);
        Assert.Contains("44100", message);
        message = Fails("score", "--clean", clean48, "--enhanced", noisy44);
        Assert.Contains("48000", message);
        Assert.Contains("44100", message);
    }

    [Fact]
    public void LengthMismatchIsOneErrorLineGivingBothLengths()
    {
        string message = Fails(Oracle(clean48, short48, "stft", dir.File("out.wav")));
        Assert.Contains(Sox.Frames(clean48).ToString(CultureInfo.InvariantCulture), message);
        Assert.Contains(Sox.Frames(short48).ToString(CultureInfo.InvariantCulture), message);
    }

    [Fact]
    public void OracleOutputOntoADirectoryFailsAndLeavesNoTemporaryFile()
    {
        // The render succeeds; the final rename onto a directory fails: the writer's temporary file must go.
        string target = dir.File("occupied");
        Directory.CreateDirectory(target);
        Fails(Oracle(clean48, noisy48, "bands", target));
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    [Theory]
    [InlineData("features")]
    [InlineData("gains")]
    [InlineData("strengths")]
    public void FeaturesFailingOnAnyOfItsThreeFilesLeavesNoneOfThemAndNoTemporaryFile(string blocked)
    {
        // One of the three outputs cannot be written (a directory has its name): the others must not
        // be left behind either, or a training set would pick up a partial record set.
        string prefix = dir.File("feat");
        Directory.CreateDirectory($"{prefix}.{blocked}.npy");
        Fails("features", "--noisy", noisy48, "--clean", clean48, "--out", prefix);
        Assert.Empty(Directory.EnumerateFileSystemEntries($"{prefix}.{blocked}.npy"));
    }

    [Fact]
    public void OptionWithoutValueIsOneErrorLine()
    {
        Assert.Contains("--mode", Fails("oracle", "--clean", clean48, "--noisy", noisy48, "--mode"));
    }
}
