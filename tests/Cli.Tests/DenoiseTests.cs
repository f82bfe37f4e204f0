using System.Globalization;
using System.Text;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// `percepnetfx denoise`: the embedded model works with no options, files from sox come back with
/// the same rate, channels, length and container, strength 0 is the input itself, and bad models
/// or options fail with one line that names the problem and leave no file behind.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DenoiseTests : CliTest
{
    private string Noise(string name, int rate, int channels, string bits = "16")
    {
        string path = dir.File(name);
        Sox.Run("-R", "-n", "-r", rate.ToString(CultureInfo.InvariantCulture), "-c", channels.ToString(CultureInfo.InvariantCulture),
            "-b", bits, path, "synth", "0.73", "pinknoise", "synth", "0.73", "sine", "mix", "220", "gain", "-18");
        return path;
    }

    [Theory]
    [InlineData(48000, 1, "16")]
    [InlineData(48000, 2, "24")]
    [InlineData(44100, 1, "16")]
    [InlineData(96000, 2, "16")]
    public void DefaultModelKeepsRateChannelsLengthAndContainer(int rate, int channels, string bits)
    {
        string input = Noise("in.wav", rate, channels, bits), output = dir.File("out.wav");
        var r = Cli.Run("denoise", input, output);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(rate, Sox.Rate(output));
        Assert.Equal(channels, Sox.Channels(output));
        Assert.Equal(Sox.Frames(input), Sox.Frames(output));
        Assert.Equal(bits, Sox.Info("-b", output));
        // Pink noise is what the network is trained to remove: the output is quieter than the input.
        double Energy(string p) => Sox.DecodeToF32(p, out _).Sum(v => (double)v * v);
        Assert.True(Energy(output) < 0.5 * Energy(input), "denoising pink noise removed less than 3 dB");
    }

    [Fact]
    public void StrengthZeroGivesBackTheInputSampleForSample()
    {
        string input = Noise("in.wav", 48000, 1, "32"), output = dir.File("out.wav");
        Assert.Equal(0, Cli.Run("denoise", input, output, "--strength", "0", "--format", "f32").ExitCode);
        float[] x = Sox.DecodeToF32(input, out _), y = Sox.DecodeToF32(output, out _);
        Assert.Equal(x.Length, y.Length);
        for (int n = 0; n < x.Length; n++) Assert.True(Math.Abs(x[n] - y[n]) < 1e-5f, $"sample {n}: {y[n]} vs {x[n]}");
    }

    [Fact]
    public void EmbeddedModelByNameAndByFileGiveTheSameOutput()
    {
        string input = Noise("in.wav", 48000, 1), a = dir.File("a.wav"), b = dir.File("b.wav");
        string model = Path.Combine(Repo.Root, "models", "percepnetfx-v2.safetensors");
        Assert.Equal(0, Cli.Run("denoise", input, a, "--model", "percepnetfx-v2").ExitCode);
        Assert.Equal(0, Cli.Run("denoise", input, b, "--model", model).ExitCode);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void BadModelsAreOneClearErrorAndNoOutput()
    {
        string input = Noise("in.wav", 48000, 1), output = dir.File("out.wav");
        string missing = dir.File("missing.safetensors");
        Assert.Contains("no such model file", Fails("denoise", input, output, "--model", missing));

        byte[] good = File.ReadAllBytes(Path.Combine(Repo.Root, "models", "percepnetfx-v2.safetensors"));
        string truncated = dir.File("truncated.safetensors");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        Assert.Contains(truncated, Fails("denoise", input, output, "--model", truncated));

        string garbage = dir.File("garbage.safetensors");
        File.WriteAllBytes(garbage, Encoding.ASCII.GetBytes("this is not a model at all"));
        Assert.Contains(garbage, Fails("denoise", input, output, "--model", garbage));

        // A valid safetensors file of the wrong architecture: the golden model with fc_g cut away.
        string wrong = dir.File("wrong.safetensors");
        File.WriteAllBytes(wrong, RenameTensor(good, "\"fc_g.weight\"", "\"fc_x.weight\""));
        Assert.Contains("fc_g.weight", Fails("denoise", input, output, "--model", wrong));
    }

    /// <summary>Renames a tensor in the JSON header of a safetensors file (same length, so offsets stay valid).</summary>
    private static byte[] RenameTensor(byte[] file, string from, string to)
    {
        long headerLength = BitConverter.ToInt64(file, 0);
        string header = Encoding.UTF8.GetString(file, 8, (int)headerLength);
        Assert.Contains(from, header);
        byte[] renamed = Encoding.UTF8.GetBytes(header.Replace(from, to, StringComparison.Ordinal));
        Assert.Equal(headerLength, renamed.Length);
        var copy = (byte[])file.Clone();
        renamed.CopyTo(copy, 8);
        return copy;
    }

    [Theory]
    [InlineData("--strength", "1.5", "--strength")]
    [InlineData("--postfilter", "-0.1", "--postfilter")]
    [InlineData("--comb", "maybe", "--comb")]
    [InlineData("--overload-guard", "maybe", "--overload-guard")]
    [InlineData("--precision", "fp16", "--precision")]
    [InlineData("--format", "mp3", "--format")]
    public void BadOptionsNameTheOption(string option, string value, string expected)
    {
        string input = Noise("in.wav", 48000, 1);
        Assert.Contains(expected, Fails("denoise", input, dir.File("out.wav"), option, value));
    }

    [Fact]
    public void OverloadGuardOffChangesOnlyFilesWithALongFullScaleRun()
    {
        // The committed sample never reaches −6 dBFS RMS for 500 ms: the guard is inert, bit for bit.
        // A second of full-scale square from sox before it is an overload run: the outputs differ.
        string sample = Path.Combine(Repo.Root, "samples", "noisy.wav"), square = dir.File("square.wav"), both = dir.File("both.wav");
        Sox.Run("-R", "-n", "-r", "48000", "-c", "1", "-b", "16", square, "synth", "1", "square", "500", "gain", "-0.1");
        Sox.Run("-R", square, sample, both);
        byte[] Denoise(string input, params string[] options)
        {
            string output = dir.File($"out{dir.Names().Length}.wav");
            Assert.Equal(0, Cli.Run(["denoise", input, output, .. options]).ExitCode);
            return File.ReadAllBytes(output);
        }
        Assert.Equal(Denoise(sample), Denoise(sample, "--overload-guard", "off"));
        Assert.NotEqual(Denoise(both), Denoise(both, "--overload-guard", "off"));
        Assert.Equal(Denoise(both), Denoise(both, "--overload-guard", "on"));
    }

    [Fact]
    public void MoreThanTwoChannelsIsRefused()
    {
        string input = Noise("in.wav", 48000, 3);
        Assert.Contains("channels", Fails("denoise", input, dir.File("out.wav")));
    }
}
