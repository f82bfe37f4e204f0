using System.Globalization;
using System.Text.RegularExpressions;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// Successful runs of info, score and oracle. Inputs are written by sox and outputs are checked with
/// `sox --i` or against closed forms, never with the project's own reader alone.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CommandTests : CliTest
{
    [Theory]
    [InlineData(48000, 1, "-b", "24", "-e", "signed-integer", 1.25)]
    [InlineData(44100, 2, "-b", "16", "-e", "signed-integer", 0.5)]
    [InlineData(22050, 1, "-b", "32", "-e", "floating-point", 0.3)]
    public void InfoPrintsRateChannelsAndFrameCountOfASoxWrittenFile(int rate, int channels, string bFlag, string bits, string eFlag, string encoding, double seconds)
    {
        string path = dir.File("in.wav");
        Sox.Run("-R", "-n", "-r", rate.ToString(CultureInfo.InvariantCulture), "-c", channels.ToString(CultureInfo.InvariantCulture),
            bFlag, bits, eFlag, encoding, path, "synth", seconds.ToString(CultureInfo.InvariantCulture), "sine", "440", "gain", "-6");
        long frames = Sox.Frames(path);
        Assert.Equal(rate, Sox.Rate(path));
        Assert.Equal(channels, Sox.Channels(path));

        var r = Cli.Run("info", path);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $" {rate} Hz"), r.Stdout);
        Assert.Contains($" {channels} channel(s)", r.Stdout);
        Assert.Contains($" {frames} frames", r.Stdout);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $" {frames / (double)rate:F3} s"), r.Stdout);
        Assert.Contains($"({bits}-bit", r.Stdout);
        Assert.StartsWith(path + ":", r.Stdout);
    }

    [Fact]
    public void ScoreOfAFileAgainstItselfGivesStoi1HugeSiSdrMaxSegSnrAndZeroLag()
    {
        string path = dir.File("speechlike.wav");
        // Pink noise with a 4 Hz amplitude modulation: band envelopes that vary, as STOI needs.
        Sox.Run("-R", "-n", "-r", "48000", "-c", "1", "-b", "32", "-e", "floating-point", path,
            "synth", "2", "pinknoise", "tremolo", "4", "90", "gain", "-12");

        var r = Cli.Run("score", "--clean", path, "--enhanced", path);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        var m = Regex.Match(r.Stdout, @"^SI-SDR (\S+) dB  STOI (\S+)  segSNR (\S+) dB  lag (-?\d+) samples\n$");
        Assert.True(m.Success, $"unexpected score output: '{r.Stdout}'");
        // Identical signals: e = 0, so SI-SDR is +∞ (or, with rounding in α, far above any real score).
        string siSdr = m.Groups[1].Value;
        Assert.True(siSdr == "Infinity" || double.Parse(siSdr, CultureInfo.InvariantCulture) > 100, $"SI-SDR {siSdr}");
        Assert.Equal(1.0, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), 4);
        // Every frame error-free: each frame scores the 35 dB clamp, so the mean is exactly 35.
        Assert.Equal("35.00", m.Groups[3].Value);
        Assert.Equal("0", m.Groups[4].Value);
    }

    [Fact]
    public void ScoreListPrintsForEachPairInOrderTheSameLineAsASingleScore()
    {
        var (clean, noisy) = SyntheticMixture(48000, "1.2", channels: 1);
        string list = dir.File("pairs.tsv");
        // Comments and blank lines are skipped; the same pair may appear twice.
        File.WriteAllText(list, $"# clean\tenhanced\n{clean}\t{noisy}\n\n{clean}\t{clean}\n{clean}\t{noisy}\n");

        var batch = Cli.Run("score", "--list", list);
        var single1 = Cli.Run("score", "--clean", clean, "--enhanced", noisy);
        var single2 = Cli.Run("score", "--clean", clean, "--enhanced", clean);

        Assert.Equal(0, batch.ExitCode);
        Assert.Equal("", batch.Stderr);
        string[] lines = batch.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [$"{noisy}\t{single1.Stdout.TrimEnd('\n')}", $"{clean}\t{single2.Stdout.TrimEnd('\n')}", $"{noisy}\t{single1.Stdout.TrimEnd('\n')}"],
            lines);
    }

    public static TheoryData<string, int> ModesAndRates()
    {
        var data = new TheoryData<string, int>();
        foreach (string mode in new[] { "stft", "bands", "bands+comb", "bands+comb+postfilter" })
            foreach (int rate in new[] { 48000, 16000 })
                data.Add(mode, rate);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModesAndRates))]
    public void OracleWritesAnOutputWithTheInputsLengthRateAndChannels(string mode, int rate)
    {
        var (clean, noisy) = SyntheticMixture(rate, "0.73", channels: 1);
        string output = dir.File("out.wav");

        var r = Cli.Run("oracle", "--clean", clean, "--noisy", noisy, "--mode", mode, output);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.Equal(Sox.Rate(noisy), Sox.Rate(output));
        Assert.Equal(rate, Sox.Rate(output));
        Assert.Equal(Sox.Frames(noisy), Sox.Frames(output));
        Assert.Equal(1, Sox.Channels(output));
        Assert.Equal("Floating Point PCM", Sox.Info("-e", output));
        Assert.Equal(["clean.wav", "noise.wav", "noisy.wav", "out.wav"], dir.Names());
    }

    [Fact]
    public void OracleOnAStereoMixtureWritesAStereoOutputOfTheSameLength()
    {
        var (clean, noisy) = SyntheticMixture(48000, "0.5", channels: 2);
        string output = dir.File("out.wav");

        var r = Cli.Run("oracle", "--clean", clean, "--noisy", noisy, "--mode", "bands+comb", output);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(2, Sox.Channels(output));
        Assert.Equal(Sox.Frames(noisy), Sox.Frames(output));
    }

    /// <summary>Harmonic "voice" (150 Hz sawtooth, 3 Hz tremolo) plus white noise at about 0 dB, written by sox.</summary>
    private (string Clean, string Noisy) SyntheticMixture(int rate, string seconds, int channels)
    {
        string sr = rate.ToString(CultureInfo.InvariantCulture), ch = channels.ToString(CultureInfo.InvariantCulture);
        string clean = dir.File("clean.wav"), noise = dir.File("noise.wav"), noisy = dir.File("noisy.wav");
        Sox.Run("-R", "-n", "-r", sr, "-c", ch, "-b", "32", "-e", "floating-point", clean, "synth", seconds, "sawtooth", "150", "tremolo", "3", "60", "gain", "-20");
        Sox.Run("-R", "-n", "-r", sr, "-c", ch, "-b", "32", "-e", "floating-point", noise, "synth", seconds, "whitenoise", "gain", "-25");
        Sox.Run("-R", "-m", "-v", "1", clean, "-v", "1", noise, "-b", "32", "-e", "floating-point", noisy);
        return (clean, noisy);
    }
}
