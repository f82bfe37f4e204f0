using System.Buffers.Binary;
using System.Text;

namespace PercepNetFx.Dsp.Tests.Network;

/// <summary>Golden vectors of train/golden.py (models/golden/) and a minimal .npy reader.</summary>
internal static class Golden
{
    public static string Dir => Repo.PathOf("models/golden");

    public static byte[] ModelBytes => File.ReadAllBytes(Path.Combine(Dir, "golden.safetensors"));

    /// <summary>Reads a little-endian float32 C-order .npy array: (data, shape).</summary>
    public static (float[] Data, int[] Shape) ReadNpy(string name)
    {
        byte[] b = File.ReadAllBytes(Path.Combine(Dir, name));
        if (b.Length < 10 || b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY") throw new InvalidDataException(name + ": not .npy");
        int major = b[6];
        int headerLen, start;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)); start = 10; }
        else { headerLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)); start = 12; }
        string header = Encoding.ASCII.GetString(b, start, headerLen);
        if (!header.Contains("'descr': '<f4'") || !header.Contains("'fortran_order': False"))
            throw new InvalidDataException(name + ": expected <f4 C order, got " + header);
        int s0 = header.IndexOf("'shape': (", StringComparison.Ordinal) + 10;
        int s1 = header.IndexOf(')', s0);
        int[] shape = header[s0..s1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        int count = shape.Aggregate(1, (x, y) => x * y);
        int off = start + headerLen;
        var data = new float[count];
        for (int i = 0; i < count; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(off + 4 * i));
        return (data, shape);
    }
}
