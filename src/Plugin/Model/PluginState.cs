using System.Buffers.Binary;
using System.Text;

namespace PercepNetFx.Plugin;

/// <summary>
/// The component state (docs/vst3.md §8), little-endian, versioned and validated
/// (docs/decisions.md "Plug-in state format"). Version 2 (written):
/// <code>
/// offset      size  field
/// 0           4     magic "PNFX"
/// 4           4     uint32 version = 2
/// 8           4     uint32 parameter count N (1 … 64)
/// 12          4     uint32 M, byte length of the model identity (1 … 129)
/// 16          12·N  N × (uint32 parameter ID, float64 normalised value in [0, 1])
/// 16 + 12·N   M     model identity: name, one NUL, version (printable ASCII, name ≤ 64, version ≤ 64 bytes)
/// </code>
/// Version 1 (still read) is the same without the M field and the identity; it means the default model.
/// A state is accepted only whole: right magic and version, exact length, every ID known and
/// unique, every value finite and in [0, 1], a well-formed identity; otherwise nothing is applied.
/// </summary>
public static class PluginState
{
    public static ReadOnlySpan<byte> Magic => "PNFX"u8;
    public const uint Version = 2;
    public const uint Version1 = 1;
    /// <summary>Bytes every version starts with (magic, version, count); version 2 adds 4 more to its header.</summary>
    public const int HeaderSize = 12;
    public const int HeaderSizeV2 = 16;
    public const int EntrySize = 12;
    public const int MaxParameters = 64;
    public const int MaxNameBytes = 64, MaxVersionBytes = 64;
    public const int MaxIdentityBytes = MaxNameBytes + 1 + MaxVersionBytes;
    public const int MaxSize = HeaderSizeV2 + MaxParameters * EntrySize + MaxIdentityBytes;

    /// <summary>Writes a version-2 state: every parameter and the model the instance uses (empty name = no network).</summary>
    public static byte[] Write(AudioPluginBase plugin, string modelName, string modelVersion)
    {
        if (!ValidText(modelName, MaxNameBytes) || !ValidText(modelVersion, MaxVersionBytes))
        {
            // A model whose metadata cannot be recorded is saved as "no identity" (= the default when loaded).
            modelName = ""; modelVersion = "";
        }
        var ps = plugin.Parameters;
        int m = modelName.Length + 1 + modelVersion.Length;
        int entries = HeaderSizeV2 + ps.Count * EntrySize;
        var data = new byte[entries + m];
        Magic.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), (uint)ps.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(12), (uint)m);
        for (int i = 0; i < ps.Count; i++)
        {
            int o = HeaderSizeV2 + i * EntrySize;
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(o), ps[i].Id);
            BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(o + 4), ps[i].Normalized);
        }
        Encoding.ASCII.GetBytes(modelName, data.AsSpan(entries));
        data[entries + modelName.Length] = 0;
        Encoding.ASCII.GetBytes(modelVersion, data.AsSpan(entries + modelName.Length + 1));
        return data;
    }

    private static bool ValidText(string s, int max)
    {
        if (s.Length > max) return false;
        foreach (char c in s) if (c < 0x20 || c > 0x7E) return false;
        return true;
    }

    /// <summary>
    /// Header length given the first <see cref="HeaderSize"/> bytes: 12 (version 1) or 16 (version 2),
    /// or -1 if magic or version is wrong. Stream readers read this many bytes, then <see cref="SizeFromHeader"/>.
    /// </summary>
    public static int HeaderLength(ReadOnlySpan<byte> first)
    {
        if (first.Length < HeaderSize || !first[..4].SequenceEqual(Magic)) return -1;
        return BinaryPrimitives.ReadUInt32LittleEndian(first[4..]) switch { Version1 => HeaderSize, Version => HeaderSizeV2, _ => -1 };
    }

    /// <summary>Size of the whole state given its header (<see cref="HeaderLength"/> bytes), or -1 if the header is invalid.</summary>
    public static int SizeFromHeader(ReadOnlySpan<byte> header)
    {
        int h = HeaderLength(header);
        if (h < 0 || header.Length < h) return -1;
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (n is 0 or > MaxParameters) return -1;
        if (h == HeaderSize) return HeaderSize + (int)n * EntrySize;
        uint m = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (m is 0 or > MaxIdentityBytes) return -1;
        return HeaderSizeV2 + (int)n * EntrySize + (int)m;
    }

    /// <summary>Parses into <paramref name="values"/> (indexed like plugin.Parameters; absent IDs keep their current value).
    /// <paramref name="modelName"/> / <paramref name="modelVersion"/>: the recorded model, "" for version 1 or an empty name.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, AudioPluginBase plugin, Span<double> values, out string modelName, out string modelVersion)
    {
        modelName = ""; modelVersion = "";
        int size = SizeFromHeader(data);
        if (size < 0 || data.Length != size) return false;
        int h = HeaderLength(data);
        for (int i = 0; i < values.Length; i++) values[i] = plugin.Parameters[i].Normalized;
        Span<bool> seen = stackalloc bool[values.Length];
        int n = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        for (int e = 0; e < n; e++)
        {
            int o = h + e * EntrySize;
            uint id = BinaryPrimitives.ReadUInt32LittleEndian(data[o..]);
            double v = BinaryPrimitives.ReadDoubleLittleEndian(data[(o + 4)..]);
            int index = plugin.FindParameterIndex(id);
            if (index < 0 || seen[index] || !double.IsFinite(v) || v < 0 || v > 1) return false;
            seen[index] = true;
            values[index] = v;
        }
        if (h == HeaderSize) return true;
        var identity = data[(h + n * EntrySize)..];
        int nul = identity.IndexOf((byte)0);
        if (nul < 0 || nul > MaxNameBytes || identity.Length - nul - 1 > MaxVersionBytes) return false;
        for (int i = 0; i < identity.Length; i++)
            if (i != nul && (identity[i] < 0x20 || identity[i] > 0x7E)) return false; // also rejects a second NUL
        modelName = Encoding.ASCII.GetString(identity[..nul]);
        modelVersion = Encoding.ASCII.GetString(identity[(nul + 1)..]);
        if (modelName.Length == 0 && modelVersion.Length != 0) return false;
        return true;
    }
}
