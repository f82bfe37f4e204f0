using System.Diagnostics;
using System.Globalization;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;
using Xunit.Abstractions;
using PercepNetFx.Offline;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// `denoise` streams its input: the file written block by block is byte for byte the whole-file render
/// (OfflineRenderer.Render of the decoded file, written by WavWriter) at every rate, channel count, container and
/// setting, and a 30-minute stereo file runs in bounded memory, measured on the CLI as a child process.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class StreamingTests(ITestOutputHelper log) : CliTest
{
    private static string S(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Pink noise and a 190 Hz tone from sox; <paramref name="duration"/> in sox's syntax (seconds, or "Ns" samples).</summary>
    private string Synth(string name, int rate, int channels, string bits, string duration)
    {
        string path = dir.File(name);
        // -r before -n: synth runs at the file's rate, so a duration in samples is exact.
        Sox.Run("-R", "-r", S(rate), "-n", "-c", S(channels), "-b", bits, path,
            "synth", duration, "pinknoise", "synth", duration, "sine", "mix", "190", "gain", "-16");
        return path;
    }

    public static TheoryData<int, int, string, double, string, string[]> Cases() => new()
    {
        // rate, channels, bits, seconds (lengths that are no multiple of a hop), output name, options
        { 48000, 1, "16", 2.3711, "a.wav", [] },
        { 44100, 2, "24", 3.1007, "b.wav", [] },
        { 96000, 2, "32", 1.2345, "c.wav", ["--format", "f32"] },
        { 22050, 1, "8", 1.7, "d.wav", [] },
        { 48000, 2, "16", 2.001, "e.wav", ["--strength", "0.7", "--listen", "removed", "--comb", "off", "--format", "s24"] },
        { 16000, 1, "16", 1.9, "f.wav", ["--precision", "float", "--postfilter", "0.5"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheStreamedFileIsByteForByteTheWholeFileRender(int rate, int channels, string bits, double seconds, string name, string[] options)
    {
        string input = Synth("in.wav", rate, channels, bits, S(seconds)), output = dir.File(name);
        var r = Cli.Run(["denoise", input, output, .. options]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(Sox.Frames(input), Sox.Frames(output));
        Assert.Equal(ExpectedBytes(input, options), File.ReadAllBytes(output));
    }

    [Fact]
    public void AnAiffWithoutItsFinalPadByteStreamsToTheWholeFileRender()
    {
        // sox leaves out the pad byte of 24-bit mono with an odd frame count; the reader restores it on the fly.
        string input = Synth("odd.aifc", 44100, 1, "24", "13231s");
        Assert.Equal(1, new FileInfo(input).Length % 2);
        string output = dir.File("odd.wav");
        Assert.Equal(0, Cli.Run("denoise", input, output).ExitCode);
        Assert.Equal(ExpectedBytes(input, []), File.ReadAllBytes(output));
    }

    /// <summary>The whole-file render: the decoded file through OfflineRenderer.Render, then WavWriter, in memory.</summary>
    private static byte[] ExpectedBytes(string input, string[] options)
    {
        var audio = AudioFiles.Read(input);
        var settings = Commands.ParseSettings(ParsedArgs.Parse(options));
        var format = Commands.OutputFormat(Option(options, "format") ?? "same", AudioFiles.ReadInfo(input).Info.Format);
        float[][] rendered = OfflineRenderer.Render(audio.Channels, audio.SampleRate, ShippedModels.LoadDefault(), settings);
        var bytes = new MemoryStream();
        WavWriter.Write(bytes, new AudioBuffer(audio.SampleRate, rendered), format);
        return bytes.ToArray();
    }

    private static string? Option(string[] options, string name)
    {
        int i = Array.IndexOf(options, "--" + name);
        return i >= 0 ? options[i + 1] : null;
    }

    [Fact]
    public void ThirtyMinutesOfStereoDenoiseInAtMost150MiB()
    {
        if (!OperatingSystem.IsLinux()) return; // the peak is read from /proc
        // 30 minutes of 48 kHz stereo, 16-bit: 330 MiB on disk, 1.3 GiB as float input and output arrays.
        string input = Synth("long.wav", 48000, 2, "16", "1800"), output = dir.File("long-out.wav");
        var r = CliProcess.Run("denoise", input, output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stdout + r.Stderr); // stderr is no terminal: no progress line
        Assert.Equal(1800L * 48000, Sox.Frames(output));
        Assert.Equal(2, Sox.Channels(output));
        double mib = r.PeakKiB / 1024.0;
        log.WriteLine($"30 min stereo 48 kHz: peak resident memory {mib:F1} MiB");
        Assert.True(r.PeakKiB > 10 * 1024, $"peak {mib:F1} MiB: the /proc sampling did not work");
        Assert.True(mib <= 150, $"peak resident memory {mib:F1} MiB, more than 150 MiB");
    }

    [Fact]
    public void OnATerminalALongFileShowsItsProgressLine()
    {
        if (!OperatingSystem.IsLinux()) return; // script(1) from util-linux gives the child a terminal
        string input = Synth("six.wav", 48000, 1, "16", S(Progress.MinSeconds + 1)), output = dir.File("six-out.wav");
        var piped = CliProcess.Run("denoise", input, output);
        Assert.Equal((0, ""), (piped.ExitCode, piped.Stderr));
        string command = string.Join(' ', new[] { CliProcess.Host, CliProcess.Dll, "denoise", input, output }.Select(a => $"'{a}'"));
        var psi = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-qec", command, "/dev/null" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string seen = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, seen + p.StandardError.ReadToEnd());
        Assert.Contains("\rdenoise: 0 %", seen);
        Assert.Contains("\rdenoise: 100 %", seen);
        Assert.Matches(@"\rdenoise: done, 6\.0 s of audio in \d+\.\d s", seen);
    }
}
