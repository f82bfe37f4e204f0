using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PercepNetFx.Audio;

/// <summary>
/// Writes RIFF/WAVE files.
/// </summary>
/// <remarks>
/// Header choice follows Microsoft's WAVE_FORMAT_EXTENSIBLE guidance (and matches what sox writes):
/// EXTENSIBLE when there are more than 2 channels or integer samples wider than 16 bits; otherwise the plain
/// WAVE_FORMAT_PCM / WAVE_FORMAT_IEEE_FLOAT header, which the oldest readers understand. The EXTENSIBLE
/// channel mask is front-centre for mono, front-left|right for stereo and 0 ("no speaker assignment") for
/// other counts, since the buffer carries no layout. Float files get the fact chunk the spec requires
/// for non-PCM data.
/// Integer samples are scaled by 2^(bits-1), rounded to nearest (ties to even), clipped to [-1, 1) and NaN
/// becomes 0; no dither. Float32 is written bit for bit, so a Float32 read→write round trip is exact.
/// </remarks>
public static class WavWriter
{
    internal const int BlockBytes = 1 << 16;

    /// <summary>
    /// Writes atomically (<see cref="AtomicFile"/>): the file is written to a temporary name in the
    /// destination folder, flushed to disk and then renamed over <paramref name="path"/>. On any failure the
    /// temporary file is deleted and an existing destination is left untouched.
    /// </summary>
    public static void Write(string path, AudioBuffer audio, WavSampleFormat format)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(audio);
        CheckChannels(audio);
        using var file = Create(path, audio.SampleRate, audio.ChannelCount, audio.FrameCount, format);
        file.Write(audio.Channels, 0, audio.FrameCount);
        file.Commit();
    }

    public static void Write(Stream stream, AudioBuffer audio, WavSampleFormat format)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(audio);
        CheckChannels(audio);
        var writer = new WavSampleWriter(stream, audio.SampleRate, audio.ChannelCount, audio.FrameCount, format);
        writer.Write(audio.Channels, 0, audio.FrameCount);
        writer.Finish();
    }

    /// <summary>
    /// Starts an atomic file of <paramref name="frames"/> frames written block by block (for audio too long
    /// to hold in memory): the header is checked before the disk is touched, and
    /// <see cref="WavFileWriter.Commit"/> renames the file into place once every frame was written.
    /// </summary>
    public static WavFileWriter Create(string path, int sampleRate, int channels, long frames, WavSampleFormat format)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckHeader(sampleRate, channels, frames, format); // fail before touching the disk
        var file = new AtomicFile(path);
        try
        {
            return new WavFileWriter(file, new WavSampleWriter(file.Stream, sampleRate, channels, frames, format));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes the RIFF/WAVE header for <paramref name="frames"/> frames (the data chunk's size is known up front).</summary>
    internal static void WriteHeader(Stream stream, int sampleRate, int channels, long frames, WavSampleFormat format)
    {
        long dataBytes = CheckHeader(sampleRate, channels, frames, format);
        int bytes = BytesPerSample(format);
        bool isFloat = format is WavSampleFormat.Float32 or WavSampleFormat.Float64;
        int blockAlign = channels * bytes;
        bool extensible = channels > 2 || (!isFloat && bytes > 2);
        int fmtSize = extensible ? 40 : isFloat ? 18 : 16; // non-PCM WAVEFORMATEX carries cbSize
        int factSize = isFloat ? 12 : 0;
        int headerSize = 12 + 8 + fmtSize + factSize + 8;
        ushort tag = isFloat ? (ushort)3 : (ushort)1;

        Span<byte> h = stackalloc byte[headerSize];
        h.Clear();
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(headerSize - 8 + dataBytes + (dataBytes & 1)));
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)fmtSize);
        Span<byte> f = h.Slice(20, fmtSize);
        BinaryPrimitives.WriteUInt16LittleEndian(f, extensible ? (ushort)0xFFFE : tag);
        BinaryPrimitives.WriteUInt16LittleEndian(f[2..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(f[4..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(f[8..], (uint)((long)sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(f[12..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(f[14..], (ushort)(bytes * 8));
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(f[16..], 22); // cbSize
            BinaryPrimitives.WriteUInt16LittleEndian(f[18..], (ushort)(bytes * 8)); // valid bits
            BinaryPrimitives.WriteUInt32LittleEndian(f[20..], channels switch { 1 => 0x4u, 2 => 0x3u, _ => 0u });
            // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000t-0000-0010-8000-00aa00389b71}
            BinaryPrimitives.WriteUInt16LittleEndian(f[24..], tag);
            ReadOnlySpan<byte> tail = [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71];
            tail.CopyTo(f[26..]);
        }
        int p = 20 + fmtSize;
        if (isFloat)
        {
            "fact"u8.CopyTo(h[p..]);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 4)..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 8)..], (uint)frames);
            p += 12;
        }
        "data"u8.CopyTo(h[p..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 4)..], (uint)dataBytes);
        stream.Write(h);
    }

    private static int BytesPerSample(WavSampleFormat format) => format switch
    {
        WavSampleFormat.Pcm8 => 1,
        WavSampleFormat.Pcm16 => 2,
        WavSampleFormat.Pcm24 => 3,
        WavSampleFormat.Pcm32 or WavSampleFormat.Float32 => 4,
        WavSampleFormat.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format."),
    };

    /// <summary>Channels[] is a mutable array: re-check lengths so a swapped channel cannot corrupt the file mid-write.</summary>
    private static void CheckChannels(AudioBuffer audio)
    {
        foreach (float[] ch in audio.Channels)
            if (ch is null || ch.Length != audio.FrameCount)
                throw new ArgumentException("Channel lengths changed after the AudioBuffer was created.", nameof(audio));
    }

    /// <summary>Validates what the header can express; returns the data chunk size in bytes.</summary>
    private static long CheckHeader(int sampleRate, int channels, long frames, WavSampleFormat format)
    {
        int bytes = BytesPerSample(format);
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "Sample rate must be positive.");
        if (channels < 1 || channels > ushort.MaxValue || channels * bytes > ushort.MaxValue)
            throw new ArgumentException($"{channels} channels cannot be described by a WAV header.", nameof(channels));
        if (frames < 0) throw new ArgumentOutOfRangeException(nameof(frames), frames, "Frame count must not be negative.");
        long dataBytes = frames * channels * bytes;
        if (dataBytes + 100 > uint.MaxValue)
            throw new ArgumentException($"{dataBytes} bytes of audio exceed the 4 GiB WAV limit.", nameof(frames));
        return dataBytes;
    }

    /// <summary>Encodes frames [offset, offset + count) of planar channels into interleaved bytes.</summary>
    internal static void Encode(float[][] channels, int offset, int count, Span<byte> interleaved, WavSampleFormat format)
    {
        int bytes = BytesPerSample(format), blockAlign = channels.Length * bytes;
        for (int c = 0; c < channels.Length; c++)
            Encode(channels[c].AsSpan(offset, count), interleaved[(c * bytes)..], blockAlign, format);
    }

    internal static int BlockAlign(int channels, WavSampleFormat format) => channels * BytesPerSample(format);

    // Hot loop: compile fully optimised on first call instead of starting at tier 0 (a CLI reads one file).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Encode(ReadOnlySpan<float> src, Span<byte> dst, int stride, WavSampleFormat format)
    {
        int p = 0;
        switch (format)
        {
            case WavSampleFormat.Pcm8:
                for (int i = 0; i < src.Length; i++, p += stride)
                    dst[p] = (byte)(Quantize(src[i], 128.0, 127) + 128);
                break;
            case WavSampleFormat.Pcm16:
                for (int i = 0; i < src.Length; i++, p += stride)
                    BinaryPrimitives.WriteInt16LittleEndian(dst[p..], (short)Quantize(src[i], 32768.0, short.MaxValue));
                break;
            case WavSampleFormat.Pcm24:
                for (int i = 0; i < src.Length; i++, p += stride)
                {
                    int v = Quantize(src[i], 8388608.0, 8388607);
                    dst[p] = (byte)v;
                    dst[p + 1] = (byte)(v >> 8);
                    dst[p + 2] = (byte)(v >> 16);
                }
                break;
            case WavSampleFormat.Pcm32:
                for (int i = 0; i < src.Length; i++, p += stride)
                    BinaryPrimitives.WriteInt32LittleEndian(dst[p..], Quantize(src[i], 2147483648.0, int.MaxValue));
                break;
            case WavSampleFormat.Float32:
                for (int i = 0; i < src.Length; i++, p += stride)
                    BinaryPrimitives.WriteSingleLittleEndian(dst[p..], src[i]);
                break;
            default:
                for (int i = 0; i < src.Length; i++, p += stride)
                    BinaryPrimitives.WriteDoubleLittleEndian(dst[p..], src[i]);
                break;
        }
    }

    // Full scale is 2^(bits-1) so -1.0 maps to the most negative code and +1.0 clips to max = 2^(bits-1)-1.
    private static int Quantize(float x, double scale, int max)
    {
        if (float.IsNaN(x))
            return 0;
        double v = Math.Round(x * scale);
        return v >= max ? max : v <= -max - 1 ? -max - 1 : (int)v;
    }
}
