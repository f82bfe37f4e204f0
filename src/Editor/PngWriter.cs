using System.Buffers.Binary;
using System.IO.Compression;

namespace PercepNetFx.Editor;

/// <summary>
/// Minimal PNG encoder (PNG spec, ISO/IEC 15948): 8-bit RGBA (colour type 6), no interlace,
/// filter type 0 ("None") on every scanline, one zlib-compressed IDAT chunk. The CRC-32 is the
/// PNG/zlib polynomial 0xEDB88320 (reflected), computed here with a 256-entry table.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

    public static void Write(string path, Canvas canvas)
    {
        using var file = File.Create(path);
        Write(file, canvas.Pixels, canvas.Width, canvas.Height);
    }

    /// <summary>Writes 0xAARRGGBB pixels (the <see cref="Canvas"/> format) as an RGBA PNG.</summary>
    public static void Write(Stream output, ReadOnlySpan<uint> argb, int width, int height)
    {
        if (argb.Length < width * height) throw new ArgumentException("pixel buffer smaller than width × height");
        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 6;  // colour type: truecolour with alpha
        ihdr[10] = 0; // compression: deflate
        ihdr[11] = 0; // filter method 0
        ihdr[12] = 0; // no interlace
        WriteChunk(output, "IHDR"u8, ihdr);

        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var line = new byte[1 + 4 * width];
            for (int y = 0; y < height; y++)
            {
                line[0] = 0; // filter: None
                for (int x = 0; x < width; x++)
                {
                    uint p = argb[y * width + x];
                    int o = 1 + 4 * x;
                    line[o] = (byte)(p >> 16);
                    line[o + 1] = (byte)(p >> 8);
                    line[o + 2] = (byte)p;
                    line[o + 3] = (byte)(p >> 24);
                }
                z.Write(line);
            }
        }
        WriteChunk(output, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND"u8, ReadOnlySpan<byte>.Empty);
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu; // over type + data
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }
}

/// <summary>CRC-32 as used by PNG and zlib's crc32 (reflected polynomial 0xEDB88320).</summary>
public static class Crc32
{
    private static readonly uint[] Table = MakeTable();

    private static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    /// <summary>Continues a running CRC register (start with 0xFFFFFFFF, finish by xor 0xFFFFFFFF).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The finished CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;
}
