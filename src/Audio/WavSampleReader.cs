namespace PercepNetFx.Audio;

/// <summary>
/// The samples of one WAV file decoded block by block to planar float (made by
/// <see cref="WavReader.OpenSamples"/>; the whole-file <see cref="WavReader.Read(Stream, string)"/> uses it
/// too, so both decode alike). Memory stays at one 1 MiB block whatever the file's length.
/// </summary>
public sealed class WavSampleReader : IDisposable
{
    private readonly Stream stream;
    private readonly string name;
    private readonly int blockAlign;
    private readonly bool leaveOpen;
    private readonly byte[] buffer;
    private long position;

    internal WavSampleReader(Stream stream, WavInfo info, long dataOffset, int blockAlign, string name, bool leaveOpen)
    {
        this.stream = stream;
        this.name = name;
        this.blockAlign = blockAlign;
        this.leaveOpen = leaveOpen;
        Info = info;
        buffer = new byte[WavReader.BufferBytes(blockAlign, info.FrameCount)];
        stream.Position = dataOffset;
    }

    /// <summary>Header facts; <see cref="WavInfo.FrameCount"/> is the number of frames <see cref="Read"/> delivers in all.</summary>
    public WavInfo Info { get; }

    /// <summary>Frames not yet read.</summary>
    public long Remaining => Info.FrameCount - position;

    /// <summary>
    /// Decodes the next min(<paramref name="count"/>, <see cref="Remaining"/>) frames into
    /// <c>channels[c][offset …]</c>; returns how many (0 at the end). Errors are a <see cref="WavFormatException"/>.
    /// </summary>
    public int Read(float[][] channels, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length != Info.ChannelCount)
            throw new ArgumentException($"{channels.Length} channel arrays given, the file has {Info.ChannelCount}", nameof(channels));
        int total = (int)Math.Min(count, Remaining);
        foreach (float[] ch in channels)
            if (ch is null || offset < 0 || offset + total > ch.Length) throw new ArgumentOutOfRangeException(nameof(count), "block outside a channel array");
        return WavReader.WrapIo(name, () =>
        {
            for (int done = 0; done < total;)
            {
                int k = Math.Min(buffer.Length / blockAlign, total - done);
                Span<byte> chunk = buffer.AsSpan(0, k * blockAlign);
                WavReader.ReadExactly(stream, chunk, name);
                WavReader.Decode(chunk, channels, offset + done, k, blockAlign, Info.Format);
                done += k;
            }
            position += total;
            return total;
        });
    }

    public void Dispose()
    {
        if (!leaveOpen) stream.Dispose();
    }
}
