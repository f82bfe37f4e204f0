using System.Globalization;

namespace PercepNetFx.Audio.Tests;

/// <summary>
/// Cross-checks against sox: files sox writes must decode to the closed-form sine sox synthesised and to
/// sox's own float decode; files we write must be read by sox, warning-free, with the samples we meant.
/// </summary>
public sealed class SoxInteropTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly double[] Frequencies = [440, 660, 1000, 250, 3000, 123];

    /// <summary>
    /// Has sox synthesise 0.5-amplitude sines (one frequency per channel) and checks our reader against
    /// the formula, against sox's decode, and our header info against `sox --i`.
    /// </summary>
    private void AssertSoxFileMatchesSine(string type, string encoding, int bits, int channels, int rate,
        WavSampleFormat format, bool extensible)
    {
        string path = _dir.File($"{type}-{encoding}-{bits}-{channels}.wav");
        // -r before -n so synth runs at the target rate (otherwise sox resamples from 48 kHz); -D: no dither.
        var args = new List<string> { "-D", "-r", rate.ToString(CultureInfo.InvariantCulture), "-n",
            "-c", channels.ToString(CultureInfo.InvariantCulture), "-b", bits.ToString(CultureInfo.InvariantCulture),
            "-e", encoding, "-t", type, path, "synth", "0.25" };
        for (int c = 0; c < channels; c++)
            args.AddRange(["sine", Frequencies[c].ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["vol", "0.5"]);
        Sox.Run([.. args]);

        WavInfo info = WavReader.ReadInfo(path);
        Assert.Equal((format, extensible, rate, channels), (info.Format, info.IsExtensible, info.SampleRate, info.ChannelCount));
        Assert.Equal(Sox.Info("-s", path), info.FrameCount.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Sox.Info("-b", path), info.BitsPerSample.ToString(CultureInfo.InvariantCulture));

        AudioBuffer a = WavReader.Read(path);
        Assert.Equal((rate, channels, info.FrameCount), (a.SampleRate, a.ChannelCount, (long)a.FrameCount));

        // Sox computes the sine in double and rounds once per conversion: half an LSB (+ float eps).
        double tolerance = encoding == "floating-point" ? 1e-7 : Math.Pow(2, -bits) + 1e-7;
        for (int c = 0; c < channels; c++)
            for (int n = 0; n < a.FrameCount; n++)
            {
                double expected = 0.5 * Math.Sin(2 * Math.PI * Frequencies[c] * n / rate);
                Assert.True(Math.Abs(a.Channels[c][n] - expected) <= tolerance,
                    $"ch {c} n {n}: {a.Channels[c][n]} vs {expected}");
            }

        float[] soxDecode = Sox.DecodeToF32(path, out _);
        Assert.Equal(a.FrameCount * channels, soxDecode.Length);
        for (int n = 0, i = 0; n < a.FrameCount; n++)
            for (int c = 0; c < channels; c++, i++)
                AssertSameAsSox(soxDecode[i], a.Channels[c][n], bits, encoding == "floating-point", $"ch {c} n {n}");
    }

    /// <summary>
    /// Sox scales integers to float by the same power of two as we do, so up to 24 bits the values must be
    /// identical. Everything passes through sox's 32-bit integer samples, which it rounds to 25 bits when
    /// emitting f32, so 32-bit and float files may differ by that rounding (2^-25) plus ours.
    /// </summary>
    private static void AssertSameAsSox(float sox, float ours, int bits, bool isFloat, string where)
    {
        if (isFloat || bits == 32)
            Assert.True(Math.Abs(sox - ours) <= Math.Pow(2, -24), $"{where}: sox {sox} ours {ours}");
        else
            Assert.Equal(sox, ours);
    }

    [Fact]
    public void Pcm16PlainMonoFromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "signed-integer", 16, 1, 44100, WavSampleFormat.Pcm16, false);

    [Fact]
    public void Pcm16StereoFromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "signed-integer", 16, 2, 48000, WavSampleFormat.Pcm16, false);

    [Fact]
    public void Pcm16ThreeChannelExtensibleFromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "signed-integer", 16, 3, 16000, WavSampleFormat.Pcm16, true);

    [Fact]
    public void Pcm24PlainFromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wavpcm", "signed-integer", 24, 2, 44100, WavSampleFormat.Pcm24, false);

    [Fact]
    public void Pcm24ExtensibleFromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "signed-integer", 24, 2, 96000, WavSampleFormat.Pcm24, true);

    [Fact]
    public void Pcm24SixChannelExtensibleFromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "signed-integer", 24, 6, 48000, WavSampleFormat.Pcm24, true);

    [Fact]
    public void Pcm32PlainFromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wavpcm", "signed-integer", 32, 1, 8000, WavSampleFormat.Pcm32, false);

    [Fact]
    public void Pcm32ExtensibleFromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "signed-integer", 32, 2, 22050, WavSampleFormat.Pcm32, true);

    [Fact]
    public void Float32FromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "floating-point", 32, 2, 48000, WavSampleFormat.Float32, false);

    [Fact]
    public void Float32FourChannelFromSoxMatchesSine() =>
        // sox keeps the plain IEEE_FLOAT header for float even above 2 channels
        AssertSoxFileMatchesSine("wav", "floating-point", 32, 4, 32000, WavSampleFormat.Float32, false);

    [Fact]
    public void Float64FromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "floating-point", 64, 1, 192000, WavSampleFormat.Float64, false);

    [Fact]
    public void UnsignedPcm8FromSoxMatchesSine() =>
        AssertSoxFileMatchesSine("wav", "unsigned-integer", 8, 1, 11025, WavSampleFormat.Pcm8, false);

    [Theory]
    [InlineData("u-law", "0x0007 (mu-law)")]
    [InlineData("a-law", "0x0006 (A-law)")]
    [InlineData("ima-adpcm", "0x0011 (IMA ADPCM)")]
    [InlineData("ms-adpcm", "0x0002 (Microsoft ADPCM)")]
    [InlineData("gsm-full-rate", "0x0031 (GSM 6.10)")]
    public void CompressedWavFromSoxIsRejectedNamingTheCodec(string encoding, string phrase)
    {
        string path = _dir.File($"{encoding}.wav");
        Sox.Run("-D", "-r", "8000", "-n", "-c", "1", "-e", encoding, "-t", "wav", path, "synth", "0.1", "sine", "440");
        var e = Assert.Throws<WavFormatException>(() => WavReader.Read(path));
        Assert.StartsWith(path + ": unsupported format tag " + phrase, e.Message);
    }

    [Theory]
    [InlineData("flac", "looks like FLAC")]
    [InlineData("aiff", "looks like AIFF")]
    [InlineData("w64", "starts with \"riff\"")]
    [InlineData("au", "starts with \".snd\"")]
    public void OtherContainerRenamedToWavIsRejected(string type, string phrase)
    {
        string path = _dir.File($"really-{type}.wav");
        Sox.Run("-r", "8000", "-n", "-c", "1", "-b", "16", "-t", type, path, "synth", "0.1", "sine", "440");
        var e = Assert.Throws<WavFormatException>(() => WavReader.ReadInfo(path));
        Assert.Equal($"{path}: not a RIFF/WAVE file ({phrase})", e.Message);
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm8, 1, "8", "Unsigned Integer PCM")]
    [InlineData(WavSampleFormat.Pcm16, 1, "16", "Signed Integer PCM")]
    [InlineData(WavSampleFormat.Pcm16, 2, "16", "Signed Integer PCM")]
    [InlineData(WavSampleFormat.Pcm16, 6, "16", "Signed Integer PCM")]
    [InlineData(WavSampleFormat.Pcm24, 2, "24", "Signed Integer PCM")]
    [InlineData(WavSampleFormat.Pcm32, 1, "32", "Signed Integer PCM")]
    [InlineData(WavSampleFormat.Float32, 2, "32", "Floating Point PCM")]
    [InlineData(WavSampleFormat.Float32, 3, "32", "Floating Point PCM")]
    [InlineData(WavSampleFormat.Float64, 1, "64", "Floating Point PCM")]
    public void OurFileIsReadBySoxWithTheSamplesWeWrote(WavSampleFormat format, int channels, string bits, string encoding)
    {
        const int rate = 44100, frames = 4411; // odd, so 8- and 24-bit mono exercise the pad byte
        var rng = new Random(channels * 100 + (int)format);
        bool isFloat = format is WavSampleFormat.Float32 or WavSampleFormat.Float64;
        // Integers up to 24 bits get out-of-range values too, to check clipping as sox sees it. Sox clips
        // floats at ±1 and warns about near-full-scale 32-bit integers when it converts them to float.
        float range = isFloat || format == WavSampleFormat.Pcm32 ? 0.99f : 1.3f;
        float[][] x = Enumerable.Range(0, channels)
            .Select(_ => Enumerable.Range(0, frames).Select(_ => (float)((rng.NextDouble() * 2 - 1) * range)).ToArray())
            .ToArray();
        string path = _dir.File($"ours-{format}-{channels}.wav");
        WavWriter.Write(path, new AudioBuffer(rate, x), format);

        Assert.Equal(channels.ToString(CultureInfo.InvariantCulture), Sox.Info("-c", path));
        Assert.Equal("44100", Sox.Info("-r", path));
        Assert.Equal(frames.ToString(CultureInfo.InvariantCulture), Sox.Info("-s", path));
        Assert.Equal(bits, Sox.Info("-b", path));
        Assert.Equal(encoding, Sox.Info("-e", path));

        float[] soxDecode = Sox.DecodeToF32(path, out string warnings);
        // sox 14.4 re-reads cbSize after the EXTENSIBLE part of a float header and warns; that one is its quirk.
        Assert.Equal("", warnings.Replace("sox WARN wav: wave header missing extended part of fmt chunk", "").Trim());
        Assert.Equal(frames * channels, soxDecode.Length);
        int b = int.Parse(bits, CultureInfo.InvariantCulture);
        for (int n = 0, i = 0; n < frames; n++)
            for (int c = 0; c < channels; c++, i++)
            {
                double scale = Math.Pow(2, b - 1);
                float expected = isFloat ? x[c][n] : (float)(Math.Clamp(Math.Round(x[c][n] * scale), -scale, scale - 1) / scale);
                AssertSameAsSox(soxDecode[i], expected, b, isFloat, $"ch {c} n {n}");
            }
    }
}
