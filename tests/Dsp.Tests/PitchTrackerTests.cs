using PercepNetFx.Dsp;
using Xunit.Abstractions;

namespace PercepNetFx.Dsp.Tests;

public class PitchTrackerTests(ITestOutputHelper output)
{
    public static TheoryData<double> Pitches => new() { 62.5, 80, 100, 130, 170, 220, 300, 400, 550, 800 };

    [Theory]
    [MemberData(nameof(Pitches))]
    public void HarmonicWithVibratoInWhiteNoiseAt0DbIsTrackedWithin1Percent(double f0)
    {
        const int seconds = 3;
        // Vibrato 5.5 Hz, ±2 % (keeps 800 Hz at the 60-sample bound inside the range).
        double depth = f0 >= 800 ? 0.0 : 0.02;
        double centre = f0 >= 800 ? 790 : f0;
        var (clean, f0Track) = Signals.Harmonic(48000 * seconds, centre, 5.5, depth, seed: (int)f0);
        var noise = Signals.WhiteNoise(clean.Length, Signals.Rms(clean), seed: 99);
        var noisy = Signals.Scale(Signals.Add(clean, noise), 0.3);

        var tracker = new PitchTracker();
        var errors = new List<double>();
        int voiced = 0, octave = 0, frames = 0;
        int hops = noisy.Length / 480;
        for (int t = 0; t < hops; t++)
        {
            tracker.Process(noisy.AsSpan(480 * t, 480));
            int l = t - 2;
            if (l < 10) continue; // skip the start-up (history fill)
            frames++;
            if (!tracker.Voiced) continue;
            voiced++;
            double truePeriod = 48000 / f0Track[480 * l];
            double ratio = tracker.Period / truePeriod;
            if (Math.Abs(Math.Log2(ratio)) > 0.5) octave++;
            errors.Add(Math.Abs(ratio - 1));
        }
        errors.Sort();
        double median = errors.Count > 0 ? errors[errors.Count / 2] : 1;
        output.WriteLine($"f0 {f0}: voiced {voiced}/{frames}, median error {median:P2}, octave errors {octave}");
        Assert.True(voiced >= 0.9 * frames, $"only {voiced}/{frames} frames voiced");
        Assert.True(median < 0.01, $"median period error {median:P2}");
        Assert.True(octave < 0.05 * voiced, $"{octave} octave errors in {voiced} voiced frames");
    }

    [Fact]
    public void WhiteNoiseIsMostlyUnvoiced()
    {
        var noise = Signals.WhiteNoise(48000 * 3, 0.1, seed: 4);
        var tracker = new PitchTracker();
        int voiced = 0, frames = 0;
        for (int t = 0; t < noise.Length / 480; t++)
        {
            tracker.Process(noise.AsSpan(480 * t, 480));
            if (t < 12) continue;
            frames++;
            if (tracker.Voiced) voiced++;
        }
        output.WriteLine($"voiced {voiced}/{frames}");
        Assert.True(voiced < 0.1 * frames, $"{voiced}/{frames} noise frames called voiced");
    }

    [Fact]
    public void SilenceIsUnvoicedAndKeepsResetPeriod()
    {
        var tracker = new PitchTracker();
        var zero = new float[480];
        for (int t = 0; t < 50; t++) tracker.Process(zero);
        Assert.False(tracker.Voiced);
        Assert.Equal(240, tracker.Period);
        Assert.Equal(0f, tracker.Correlation);
    }
}
