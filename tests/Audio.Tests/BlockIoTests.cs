using System.Globalization;

namespace PercepNetFx.Audio.Tests;

/// <summary>
/// Block-by-block reading and writing (what long files are streamed through): files sox writes decode
/// block by block to sox's own decode, files written block by block are read back by sox with the samples
/// meant, and failures (too few frames, a missing folder, a folder in the file's place) leave nothing behind
/// and name the path as given.
/// </summary>
public sealed class BlockIoTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>Random block sizes from 1 frame to several of the reader's 1 MiB buffers.</summary>
    private static IEnumerable<int> Blocks(int seed)
    {
        var rng = new Random(seed);
        while (true) yield return rng.Next(4) == 0 ? rng.Next(1, 8) : rng.Next(1, 300_000);
    }

    [Theory]
    [InlineData(1, "16", "signed-integer", 48000)]
    [InlineData(2, "24", "signed-integer", 44100)]
    [InlineData(2, "32", "floating-point", 96000)]
    [InlineData(1, "8", "unsigned-integer", 8000)]
    public void BlocksOfAnySizeDecodeToSoxsOwnDecode(int channels, string bits, string encoding, int rate)
    {
        string path = dir.File("in.wav");
        Sox.Run("-R", "-r", rate.ToString(CultureInfo.InvariantCulture), "-n", "-c", channels.ToString(CultureInfo.InvariantCulture),
            "-b", bits, "-e", encoding, path, "synth", "7.3", "pinknoise", "synth", "7.3", "sine", "mix", "330", "gain", "-6");
        float[] sox = Sox.DecodeToF32(path, out _);
        using var reader = WavReader.OpenSamples(File.OpenRead(path), path);
        Assert.Equal(sox.Length / channels, reader.Info.FrameCount);
        var planar = new float[channels][];
        for (int c = 0; c < channels; c++) planar[c] = new float[300_010];
        long frame = 0;
        foreach (int block in Blocks(channels * 31 + rate))
        {
            int got = reader.Read(planar, 3, block);
            if (got == 0) break;
            Assert.Equal(Math.Min(block, sox.Length / channels - frame), got);
            for (int i = 0; i < got; i++, frame++)
                for (int c = 0; c < channels; c++)
                    Assert.Equal(sox[frame * channels + c], planar[c][3 + i]);
        }
        Assert.Equal(sox.Length / channels, frame);
        Assert.Equal(0, reader.Remaining);
    }

    [Theory]
    [InlineData(WavSampleFormat.Float32, 2, 48000)]
    [InlineData(WavSampleFormat.Pcm16, 1, 44100)]
    [InlineData(WavSampleFormat.Pcm24, 1, 22050)] // odd frame count of 3-byte mono: the pad byte
    public void BlocksOfAnySizeWriteTheSamplesSoxReadsBack(WavSampleFormat format, int channels, int rate)
    {
        const int Frames = 654_321;
        var rng = new Random(17);
        var planar = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            planar[c] = new float[Frames];
            for (int n = 0; n < Frames; n++) planar[c][n] = (float)(rng.NextDouble() * 1.8 - 0.9);
        }
        string path = dir.File("out.wav");
        using (var writer = WavWriter.Create(path, rate, channels, Frames, format))
        {
            int done = 0;
            foreach (int block in Blocks(5))
            {
                int n = Math.Min(block, Frames - done);
                writer.Write(planar, done, n);
                done += n;
                if (done == Frames) break;
            }
            Assert.False(File.Exists(path), "the destination appeared before the commit");
            writer.Commit();
        }
        Assert.Equal([path], Directory.GetFileSystemEntries(dir.Path));
        float[] sox = Sox.DecodeToF32(path, out string warnings);
        Assert.Equal("", warnings.Trim());
        Assert.Equal(Frames * channels, sox.Length);
        // Integers within half an LSB; float within sox's own round trip through 32-bit integers and back
        // to float (one float ulp below 1.0, 2^-24, either way).
        double lsb = format switch { WavSampleFormat.Pcm16 => 1.0 / 32768, WavSampleFormat.Pcm24 => 1.0 / 8388608, _ => 2.0 / 16777216 };
        for (int n = 0; n < Frames; n++)
            for (int c = 0; c < channels; c++)
                Assert.True(Math.Abs(sox[n * channels + c] - planar[c][n]) <= lsb / 2 + 1e-9, $"frame {n} channel {c}: sox {sox[n * channels + c]}, written {planar[c][n]}");
    }

    [Fact]
    public void CommittingFewerFramesThanDeclaredFailsAndLeavesNothing()
    {
        string path = dir.File("short.wav");
        File.WriteAllText(path, "old content");
        using (var writer = WavWriter.Create(path, 48000, 1, 100, WavSampleFormat.Pcm16))
        {
            writer.Write([new float[99]], 0, 99);
            Assert.Throws<InvalidOperationException>(writer.Commit);
        }
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void AnAbandonedWriterLeavesNoTemporaryFile()
    {
        using (var writer = WavWriter.Create(dir.File("x.wav"), 48000, 2, 10, WavSampleFormat.Float32))
            writer.Write([new float[4], new float[4]], 0, 4);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void AMissingFolderOrAFolderInTheFilesPlaceIsOneLineNamingThePathAsGiven()
    {
        string missing = Path.Combine(dir.Path, "no", "such", "out.wav");
        var e = Assert.Throws<DirectoryNotFoundException>(() => WavWriter.Create(missing, 48000, 1, 1, WavSampleFormat.Pcm16));
        Assert.Equal($"{missing}: folder {Path.Combine(dir.Path, "no", "such")} does not exist", e.Message);

        string folder = dir.File("taken.wav");
        Directory.CreateDirectory(folder);
        var f = Assert.ThrowsAny<IOException>(() => WavWriter.Write(folder, new AudioBuffer(48000, [new float[3]]), WavSampleFormat.Pcm16));
        Assert.Equal($"{folder}: is a folder; give a file name", f.Message);
        Assert.Equal([folder], Directory.GetFileSystemEntries(dir.Path));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
