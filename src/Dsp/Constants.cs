namespace PercepNetFx.Dsp;

/// <summary>Fixed parameters of the algorithm (spec §1.1). Every stage reads its sizes from here.</summary>
public static class Constants
{
    /// <summary>Internal sample rate in Hz (§1.1); other rates are resampled (§9.5).</summary>
    public const int SampleRate = 48000;
    /// <summary>True for a host rate the engine accepts: <see cref="MinSampleRate"/> … <see cref="MaxSampleRate"/> Hz.</summary>
    public static bool IsSupportedRate(double rate) => rate >= MinSampleRate && rate <= MaxSampleRate;
    /// <summary>Lowest host sample rate accepted (§9.5); every rate but 48 kHz is resampled.</summary>
    public const int MinSampleRate = 8000;
    /// <summary>Highest host sample rate accepted (§9.5).</summary>
    public const int MaxSampleRate = 384000;
    /// <summary>Hop size N: one frame advance of 10 ms.</summary>
    public const int HopSize = 480;
    /// <summary>
    /// The hop period in host samples at <paramref name="hostRate"/>: the grid on which automation is applied
    /// (docs/decisions.md "Plug-in: automation at hop resolution"); exact at 48 kHz, elsewhere the nearest whole number of
    /// samples to 10 ms, an approximation of where the resampled hops fall.
    /// </summary>
    public static int HostHopSize(int hostRate) => hostRate == SampleRate ? HopSize : Math.Max(1, (int)Math.Round((double)HopSize * hostRate / SampleRate));
    /// <summary>Window and FFT length W: 20 ms.</summary>
    public const int WindowSize = 960;
    /// <summary>Stored FFT bins 0 … 480 (50 Hz spacing).</summary>
    public const int BinCount = WindowSize / 2 + 1;
    /// <summary>Number of ERB bands (§3.1).</summary>
    public const int BandCount = 34;
    /// <summary>Network lookahead D in frames (§1.1, §8.2).</summary>
    public const int LookaheadFrames = 2;
    /// <summary>Algorithmic latency L = 480 (overlap-add) + 2·480 (lookahead), §1.2.</summary>
    public const int AlgorithmLatency = HopSize + LookaheadFrames * HopSize;
    /// <summary>Pitch period range in samples at 48 kHz (800 Hz … 62.5 Hz), §3.3.</summary>
    public const int MinPeriod = 60;
    public const int MaxPeriod = 768;
    /// <summary>Maximum comb taps on each side of the centre tap (§4.2).</summary>
    public const int MaxCombTaps = 3;
    /// <summary>Features per frame (§5).</summary>
    public const int FeatureCount = 70;

    /// <summary>ε_E: regulariser of every energy ratio (§3.2, §4.8).</summary>
    public const float EnergyEpsilon = 1e-9f;
    /// <summary>ε_f: floor inside the log-energy feature (§5).</summary>
    public const float FeatureEnergyFloor = 1e-5f;
    /// <summary>Magnitudes below this become 0 in the input and in recursive state (§4.8): denormals
    /// would slow every later operation on them by orders of magnitude.</summary>
    public const float DenormalFloor = 1e-30f;
    /// <summary>Σ_b E_Y(b) below this marks a silent frame for the comb bypass (§4.8).</summary>
    public const float SilentFrameEnergy = 3.4e-5f;

    /// <summary>Feedback coefficients of the pitch analysis' DC blocker
    /// H(z) = (1 − 2z⁻¹ + z⁻²)/(1 − a₁z⁻¹ + a₂z⁻²) (§3.3 a): a₁ = 1.99599, a₂ = 0.996.</summary>
    public const double DcBlockerA1 = 1.99599, DcBlockerA2 = 0.996;

    /// <summary>Hop mean square (after the input clamp) at or above which a hop counts as overload:
    /// −6 dBFS RMS. Peak-normalised unclipped dev-set speech never reaches it for more than 30 ms at a
    /// stretch; DC, full-scale tones and squares, and uniform 0 dBFS noise (−4.8 dBFS RMS) stay above it.
    /// docs/decisions.md, "Overload guard", has the measurements behind both constants.</summary>
    public const float OverloadMeanSquare = 0.25f;
    /// <summary>Loud hops in one run (500 ms; gaps shorter than <see cref="OverloadTailHops"/> do not end
    /// it) before the network's memory of the run is discarded.</summary>
    public const int OverloadConfirmHops = 50;
    /// <summary>Steps after the last overload hop whose features still see it: the pitch features of
    /// step t describe frame t − 2 (§5), whose correlation reaches back 768 samples and whose Viterbi
    /// decision looks 2 frames ahead (§3.3), 6 hops in all; 3 more because after a clamped 1000-amplitude
    /// input the tracker's features need them (measured in docs/decisions.md, "Overload guard").</summary>
    public const int OverloadTailHops = 9;

    /// <summary>Band centres of layout A in bins (§3.1).</summary>
    public static ReadOnlySpan<int> BandCentreBins => new[]
    {
        0, 2, 4, 6, 8, 10, 12, 15, 18, 21, 24, 28, 32, 36, 41, 47, 53,
        60, 68, 77, 87, 98, 110, 124, 140, 157, 176, 198, 223, 251, 282, 317, 356, 400,
    };
}
