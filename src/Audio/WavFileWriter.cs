namespace PercepNetFx.Audio;

/// <summary>
/// Header, then planar blocks encoded into interleaved samples, then the pad byte: the one encoding
/// path of <see cref="WavWriter"/>, whether the audio is written at once or block by block.
/// </summary>
internal sealed class WavSampleWriter
{
    private readonly Stream stream;
    private readonly int channels;
    private readonly long frames;
    private readonly WavSampleFormat format;
    private readonly int blockAlign;
    private readonly byte[] buffer;
    private long written;

    public WavSampleWriter(Stream stream, int sampleRate, int channels, long frames, WavSampleFormat format)
    {
        WavWriter.WriteHeader(stream, sampleRate, channels, frames, format);
        this.stream = stream;
        this.channels = channels;
        this.frames = frames;
        this.format = format;
        blockAlign = WavWriter.BlockAlign(channels, format);
        int blockFrames = Math.Max(1, WavWriter.BlockBytes / blockAlign);
        buffer = new byte[(int)Math.Min(blockFrames, Math.Max(frames, 1)) * blockAlign];
    }

    public void Write(float[][] planar, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(planar);
        if (planar.Length != channels) throw new ArgumentException($"{planar.Length} channels given, the file has {channels}", nameof(planar));
        if (count < 0 || written + count > frames)
            throw new InvalidOperationException($"{written + count} frames would exceed the {frames} declared in the header");
        foreach (float[] ch in planar)
            if (ch is null || offset < 0 || offset + count > ch.Length) throw new ArgumentOutOfRangeException(nameof(count), "block outside a channel array");
        for (int done = 0; done < count;)
        {
            int k = Math.Min(buffer.Length / blockAlign, count - done);
            Span<byte> chunk = buffer.AsSpan(0, k * blockAlign);
            WavWriter.Encode(planar, offset + done, k, chunk, format);
            stream.Write(chunk);
            done += k;
        }
        written += count;
    }

    /// <summary>Checks that every declared frame was written and adds the RIFF pad byte after an odd-sized chunk.</summary>
    public void Finish()
    {
        if (written != frames) throw new InvalidOperationException($"{written} of the {frames} frames declared in the header were written");
        if ((frames * blockAlign & 1) != 0) stream.WriteByte(0);
    }
}

/// <summary>
/// A WAV file written block by block, for audio too long to hold in memory: created by
/// <see cref="WavWriter.Create"/> with its frame count, filled with <see cref="Write"/>, and put in
/// place by <see cref="Commit"/>. Disposing it without a commit leaves nothing behind.
/// </summary>
public sealed class WavFileWriter : IDisposable
{
    private readonly AtomicFile file;
    private readonly WavSampleWriter samples;

    internal WavFileWriter(AtomicFile file, WavSampleWriter samples)
    {
        this.file = file;
        this.samples = samples;
    }

    /// <summary>Appends frames [offset, offset + count) of each channel array.</summary>
    public void Write(float[][] channels, int offset, int count) => samples.Write(channels, offset, count);

    /// <summary>Completes the file (every declared frame must have been written) and renames it into place.</summary>
    public void Commit()
    {
        samples.Finish();
        file.Commit();
    }

    public void Dispose() => file.Dispose();
}
