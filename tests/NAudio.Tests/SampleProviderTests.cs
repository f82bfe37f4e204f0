using NAudio.Wave;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;
using PercepNetFx.Offline;

namespace PercepNetFx.NAudio.Tests;

/// <summary>
/// PercepNetSampleProvider against the CLI's offline render (OfflineRenderer.Render over WavReader's decode,
/// what `percepnetfx denoise` runs) and against the streaming engine driven directly: bit for bit.
/// </summary>
public sealed class SampleProviderTests : IDisposable
{
    private static readonly string Sample = Path.Combine(Repo.Root, "samples", "noisy.wav");
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>Stereo 44.1 kHz float: noisy sample left, clean sample right, resampled by sox.</summary>
    private string Stereo44()
    {
        string path = dir.File("stereo44.wav");
        Sox.Run("-M", Sample, Path.Combine(Repo.Root, "samples", "clean.wav"), "-e", "floating-point", "-b", "32", path, "rate", "44100");
        return path;
    }

    private string Input(string kind) => kind switch
    {
        "mono48" => Sample,
        "stereo44" => Stereo44(),
        "mono96" => Resampled(96000),
        _ => throw new ArgumentException(kind),
    };

    private string Resampled(int rate)
    {
        string path = dir.File($"mono{rate}.wav");
        Sox.Run(Sample, "-e", "floating-point", "-b", "32", path, "rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return path;
    }

    /// <summary>Reads the provider to its end with random Read sizes; returns planar channels.</summary>
    private static float[][] ReadAll(PercepNetSampleProvider p, Random rng, Action<long>? beforeRead = null)
    {
        int ch = p.WaveFormat.Channels;
        var interleaved = new List<float>();
        var buffer = new float[10_000];
        long frames = 0;
        while (true)
        {
            beforeRead?.Invoke(frames);
            int size = rng.Next(1, 10_001);
            int got = p.Read(buffer.AsSpan(0, size));
            if (got == 0 && size >= ch) break;
            Assert.Equal(0, got % ch);
            Assert.True(got <= size - size % ch);
            for (int i = 0; i < got; i++) interleaved.Add(buffer[i]);
            frames += got / ch;
        }
        Assert.Equal(0, p.Read(buffer)); // stays ended
        var planar = new float[ch][];
        for (int c = 0; c < ch; c++)
        {
            planar[c] = new float[interleaved.Count / ch];
            for (int n = 0; n < planar[c].Length; n++) planar[c][n] = interleaved[n * ch + c];
        }
        return planar;
    }

    [Theory]
    [InlineData("mono48", 1f, DenoiseSettings.DefaultPostFilterAmount, true, ListenMode.Output, 1)]
    [InlineData("mono48", 0.6f, 0.8f, false, ListenMode.Removed, 2)]
    [InlineData("stereo44", 1f, DenoiseSettings.DefaultPostFilterAmount, true, ListenMode.Output, 3)]
    [InlineData("stereo44", 0.4f, 1f, true, ListenMode.Output, 4)]
    [InlineData("mono96", 0.9f, 0.3f, true, ListenMode.Removed, 5)]
    public void OutputIsTheOfflineRenderDelayedByTheReportedLatency(string kind, float strength, float postFilter, bool comb, ListenMode listen, int seed)
    {
        string path = Input(kind);
        var settings = new DenoiseSettings { Strength = strength, PostFilterAmount = postFilter, CombEnabled = comb, Listen = listen };
        AudioBuffer wav = WavReader.Read(path);
        float[][] expected = OfflineRenderer.Render(wav.Channels, wav.SampleRate, ShippedModels.LoadDefault(), settings);

        using var reader = new WaveFileReader(path);
        var p = new PercepNetSampleProvider(reader.ToSampleProvider(), settings);
        Assert.Equal(new StreamingEngine(wav.SampleRate, wav.ChannelCount).LatencySamples, p.LatencySamples);
        Assert.Equal(wav.SampleRate, p.WaveFormat.SampleRate);
        Assert.Equal(WaveFormatEncoding.IeeeFloat, p.WaveFormat.Encoding);
        float[][] got = ReadAll(p, new Random(seed));

        int latency = p.LatencySamples;
        Assert.Equal(wav.ChannelCount, got.Length);
        for (int c = 0; c < got.Length; c++)
        {
            // The source's end is flushed: every input frame comes out, exactly the latency later.
            Assert.Equal(wav.FrameCount + latency, got[c].Length);
            Assert.Equal(expected[c], got[c][latency..]);
        }
        Assert.True(Rms(expected[0]) > 1e-3, "the render is not silence");
    }

    /// <summary>
    /// Settings changed between random-sized Reads, at random times, give exactly what the engine gives when
    /// the same settings are applied at the same sample positions (engine fed in other blocks, cut at those
    /// positions): the hand-off loses, delays and reorders nothing.
    /// </summary>
    [Theory]
    [InlineData("mono48", 11)]
    [InlineData("stereo44", 12)]
    public void MidStreamChangesEqualTheEngineWithTheSameChangesAtTheSamePositions(string kind, int seed)
    {
        string path = Input(kind);
        var model = ShippedModels.LoadDefault();
        var initial = new DenoiseSettings { Strength = 0.9f };
        var rng = new Random(seed);
        var changes = new List<(long Position, DenoiseSettings Settings, bool Bypass)>();

        using var reader = new WaveFileReader(path);
        var p = new PercepNetSampleProvider(reader.ToSampleProvider(), initial, model);
        float[][] got = ReadAll(p, rng, position =>
        {
            if (rng.Next(4) != 0) return;
            switch (rng.Next(5))
            {
                case 0: p.Strength = (float)rng.NextDouble(); break;
                case 1: p.PostFilterAmount = (float)rng.NextDouble(); break;
                case 2: p.CombEnabled = !p.CombEnabled; break;
                case 3: p.Listen = p.Listen == ListenMode.Output ? ListenMode.Removed : ListenMode.Output; break;
                default: p.Bypass = !p.Bypass; break;
            }
            changes.Add((position, p.Settings, p.Bypass));
        });
        Assert.True(changes.Count > 5, "the stream saw changes");
        Assert.Contains(changes, c => c.Bypass);
        Assert.Contains(changes, c => c.Settings.Listen == ListenMode.Removed);

        AudioBuffer wav = WavReader.Read(path);
        float[][] expected = DriveEngine(wav, model, initial, changes, got[0].Length);
        for (int c = 0; c < got.Length; c++) Assert.Equal(expected[c], got[c]);
    }

    /// <summary>The engine in 480-frame blocks cut at every change position, the same controls applied there.</summary>
    private static float[][] DriveEngine(AudioBuffer wav, PercepNetModel model, DenoiseSettings initial,
        List<(long Position, DenoiseSettings Settings, bool Bypass)> changes, int length)
    {
        int ch = wav.ChannelCount;
        var engine = new Denoiser(wav.SampleRate, ch, 0, model, initial).Engine;
        engine.Reset();
        var input = new float[ch][];
        var output = new float[ch][];
        for (int c = 0; c < ch; c++)
        {
            input[c] = new float[length];
            wav.Channels[c].CopyTo(input[c], 0); // then the latency's worth of silence
            output[c] = new float[length];
        }
        int next = 0;
        for (int pos = 0; pos < length;)
        {
            while (next < changes.Count && changes[next].Position <= pos)
            {
                engine.Apply(changes[next].Settings);
                engine.Bypass = changes[next].Bypass;
                next++;
            }
            int end = Math.Min(length, pos + 480);
            if (next < changes.Count && changes[next].Position < end) end = (int)changes[next].Position;
            int n = end - pos;
            if (ch == 1) engine.Process(input[0].AsSpan(pos, n), output[0].AsSpan(pos, n));
            else engine.Process(input[0].AsSpan(pos, n), input[1].AsSpan(pos, n), output[0].AsSpan(pos, n), output[1].AsSpan(pos, n));
            pos = end;
        }
        return output;
    }

    [Fact]
    public void ResetAfterRepositioningTheSourceStartsTheStreamOver()
    {
        using var reader = new WaveFileReader(Sample);
        var p = new PercepNetSampleProvider(reader.ToSampleProvider());
        float[][] first = ReadAll(p, new Random(21));
        reader.Position = 0;
        p.Reset();
        float[][] second = ReadAll(p, new Random(22));
        Assert.Equal(first[0], second[0]);
    }

    [Theory]
    [InlineData(48000, 1)]
    [InlineData(44100, 2)]
    public void ReadAllocatesNothingOnceWarm(int rate, int channels)
    {
        var p = new PercepNetSampleProvider(new EndlessNoise(rate, channels));
        var buffer = new float[10_000];
        var rng = new Random(31);
        // Warm-up: the first calls of each path load types and tier up the JIT.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 700) p.Read(buffer.AsSpan(0, rng.Next(1, 10_001)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            if (i % 50 == 0) p.Strength = (float)rng.NextDouble();
            if (i % 70 == 0) p.Bypass = !p.Bypass;
            if (i % 120 == 0) p.Reset();
            p.Read(buffer.AsSpan(0, rng.Next(1, 10_001)));
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void ReportsTheEmbeddedDefaultModelAndTheSettingsInEffect()
    {
        var p = new PercepNetSampleProvider(new EndlessNoise(48000, 1), new DenoiseSettings { Precision = NetworkPrecision.Float32, OverloadGuard = false });
        Assert.Equal(ShippedModels.DefaultName, p.Model.Name);
        Assert.Equal(new DenoiseSettings { Precision = NetworkPrecision.Float32, OverloadGuard = false }, p.Settings);
        p.Strength = 0.25f;
        p.Listen = ListenMode.Removed;
        Assert.Equal(new DenoiseSettings { Strength = 0.25f, Listen = ListenMode.Removed, Precision = NetworkPrecision.Float32, OverloadGuard = false }, p.Settings);
        Assert.Equal(1919, p.LatencySamples); // README "Latency": variable blocks at 48 kHz
    }

    [Theory]
    [InlineData(48000, 3, "mono or stereo; the source has 3 channels")]
    [InlineData(4000, 1, "4000 Hz is outside 8000 … 384000 Hz")]
    [InlineData(400000, 2, "400000 Hz is outside 8000 … 384000 Hz")]
    public void UnsupportedSourcesAreRefusedWithOneClearLine(int rate, int channels, string phrase)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new PercepNetSampleProvider(new EndlessNoise(rate, channels)));
        Assert.Contains(phrase, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void OutOfRangeSettingsAreRefusedAndLeaveTheOldValue()
    {
        var p = new PercepNetSampleProvider(new EndlessNoise(48000, 1));
        string[] messages =
        [
            Assert.Throws<ArgumentOutOfRangeException>(() => p.Strength = 1.5f).Message,
            Assert.Throws<ArgumentOutOfRangeException>(() => p.Strength = float.NaN).Message,
            Assert.Throws<ArgumentOutOfRangeException>(() => p.PostFilterAmount = -0.1f).Message,
            Assert.Throws<ArgumentOutOfRangeException>(() => p.Listen = (ListenMode)7).Message,
            Assert.Throws<ArgumentOutOfRangeException>(() => new PercepNetSampleProvider(new EndlessNoise(48000, 1), new DenoiseSettings { Strength = 2f })).Message,
        ];
        Assert.StartsWith("strength must be in [0, 1], got 1.5", messages[0]);
        Assert.StartsWith("strength must be in [0, 1], got NaN", messages[1]);
        Assert.StartsWith("post-filter amount must be in [0, 1], got -0.1", messages[2]);
        Assert.StartsWith("listen must be Output or Removed, got 7", messages[3]);
        Assert.StartsWith("strength must be in [0, 1], got 2", messages[4]);
        Assert.All(messages, m => Assert.DoesNotContain('\n', m));
        Assert.Equal(new DenoiseSettings(), p.Settings);
    }

    [Fact]
    public void DefaultsAreTheControlTables()
    {
        var p = new PercepNetSampleProvider(new EndlessNoise(48000, 1));
        Assert.Equal((float)Controls.Strength.DefaultNormalized, p.Strength);
        Assert.Equal((float)Controls.PostFilter.DefaultNormalized, p.PostFilterAmount);
        Assert.Equal(Controls.Comb.DefaultNormalized >= 0.5, p.CombEnabled);
        Assert.Equal(Controls.Bypass.DefaultNormalized >= 0.5, p.Bypass);
        Assert.Equal((ListenMode)(int)Controls.Listen.Default, p.Listen);
    }

    private static double Rms(float[] x) => Math.Sqrt(x.Sum(v => (double)v * v) / x.Length);

    /// <summary>Deterministic noise that never ends and allocates nothing per Read.</summary>
    private sealed class EndlessNoise(int rate, int channels) : ISampleProvider
    {
        private uint state = 12345;
        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(rate, channels);

        public int Read(Span<float> buffer)
        {
            for (int i = 0; i < buffer.Length; i++)
            {
                state = state * 1664525 + 1013904223;
                buffer[i] = ((int)state >> 8) * (0.1f / (1 << 23));
            }
            return buffer.Length;
        }
    }
}
