namespace PercepNetFx.Tests.Shared;

/// <summary>Synthetic test signals with known properties.</summary>
public static class Signals
{
    public static float[] WhiteNoise(int length, double rms, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        double scale = rms * Math.Sqrt(3); // uniform in [−a, a] has RMS a/√3
        for (int i = 0; i < length; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    /// <summary>
    /// Harmonic series with 1/h amplitudes up to 8 kHz and sinusoidal vibrato (rate Hz, depth as a
    /// fraction of f0). Returns the signal and the instantaneous f0 per sample.
    /// </summary>
    public static (float[] Signal, double[] F0) Harmonic(int length, double f0, double vibratoRate, double vibratoDepth, int seed, int sampleRate = 48000)
    {
        var rng = new Random(seed);
        int harmonics = Math.Max(1, (int)(8000 / (f0 * (1 + vibratoDepth))));
        var phaseOffset = new double[harmonics + 1];
        for (int h = 1; h <= harmonics; h++) phaseOffset[h] = rng.NextDouble() * 2 * Math.PI;
        var x = new float[length];
        var f = new double[length];
        double phase = 0;
        for (int n = 0; n < length; n++)
        {
            double inst = f0 * (1 + vibratoDepth * Math.Sin(2 * Math.PI * vibratoRate * n / sampleRate));
            f[n] = inst;
            double s = 0;
            for (int h = 1; h <= harmonics; h++) s += Math.Cos(h * phase + phaseOffset[h]) / h;
            x[n] = (float)s;
            phase += 2 * Math.PI * inst / sampleRate;
        }
        return (x, f);
    }

    public static double Rms(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (var v in x) s += (double)v * v;
        return Math.Sqrt(s / Math.Max(1, x.Length));
    }

    public static float[] Scale(float[] x, double gain)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = (float)(x[i] * gain);
        return y;
    }

    public static float[] Add(float[] a, float[] b)
    {
        var y = new float[a.Length];
        for (int i = 0; i < a.Length; i++) y[i] = a[i] + b[i];
        return y;
    }
}
