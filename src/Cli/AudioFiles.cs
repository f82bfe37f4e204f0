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
    /// </summary>
    private static T Decode<T>(Stream stream, string name, Container kind, Func<WaveStream, Stream, T> body)
    {
        try
        {
            Stream input = kind != Container.Rf64 && stream.Length % 2 == 1 ? PaddedCopy(stream, name) : stream;
            using WaveStream reader = kind == Container.Rf64 ? new WaveFileReader(input) : new AiffFileReader(input);
            return body(reader, input);
        }
        catch (WavFormatException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new WavFormatException(name, $"cannot read this {Name(kind)} file: {e.Message}", e);
        }
    }

    /// <summary>
    /// IFF chunks are padded to an even size, but some writers (sox 14.4, for 24-bit mono with an odd frame
    /// count) leave out the pad byte after the last chunk. NAudio then sees the sound chunk run one byte past
    /// the end and skips it ("No SSND chunk found"). Such a file is read from a copy with the pad byte restored.
    /// </summary>
    private static MemoryStream PaddedCopy(Stream stream, string name)
    {
        if (stream.Length >= Array.MaxLength) throw new WavFormatException(name, $"AIFF file too large to load ({stream.Length} bytes)");
        var copy = new MemoryStream((int)stream.Length + 1);
        stream.CopyTo(copy);
        copy.WriteByte(0);
        copy.Position = 0;
        return copy;
    }

    /// <summary>
    /// Decodes an NAudio wave stream to planar float through NAudio's own sample conversion. Allocation is
    /// bounded by the bytes present in the file, never by a header field; a data size larger than what is
    /// present is an error, as in the WAV reader. Public for the benchmark that compares it with WavReader.
    /// </summary>
    public static AudioBuffer ReadWithNAudio(WaveStream reader, Stream file, string path)
    {
        WaveFormat format = reader.WaveFormat;
        var (_, channels) = Check(format, path);
        long declared = DeclaredFrames(reader);
        // NAudio's readers leave the stream at the first byte of the sample data.
        long present = Math.Max(0, file.Length - file.Position) / format.BlockAlign;
        if (declared > present)
            throw new WavFormatException(path, $"truncated data (declares {declared} frames, {present} present)");
        if (declared > Array.MaxLength)
            throw new WavFormatException(path, $"data too long to load ({declared} frames per channel, at most {Array.MaxLength})");
        int frames = (int)declared;
        var planar = new float[channels][];
        for (int c = 0; c < channels; c++) planar[c] = new float[frames];
        ISampleProvider samples = reader.ToSampleProvider();
        var interleaved = new float[Math.Min(ChunkFrames, Math.Max(frames, 1)) * channels];
        for (int done = 0; done < frames;)
        {
            int want = Math.Min(interleaved.Length / channels, frames - done);
            int got = samples.Read(interleaved.AsSpan(0, want * channels)) / channels;
            if (got == 0)
                throw new WavFormatException(path, $"unexpected end of data after {done} of {frames} frames");
            for (int c = 0; c < channels; c++)
            {
                float[] dst = planar[c];
                for (int i = 0, p = c; i < got; i++, p += channels) dst[done + i] = interleaved[p];
            }
            done += got;
        }
        return new AudioBuffer(format.SampleRate, planar);
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
