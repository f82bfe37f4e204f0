using System.Diagnostics;

namespace PercepNetFx.Tests.Shared;

/// <summary>
/// An independent PNG decoder for the tests (Python's zlib and struct, not our code): checks the
/// signature and every chunk CRC, requires 8-bit RGBA without interlacing, inflates IDAT and undoes
/// the five PNG filter types. Used by the editor's PNG tests and the report tests.
/// </summary>
internal static class PythonPng
{
    private const string Decoder = """
import sys, struct, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
pos, idat, ihdr = 8, b'', None
while pos < len(data):
    n, = struct.unpack('>I', data[pos:pos+4]); typ = data[pos+4:pos+8]; body = data[pos+8:pos+8+n]
    crc, = struct.unpack('>I', data[pos+8+n:pos+12+n])
    assert zlib.crc32(typ + body) & 0xffffffff == crc, 'crc of ' + typ.decode()
    if typ == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    if typ == b'IDAT': idat += body
    pos += 12 + n
    if typ == b'IEND': break
w, h, depth, ctype, comp, filt, inter = ihdr
assert (depth, ctype, inter) == (8, 6, 0), 'format'
raw = zlib.decompress(idat); bpp = 4; stride = w * bpp
out = bytearray(); prev = bytearray(stride)
for y in range(h):
    f = raw[y*(stride+1)]; line = bytearray(raw[y*(stride+1)+1:(y+1)*(stride+1)])
    if f != 0:
        for i in range(stride):
            a = line[i-bpp] if i >= bpp else 0; b = prev[i]; c = prev[i-bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    out += line; prev = line
with open(sys.argv[2], 'wb') as o:
    o.write(struct.pack('<II', w, h)); o.write(bytes(out))
""";

    /// <summary>Decodes <paramref name="png"/> with /usr/bin/python3; scratch files go to <paramref name="scratchDir"/>.</summary>
    public static (int Width, int Height, byte[] Rgba) Decode(string png, string scratchDir)
    {
        string script = Path.Combine(scratchDir, "decode-png.py"), raw = Path.Combine(scratchDir, "decoded.rgba");
        File.WriteAllText(script, Decoder);
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        foreach (var a in new[] { script, png, raw }) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{png}: the Python PNG decoder failed: {err}");
        }
        var bytes = File.ReadAllBytes(raw);
        int w = BitConverter.ToInt32(bytes, 0), h = BitConverter.ToInt32(bytes, 4);
        if (bytes.Length != 8 + 4L * w * h) throw new InvalidOperationException($"{png}: decoded {bytes.Length} bytes for {w}×{h}");
        return (w, h, bytes[8..]);
    }
}
