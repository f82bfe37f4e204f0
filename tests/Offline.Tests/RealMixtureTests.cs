using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Offline.Metrics;
using PercepNetFx.Offline;
using Xunit.Abstractions;

namespace PercepNetFx.Offline.Tests;

/// <summary>
/// The oracle pipeline on real speech and real noise from the shared data folder (train split).
/// FLAC is decoded and resampled to 48 kHz float by sox (the independent decoder; CI installs it).
/// Mixtures follow scripts/oracle_table.py: speech at an active level of −26 dBFS (RMS over the 10 ms
/// frames within 40 dB of the loudest), noise RMS over the segment at −26 dBFS − SNR.
/// </summary>
public class RealMixtureTests(ITestOutputHelper output)
{
    private const int Rate = 48000;

    // A neutral RAVDESS statement, an English read VCC2020 sentence, and real (non-synthetic) noise.
    private const string RavdessSpeech = "train/speech/ravdess/actor01/03-01-01-01-02-01-01.flac";
    private const string VoicedSpeech = "train/speech/vcc2020/TEF1/E10051.flac";
    private const string RainNoise = "train/noise/moodist/rain_heavy-rain.flac";
    private const string TrafficNoise = "train/noise/moodist/urban_traffic.flac";
    private const string PinkNoise = "train/noise/moodist/noise_pink-noise.flac";

    [Fact]
    public void RealMixtureBandOracleRaisesSiSdrByAtLeast5DbAt0DbSnr()
    {
        var (clean, noisy) = RealData.Mix(RavdessSpeech, RainNoise, snrDb: 0, noiseOffsetSeconds: 5);
        float[] enhanced = OracleRender.Render([noisy], clean, Rate, OracleMode.Bands)[0];

        double before = SiSdr.Compute(clean, noisy);
        double after = SiSdr.Compute(clean, enhanced);
        output.WriteLine($"SI-SDR noisy {before:F2} dB, band oracle {after:F2} dB, gain {after - before:F2} dB");
        // The mixture itself is independent of the engine: its SI-SDR is close to the nominal 0 dB
        // (slightly below, since the active level exceeds the utterance's overall RMS).
        Assert.InRange(before, -4.0, 0.5);
        Assert.True(after - before >= 5.0, $"band oracle raised SI-SDR by {after - before:F2} dB (< 5 dB)");
    }

    [Fact]
    public void RealMixtureStoiIncreasesWithSnrFromMinus5To15Db()
    {
        int[] snrs = [-5, 0, 5, 10, 15];
        var scores = new double[snrs.Length];
        for (int i = 0; i < snrs.Length; i++)
        {
            var (clean, noisy) = RealData.Mix(RavdessSpeech, TrafficNoise, snrs[i], noiseOffsetSeconds: 10);
            scores[i] = Stoi.Compute(clean, noisy, Rate);
            output.WriteLine($"SNR {snrs[i],3} dB: STOI {scores[i]:F4}");
        }
        Assert.True(scores[0] < scores[^1], $"STOI at -5 dB ({scores[0]:F4}) not below STOI at 15 dB ({scores[^1]:F4})");
        for (int i = 1; i < snrs.Length; i++)
            Assert.True(scores[i] > scores[i - 1], $"STOI at {snrs[i]} dB ({scores[i]:F4}) not above {snrs[i - 1]} dB ({scores[i - 1]:F4})");
    }

    [Fact]
    public void RealMixtureCombOracleLowersStoiByAtMost0Point01VersusBandsOnVoicedSpeech()
    {
        var (clean, noisy) = RealData.Mix(VoicedSpeech, PinkNoise, snrDb: 0, noiseOffsetSeconds: 3);
        float[] bands = OracleRender.Render([noisy], clean, Rate, OracleMode.Bands)[0];
        float[] comb = OracleRender.Render([noisy], clean, Rate, OracleMode.BandsComb)[0];

        double stoiNoisy = Stoi.Compute(clean, noisy, Rate);
        double stoiBands = Stoi.Compute(clean, bands, Rate);
        double stoiComb = Stoi.Compute(clean, comb, Rate);
        output.WriteLine($"STOI noisy {stoiNoisy:F4}, bands {stoiBands:F4}, bands+comb {stoiComb:F4} (difference {stoiComb - stoiBands:+0.0000;-0.0000})");
        output.WriteLine($"SI-SDR noisy {SiSdr.Compute(clean, noisy):F2} dB, bands {SiSdr.Compute(clean, bands):F2} dB, bands+comb {SiSdr.Compute(clean, comb):F2} dB");
        Assert.True(stoiComb >= stoiBands - 0.01,
            $"bands+comb STOI {stoiComb:F4} is more than 0.01 below bands STOI {stoiBands:F4}");
    }
}

