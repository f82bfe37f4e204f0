using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Plugin.Tests;

/// <summary>Paths and signals shared by the plug-in tests.</summary>
internal static class TestData
{
    /// <summary>The tiny golden test model (models/golden): a real network, so outputs depend on it.</summary>
    public static string GoldenModelPath => Path.Combine(Repo.Root, "models", "golden", "golden.safetensors");

    private static PercepNetModel? golden;
    public static PercepNetModel GoldenModel => golden ??= PercepNetModel.Load(File.ReadAllBytes(GoldenModelPath));

    public static string BundlePath => Path.Combine(Repo.Root, "build", "PercepNetFx.vst3");
    public static string SoPath => Path.Combine(BundlePath, "Contents", "x86_64-linux", "PercepNetFx.so");

    /// <summary>Voiced, harmonic test signal with vibrato plus white noise (speech-like for the pitch tracker).</summary>
    public static float[] Voice(int length, int sampleRate, int seed, float noise = 0.05f)
    {
        var rng = new Random(seed);
        var x = new float[length];
        double phase = 0;
        for (int i = 0; i < length; i++)
        {
            double t = (double)i / sampleRate;
            double f0 = 140 + 20 * Math.Sin(2 * Math.PI * 3 * t);
            phase += 2 * Math.PI * f0 / sampleRate;
            double s = 0;
            for (int h = 1; h <= 12; h++) s += Math.Sin(h * phase) / h;
            double env = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 1.5 * t);
            x[i] = (float)(0.15 * env * s + noise * (rng.NextDouble() * 2 - 1));
        }
        return x;
    }

    /// <summary>Random block sizes 0 … max (zero-length blocks included), summing to <paramref name="total"/>.</summary>
    public static List<int> RandomBlocks(int total, int max, int seed)
    {
        var rng = new Random(seed);
        var blocks = new List<int>();
        int done = 0;
        while (done < total)
        {
            int b = rng.Next(8) == 0 ? 0 : Math.Min(total - done, 1 + rng.Next(max));
            blocks.Add(b);
            done += b;
        }
        return blocks;
    }
}
