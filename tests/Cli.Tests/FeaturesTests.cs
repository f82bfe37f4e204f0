using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// `features` output, read back with a parser written here from numpy's .npy format description
/// (numpy.lib.format, version 1.0): magic "\x93NUMPY", version bytes 1 0, little-endian uint16 header
/// length, an ASCII dict literal padded with spaces and ended by '\n' so that the data starts at a
/// multiple of 64 bytes, then the raw data in C order.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class FeaturesTests : CliTest
{
    private const int Hop = 480;

    private sealed record Npy(string Descr, bool FortranOrder, int Rows, int Columns, float[] Data)
    {
        public float this[int row, int column] => Data[row * Columns + column];
    }

    private static Npy ReadNpy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 10, $"{path}: {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }, bytes[..6]);
        Assert.Equal(1, bytes[6]); // major version
        Assert.Equal(0, bytes[7]); // minor version
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        int dataStart = 10 + headerLength;
        Assert.Equal(0, dataStart % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.EndsWith("\n", header);
        var m = Regex.Match(header.TrimEnd(' ', '\n'),
            @"^\{\s*'descr'\s*:\s*'([^']*)'\s*,\s*'fortran_order'\s*:\s*(True|False)\s*,\s*'shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,?\s*\}$");
        Assert.True(m.Success, $"unexpected header {header}");
        int rows = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), columns = int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
        Assert.Equal((long)rows * columns * 4, bytes.Length - dataStart);
        var data = new float[rows * columns];
        for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + 4 * i));
        return new Npy(m.Groups[1].Value, m.Groups[2].Value == "True", rows, columns, data);
    }

    private (string Noisy, string Clean) Pair(string samples, bool silent = false)
    {
        string clean = dir.File("clean.wav"), noise = dir.File("noise.wav"), noisy = dir.File("noisy.wav");
        string[] f32 = ["-b", "32", "-e", "floating-point"];
        if (silent)
        {
            Sox.Run(["-n", "-r", "48000", "-c", "1", .. f32, clean, "trim", "0", samples]);
            Sox.Run(["-n", "-r", "48000", "-c", "1", .. f32, noisy, "trim", "0", samples]);
        }
        else
        {
            Sox.Run(["-R", "-n", "-r", "48000", "-c", "1", .. f32, clean, "synth", samples, "sawtooth", "150", "tremolo", "3", "60", "gain", "-20"]);
            Sox.Run(["-R", "-n", "-r", "48000", "-c", "1", .. f32, noise, "synth", samples, "pinknoise", "gain", "-25"]);
            Sox.Run(["-R", "-m", "-v", "1", clean, "-v", "1", noise, .. f32, noisy]);
        }
        return (noisy, clean);
    }

    [Fact]
    public void FeaturesWritesThreeNpyFilesWithFloat32HeadersAndOneRowPerWholeHop()
    {
        var (noisy, clean) = Pair("48250s"); // 100 whole hops + 250 samples
        long samples = Sox.Frames(noisy);
        Assert.Equal(48250, samples);
        string prefix = dir.File("seq");

        var r = Cli.Run("features", "--noisy", noisy, "--clean", clean, "--out", prefix);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.Equal(["clean.wav", "noise.wav", "noisy.wav", "seq.features.npy", "seq.gains.npy", "seq.strengths.npy"], dir.Names());
        int frames = (int)(samples / Hop);
        foreach (var (suffix, columns) in new[] { ("features", 70), ("gains", 34), ("strengths", 34) })
        {
            var npy = ReadNpy($"{prefix}.{suffix}.npy");
            Assert.Equal("<f4", npy.Descr);
            Assert.False(npy.FortranOrder);
            Assert.Equal(frames, npy.Rows);
            Assert.Equal(columns, npy.Columns);
            Assert.All(npy.Data, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void TargetsAreMinusOneWhenMaskedElseInUnitRangeAndTheFirstTwoFramesAreFullyMasked()
    {
        var (noisy, clean) = Pair("1.0");
        string prefix = dir.File("seq");
        Assert.Equal(0, Cli.Run("features", "--noisy", noisy, "--clean", clean, "--out", prefix).ExitCode);

        foreach (string suffix in new[] { "gains", "strengths" })
        {
            var npy = ReadNpy($"{prefix}.{suffix}.npy");
            // Start-up (spec §6.5): steps 0 and 1 have no frame l = t − 2 ≥ 0, so every target is masked.
            for (int t = 0; t < 2; t++)
                for (int b = 0; b < npy.Columns; b++)
                    Assert.Equal(-1f, npy[t, b]);
            // Every other entry is either exactly the mask value or a target in [0, 1].
            Assert.All(npy.Data, v => Assert.True(v == -1f || (v >= 0f && v <= 1f), $"{suffix}: {v}"));
            // A voiced harmonic signal with noise gives real targets after start-up.
            int valid = npy.Data.Skip(2 * npy.Columns).Count(v => v >= 0f);
            Assert.True(valid > 0, $"{suffix}: no unmasked target after start-up");
        }
    }

    [Fact]
    public void AllTargetsAreMaskedForDigitalSilence()
    {
        // Spec §6.5 "silent frame": Σ_b E_Y(b) below the threshold masks all 68 targets.
        var (noisy, clean) = Pair("0.3", silent: true);
        string prefix = dir.File("seq");
        Assert.Equal(0, Cli.Run("features", "--noisy", noisy, "--clean", clean, "--out", prefix).ExitCode);
        foreach (string suffix in new[] { "gains", "strengths" })
        {
            var npy = ReadNpy($"{prefix}.{suffix}.npy");
            Assert.Equal(30, npy.Rows);
            Assert.All(npy.Data, v => Assert.Equal(-1f, v));
        }
    }
    [Fact]
    public void MaskBinMasksTheTargetsAboveItAsTheLowPassDoesButLeavesTheInputAsItIs()
    {
        var (noisy, clean) = Pair("1.0");
        string plain = dir.File("plain"), masked = dir.File("masked"), lowpassed = dir.File("lowpassed"), listed = dir.File("listed");
        Assert.Equal(0, Cli.Run("features", "--noisy", noisy, "--clean", clean, "--out", plain).ExitCode);
        Assert.Equal(0, Cli.Run("features", "--noisy", noisy, "--clean", clean, "--out", masked, "--mask-bin", "160").ExitCode);
        Assert.Equal(0, Cli.Run("features", "--noisy", noisy, "--clean", clean, "--out", lowpassed, "--lowpass-bin", "160").ExitCode);
        File.WriteAllText(dir.File("list.tsv"), $"{noisy}\t{clean}\t481\t{listed}\t160\n");
        Assert.Equal(0, Cli.Run("features", "--list", dir.File("list.tsv")).ExitCode);

        // The input is untouched: the same features as without a mask (the low-pass changes them).
        Assert.Equal(ReadNpy(plain + ".features.npy").Data, ReadNpy(masked + ".features.npy").Data);
        Assert.NotEqual(ReadNpy(plain + ".features.npy").Data, ReadNpy(lowpassed + ".features.npy").Data);
        Assert.Equal(ReadNpy(masked + ".gains.npy").Data, ReadNpy(listed + ".gains.npy").Data);

        // The same bands are masked as above the low-pass at that bin; below it the targets are the plain ones.
        var p = ReadNpy(plain + ".gains.npy");
        var m = ReadNpy(masked + ".gains.npy");
        var l = ReadNpy(lowpassed + ".gains.npy");
        static bool AllMasked(Npy n, int b) => Enumerable.Range(2, n.Rows - 2).All(t => n[t, b] == -1f);
        int kept = 0;
        for (int b = 0; b < 34; b++)
        {
            Assert.Equal(AllMasked(l, b), AllMasked(m, b));
            if (AllMasked(m, b)) continue;
            kept++;
            for (int t = 0; t < p.Rows; t++) Assert.Equal(p[t, b], m[t, b]);
        }
        Assert.InRange(kept, 10, 33);   // 8 kHz: the bands below it stay, the top ones go
    }
}
