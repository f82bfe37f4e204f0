using PercepNetFx.Dsp.Resampling;
using PercepNetFx.Dsp;

namespace PercepNetFx.Offline;

/// <summary>
/// The four oracle stages (Amazon Science blog post on PercepNet): per-bin magnitude with noisy
/// phase, 34-band gains, plus comb filtering with oracle strengths, plus the post-filter.
/// Other rates are resampled offline to 48 kHz and back, because the clean reference is analysed
/// in lockstep with the noisy signal at 48 kHz (§6).
/// </summary>
public static class OracleRender
{
    public static float[][] Render(float[][] noisy, float[] clean, int sampleRate, OracleMode mode, Action<double>? progress = null)
    {
        if (sampleRate != Constants.SampleRate)
        {
            var noisy48 = noisy.Select(ch => PolyphaseResampler.Resample(ch, sampleRate, Constants.SampleRate)).ToArray();
            var clean48 = PolyphaseResampler.Resample(clean, sampleRate, Constants.SampleRate);
            var out48 = Render(noisy48, clean48, Constants.SampleRate, mode, progress);
            return out48.Select(ch => Fit(PolyphaseResampler.Resample(ch, Constants.SampleRate, sampleRate), noisy[0].Length)).ToArray();
        }
        var settings = new DenoiseSettings(Strength: 1f,
            PostFilterAmount: mode == OracleMode.BandsCombPostFilter ? 1f : 0f,
            CombEnabled: mode is OracleMode.BandsComb or OracleMode.BandsCombPostFilter);
        return OfflineRenderer.Render(noisy, sampleRate, blockSize =>
        {
            var engine = new StreamingEngine(sampleRate, noisy.Length, blockSize)
            {
                GainSource = new OracleGainSource(mode),
                BinMagnitudeOracle = mode == OracleMode.Stft,
            };
            engine.Apply(settings);
            return engine;
        }, clean, progress);
    }

    private static float[] Fit(float[] x, int length)
    {
        if (x.Length == length) return x;
        var y = new float[length];
        Array.Copy(x, y, Math.Min(length, x.Length));
        return y;
    }
}
