using System.Diagnostics;

namespace PercepNetFx.Editor.Tests;

public class PngTests
{
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
        var (w, h, decoded) = PythonPng.Decode(path, dir.Path);
        Assert.Equal((37, 23), (w, h));
        Assert.Equal(rgba, decoded);
        Assert.Equal(new byte[] { 0x12, 0x34, 0x56, 0x40 }, decoded[20..24]); // pixel 5: the non-opaque one
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
