using System.Globalization;

namespace PercepNetFx.Cli.Tests;

/// <summary>`denoise` over folders and globs.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class BatchTests : CliTest
{
    private string Wav(string relative, string seconds = "0.5")
    {
        string path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Sox.Run("-R", "-n", "-r", "48000", "-c", "1", "-b", "16", path, "synth", seconds, "pinknoise", "gain", "-20");
        return path;
    }

    [Fact]
    public void FolderKeepsStructureAndMatchesSingleFileOutput()
    {
        string x = Wav("in/x.wav"), y = Wav("in/deep/er/y.wav", "0.3");
        File.WriteAllText(Path.Combine(dir.Path, "in", "notes.txt"), "not audio");
        var r = Cli.Run("denoise", Path.Combine(dir.Path, "in"), Path.Combine(dir.Path, "out"), "--jobs", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("2 processed, 0 skipped, 0 failed", r.Stdout);
        Assert.Contains("files/s", r.Stdout);
        string single = Path.Combine(dir.Path, "single.wav");
        Assert.Equal(0, Cli.Run("denoise", y, single).ExitCode);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(Path.Combine(dir.Path, "out", "deep", "er", "y.wav")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "x.wav")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "out", "notes.txt")));
    }

    [Fact]
    public void UpToDateOutputsAreSkippedUnlessForced()
    {
        Wav("in/a.wav");
        Wav("in/b.wav");
        string input = Path.Combine(dir.Path, "in"), output = Path.Combine(dir.Path, "out");
        Assert.Equal(0, Cli.Run("denoise", input, output).ExitCode);
        string a = Path.Combine(output, "a.wav");
        var stamp = File.GetLastWriteTimeUtc(a);
        var second = Cli.Run("denoise", input, output);
        Assert.Contains("0 processed, 2 skipped, 0 failed", second.Stdout);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(a));
        var forced = Cli.Run("denoise", input, output, "--force", "on");
        Assert.Contains("2 processed, 0 skipped, 0 failed", forced.Stdout);
        // A newer input makes its output stale again.
        File.SetLastWriteTimeUtc(Path.Combine(input, "b.wav"), DateTime.UtcNow.AddMinutes(5));
        Assert.Contains("1 processed, 1 skipped, 0 failed", Cli.Run("denoise", input, output).Stdout);
    }

    [Fact]
    public void AFailingFileIsReportedAndTheRestCarryOn()
    {
        Wav("in/good1.wav");
        Wav("in/good2.wav");
        File.WriteAllBytes(Path.Combine(dir.Path, "in", "broken.wav"), "RIFF\x10\0\0\0WAVEjunk"u8.ToArray());
        var r = Cli.Run("denoise", Path.Combine(dir.Path, "in"), Path.Combine(dir.Path, "out"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("2 processed, 0 skipped, 1 failed", r.Stdout);
        Assert.Contains("FAILED", r.Stdout);
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "good1.wav")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "good2.wav")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "out", "broken.wav")));
    }

    [Fact]
    public void GlobSelectsFilesAndKeepsPathsBelowItsRoot()
    {
        Wav("in/s1/take1.wav");
        Wav("in/s1/other.wav");
        Wav("in/s2/x/take2.wav");
        var r = Cli.Run("denoise", Path.Combine(dir.Path, "in", "**", "take*.wav"), Path.Combine(dir.Path, "out"));
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "s1", "take1.wav")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "s2", "x", "take2.wav")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "out", "s1", "other.wav")));
    }

    [Theory]
    [InlineData("*.wav", "a.wav", true)]
    [InlineData("*.wav", "d/a.wav", false)]
    [InlineData("**/*.wav", "a.wav", true)]
    [InlineData("**/*.wav", "d/e/a.wav", true)]
    [InlineData("d/?.wav", "d/a.wav", true)]
    [InlineData("d/?.wav", "d/ab.wav", false)]
    [InlineData("take[1].wav", "take[1].wav", true)]
    public void GlobRules(string glob, string path, bool expected) =>
        Assert.Equal(expected, Batch.GlobRegex(glob).IsMatch(path));

    [Fact]
    public void BatchOptionsAreRefusedForSingleFiles()
    {
        string x = Wav("x.wav");
        var r = Cli.Run("denoise", x, Path.Combine(dir.Path, "y.wav"), "--jobs", "2");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--jobs", r.Stderr);
    }
}
