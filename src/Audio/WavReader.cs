using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PercepNetFx.Audio;

/// <summary>
/// Reads RIFF/WAVE files: PCM 8 (unsigned) / 16 / 24 / 32-bit and IEEE float 32 / 64, plain or
/// WAVE_FORMAT_EXTENSIBLE, any channel count up to 64. Every problem becomes a
/// <see cref="WavFormatException"/> naming the file.
/// </summary>
/// <remarks>
/// Decisions:
/// <list type="bullet">
/// <item>The RIFF size field is not trusted for bounds (many writers get it wrong); the real stream length is.</item>
/// <item>A data size of 0xFFFFFFFF, or 0 when the RIFF size is also 0 / 0xFFFFFFFF, is the sentinel left by
/// streaming writers that cannot seek back: the data runs to the end of the file. Any other data size larger
/// than what is present is an error ("truncated data chunk").</item>
/// <item>A data size that is not a multiple of the block align is truncated to whole frames (as libsndfile
/// and sox do): the trailing partial frame cannot be decoded and rejecting the file would lose everything else.</item>
/// <item>Allocation is bounded by the bytes actually present, never by a header field. Non-seekable streams are
/// first copied to memory so their length is known.</item>
/// </list>
/// </remarks>
public static class WavReader
{
    private const int MaxChannels = 64;
    private const int BlockBytes = 1 << 20;

    // Bytes 2..15 shared by every KSDATAFORMAT_SUBTYPE_* GUID (00000000-0000-0010-8000-00aa00389b71 with
    // the format tag in the first two bytes).
    private static ReadOnlySpan<byte> KsGuidTail => [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71];

    private readonly record struct Header(WavInfo Info, long DataOffset, int BlockAlign, int ContainerBytes);

    public static AudioBuffer Read(string path) => WithFile(path, fs => Read(fs, path));

    public static WavInfo ReadInfo(string path) => WithFile(path, fs => ReadInfo(fs, path));

    public static AudioBuffer Read(Stream stream, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return WrapIo(nameForErrors, () =>
        {
            Stream s = Seekable(stream);
            Header h = ParseHeader(s, nameForErrors);
            return ReadData(s, h, nameForErrors);
        });
    }

    public static WavInfo ReadInfo(Stream stream, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return WrapIo(nameForErrors, () => ParseHeader(Seekable(stream), nameForErrors).Info);
    }

    private static T WithFile<T>(string path, Func<FileStream, T> body)
    {
        using FileStream fs = Open(path);
        return body(fs);
    }

