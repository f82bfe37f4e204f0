using static PercepNetFx.Audio.Tests.WavBytes;

namespace PercepNetFx.Audio.Tests;

/// <summary>Unusual but legal (or deliberately tolerated) layouts, built by hand.</summary>
public sealed class WavReaderTests
{
    private static AudioBuffer Read(byte[] bytes) => WavReader.Read(new MemoryStream(bytes), "t.wav");

    [Fact]
    public void UnknownChunksAreSkippedHonouringOddSizePadByte()
    {
        // If the pad byte after each odd-sized chunk were not skipped, the next chunk id would be misread.
        byte[] bytes = Riff(
            Chunk("JUNK", new byte[5]),
            Chunk("bext", [9, 9, 9]),
            Fmt(1, 1, 8000, 16),
            Chunk("LIST", [1]),
            Chunk("fact", U32(2)),
            Chunk("data", Pcm16Data(16384, -16384)),
            Chunk("id3 ", [1, 2, 3]));
        AudioBuffer a = Read(bytes);
        Assert.Equal([0.5f, -0.5f], a.Channels[0]);
    }

    [Fact]
    public void FmtAfterDataIsAccepted()
    {
        AudioBuffer a = Read(Riff(Chunk("data", Pcm16Data(8192)), Fmt(1, 1, 8000, 16)));
        Assert.Equal([0.25f], a.Channels[0]);
    }

    [Theory]
    [InlineData(0u, 0u)]
    [InlineData(0xFFFFFFFFu, 0xFFFFFFFFu)]
    [InlineData(0xFFFFFFFFu, 0u)]
    [InlineData(1000u, 0xFFFFFFFFu)]
    public void StreamingSentinelSizesMeanDataRunsToEndOfFile(uint riffSize, uint dataSize)
    {
        byte[] bytes = Riff(riffSize, Fmt(1, 2, 8000, 16), Chunk("data", Pcm16Data(1, 2, 3, 4, 5, 6), declaredSize: dataSize));
        AudioBuffer a = Read(bytes);
        Assert.Equal(3, a.FrameCount);
        Assert.Equal(5 / 32768f, a.Channels[0][2]);
        Assert.Equal(3, WavReader.ReadInfo(new PipeStream(bytes), "t.wav").FrameCount);
    }

    [Fact]
    public void ZeroDataSizeWithRealRiffSizeIsEmptyAudio()
    {
        // A real RIFF size shows the header was finalised, so data size 0 is an honest empty chunk.
        byte[] bytes = Riff(Fmt(1, 1, 8000, 16), Chunk("data", []), Chunk("LIST", new byte[4]));
        AudioBuffer a = Read(bytes);
        Assert.Equal(0, a.FrameCount);
        Assert.Equal(8000, a.SampleRate);
    }

    [Fact]
    public void WrongRiffSizeIsIgnored()
    {
        Assert.Equal(1, Read(Riff(12, Fmt(1, 1, 8000, 16), Chunk("data", Pcm16Data(7)))).FrameCount);
        Assert.Equal(1, Read(Riff(99999, Fmt(1, 1, 8000, 16), Chunk("data", Pcm16Data(7)))).FrameCount);
    }

    [Fact]
    public void PartialTrailingFrameIsDropped()
    {
        // Documented choice: a data size that is not a multiple of block align is cut to whole frames.
        byte[] data = [.. Pcm16Data(100, 200, 300), 0x55];
        AudioBuffer a = Read(Riff(Fmt(1, 2, 8000, 16), Chunk("data", data)));
        Assert.Equal(1, a.FrameCount);
        Assert.Equal(200 / 32768f, a.Channels[1][0]);
    }

    [Fact]
    public void NonSeekableStreamIsReadLikeAFile()
    {
        byte[] bytes = SmallValid();
        AudioBuffer a = WavReader.Read(new PipeStream(bytes), "pipe");
        AudioBuffer b = Read(bytes);
        Assert.Equal(b.Channels[0], a.Channels[0]);
        Assert.Equal(b.Channels[1], a.Channels[1]);
    }

    [Fact]
    public void StreamIsReadFromItsCurrentPosition()
    {
        byte[] bytes = [1, 2, 3, .. SmallValid()];
        var ms = new MemoryStream(bytes) { Position = 3 };
        Assert.Equal(8, WavReader.Read(ms, "offset").FrameCount);
    }

    [Fact]
    public void Extensible20BitIn24BitContainerReportsValidBitsAndFullScale()
    {
        // 20-bit samples are left-justified in 3 bytes: 0x400000 is half scale whatever the valid bits.
        byte[] bytes = Riff(FmtExtensible(1, 1, 96000, 24, 20, 4), Chunk("data", [0x00, 0x00, 0x40, 0x00, 0x00, 0xC0]));
        WavInfo info = WavReader.ReadInfo(new MemoryStream(bytes), "t.wav");
        Assert.Equal(new WavInfo(96000, 1, WavSampleFormat.Pcm24, 20, 2, 4, true), info);
        Assert.Equal([0.5f, -0.5f], Read(bytes).Channels[0]);
    }

    [Fact]
    public void ExtensibleFloatWithSpeakerMaskIsRead()
    {
        byte[] data = new byte[3 * 4];
        BitConverter.TryWriteBytes(data.AsSpan(4), 0.75f);
        byte[] bytes = Riff(FmtExtensible(3, 3, 48000, 32, 32, 0x7), Chunk("data", data));
        WavInfo info = WavReader.ReadInfo(new MemoryStream(bytes), "t.wav");
        Assert.Equal((WavSampleFormat.Float32, 3, 7u, true), (info.Format, info.ChannelCount, info.ChannelMask, info.IsExtensible));
        Assert.Equal(0.75f, Read(bytes).Channels[1][0]);
    }

    [Fact]
    public void UnsignedPcm8UsesOffset128()
    {
        AudioBuffer a = Read(Riff(Fmt(1, 1, 8000, 8), Chunk("data", [0, 64, 128, 255])));
        Assert.Equal([-1f, -0.5f, 0f, 127 / 128f], a.Channels[0]);
    }

    [Fact]
    public void IntegerFullScaleIsTwoToTheBitsMinusOne()
    {
        byte[] pcm24 = [0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F, 0x01, 0x00, 0x00];
        Assert.Equal([-1f, 8388607 / 8388608f, 1 / 8388608f], Read(Riff(Fmt(1, 1, 8000, 24), Chunk("data", pcm24, pad: true))).Channels[0]);
        byte[] pcm32 = [0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40];
        Assert.Equal([-1f, 0.5f], Read(Riff(Fmt(1, 1, 8000, 32), Chunk("data", pcm32))).Channels[0]);
    }

    [Fact]
    public void InfoReportsDurationAndFormat()
    {
        WavInfo info = WavReader.ReadInfo(new MemoryStream(SmallValid()), "t.wav");
        Assert.Equal(new WavInfo(8000, 2, WavSampleFormat.Pcm16, 16, 8, 0, false), info);
        Assert.Equal(0.001, info.DurationSeconds, 12);
    }
}
