using static PercepNetFx.Audio.Tests.WavBytes;

namespace PercepNetFx.Audio.Tests;

/// <summary>Hand-built broken files: each must fail with a one-line WavFormatException naming file and problem.</summary>
public sealed class MalformedWavTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Asserts rejection by Read and ReadInfo, from a real file and from a non-seekable stream.</summary>
    private WavFormatException AssertRejected(byte[] bytes, string phrase)
    {
        string path = _dir.File("case-file.wav");
        File.WriteAllBytes(path, bytes);
        var fromFile = Assert.Throws<WavFormatException>(() => WavReader.Read(path));
        var info = Assert.Throws<WavFormatException>(() => WavReader.ReadInfo(path));
        var fromPipe = Assert.Throws<WavFormatException>(() => WavReader.Read(new PipeStream(bytes), "pipe-name"));
        foreach (var (e, name) in new[] { (fromFile, path), (info, path), (fromPipe, "pipe-name") })
        {
            Assert.StartsWith(name + ": ", e.Message);
            Assert.Contains(phrase, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        return fromFile;
    }

    [Fact]
    public void SmallValidFileIsAccepted()
    {
        // Guards the fixtures below: the mutations, not the base file, cause the failures.
        AudioBuffer a = WavReader.Read(new MemoryStream(SmallValid()), "ok.wav");
        Assert.Equal(8, a.FrameCount);
        Assert.Equal(-1f, a.Channels[1][3]);
    }

    [Fact]
    public void NonexistentPathIsRejectedWithFileName()
    {
        string path = _dir.File("no-such.wav");
        var e = Assert.Throws<WavFormatException>(() => WavReader.Read(path));
        Assert.Equal($"{path}: file not found", e.Message);
        Assert.IsType<FileNotFoundException>(e.InnerException);
    }

    [Fact]
    public void NonexistentDirectoryIsRejectedWithFileName()
    {
        string path = _dir.File("missing-dir/x.wav");
        var e = Assert.Throws<WavFormatException>(() => WavReader.ReadInfo(path));
        Assert.StartsWith(path + ": file not found", e.Message);
    }

    [Fact]
    public void DirectoryPathIsRejectedWithFileName()
    {
        var e = Assert.Throws<WavFormatException>(() => WavReader.Read(_dir.Path));
        Assert.StartsWith(_dir.Path + ": ", e.Message);
    }

    [Fact]
    public void EmptyFileIsRejectedWithFileName() => AssertRejected([], "empty file");

    [Fact]
    public void TruncationAtEveryOffsetIsRejectedWithFileName()
    {
        byte[] valid = SmallValid();
        for (int len = 0; len < valid.Length; len++)
        {
            byte[] cut = valid[..len];
            // Layout: RIFF header 0..12, fmt 12..36, LIST (3 bytes + pad) 36..48, data header 48..56, samples 56..88.
            string phrase = len switch
            {
                0 => "empty file",
                < 12 => $"truncated RIFF header ({len} of 12 bytes)",
                12 or 36 or 47 or 48 => len == 12 ? "missing fmt chunk" : "missing data chunk",
                < 20 or (> 36 and < 44) or (> 48 and < 56) => "truncated chunk header",
                < 36 => "truncated 'fmt ' chunk",
                < 48 => $"truncated 'LIST' chunk (declares 3 bytes, {len - 44} present)",
                _ => $"truncated data chunk (declares 32 bytes, {len - 56} present)",
            };
            AssertRejected(cut, phrase);
        }
    }

    [Fact]
    public void TruncatedDataChunkIsRejectedWithFileName()
    {
        byte[] bytes = Riff(Fmt(1, 1, 8000, 16), Chunk("data", new byte[1200], declaredSize: 96000));
        AssertRejected(bytes, "truncated data chunk (declares 96000 bytes, 1200 present)");
    }

    [Fact]
    public void HugeDeclaredDataSizeIsRejectedWithoutAllocatingIt()
    {
        byte[] bytes = Riff(Fmt(1, 2, 48000, 16), Chunk("data", new byte[64], declaredSize: 0xFFFFFFF0));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<WavFormatException>(() => WavReader.Read(new MemoryStream(bytes), "huge.wav"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "allocated from an unchecked header");
        AssertRejected(bytes, "truncated data chunk (declares 4294967280 bytes, 64 present)");
    }

    [Fact]
    public void ChunkSizeRunningPastEndOfFileIsRejected()
    {
        byte[] bytes = Riff(Fmt(1, 1, 8000, 16), Chunk("LIST", new byte[10], declaredSize: 0x7FFFFFFF), Chunk("data", new byte[4]));
        AssertRejected(bytes, "truncated 'LIST' chunk (declares 2147483647 bytes, 22 present)");
    }

    [Fact]
    public void FmtChunkSizeRunningPastEndOfFileIsRejected()
    {
        byte[] fmt = Fmt(1, 1, 8000, 16);
        fmt[4] = 0xFF; // declared size 0x..FF instead of 16
        AssertRejected(Riff(fmt), "truncated 'fmt ' chunk");
    }

    [Theory]
    [InlineData(new byte[] { (byte)'R', (byte)'F', (byte)'6', (byte)'4', 0xFF, 0xFF, 0xFF, 0xFF, (byte)'W', (byte)'A', (byte)'V', (byte)'E' }, "RF64")]
    [InlineData(new byte[] { (byte)'f', (byte)'L', (byte)'a', (byte)'C', 0, 0, 0, 0x22, 0, 0, 0, 0 }, "FLAC")]
    [InlineData(new byte[] { (byte)'I', (byte)'D', (byte)'3', 4, 0, 0, 0, 0, 0, 0x21, 0, 0 }, "MP3")]
    [InlineData(new byte[] { 0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0 }, "MP3")]
    [InlineData(new byte[] { (byte)'O', (byte)'g', (byte)'g', (byte)'S', 0, 2, 0, 0, 0, 0, 0, 0 }, "Ogg")]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', (byte)' ', (byte)'w', (byte)'o', (byte)'r', (byte)'l', (byte)'d', (byte)'!' }, "starts with \"hell\"")]
    public void NonRiffFileIsRejectedNamingWhatItLooksLike(byte[] bytes, string phrase)
    {
        var e = AssertRejected(bytes, phrase);
        Assert.Contains("not a RIFF/WAVE file", e.Message);
    }

    [Fact]
    public void RiffThatIsNotWaveIsRejected() =>
        AssertRejected([.. "RIFF"u8, .. U32(4), .. "AVI "u8], "RIFF form type is 'AVI '");

    [Fact]
    public void MissingFmtChunkIsRejected() => AssertRejected(Riff(Chunk("data", new byte[8])), "missing fmt chunk");

    [Fact]
    public void MissingDataChunkIsRejected() =>
        AssertRejected(Riff(Fmt(1, 1, 8000, 16), Chunk("LIST", new byte[6])), "missing data chunk");

    [Fact]
    public void FmtChunkTooShortIsRejected() =>
        AssertRejected(Riff(Fmt(1, 1, 8000, 16, size: 14), Chunk("data", new byte[8])), "fmt chunk too short (14 bytes");

    [Fact]
    public void ExtensibleFmtChunkTooShortIsRejected() =>
        AssertRejected(Riff(Fmt(0xFFFE, 1, 8000, 16, size: 18), Chunk("data", new byte[8])), "EXTENSIBLE fmt chunk too short (18 bytes");

    [Theory]
    [InlineData(0x0002, "format tag 0x0002 (Microsoft ADPCM)")]
    [InlineData(0x0006, "format tag 0x0006 (A-law)")]
    [InlineData(0x0007, "format tag 0x0007 (mu-law)")]
    [InlineData(0x0011, "format tag 0x0011 (IMA ADPCM)")]
    [InlineData(0x0055, "format tag 0x0055 (MP3)")]
    [InlineData(0x1234, "format tag 0x1234 (unknown codec)")]
    public void OtherCodecsAreRejectedNamingTheFormatTag(int tag, string phrase) =>
        AssertRejected(Riff(Fmt(tag, 1, 8000, 8), Chunk("data", new byte[8])), phrase);

    [Fact]
    public void ExtensibleWithAdpcmSubformatIsRejectedNamingIt() =>
        AssertRejected(Riff(FmtExtensible(2, 1, 8000, 16, 16, 4), Chunk("data", new byte[8])),
            "unsupported WAVE_FORMAT_EXTENSIBLE subformat 0x0002 (Microsoft ADPCM)");

    [Fact]
    public void ExtensibleWithForeignGuidIsRejectedShowingTheGuid()
    {
        var guid = Guid.Parse("00000001-0721-11d3-8644-c8c1ca000000"); // Ambisonic B-format PCM
        AssertRejected(Riff(FmtExtensible(1, 4, 8000, 16, 16, 0, guid), Chunk("data", new byte[8])), guid.ToString());
    }

    [Fact]
    public void BlockAlignInconsistentWithBitsIsRejected() =>
        AssertRejected(Riff(Fmt(1, 2, 8000, 16, blockAlign: 2), Chunk("data", new byte[8])),
            "block align 2 inconsistent with 2 channels of 16 bits (expected 4)");

    [Fact]
    public void ByteRateInconsistentIsRejected() =>
        AssertRejected(Riff(Fmt(1, 2, 8000, 16, byteRate: 16000), Chunk("data", new byte[8])),
            "byte rate 16000 inconsistent with 8000 Hz x block align 4 (expected 32000)");

    [Fact]
    public void ZeroChannelsIsRejected() =>
        AssertRejected(Riff(Fmt(1, 0, 8000, 16), Chunk("data", new byte[8])), "0 channels");

    [Fact]
    public void AbsurdChannelCountIsRejected() =>
        AssertRejected(Riff(Fmt(1, 65, 8000, 16), Chunk("data", new byte[130])), "absurd channel count 65");

    [Fact]
    public void ZeroSampleRateIsRejected() =>
        AssertRejected(Riff(Fmt(1, 1, 0, 16), Chunk("data", new byte[8])), "sample rate is 0");

    [Theory]
    [InlineData(1, 0, "unsupported bit depth 0 for PCM")]
    [InlineData(1, 40, "unsupported bit depth 40 for PCM")]
    [InlineData(3, 16, "unsupported bit depth 16 for IEEE float")]
    [InlineData(3, 24, "unsupported bit depth 24 for IEEE float")]
    public void UnsupportedBitDepthIsRejected(int tag, int bits, string phrase) =>
        AssertRejected(Riff(Fmt(tag, 1, 8000, bits), Chunk("data", new byte[8])), phrase);

    [Fact]
    public void ValidBitsAboveContainerAreRejected() =>
        AssertRejected(Riff(FmtExtensible(1, 1, 8000, 16, 24, 4), Chunk("data", new byte[8])), "valid bits 24 exceed container bits 16");
}
