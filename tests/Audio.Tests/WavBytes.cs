using System.Buffers.Binary;
using System.Text;

namespace PercepNetFx.Audio.Tests;

/// <summary>Builds WAV files byte by byte, independently of WavWriter, so headers can be made to lie.</summary>
internal static class WavBytes
{
    public static byte[] Chunk(string id, byte[] body, uint? declaredSize = null, bool pad = true)
    {
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes(id));
        ms.Write(U32(declaredSize ?? (uint)body.Length));
        ms.Write(body);
        if (pad && body.Length % 2 == 1)
            ms.WriteByte(0);
        return ms.ToArray();
    }

    /// <summary>RIFF/WAVE around the chunks; the RIFF size is computed unless given.</summary>
    public static byte[] Riff(uint? riffSize, params byte[][] chunks)
    {
        byte[] body = chunks.SelectMany(c => c).ToArray();
        return [.. "RIFF"u8, .. U32(riffSize ?? (uint)(4 + body.Length)), .. "WAVE"u8, .. body];
    }

    public static byte[] Riff(params byte[][] chunks) => Riff(null, chunks);

    /// <summary>Plain WAVEFORMAT body; block align and byte rate are consistent unless overridden.</summary>
    public static byte[] Fmt(int tag, int channels, int rate, int bits, int? blockAlign = null, long? byteRate = null, int size = 16)
    {
        int align = blockAlign ?? channels * ((bits + 7) / 8);
        var b = new byte[size];
        if (size >= 16)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)tag);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), (ushort)channels);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)rate);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)(byteRate ?? (long)rate * align));
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), (ushort)align);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), (ushort)bits);
        }
        return Chunk("fmt ", b);
    }

    /// <summary>WAVE_FORMAT_EXTENSIBLE body with a KSDATAFORMAT_SUBTYPE GUID for <paramref name="subTag"/>.</summary>
    public static byte[] FmtExtensible(int subTag, int channels, int rate, int bits, int validBits, uint mask, Guid? guid = null)
    {
        byte[] plain = Fmt(0xFFFE, channels, rate, bits, size: 16)[8..];
        var ext = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(ext, 22);
        BinaryPrimitives.WriteUInt16LittleEndian(ext.AsSpan(2), (ushort)validBits);
        BinaryPrimitives.WriteUInt32LittleEndian(ext.AsSpan(4), mask);
        (guid ?? new Guid($"{subTag:x8}-0000-0010-8000-00aa00389b71")).TryWriteBytes(ext.AsSpan(8));
        return Chunk("fmt ", [.. plain, .. ext]);
    }

    public static byte[] Pcm16Data(params short[] samples)
    {
        var b = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(i * 2), samples[i]);
        return b;
    }

    public static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    /// <summary>The valid files the WAV fuzzing mutates (WavFuzzTests; the bench's reader comparison uses the same).</summary>
    public static byte[][] FuzzSeeds()
    {
        short[] pcm = Enumerable.Range(0, 64).Select(i => (short)(i * 311 - 9000)).ToArray();
        var f32 = new byte[64 * 4];
        for (int i = 0; i < 64; i++) BitConverter.TryWriteBytes(f32.AsSpan(4 * i), MathF.Sin(i * 0.3f));
        var s24 = new byte[48 * 3];
        for (int i = 0; i < s24.Length; i++) s24[i] = (byte)(i * 37);
        return
        [
            Riff(Fmt(1, 1, 48000, 16), Chunk("data", Pcm16Data(pcm))),
            Riff(Fmt(1, 2, 44100, 16), Chunk("LIST", new byte[7]), Chunk("data", Pcm16Data(pcm))),
            Riff(Fmt(3, 1, 48000, 32), Chunk("fact", new byte[4]), Chunk("data", f32)),
            Riff(FmtExtensible(1, 2, 96000, 24, 24, 3), Chunk("data", s24)),
        ];
    }

    /// <summary>A small valid file: PCM16 stereo, 8 kHz, an odd-sized LIST chunk, 8 frames.</summary>
    public static byte[] SmallValid() => Riff(
        Fmt(1, 2, 8000, 16),
        Chunk("LIST", [1, 2, 3]),
        Chunk("data", Pcm16Data(0, 1, 100, -100, 1000, -1000, 32767, -32768, 5, 6, 7, 8, 9, 10, 11, 12)));
}

/// <summary>A read-only stream that cannot seek, like a pipe.</summary>
internal sealed class PipeStream(byte[] data) : Stream
{
    private readonly MemoryStream _inner = new(data);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
