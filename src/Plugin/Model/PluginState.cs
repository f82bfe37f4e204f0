using System.Buffers.Binary;

namespace PercepNetFx.Plugin;

/// <summary>
/// The component state (vst3-abi.md §8), little-endian, versioned and validated
/// (docs/decisions.md "Plug-in state format"):
/// <code>
/// offset  size  field
/// 0       4     magic "PNFX"
/// 4       4     uint32 version = 1
/// 8       4     uint32 parameter count N (1 … 64)
/// 12      12·N  N × (uint32 parameter ID, float64 normalised value in [0, 1])
/// </code>
/// A state is accepted only whole: right magic and version, exact length, every ID known and
/// unique, every value finite and in [0, 1]; otherwise nothing is applied.
/// </summary>
public static class PluginState
{
    public static ReadOnlySpan<byte> Magic => "PNFX"u8;
    public const uint Version = 1;
    public const int HeaderSize = 12;
    public const int EntrySize = 12;
    public const int MaxParameters = 64;
    public const int MaxSize = HeaderSize + MaxParameters * EntrySize;

    public static byte[] Write(AudioPluginBase plugin)
    {
        var ps = plugin.Parameters;
        var data = new byte[HeaderSize + ps.Count * EntrySize];
        Magic.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), (uint)ps.Count);
        for (int i = 0; i < ps.Count; i++)
        {
            int o = HeaderSize + i * EntrySize;
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(o), ps[i].Id);
            BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(o + 4), ps[i].Normalized);
        }
        return data;
    }

    /// <summary>Size of the whole state given its first <see cref="HeaderSize"/> bytes, or -1 if the header is invalid.</summary>
    public static int SizeFromHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderSize || !header[..4].SequenceEqual(Magic)) return -1;
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != Version) return -1;
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (n is 0 or > MaxParameters) return -1;
        return HeaderSize + (int)n * EntrySize;
    }

    public static bool TryApply(ReadOnlySpan<byte> data, AudioPluginBase plugin)
    {
        Span<double> values = stackalloc double[plugin.Parameters.Count];
        if (!TryParse(data, plugin, values)) return false;
        for (int i = 0; i < values.Length; i++) plugin.Parameters[i].Normalized = values[i];
        return true;
    }

    /// <summary>Parses into <paramref name="values"/> (indexed like plugin.Parameters; absent IDs keep their current value).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, AudioPluginBase plugin, Span<double> values)
    {
        int size = SizeFromHeader(data);
        if (size < 0 || data.Length != size) return false;
        for (int i = 0; i < values.Length; i++) values[i] = plugin.Parameters[i].Normalized;
        Span<bool> seen = stackalloc bool[values.Length];
        int n = (size - HeaderSize) / EntrySize;
        for (int e = 0; e < n; e++)
        {
            int o = HeaderSize + e * EntrySize;
            uint id = BinaryPrimitives.ReadUInt32LittleEndian(data[o..]);
            double v = BinaryPrimitives.ReadDoubleLittleEndian(data[(o + 4)..]);
            int index = plugin.FindParameterIndex(id);
            if (index < 0 || seen[index] || !double.IsFinite(v) || v < 0 || v > 1) return false;
            seen[index] = true;
            values[index] = v;
        }
        return true;
    }
}
