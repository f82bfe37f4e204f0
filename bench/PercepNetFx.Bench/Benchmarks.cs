using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Bench;

public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["--wav-strictness", ..]) WavStrictness.Run(args[1..]);
        else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>A voiced 150 Hz harmonic signal in noise: keeps pitch search and comb busy.</summary>
    public static float[] VoicedSignal(int length)
    {
        var rng = new Random(1);
        var x = new float[length];
        double phase = 0;
        for (int n = 0; n < length; n++)
        {
            double s = 0;
            for (int h = 1; h <= 20; h++) s += Math.Sin(h * phase) / h;
            phase += 2 * Math.PI * (150 + 10 * Math.Sin(n / 4800.0)) / Constants.SampleRate;
            x[n] = (float)(0.2 * s + 0.05 * (rng.NextDouble() * 2 - 1));
        }
        return x;
    }
}

/// <summary>Per-stage costs of one 10 ms hop (µs; divide by 10 000 µs for the real-time share).</summary>
[MemoryDiagnoser]
public class Stages
{
    private readonly RealFft<float> fft = new();
    private readonly float[] re = new float[Constants.BinCount], im = new float[Constants.BinCount];
    private readonly float[] frame = new float[Constants.WindowSize], bands = new float[Constants.BandCount];
    private readonly PitchTracker pitch = new();
    private readonly float[] x = Program.VoicedSignal(Constants.SampleRate * 2);
    private int hop;

    [Benchmark] public void FftForward960() => fft.Forward(x.AsSpan(0, Constants.WindowSize), re, im);
    [Benchmark] public void FftInverse960() => fft.Inverse(re, im, frame);
    [Benchmark] public void PitchTrackerPerHop() => pitch.Process(x.AsSpan(Constants.HopSize * (hop++ % 190), Constants.HopSize));
    [Benchmark] public void BandEnergy34() => BandLayout.Energy(re, im, bands);
    [Benchmark] public void CombFilterK3() => CombFilter.Apply(x, 3000, 320, 3, frame);
}

/// <summary>The network alone, one step (= one hop), shipped model and random §11 sizes.</summary>
[MemoryDiagnoser]
public class Network
{
    [Params("shipped", "small", "paper")] public string Model = "shipped";
    [Params(NetworkPrecision.Float32, NetworkPrecision.Int8)] public NetworkPrecision Precision;
    private NetworkRunner runner = null!;
    private readonly float[] features = new float[Constants.FeatureCount];
    private readonly float[] gains = new float[Constants.BandCount], strengths = new float[Constants.BandCount];

    [GlobalSetup]
    public void Setup()
    {
        var model = Model == "shipped" ? ShippedModels.LoadDefault() : RandomModel.Create(Model);
        runner = new NetworkRunner(model, Precision);
        var rng = new Random(3);
        for (int i = 0; i < features.Length; i++) features[i] = (float)(rng.NextDouble() * 2 - 1);
    }

    [Benchmark] public void Step() => runner.Step(features, gains, strengths);
}

/// <summary>
/// The whole chain with the shipped model through the streaming engine, per second of audio
/// (so the real-time share is the mean divided by 1 s), mono and stereo, at host block sizes
/// 32, 256 and 4096 (the plug-in's process calls the engine with the host's blocks).
/// </summary>
[MemoryDiagnoser]
public class Chain
{
    [Params(1, 2)] public int Channels = 1;
    [Params(32, 256, 4096)] public int Block = 256;
    [Params(NetworkPrecision.Int8, NetworkPrecision.Float32)] public NetworkPrecision Precision;
    private StreamingEngine engine = null!;
    private float[] left = null!, right = null!, outLeft = null!, outRight = null!;

    [GlobalSetup]
    public void Setup()
    {
        engine = new Denoiser(Constants.SampleRate, Channels, Block, ShippedModels.LoadDefault(), new DenoiseSettings { Precision = Precision }).Engine;
        left = Program.VoicedSignal(Constants.SampleRate);
        right = left.Select(v => 0.8f * v).ToArray();
        outLeft = new float[left.Length];
        outRight = new float[left.Length];
    }

    [Benchmark]
    public void OneSecondOfAudio()
    {
        for (int pos = 0; pos + Block <= left.Length; pos += Block)
        {
            if (Channels == 1) engine.Process(left.AsSpan(pos, Block), outLeft.AsSpan(pos, Block));
            else engine.Process(left.AsSpan(pos, Block), right.AsSpan(pos, Block), outLeft.AsSpan(pos, Block), outRight.AsSpan(pos, Block));
        }
    }
}

/// <summary>
/// Reading a 10-minute stereo 48 kHz WAV from memory (parsing, allocation and decoding, not the
/// disk), per sample format: what the CLI pays before it starts a long file. NAudio's reader beside
/// the project's, to the same planar float result (docs/decisions.md "WAV input").
/// </summary>
[MemoryDiagnoser]
public class WavIo
{
    [Params(Audio.WavSampleFormat.Pcm16, Audio.WavSampleFormat.Pcm24, Audio.WavSampleFormat.Float32)]
    public Audio.WavSampleFormat Format = Audio.WavSampleFormat.Pcm16;
    private byte[] file = null!;

    [GlobalSetup]
    public void Setup()
    {
        const int frames = Constants.SampleRate * 600;
        var left = Program.VoicedSignal(frames);
        var right = left.Select(v => -0.5f * v).ToArray();
        var stream = new MemoryStream();
        Audio.WavWriter.Write(stream, new Audio.AudioBuffer(Constants.SampleRate, new[] { left, right }), Format);
        file = stream.ToArray();
    }

    [Benchmark(Baseline = true)]
    public int ReadTenMinutesStereo() => Audio.WavReader.Read(new MemoryStream(file, writable: false), "bench.wav").FrameCount;

    [Benchmark]
    public int NAudioReadTenMinutesStereo()
    {
        var stream = new MemoryStream(file, writable: false);
        using var reader = new NAudio.Wave.WaveFileReader(stream);
        return Cli.AudioFiles.ReadWithNAudio(reader, stream, "bench.wav").FrameCount;
    }
}
