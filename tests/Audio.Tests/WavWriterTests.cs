using System.Buffers.Binary;

namespace PercepNetFx.Audio.Tests;

public sealed class WavWriterTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] WriteBytes(AudioBuffer a, WavSampleFormat f)
    {
        var ms = new MemoryStream();
        WavWriter.Write(ms, a, f);
        return ms.ToArray();
    }

    private static AudioBuffer Mono(params float[] x) => new(48000, [x]);

    private static float[] Noise(int n, int seed, float amplitude)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * amplitude)).ToArray();
    }

    /// <summary>Data chunk payload, located by scanning chunk headers (independent of WavReader).</summary>
    private static byte[] DataPayload(byte[] file)
    {
        for (int p = 12; p + 8 <= file.Length;)
        {
            int size = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(p + 4));
            if (file.AsSpan(p, 4).SequenceEqual("data"u8))
                return file[(p + 8)..(p + 8 + size)];
            p += 8 + size + (size & 1);
        }
        throw new InvalidDataException("no data chunk");
    }

    [Fact]
    public void Float32RoundTripIsBitExact()
    {
        float[] special =
        [
            0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN,
            BitConverter.Int32BitsToSingle(0x7FC12345), BitConverter.Int32BitsToSingle(unchecked((int)0xFFA00001)), 1f, -1f, 3.5f,
        ];
        float[] left = [.. special, .. Noise(1000, 1, 1)];
        float[] right = [.. Noise(left.Length, 2, 4)];
        byte[] once = WriteBytes(new AudioBuffer(44100, [left, right]), WavSampleFormat.Float32);
        AudioBuffer back = WavReader.Read(new MemoryStream(once), "f32");
        Assert.Equal(left.Select(BitConverter.SingleToInt32Bits), back.Channels[0].Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(right.Select(BitConverter.SingleToInt32Bits), back.Channels[1].Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(once, WriteBytes(back, WavSampleFormat.Float32));
    }

    [Fact]
    public void Float64RoundTripIsExactForFloatSamples()
    {
        float[] x = Noise(500, 3, 2);
        AudioBuffer back = WavReader.Read(new MemoryStream(WriteBytes(Mono(x), WavSampleFormat.Float64)), "f64");
        Assert.Equal(x, back.Channels[0]);
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm8, 8)]
    [InlineData(WavSampleFormat.Pcm16, 16)]
    [InlineData(WavSampleFormat.Pcm24, 24)]
    [InlineData(WavSampleFormat.Pcm32, 32)]
    public void IntegerRoundTripIsWithinHalfAnLsb(WavSampleFormat format, int bits)
    {
        float[] x = Noise(4000, bits, 0.99f); // inside [-1, 1 - 2^-7] so nothing clips, even at 8 bits
        AudioBuffer back = WavReader.Read(new MemoryStream(WriteBytes(Mono(x), format)), "int");
        // Half an LSB from rounding, plus float32 resolution for 32-bit.
        double tolerance = Math.Pow(2, -bits) + 6e-8;
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(x[i] - back.Channels[0][i]) <= tolerance, $"sample {i}: {x[i]} -> {back.Channels[0][i]}");
    }

    [Fact]
    public void Pcm16ClipsToMinusOneInclusivePlusOneExclusiveAndMapsNaNToZero()
    {
        float lsb = 1 / 32768f;
        float[] x = [1f, -1f, 2f, -2f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0.5f * lsb, 1.5f * lsb, -0.5f * lsb, 0.4f * lsb, 0.6f * lsb];
        byte[] data = DataPayload(WriteBytes(Mono(x), WavSampleFormat.Pcm16));
        short[] got = Enumerable.Range(0, x.Length).Select(i => BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(i * 2))).ToArray();
        // Round half to even: 0.5 -> 0, 1.5 -> 2, -0.5 -> 0.
        Assert.Equal(new short[] { 32767, -32768, 32767, -32768, 0, 32767, -32768, 0, 2, 0, 0, 1 }, got);
    }

    [Fact]
    public void Pcm24And32And8ClipAtTheirOwnLimits()
    {
        float[] x = [1f, -1f, float.NaN];
        byte[] d24 = DataPayload(WriteBytes(Mono(x), WavSampleFormat.Pcm24));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x80, 0, 0, 0 }, d24);
        byte[] d32 = DataPayload(WriteBytes(Mono(x), WavSampleFormat.Pcm32));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x00, 0x80, 0, 0, 0, 0 }, d32);
        byte[] d8 = DataPayload(WriteBytes(Mono(x), WavSampleFormat.Pcm8));
        Assert.Equal(new byte[] { 255, 0, 128 }, d8);
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm16, 1, 1, false, 16)]
    [InlineData(WavSampleFormat.Pcm16, 2, 1, false, 16)]
    [InlineData(WavSampleFormat.Pcm8, 2, 1, false, 16)]
    [InlineData(WavSampleFormat.Pcm16, 3, 1, true, 40)]
    [InlineData(WavSampleFormat.Pcm24, 1, 1, true, 40)]
    [InlineData(WavSampleFormat.Pcm32, 2, 1, true, 40)]
    [InlineData(WavSampleFormat.Float32, 2, 3, false, 18)]
    [InlineData(WavSampleFormat.Float64, 1, 3, false, 18)]
    [InlineData(WavSampleFormat.Float32, 6, 3, true, 40)]
    public void ExtensibleHeaderIsUsedForMoreThanTwoChannelsOrWideIntegers(
        WavSampleFormat format, int channels, int subTag, bool extensible, int fmtSize)
    {
        var a = new AudioBuffer(22050, Enumerable.Range(0, channels).Select(c => Noise(10, c, 0.5f)).ToArray());
        byte[] file = WriteBytes(a, format);
        Assert.Equal(fmtSize, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(16)));
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(20));
        Assert.Equal(extensible ? 0xFFFE : subTag, tag);
        if (extensible)
            Assert.Equal(subTag, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(20 + 24)));
        WavInfo info = WavReader.ReadInfo(new MemoryStream(file), "h");
        Assert.Equal((format, channels, 10L, extensible), (info.Format, info.ChannelCount, info.FrameCount, info.IsExtensible));
        Assert.Equal(file.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(4)));
    }

    [Fact]
    public void OddSizedDataChunkGetsAPadByte()
    {
        byte[] file = WriteBytes(Mono(0.1f, 0.2f, 0.3f), WavSampleFormat.Pcm8);
        Assert.Equal(44 + 3 + 1, file.Length);
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(40)));
        Assert.Equal(file.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(4)));
    }

    [Fact]
    public void EmptyAudioWritesAValidFile()
    {
        AudioBuffer back = WavReader.Read(new MemoryStream(WriteBytes(new AudioBuffer(16000, [[], []]), WavSampleFormat.Pcm16)), "e");
        Assert.Equal((0, 2, 16000), (back.FrameCount, back.ChannelCount, back.SampleRate));
    }

    [Fact]
    public void ExistingDestinationIsReplacedOnSuccessWithNoTempLeft()
    {
        string path = _dir.File("out.wav");
        File.WriteAllText(path, "old content");
        WavWriter.Write(path, Mono(0.25f), WavSampleFormat.Pcm16);
        Assert.Equal([0.25f], WavReader.Read(path).Channels[0]);
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void WriteIntoMissingDirectoryFailsCleanly()
    {
        string path = _dir.File("nope/out.wav");
        Assert.Throws<DirectoryNotFoundException>(() => WavWriter.Write(path, Mono(0.25f), WavSampleFormat.Pcm16));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void FailedRenameDeletesTempAndLeavesDestinationAlone()
    {
        // The destination is a directory, so the final rename fails after the temp file was fully written.
        string path = _dir.File("taken");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "keep.txt"), "x");
        Assert.ThrowsAny<IOException>(() => WavWriter.Write(path, Mono(0.25f), WavSampleFormat.Float32));
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir.Path));
        Assert.Equal("x", File.ReadAllText(Path.Combine(path, "keep.txt")));
    }

    [Fact]
    public void InvalidBufferIsRejectedBeforeTouchingTheDestination()
    {
        string path = _dir.File("out.wav");
        File.WriteAllText(path, "old content");
        var a = new AudioBuffer(8000, [new float[4], new float[4]]);
        a.Channels[1] = new float[2]; // the outer array is mutable; the writer must notice
        Assert.Throws<ArgumentException>(() => WavWriter.Write(path, a, WavSampleFormat.Pcm16));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Write(path, Mono(0f), (WavSampleFormat)99));
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void AudioBufferValidatesItsShape()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioBuffer(0, [new float[1]]));
        Assert.Throws<ArgumentException>(() => new AudioBuffer(8000, []));
        Assert.Throws<ArgumentException>(() => new AudioBuffer(8000, [new float[3], new float[2]]));
        Assert.Throws<ArgumentException>(() => new AudioBuffer(8000, [new float[3], null!]));
        Assert.Throws<ArgumentNullException>(() => new AudioBuffer(8000, null!));
        var ok = new AudioBuffer(8000, [new float[3], new float[3]]);
        Assert.Equal((2, 3, 8000), (ok.ChannelCount, ok.FrameCount, ok.SampleRate));
    }
}
