namespace PercepNetFx.Dsp.Tests;

/// <summary>
/// The pitch tracker's half of the overload guard: after a long loud run it must continue exactly
/// as a tracker that heard silence instead (hop-aligned runs, where "exactly" is defined), and a
/// short loud run must change nothing.
/// </summary>
public class OverloadPitchShadowTests
{
    private const int Hop = Constants.HopSize, Rate = Constants.SampleRate;

    private record struct Decision(int Period, float Correlation, bool Voiced);

    /// <summary>Runs the tracker hop by hop, with or without the shadow, and returns its decision per hop.</summary>
    private static Decision[] Track(float[] x, bool shadowOn)
    {
        var pitch = new PitchTracker();
        var shadow = new OverloadPitchShadow();
        var decisions = new Decision[x.Length / Hop];
        for (int t = 0; t < decisions.Length; t++)
        {
            var hop = x.AsSpan(t * Hop, Hop);
            bool loud = shadowOn && Signals.Rms(hop) * Signals.Rms(hop) >= Constants.OverloadMeanSquare;
            shadow.BeforeStep(pitch, loud);
            pitch.Process(hop);
            shadow.AfterStep(pitch, hop, loud);
            decisions[t] = new Decision(pitch.Period, pitch.Correlation, pitch.Voiced);
        }
        return decisions;
    }

    /// <summary>Voiced speech-like harmonics (known pitch), the middle <paramref name="hostileHops"/> hops replaced.</summary>
    private static float[] WithMiddle(int hostileHops, Func<int, float> hostile)
    {
        var (voice, _) = Signals.Harmonic(3 * Rate, 140, 3, 0.1, seed: 4);
        var x = Signals.Scale(voice, 0.3 / Signals.Rms(voice));
        int start = Rate;
        for (int n = 0; n < hostileHops * Hop; n++) x[start + n] = hostile(n);
        return x;
    }

    private static float Square(int n) => n / 48 % 2 == 0 ? 1f : -1f;

    [Theory]
    [InlineData("square")]
    [InlineData("dc")]
    [InlineData("white")]
    public void AfterTheTailOfALongLoudRunTheTrackerDecidesAsAfterSilence(string kind)
    {
        var rng = new Random(3);
        Func<int, float> hostile = kind switch
        {
            "square" => Square,
            "dc" => _ => 0.9f,
            _ => _ => (float)(rng.NextDouble() * 2 - 1),
        };
        const int hostileHops = 100;
        var loud = Track(WithMiddle(hostileHops, hostile), shadowOn: true);
        var silent = Track(WithMiddle(hostileHops, _ => 0f), shadowOn: true);
        int tailEnd = Rate / Hop + hostileHops + Constants.OverloadTailHops;
        Assert.Equal(silent.AsSpan(tailEnd).ToArray(), loud.AsSpan(tailEnd).ToArray());
        // The control: without the shadow the same tracker still remembers the run after the tail.
        var plain = Track(WithMiddle(hostileHops, hostile), shadowOn: false);
        Assert.NotEqual(silent.AsSpan(tailEnd).ToArray(), plain.AsSpan(tailEnd).ToArray());
    }

    [Fact]
    public void QuietHopsInsideARunCountAsPartOfIt()
    {
        // Loud bursts of 5 hops with 3-hop gaps holding a quiet tone (below the loud threshold): the
        // gaps are replayed as silence once the next burst shows they belonged to the run.
        const int hostileHops = 104;
        var gapTone = Signals.Scale(TestSignals.Sine(hostileHops * Hop, 100, Rate), 0.3);
        float Pulsed(int n) => n / Hop % 8 < 5 ? Square(n) : gapTone[n];
        var loud = Track(WithMiddle(hostileHops - 3, Pulsed), shadowOn: true); // ends on a burst
        var silent = Track(WithMiddle(hostileHops - 3, _ => 0f), shadowOn: true);
        int tailEnd = Rate / Hop + hostileHops - 3 + Constants.OverloadTailHops;
        Assert.Equal(silent.AsSpan(tailEnd).ToArray(), loud.AsSpan(tailEnd).ToArray());
    }

    [Fact]
    public void ALoudRunShorterThanTheConfirmationChangesNothing()
    {
        // 400 ms of full-scale square (loud speech is shorter still): the decisions are those without the shadow.
        var x = WithMiddle(Constants.OverloadConfirmHops - 10, Square);
        Assert.Equal(Track(x, shadowOn: false), Track(x, shadowOn: true));
    }
}