/// <summary>Real audio from the shared data folder, decoded by sox.</summary>
internal static class RealData
{
    private static readonly Lazy<string> root = new(FindRoot);
    private static readonly Dictionary<string, float[]> cache = new();

    /// <summary>The data folder: $PERCEPNETFX_DATA, else the first <c>shared/data</c> found walking up from the test assembly.</summary>
    public static string Root => root.Value;

    private static string FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("PERCEPNETFX_DATA");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "manifest.csv"))) return candidate;
        }
        throw new InvalidOperationException(
            $"shared/data not found above {AppContext.BaseDirectory}; these tests need the shared data folder next to the repository (or PERCEPNETFX_DATA)");
    }

    /// <summary>First channel of <paramref name="relativePath"/>, converted by sox to 48 kHz 32-bit float.</summary>
    public static float[] Load48k(string relativePath)
    {
        lock (cache)
        {
            if (cache.TryGetValue(relativePath, out var hit)) return hit;
            string source = Path.Combine(Root, relativePath);
            if (!File.Exists(source)) throw new FileNotFoundException($"{source} is missing from the data folder", source);
            string temp = Path.Combine(Path.GetTempPath(), $"pnfx-real-{Guid.NewGuid():N}.wav");
            try
            {
                Sox.Run(source, "-e", "floating-point", "-b", "32", temp, "remix", "1", "rate", "-v", "48000");
                var audio = WavReader.Read(temp);
                if (audio.SampleRate != 48000) throw new InvalidOperationException($"sox wrote {audio.SampleRate} Hz");
                cache[relativePath] = audio.Channels[0];
                return audio.Channels[0];
            }
            finally
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Clean speech at an active level of −26 dBFS and speech + noise at <paramref name="snrDb"/>: the noise
    /// segment starting at <paramref name="noiseOffsetSeconds"/> (looped if short) is scaled to an RMS of
    /// −26 dBFS − SNR.
    /// </summary>
    public static (float[] Clean, float[] Noisy) Mix(string speechPath, string noisePath, double snrDb, double noiseOffsetSeconds)
    {
        float[] speech = Load48k(speechPath);
        float[] noise = Load48k(noisePath);
        double level = Math.Pow(10, -26.0 / 20);
        double speechGain = level / ActiveLevel(speech);
        int offset = (int)(noiseOffsetSeconds * 48000) % noise.Length;
        var segment = new double[speech.Length];
        double energy = 0;
        for (int n = 0; n < segment.Length; n++)
        {
            segment[n] = noise[(offset + n) % noise.Length];
            energy += segment[n] * segment[n];
        }
        double noiseGain = level * Math.Pow(10, -snrDb / 20) / Math.Sqrt(energy / segment.Length);
        var clean = new float[speech.Length];
        var noisy = new float[speech.Length];
        for (int n = 0; n < speech.Length; n++)
        {
            clean[n] = (float)(speechGain * speech[n]);
            noisy[n] = (float)(speechGain * speech[n] + noiseGain * segment[n]);
        }
        return (clean, noisy);
    }

    /// <summary>RMS over the 10 ms frames whose mean power is within 40 dB of the loudest frame.</summary>
    public static double ActiveLevel(ReadOnlySpan<float> x)
    {
        const int frame = 480;
        int frames = x.Length / frame;
        var power = new double[frames];
        for (int f = 0; f < frames; f++)
        {
            double e = 0;
            for (int n = f * frame; n < (f + 1) * frame; n++) e += (double)x[n] * x[n];
            power[f] = e / frame;
        }
        double threshold = power.Max() * 1e-4;
        var active = power.Where(p => p > threshold).ToArray();
        return Math.Sqrt(active.Average());
    }
}
