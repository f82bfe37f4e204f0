using System.Text;

namespace PercepNetFx.Audio;

/// <summary>Writes 2-D float32 arrays in numpy's .npy format (version 1.0, little-endian, C order).</summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="data"/> (row-major, rows × columns) atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, int rows, int columns)
    {
        if (data.Length != (long)rows * columns) throw new ArgumentException("data length does not match the shape");
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in '\n'.
        int unpadded = 10 + dict.Length + 1;
        int total = (unpadded + 63) / 64 * 64;
        string header = dict + new string(' ', total - unpadded) + "\n";
        string temp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
                stream.Write(BitConverter.GetBytes((ushort)header.Length));
                stream.Write(Encoding.ASCII.GetBytes(header));
                var bytes = new byte[data.Length * 4];
                for (int i = 0; i < data.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), data[i]);
                stream.Write(bytes);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }
}
