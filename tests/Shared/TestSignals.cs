namespace PercepNetFx.Tests.Shared;

/// <summary>Self-contained synthetic test material (no speech files in tests).</summary>
internal static class TestSignals
{
    /// <summary>
    /// Speech-like signal: voiced syllables of 120–320 ms made of a harmonic series (f0 gliding between
    /// 90 and 220 Hz with 5 Hz vibrato, 1/√h roll-off, three formant resonances changing per syllable),
    /// a raised-sine syllabic envelope, some syllables with a fricative (differentiated noise) tail,
    /// separated by gaps of exact silence (30–400 ms). Peak 0.5.
    /// </summary>
    public static float[] SpeechLike(int sampleRate, double seconds, int seed)
    {
        var rng = new Random(seed);
        int n = (int)(seconds * sampleRate);
        var x = new double[n];
        double start = 0.12;
        double maxHarmonicHz = Math.Min(0.45 * sampleRate, 7000);
        while (start < seconds - 0.15)
        {
            double duration = 0.12 + 0.2 * rng.NextDouble();
            double f0Start = 90 + 130 * rng.NextDouble(), f0End = 90 + 130 * rng.NextDouble();
            double f1 = 300 + 500 * rng.NextDouble(), f2 = 900 + 1500 * rng.NextDouble(), f3 = 2400 + 800 * rng.NextDouble();
            double level = 0.4 + 0.6 * rng.NextDouble();
            bool fricative = rng.NextDouble() < 0.4;
            int first = (int)(start * sampleRate);
            int count = Math.Min((int)(duration * sampleRate), n - first);
            double phase = 0;
            var harmonicPhase = new double[64];
            for (int h = 0; h < 64; h++) harmonicPhase[h] = rng.NextDouble() * 2 * Math.PI;
            for (int i = 0; i < count; i++)
            {
                double tau = (double)i / sampleRate;
                double f0 = f0Start + (f0End - f0Start) * tau / duration + 4 * Math.Sin(2 * Math.PI * 5 * tau);
                phase += 2 * Math.PI * f0 / sampleRate;
                double envelope = Math.Pow(Math.Sin(Math.PI * i / count), 0.6) * level;
                double v = 0;
                for (int h = 1; h <= 64 && h * f0 < maxHarmonicHz; h++)
                {
                    double f = h * f0;
                    double formants = Resonance(f, f1, 90) + 0.7 * Resonance(f, f2, 120) + 0.4 * Resonance(f, f3, 180) + 0.02;
                    v += formants / Math.Sqrt(h) * Math.Sin(h * phase + harmonicPhase[h - 1]);
                }
                x[first + i] = envelope * v;
            }
            if (fricative)
            {
                double previous = 0;
                int tail = Math.Min((int)(0.08 * sampleRate), n - first - count);
                for (int i = 0; i < tail; i++)
                {
                    double white = 2 * rng.NextDouble() - 1;
                    x[first + count + i] += 0.25 * level * Math.Sin(Math.PI * i / tail) * (white - previous);
                    previous = white;
                }
            }
            double gap = rng.NextDouble() < 0.3 ? 0.15 + 0.25 * rng.NextDouble() : 0.03 + 0.07 * rng.NextDouble();
            start += duration + (fricative ? 0.08 : 0) + gap;
        }
        double peak = x.Max(Math.Abs);
        return x.Select(v => (float)(0.5 * v / peak)).ToArray();
    }

    private static double Resonance(double f, double centre, double bandwidth)
    {
        double r = (f - centre) / bandwidth;
        return 1 / (1 + r * r);
    }

    /// <summary>Uniform white noise in [−a, a].</summary>
    public static float[] WhiteNoise(int n, int seed, double amplitude = 0.5)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(amplitude * (2 * rng.NextDouble() - 1));
        return x;
    }

    /// <summary>clean + noise scaled so that Σclean²/Σnoise² = 10^(snrDb/10) over the whole signal.</summary>
    public static float[] AddAtSnr(float[] clean, float[] noise, double snrDb)
    {
        double cleanEnergy = clean.Sum(v => (double)v * v);
        double noiseEnergy = noise.Take(clean.Length).Sum(v => (double)v * v);
        double gain = Math.Sqrt(cleanEnergy / noiseEnergy / Math.Pow(10, snrDb / 10));
        var result = new float[clean.Length];
        for (int i = 0; i < clean.Length; i++) result[i] = (float)(clean[i] + gain * noise[i]);
        return result;
    }

    /// <summary>Amplitude · sin(2π·f·i/rate + phase), evaluated in double.</summary>
    public static float[] Sine(int n, double frequencyHz, int sampleRate, double amplitude = 1, double phase = 0)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequencyHz * i / sampleRate + phase));
        return x;
    }
}
