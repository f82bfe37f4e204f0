using System.Diagnostics;
using System.Security.Cryptography;

namespace PercepNetFx.Editor.Tests;

public class PngTests
{
    // An independent PNG decoder (Python's zlib + struct, not our code): checks the signature,
    // every chunk CRC, IHDR fields, inflates IDAT, undoes all five filter types and prints the
    // SHA-256 of the raw RGBA bytes plus one probed pixel.
    private const string Decoder = """
import sys, struct, zlib, hashlib
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
raw = zlib.decompress(idat); bpp = 4; stride = w * bpp
out = bytearray(); prev = bytearray(stride)
for y in range(h):
    f = raw[y*(stride+1)]; line = bytearray(raw[y*(stride+1)+1:(y+1)*(stride+1)])
    for i in range(stride):
        a = line[i-bpp] if i >= bpp else 0; b = prev[i]; c = prev[i-bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    out += line; prev = line
px, py = int(sys.argv[2]), int(sys.argv[3]); o = (py*w + px) * 4
print(w, h, depth, ctype, inter, hashlib.sha256(bytes(out)).hexdigest(), ' '.join(str(v) for v in out[o:o+4]))
""";

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        // The CRC-32 "check" value of the ASCII string 123456789 (IEEE 802.3 / PNG / zlib).
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void PngIsDecodedByAnIndependentDecoderToTheSamePixels()
    {
        using var dir = new TempDir();
        var canvas = new Canvas(37, 23); // odd sizes catch stride mistakes
        canvas.Clear(0xFF102030);
        canvas.FillRect(3, 4, 10, 5, 0xFFFF0000);
        canvas.FillRect(20, 10, 6, 6, 0x80FFFFFF); // half-transparent white blended over the background
        canvas.DrawLine(0, 22, 36, 0, 1.5f, 0xFF00FF88);
        canvas.Pixels[5] = 0x40123456;               // a non-opaque pixel checks the alpha channel
        string path = dir.File("t.png");
        PngWriter.Write(path, canvas);

        var rgba = new byte[canvas.Pixels.Length * 4];
        for (int i = 0; i < canvas.Pixels.Length; i++)
        {
            uint p = canvas.Pixels[i];
            rgba[4 * i] = (byte)(p >> 16); rgba[4 * i + 1] = (byte)(p >> 8); rgba[4 * i + 2] = (byte)p; rgba[4 * i + 3] = (byte)(p >> 24);
        }
        string expectedHash = Convert.ToHexStringLower(SHA256.HashData(rgba));
        string script = dir.File("decode.py");
        File.WriteAllText(script, Decoder);
        string result = RunPython(script, path, "5", "0");
        Assert.Equal($"37 23 8 6 0 {expectedHash} 18 52 86 64", result.Trim());
    }

    internal static string RunPython(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "python failed: " + stderr);
        return stdout;
    }
}
