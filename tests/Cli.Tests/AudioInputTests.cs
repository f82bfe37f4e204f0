using System.Buffers.Binary;
using System.Globalization;
using PercepNetFx.Audio;
using Xunit.Abstractions;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// Inputs other than WAV (AudioFiles): AIFF and AIFF-C written by sox decode to exactly what the WAV
/// reader gives for the same audio, RF64 built byte by byte decodes to its samples, anything else is one
/// error line, and mutated AIFF files either decode consistently or fail with that one line.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class AudioInputTests(ITestOutputHelper log) : CliTest
{
    /// <summary>A WAV from sox (pink noise and a sine) and sox's conversion of it to <paramref name="type"/>.</summary>
    private (string Wav, string Other) Pair(string type, int channels, string bits, string seconds, string extension)
    {
        string wav = dir.File($"in-{bits}-{channels}.wav"), other = dir.File($"in-{bits}-{channels}.{extension}");
        Sox.Run("-R", "-n", "-r", "44100", "-c", channels.ToString(CultureInfo.InvariantCulture), "-b", bits, wav,
            "synth", seconds, "pinknoise", "synth", seconds, "sine", "mix", "330", "gain", "-12");
        Sox.Run(wav, "-t", type, other);
        return (wav, other);
    }

    [Theory]
    [InlineData("aiff", 1, "16", "0.5", "aiff")]
    [InlineData("aiff", 2, "24", "0.3", "aif")]
    [InlineData("aiff", 2, "32", "0.2", "aiff")]
    [InlineData("aiff", 1, "8", "0.2", "aiff")]
    [InlineData("aifc", 1, "24", "13231s", "aifc")] // odd frame count: sox leaves out the final pad byte
    public void AiffDecodesToExactlyTheSamplesOfTheSameAudioAsWav(string type, int channels, string bits, string seconds, string extension)
    {
        var (wav, other) = Pair(type, channels, bits, seconds, extension);
        AudioBuffer expected = WavReader.Read(wav), got = AudioFiles.Read(other);
        Assert.Equal(Sox.Frames(wav), got.FrameCount);
        Assert.Equal(expected.SampleRate, got.SampleRate);
        Assert.Equal(channels, got.ChannelCount);
        for (int c = 0; c < channels; c++) Assert.Equal(expected.Channels[c], got.Channels[c]);
        Assert.Contains(expected.Channels[0], v => v != 0f);

        var info = Cli.Run("info", other);
        Assert.Equal(0, info.ExitCode);
        string container = type == "aifc" ? "AIFF-C" : "AIFF";
        Assert.StartsWith($"{other}: Pcm{bits} ({bits}-bit, {container}), 44100 Hz, {channels} channel(s), {Sox.Frames(wav)} frames", info.Stdout);
    }

    [Fact]
    public void DenoisingAnAiffWritesTheSameFileAsDenoisingTheWav()
    {
        var (wav, aiff) = Pair("aiff", 2, "16", "0.6", "aiff");
        string fromWav = dir.File("from-wav.wav"), fromAiff = dir.File("from-aiff.wav");
        Assert.Equal(0, Cli.Run("denoise", wav, fromWav, "--strength", "0.8").ExitCode);
        Assert.Equal(0, Cli.Run("denoise", aiff, fromAiff, "--strength", "0.8").ExitCode);
        // `--format same` keeps AIFF's 16-bit PCM as WAV PCM 16, so the two files are byte for byte equal.
        Assert.Equal(File.ReadAllBytes(fromWav), File.ReadAllBytes(fromAiff));
        Assert.Equal("16", Sox.Info("-b", fromAiff));
    }

    /// <summary>RF64 (EBU Tech 3306): "RF64", size −1, ds64 with the real sizes, fmt, data with size −1.</summary>
    private static byte[] Rf64(short[] interleaved, int channels, int rate, long? declaredDataBytes = null)
    {
        var data = new byte[interleaved.Length * 2];
        for (int i = 0; i < interleaved.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * i), interleaved[i]);
        var ds64 = new byte[28];
        BinaryPrimitives.WriteInt64LittleEndian(ds64, 4 + (8 + 28) + (8 + 16) + (8 + data.Length));
        BinaryPrimitives.WriteInt64LittleEndian(ds64.AsSpan(8), declaredDataBytes ?? data.Length);
        BinaryPrimitives.WriteInt64LittleEndian(ds64.AsSpan(16), interleaved.Length / channels);
        var fmt = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, 1);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(4), rate);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(8), rate * channels * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)(channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), 16);
        return [.. "RF64"u8, 0xFF, 0xFF, 0xFF, 0xFF, .. "WAVE"u8, .. "ds64"u8, 28, 0, 0, 0, .. ds64,
            .. "fmt "u8, 16, 0, 0, 0, .. fmt, .. "data"u8, 0xFF, 0xFF, 0xFF, 0xFF, .. data];
    }

    [Fact]
    public void Rf64DecodesToItsSamples()
    {
        var rng = new Random(5);
        short[] samples = Enumerable.Range(0, 2 * 1000).Select(_ => (short)rng.Next(short.MinValue, short.MaxValue + 1)).ToArray();
        string path = dir.File("in.rf64");
        File.WriteAllBytes(path, Rf64(samples, 2, 48000));
        AudioBuffer got = AudioFiles.Read(path);
        Assert.Equal(48000, got.SampleRate);
        for (int c = 0; c < 2; c++)
            Assert.Equal(Enumerable.Range(0, 1000).Select(n => samples[2 * n + c] / 32768f), got.Channels[c]);
        Assert.StartsWith($"{path}: Pcm16 (16-bit, RF64), 48000 Hz, 2 channel(s), 1000 frames", Cli.Run("info", path).Stdout);
    }

    [Fact]
    public void Rf64DeclaringMoreDataThanPresentIsOneErrorLine()
    {
        string path = dir.File("cut.rf64");
        File.WriteAllBytes(path, Rf64(new short[200], 1, 48000, declaredDataBytes: 1 << 30));
        Assert.Equal($"{Prefix}{path}: truncated data (declares {(1 << 30) / 2} frames, 200 present)", Fails("denoise", path, dir.File("out.wav")));
    }

    [Fact]
    public void UnsupportedFilesAreOneErrorLineNamingTheFileAndWhatIsRead()
    {
        string flac = dir.File("in.flac"), w64 = dir.File("in.w64"), text = dir.File("notes.wav"), aifcFloat = dir.File("float.aifc");
        Sox.Run("-R", "-n", "-r", "48000", "-c", "1", flac, "synth", "0.1", "sine", "440");
        Sox.Run("-R", "-n", "-r", "48000", "-c", "1", w64, "synth", "0.1", "sine", "440");
        Sox.Run("-R", "-n", "-r", "48000", "-c", "1", "-e", "floating-point", "-b", "32", aifcFloat, "synth", "0.1", "sine", "440");
        File.WriteAllText(text, "hello, not audio");
        string output = dir.File("out.wav");
        Assert.Equal($"{Prefix}{flac}: unsupported audio file (looks like FLAC); the CLI reads {AudioFiles.Supported}", Fails("denoise", flac, output));
        Assert.Equal($"{Prefix}{w64}: unsupported audio file (starts with \"riff\"); the CLI reads {AudioFiles.Supported}", Fails("info", w64));
        Assert.Equal($"{Prefix}{text}: unsupported audio file (starts with \"hell\"); the CLI reads {AudioFiles.Supported}", Fails("denoise", text, output));
        Assert.StartsWith($"{Prefix}{aifcFloat}: cannot read this AIFF-C file: ", Fails("denoise", aifcFloat, output));
    }

    [Fact]
    public void AnOutputNamedAiffIsRefusedBecauseOutputsAreWav()
    {
        var (wav, _) = Pair("aiff", 1, "16", "0.2", "aiff");
        string output = dir.File("out.aiff");
        Assert.Equal($"{Prefix}{output}: outputs are written as WAV; give the file a .wav name", Fails("denoise", wav, output));
    }

    [Fact]
    public void FoldersIncludeAiffFilesAndWriteThemAsWav()
    {
        Directory.CreateDirectory(dir.File("in"));
        Sox.Run("-R", "-n", "-r", "48000", "-c", "1", "-b", "16", dir.File("in/a.wav"), "synth", "0.3", "pinknoise", "gain", "-20");
        Sox.Run("-R", "-n", "-r", "48000", "-c", "1", "-b", "16", dir.File("in/b.aiff"), "synth", "0.3", "pinknoise", "gain", "-20");
        var r = Cli.Run("denoise", dir.File("in"), dir.File("out"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("2 processed, 0 skipped, 0 failed", r.Stdout);
        Assert.Equal("WAVE", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(dir.File("out/b.wav")), 8, 4));
        Assert.Equal(Sox.Frames(dir.File("in/b.aiff")), Sox.Frames(dir.File("out/b.wav")));

        File.Copy(dir.File("in/a.wav"), dir.File("in/b.wav"));
        string error = Cli.Run("denoise", dir.File("in"), dir.File("out2")).Stderr;
        Assert.Equal($"{Prefix}{dir.File("in/b.aiff")} and {dir.File("in/b.wav")} would both be written to {dir.File("out2/b.wav")}\n", error);
    }

    /// <summary>
    /// Mutated AIFF files (sox-written seeds, the WAV fuzzing's mutator) through the path the CLI takes:
    /// each decodes to a consistent buffer or fails with a WavFormatException naming the file, within a
    /// time limit and an allocation bound tied to its size, whatever NAudio's parser throws inside.
    /// </summary>
    [Fact]
    public void MutatedAiffFilesDecodeConsistentlyOrFailWithOneLine()
    {
        var seeds = new List<byte[]>();
        foreach (var (type, channels, bits, seconds) in new[] { ("aiff", 2, "16", "0.001"), ("aifc", 1, "24", "45s"), ("aiff", 1, "8", "0.001") })
            seeds.Add(File.ReadAllBytes(Pair(type, channels, bits, seconds, type).Other));
        int iterations = Fuzz.Iterations(20_000), seed = Fuzz.Seed(6002);
        var rng = new Random(seed);
        int parsed = 0, rejected = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = Fuzz.Mutate(seeds[i % seeds.Count], rng, hot: 80);
            var work = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    var audio = AudioFiles.Read(new MemoryStream(input, writable: false), "fuzz.aiff");
                    Assert.InRange(audio.ChannelCount, 1, 64);
                    Assert.All(audio.Channels, c => Assert.Equal(audio.FrameCount, c.Length));
                    Assert.True(audio.SampleRate > 0);
                    Interlocked.Increment(ref parsed);
                }
                catch (WavFormatException e)
                {
                    Assert.StartsWith("fuzz.aiff: ", e.Message);
                    Assert.DoesNotContain('\n', e.Message);
                    Interlocked.Increment(ref rejected);
                }
                // Decoded floats take at most 8 bytes per input byte (8-bit PCM → float), plus the padded copy and overhead.
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < 9L * input.Length + (1 << 20), $"input {i} ({input.Length} bytes) allocated {allocated} bytes");
            });
            Assert.True(work.Wait(TimeSpan.FromSeconds(10)), $"input {i} took over 10 s");
        }
        log.WriteLine($"seed {seed}: {iterations} inputs, {parsed} parsed, {rejected} rejected");
        Assert.True(parsed > iterations / 50 && rejected > iterations / 50, "the mutations should exercise both outcomes");
    }
}
