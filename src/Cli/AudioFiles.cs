using NAudio.Wave;
using PercepNetFx.Audio;

namespace PercepNetFx.Cli;

/// <summary>
/// The input files the CLI reads, told apart by their first bytes, not their names: RIFF/WAVE with the
/// project's own reader (stricter and faster than NAudio's, docs/decisions.md "WAV input: own reader,
/// NAudio beside it"), and with NAudio.Core's readers what NAudio.Core reads on any platform: AIFF and
/// uncompressed AIFF-C (PCM 8–32-bit), and RF64 (PCM or float). Everything else, and every failure inside
/// NAudio, is a one-line <see cref="WavFormatException"/> naming the file.
/// </summary>
public static class AudioFiles
{
    public const string Supported = "WAV (PCM 8-32-bit, float 32/64), RF64, and AIFF / uncompressed AIFF-C (PCM 8-32-bit)";
    private const int MaxChannels = 64;
    private const int ChunkFrames = 1 << 14;

    /// <summary>Decodes a whole file to planar float.</summary>
    public static AudioBuffer Read(string path)
    {
        using FileStream file = WavReader.Open(path);
        return Read(file, path);
    }

    /// <summary>
    /// Opens a file for decoding block by block (<see cref="AudioInput.Read"/>), so that files of any length
    /// are processed in constant memory; the same formats and errors as <see cref="Read(string)"/>.
    /// </summary>
    public static AudioInput Open(string path)
    {
        FileStream file = WavReader.Open(path);
        try
        {
            Container kind = Kind(file, path);
            if (kind == Container.Wav) return new WavInput(WavReader.OpenSamples(file, path));
            return Decode(file, path, kind, (reader, input) => (AudioInput)new NAudioInput(Name(kind), new NAudioSamples(reader, input, path), reader, file, path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Decodes a whole seekable stream to planar float; <paramref name="name"/> starts every error.</summary>
    public static AudioBuffer Read(Stream stream, string name) => Kind(stream, name) switch
    {
        Container.Wav => WavReader.Read(stream, name),
        var kind => Decode(stream, name, kind, (reader, input) => ReadWithNAudio(reader, input, name)),
    };

    /// <summary>Header facts: the container's name ("WAV", "RF64", "AIFF", "AIFF-C") and the sample format
    /// (`--format same` keeps it; AIFF's big-endian PCM maps to the WAV PCM of the same width).</summary>
    public static (string Container, WavInfo Info) ReadInfo(string path)
    {
        using FileStream file = WavReader.Open(path);
        Container kind = Kind(file, path);
        if (kind == Container.Wav) return (Name(kind), WavReader.ReadInfo(file, path));
        return Decode(file, path, kind, (reader, _) =>
        {
            var (format, channels) = Check(reader.WaveFormat, path);
            return (Name(kind), new WavInfo(reader.WaveFormat.SampleRate, channels, format, reader.WaveFormat.BitsPerSample,
                DeclaredFrames(reader), 0, false));
        });
    }

    private enum Container { Wav, Rf64, Aiff, Aifc }

    private static string Name(Container kind) => kind switch
    {
        Container.Wav => "WAV",
        Container.Rf64 => "RF64",
        Container.Aiff => "AIFF",
        _ => "AIFF-C",
    };

    private static Container Kind(Stream stream, string name)
    {
        Span<byte> head = stackalloc byte[12];
        int n;
        try
        {
            n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            stream.Position = 0;
        }
        catch (IOException e) { throw new WavFormatException(name, "I/O error: " + e.Message, e); }
        head = head[..n];
        // Anything that starts like RIFF (a truncated header too) goes to the WAV reader, whose errors say what is wrong.
        if ("RIFF"u8.StartsWith(head[..Math.Min(n, 4)])) return Container.Wav;
        if (head.StartsWith("RF64"u8)) return Container.Rf64;
        if (head.StartsWith("FORM"u8) && n == 12 && head[8..].SequenceEqual("AIFF"u8)) return Container.Aiff;
        if (head.StartsWith("FORM"u8) && n == 12 && head[8..].SequenceEqual("AIFC"u8)) return Container.Aifc;
        string what = head.StartsWith("FORM"u8) ? "an IFF file that is not AIFF" : WavReader.DescribeMagic(head);
        throw new WavFormatException(name, $"unsupported audio file ({what}); the CLI reads {Supported}");
    }

    /// <summary>
    /// Runs an NAudio reader over the file. Any exception NAudio throws on a malformed file (its parsers
    /// throw FormatException, InvalidDataException, EndOfStreamException, ArgumentException and others) is
    /// turned into the CLI's one-line error: for the caller they all mean "this file cannot be read".
    /// The reader is disposed when <paramref name="body"/> returns, unless it returned an object that keeps it.
    /// </summary>
    private static T Decode<T>(Stream stream, string name, Container kind, Func<WaveStream, Stream, T> body)
    {
        WaveStream? reader = null;
        try
        {
            Stream input = kind != Container.Rf64 && stream.Length % 2 == 1 ? new PaddedStream(stream) : stream;
            reader = kind == Container.Rf64 ? new WaveFileReader(input) : new AiffFileReader(input);
            T result = body(reader, input);
            if (result is not NAudioInput) reader.Dispose();
            return result;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reader?.Dispose();
            if (e is WavFormatException) throw;
            throw NAudioError(name, kind, e);
        }
    }

    private static WavFormatException NAudioError(string name, Container kind, Exception e) =>
        new(name, $"cannot read this {Name(kind)} file: {e.Message}", e);

    /// <summary>
    /// Decodes an NAudio wave stream to planar float through NAudio's own sample conversion. Allocation is
    /// bounded by the bytes present in the file, never by a header field; a data size larger than what is
    /// present is an error, as in the WAV reader. Public for the benchmark that compares it with WavReader.
    /// </summary>
    public static AudioBuffer ReadWithNAudio(WaveStream reader, Stream file, string path)
    {
        var samples = new NAudioSamples(reader, file, path);
        long declared = samples.Info.FrameCount;
        if (declared > Array.MaxLength)
            throw new WavFormatException(path, $"data too long to load ({declared} frames per channel, at most {Array.MaxLength})");
        int frames = (int)declared;
        var planar = new float[samples.Info.ChannelCount][];
        for (int c = 0; c < planar.Length; c++) planar[c] = new float[frames];
        for (int done = 0; done < frames;) done += samples.Read(planar, done, frames - done);
        return new AudioBuffer(samples.Info.SampleRate, planar);
    }

    /// <summary>
    /// An NAudio reader's samples, planar, block by block. NAudio's readers leave the stream at the first
    /// byte of the sample data, so the frames present are known up front and checked against the header.
    /// </summary>
    private sealed class NAudioSamples
    {
        private readonly ISampleProvider samples;
        private readonly string path;
        private float[] interleaved = [];
        private long position;

        public NAudioSamples(WaveStream reader, Stream file, string path)
        {
            this.path = path;
            WaveFormat format = reader.WaveFormat;
            var (sampleFormat, channels) = Check(format, path);
            long declared = DeclaredFrames(reader);
            long present = Math.Max(0, file.Length - file.Position) / format.BlockAlign;
            if (declared > present)
                throw new WavFormatException(path, $"truncated data (declares {declared} frames, {present} present)");
            Info = new WavInfo(format.SampleRate, channels, sampleFormat, format.BitsPerSample, declared, 0, false);
            samples = reader.ToSampleProvider();
        }

        public WavInfo Info { get; }

        public int Read(float[][] planar, int offset, int count)
        {
            int channels = Info.ChannelCount;
            int total = (int)Math.Min(count, Info.FrameCount - position);
            if (interleaved.Length == 0) interleaved = new float[(int)Math.Min(ChunkFrames, Math.Max(Info.FrameCount, 1)) * channels];
            for (int done = 0; done < total;)
            {
                int want = Math.Min(interleaved.Length / channels, total - done);
                int got = samples.Read(interleaved.AsSpan(0, want * channels)) / channels;
                if (got == 0)
                    throw new WavFormatException(path, $"unexpected end of data after {position + done} of {Info.FrameCount} frames");
                for (int c = 0; c < channels; c++)
                {
                    float[] dst = planar[c];
                    for (int i = 0, p = c; i < got; i++, p += channels) dst[offset + done + i] = interleaved[p];
                }
                done += got;
            }
            position += total;
            return total;
        }
    }

    private sealed class WavInput(WavSampleReader reader) : AudioInput(Name(Container.Wav), reader.Info)
    {
        public override int Read(float[][] channels, int offset, int count) => reader.Read(channels, offset, count);
        public override void Dispose() => reader.Dispose();
    }

    private sealed class NAudioInput(string container, NAudioSamples samples, WaveStream reader, Stream file, string path)
        : AudioInput(container, samples.Info)
    {
        public override int Read(float[][] channels, int offset, int count)
        {
            try { return samples.Read(channels, offset, count); }
            catch (Exception e) when (e is not (WavFormatException or OutOfMemoryException))
            {
                throw new WavFormatException(path, $"cannot read this {ContainerName} file: {e.Message}", e);
            }
        }

        public override void Dispose()
        {
            reader.Dispose();
            file.Dispose();
        }
    }

    /// <summary>
    /// IFF chunks are padded to an even size, but some writers (sox 14.4, for 24-bit mono with an odd frame
    /// count) leave out the pad byte after the last chunk. NAudio then sees the sound chunk run one byte past
    /// the end and skips it ("No SSND chunk found"). Such a file is read through this view of it with the pad
    /// byte restored: a zero after its last byte, without copying the file.
    /// </summary>
    private sealed class PaddedStream(Stream inner) : Stream
    {
        private long position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length + 1;

        public override long Position
        {
            get => position;
            set => position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long innerLength = inner.Length;
            if (buffer.IsEmpty || position > innerLength) return 0;
            if (position == innerLength)
            {
                buffer[0] = 0;
                position++;
                return 1;
            }
            inner.Position = position;
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, innerLength - position)]);
            position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => Length + offset,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static long DeclaredFrames(WaveStream reader) => reader.Length / reader.WaveFormat.BlockAlign;

    /// <summary>The sample format and channel count if the CLI can decode this format, else a clear error.</summary>
    private static (WavSampleFormat Format, int Channels) Check(WaveFormat format, string path)
    {
        WaveFormat plain = format.AsStandardWaveFormat();
        int bits = plain.BitsPerSample, channels = plain.Channels;
        WavSampleFormat? sample = (plain.Encoding, bits) switch
        {
            (WaveFormatEncoding.Pcm, 8) => WavSampleFormat.Pcm8,
            (WaveFormatEncoding.Pcm, 16) => WavSampleFormat.Pcm16,
            (WaveFormatEncoding.Pcm, 24) => WavSampleFormat.Pcm24,
            (WaveFormatEncoding.Pcm, 32) => WavSampleFormat.Pcm32,
            (WaveFormatEncoding.IeeeFloat, 32) => WavSampleFormat.Float32,
            (WaveFormatEncoding.IeeeFloat, 64) => WavSampleFormat.Float64,
            _ => null,
        };
        if (sample is not { } s)
            throw new WavFormatException(path, $"unsupported sample format {plain.Encoding} {bits}-bit; the CLI reads {Supported}");
        if (channels is < 1 or > MaxChannels) throw new WavFormatException(path, $"unsupported channel count {channels} (1 to {MaxChannels})");
        if (plain.SampleRate <= 0) throw new WavFormatException(path, $"implausible sample rate {plain.SampleRate} Hz");
        if (plain.BlockAlign != channels * (bits / 8))
            throw new WavFormatException(path, $"block align {plain.BlockAlign} inconsistent with {channels} channels of {bits} bits");
        return (s, channels);
    }
}

/// <summary>An open input file (<see cref="AudioFiles.Open"/>): its header facts and its samples, block by block.</summary>
public abstract class AudioInput(string containerName, WavInfo info) : IDisposable
{
    /// <summary>"WAV", "RF64", "AIFF" or "AIFF-C".</summary>
    public string ContainerName { get; } = containerName;

    /// <summary>Rate, channels, sample format (<c>--format same</c> keeps it) and the frame count <see cref="Read"/> delivers.</summary>
    public WavInfo Info { get; } = info;

    /// <summary>Decodes the next min(count, frames left) frames into <c>channels[c][offset …]</c>; returns how many
    /// (0 at the end). Errors are a one-line <see cref="WavFormatException"/> naming the file.</summary>
    public abstract int Read(float[][] channels, int offset, int count);

    public abstract void Dispose();
}