    /// <summary>Opens a file for sequential reading; failures are a <see cref="WavFormatException"/> naming it
    /// (shared with readers of other formats so every input file fails the same way).</summary>
    public static FileStream Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException e) { throw new WavFormatException(path, "file not found", e); }
        catch (DirectoryNotFoundException e) { throw new WavFormatException(path, "file not found (no such directory)", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new WavFormatException(path, "cannot open file: " + e.Message, e);
        }
    }

    internal static T WrapIo<T>(string name, Func<T> body)
    {
        try { return body(); }
        catch (IOException e) { throw new WavFormatException(name, "I/O error: " + e.Message, e); }
    }

    private static Stream Seekable(Stream stream)
    {
        if (stream.CanSeek)
            return stream;
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    private static Header ParseHeader(Stream s, string name)
    {
        long start = s.Position, end = s.Length;
        if (end <= start)
            throw new WavFormatException(name, "empty file (0 bytes)");

        Span<byte> b = stackalloc byte[40];
        int n = ReadUpTo(s, b[..12]);
        int m = Math.Min(n, 4);
        if (!b[..m].SequenceEqual("RIFF"u8[..m]))
            throw new WavFormatException(name, $"not a RIFF/WAVE file ({DescribeMagic(b[..n])})");
        if (n < 12)
            throw new WavFormatException(name, $"truncated RIFF header ({n} of 12 bytes)");
        if (!b[8..12].SequenceEqual("WAVE"u8))
            throw new WavFormatException(name, $"not a RIFF/WAVE file (RIFF form type is '{FourCC(b[8..12])}')");
        uint riffSize = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]);
        bool streamingRiff = riffSize is 0 or uint.MaxValue;

        WavInfo? info = null;
        int blockAlign = 0, containerBytes = 0;
        long dataOffset = -1, dataBytes = 0;
        long pos = start + 12;
        while (info is null || dataOffset < 0)
        {
            long remaining = end - pos;
            if (remaining >= 1 && remaining < 8)
                throw new WavFormatException(name, $"truncated chunk header at byte {pos - start} ({remaining} of 8 bytes)");
            if (remaining < 8)
                throw new WavFormatException(name, info is null ? "missing fmt chunk" : "missing data chunk");

            s.Position = pos;
            ReadExactly(s, b[..8], name);
            string id = FourCC(b[..4]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]);
            long body = pos + 8, present = end - body;

            if (id == "data" && dataOffset < 0)
            {
                if (size == uint.MaxValue || (size == 0 && streamingRiff))
                    size = (uint)Math.Min(present, uint.MaxValue);
                else if (size > present)
                    throw new WavFormatException(name, $"truncated data chunk (declares {size} bytes, {present} present)");
                dataOffset = body;
                dataBytes = size;
            }
            else if (size > present)
            {
                throw new WavFormatException(name, $"truncated '{id}' chunk (declares {size} bytes, {present} present)");
            }
            else if (id == "fmt " && info is null)
            {
                if (size < 16)
                    throw new WavFormatException(name, $"fmt chunk too short ({size} bytes, at least 16 needed)");
                int len = (int)Math.Min(size, 40u);
                ReadExactly(s, b[..len], name);
                (info, blockAlign, containerBytes) = ParseFmt(b[..len], name);
            }
            // Chunks are word aligned: an odd size is followed by one pad byte.
            pos = body + size + (size & 1);
        }

        long frames = dataBytes / blockAlign;
        return new Header(info with { FrameCount = frames }, dataOffset, blockAlign, containerBytes);
    }

    private static (WavInfo, int BlockAlign, int ContainerBytes) ParseFmt(ReadOnlySpan<byte> f, string name)
    {
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(f);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(f[4..]);
        uint byteRate = BinaryPrimitives.ReadUInt32LittleEndian(f[8..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(f[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);

        bool extensible = tag == 0xFFFE;
        int validBits = bits;
        uint mask = 0;
        if (extensible)
        {
            if (f.Length < 40)
                throw new WavFormatException(name, $"WAVE_FORMAT_EXTENSIBLE fmt chunk too short ({f.Length} bytes, 40 needed)");
            validBits = BinaryPrimitives.ReadUInt16LittleEndian(f[18..]);
            mask = BinaryPrimitives.ReadUInt32LittleEndian(f[20..]);
            if (!f[26..40].SequenceEqual(KsGuidTail))
                throw new WavFormatException(name, $"unsupported WAVE_FORMAT_EXTENSIBLE subformat {new Guid(f[24..40])}");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(f[24..]);
            if (validBits == 0)
                validBits = bits; // 0 means "all container bits are valid"
        }
        if (tag is not (1 or 3))
        {
            string what = extensible ? "WAVE_FORMAT_EXTENSIBLE subformat" : "format tag";
            throw new WavFormatException(name,
                $"unsupported {what} 0x{tag:X4} ({FormatTagName(tag)}); only PCM and IEEE float can be read");
        }
        bool isFloat = tag == 3;

        if (channels == 0)
            throw new WavFormatException(name, "0 channels");
        if (channels > MaxChannels)
            throw new WavFormatException(name, $"absurd channel count {channels} (at most {MaxChannels})");
        if (rate == 0)
            throw new WavFormatException(name, "sample rate is 0");
        if (rate > int.MaxValue)
            throw new WavFormatException(name, $"implausible sample rate {rate} Hz");
        if (isFloat ? bits is not (32 or 64) : bits is < 1 or > 32)
            throw new WavFormatException(name,
                $"unsupported bit depth {bits} for {(isFloat ? "IEEE float (32 or 64)" : "PCM (1 to 32)")}");
        if (validBits > bits)
            throw new WavFormatException(name, $"valid bits {validBits} exceed container bits {bits}");

        // Plain PCM with e.g. 20 bits sits left-justified in a 3-byte container, so the container
        // (not the bit count) decides the decoding and full scale.
        int containerBytes = (bits + 7) / 8;
        int expectedAlign = channels * containerBytes;
        if (blockAlign != expectedAlign)
            throw new WavFormatException(name,
                $"block align {blockAlign} inconsistent with {channels} channels of {bits} bits (expected {expectedAlign})");
        long expectedByteRate = (long)rate * blockAlign;
        if (byteRate != expectedByteRate)
            throw new WavFormatException(name,
                $"byte rate {byteRate} inconsistent with {rate} Hz x block align {blockAlign} (expected {expectedByteRate})");

        WavSampleFormat format = (isFloat, containerBytes) switch
        {
            (true, 4) => WavSampleFormat.Float32,
            (true, _) => WavSampleFormat.Float64,
            (false, 1) => WavSampleFormat.Pcm8,
            (false, 2) => WavSampleFormat.Pcm16,
            (false, 3) => WavSampleFormat.Pcm24,
            _ => WavSampleFormat.Pcm32,
        };
        var info = new WavInfo((int)rate, channels, format, validBits, 0, mask, extensible);
        return (info, blockAlign, containerBytes);
    }

    /// <summary>
    /// Opens a stream for decoding block by block (audio too long to hold in memory): the header is parsed
    /// here, the samples by <see cref="WavSampleReader.Read"/>. Disposing the reader disposes the stream unless
    /// <paramref name="leaveOpen"/>; if opening fails, the stream is left to the caller. A non-seekable stream is
    /// first copied to memory, as in <see cref="Read(Stream, string)"/>.
    /// </summary>
    public static WavSampleReader OpenSamples(Stream stream, string nameForErrors, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return WrapIo(nameForErrors, () =>
        {
            Stream s = Seekable(stream);
            Header h = ParseHeader(s, nameForErrors);
            if (s != stream && !leaveOpen) stream.Dispose(); // fully copied: the reader needs only the copy
            return new WavSampleReader(s, h.Info, h.DataOffset, h.BlockAlign, nameForErrors, leaveOpen && s == stream);
        });
    }

    private static AudioBuffer ReadData(Stream s, Header h, string name)
    {
        WavInfo info = h.Info;
        if (info.FrameCount > Array.MaxLength)
            throw new WavFormatException(name,
                $"data too long to load ({info.FrameCount} frames per channel, at most {Array.MaxLength})");
        int frames = (int)info.FrameCount;
        var channels = new float[info.ChannelCount][];
        for (int c = 0; c < channels.Length; c++)
            channels[c] = new float[frames];
        var reader = new WavSampleReader(s, info, h.DataOffset, h.BlockAlign, name, leaveOpen: true);
        for (int done = 0; done < frames;)
            done += reader.Read(channels, done, frames - done);
        return new AudioBuffer(info.SampleRate, channels);
    }

    /// <summary>Bytes decoded per read of the data chunk (a whole number of frames, at least one).</summary>
    internal static int BufferBytes(int blockAlign, long frames) =>
        (int)Math.Min(Math.Max(1, BlockBytes / blockAlign), Math.Max(frames, 1)) * blockAlign;

    // Channel-outer loops keep the format switch out of the per-sample path; the block is small enough
    // (1 MiB) to stay in cache across the channel passes.
    // Hot loop: compile fully optimised on first call instead of starting at tier 0 (a CLI reads one file).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Decode(ReadOnlySpan<byte> src, float[][] dst, int offset, int frames, int stride, WavSampleFormat format)
    {
        for (int c = 0; c < dst.Length; c++)
        {
            Span<float> d = dst[c].AsSpan(offset, frames);
            switch (format)
            {
                case WavSampleFormat.Pcm8:
                    for (int i = 0, p = c; i < d.Length; i++, p += stride)
                        d[i] = (src[p] - 128) * (1f / 128);
                    break;
                case WavSampleFormat.Pcm16:
                    for (int i = 0, p = c * 2; i < d.Length; i++, p += stride)
                        d[i] = BinaryPrimitives.ReadInt16LittleEndian(src[p..]) * (1f / 32768);
                    break;
                case WavSampleFormat.Pcm24:
                    for (int i = 0, p = c * 3; i < d.Length; i++, p += stride)
                        d[i] = (src[p] | src[p + 1] << 8 | (sbyte)src[p + 2] << 16) * (1f / 8388608);
                    break;
                case WavSampleFormat.Pcm32:
                    for (int i = 0, p = c * 4; i < d.Length; i++, p += stride)
                        d[i] = BinaryPrimitives.ReadInt32LittleEndian(src[p..]) * (1f / 2147483648);
                    break;
                case WavSampleFormat.Float32:
                    for (int i = 0, p = c * 4; i < d.Length; i++, p += stride)
                        d[i] = BinaryPrimitives.ReadSingleLittleEndian(src[p..]);
                    break;
                default:
                    for (int i = 0, p = c * 8; i < d.Length; i++, p += stride)
                        d[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[p..]);
                    break;
            }
        }
    }

    private static int ReadUpTo(Stream s, Span<byte> buffer) => s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    internal static void ReadExactly(Stream s, Span<byte> buffer, string name)
    {
        int n = ReadUpTo(s, buffer);
        if (n < buffer.Length) // only if the file shrank under us: sizes were checked against the length
            throw new WavFormatException(name, $"unexpected end of file at byte {s.Position}");
    }

    private static string FourCC(ReadOnlySpan<byte> id)
    {
        Span<char> c = stackalloc char[id.Length];
        for (int i = 0; i < id.Length; i++)
            c[i] = id[i] is >= 0x20 and < 0x7F ? (char)id[i] : '?';
        return new string(c);
    }

    /// <summary>What the first bytes of a file that is not RIFF/WAVE look like ("looks like FLAC", "starts with ...").</summary>
    public static string DescribeMagic(ReadOnlySpan<byte> m)
    {
        if (m.StartsWith("RF64"u8) || m.StartsWith("BW64"u8)) return "RF64/BW64 64-bit WAV is not supported";
        if (m.StartsWith("RIFX"u8)) return "big-endian RIFX is not supported";
        if (m.StartsWith("fLaC"u8)) return "looks like FLAC";
        if (m.StartsWith("OggS"u8)) return "looks like Ogg";
        if (m.StartsWith("FORM"u8)) return "looks like AIFF";
        if (m.StartsWith("ID3"u8) || (m.Length >= 2 && m[0] == 0xFF && (m[1] & 0xE0) == 0xE0)) return "looks like MP3";
        return $"starts with \"{FourCC(m[..Math.Min(m.Length, 4)])}\"";
    }

    private static string FormatTagName(int tag) => tag switch
    {
        0x0000 => "unknown",
        0x0002 => "Microsoft ADPCM",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0022 => "TrueSpeech",
        0x0031 => "GSM 6.10",
        0x0040 => "G.721 ADPCM",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        0x00FF or 0x1610 => "AAC",
        0x0160 or 0x0161 or 0x0162 or 0x0163 => "Windows Media Audio",
        0x2000 => "AC-3",
        0x2001 => "DTS",
        0xF1AC => "FLAC",
        0xFFFE => "nested WAVE_FORMAT_EXTENSIBLE",
        _ => "unknown codec",
    };
}
