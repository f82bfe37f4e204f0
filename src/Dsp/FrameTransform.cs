namespace PercepNetFx.Dsp;

/// <summary>
/// The frame transforms of one <see cref="PercepNetCore"/>: the windowed FFT of frame t and of the
/// comb-filtered frame l = t − 2 out of a ring of the last six hops (§2.3, §4.1, §9.1), the
/// training low-pass on both (§6.5), and the windowed inverse for synthesis. The core and its
/// <see cref="OracleAnalysis"/> share one instance, so the noisy and the clean signal see the same
/// arithmetic. Allocation-free after construction.
/// </summary>
internal sealed class FrameTransform
{
    private const int Hop = Constants.HopSize;
    private const int Win = Constants.WindowSize;
    private const int Bins = Constants.BinCount;
    /// <summary>Samples 480(t−5) … 480(t+1)−1 of a channel (§9.1).</summary>
    public const int RingLength = 6 * Hop;
    /// <summary>Frame l = t − 2 starts at 480(l−1) = ring index 960.</summary>
    public const int FrameLStart = 2 * Hop;
    /// <summary>Frame t starts at ring index 1920.</summary>
    public const int FrameTStart = 4 * Hop;
    private const float MaxInputMagnitude = 1000f; // clamp absurd input so energies stay finite

    private readonly RealFft<float> fft = new();
    private readonly float[] window = VorbisWindow.Values;
    private readonly float[] timeSignal = new float[Win];

    /// <summary>Training only (§8.4 step 6, §6.5): bins ≥ this are zeroed before every band sum. 481 = off.</summary>
    public int LowpassBin { get; set; } = Bins;

    /// <summary>Appends a hop to a ring; NaN/Inf become silence and denormals zero, so no state is poisoned (§4.8).</summary>
    public static void Shift(float[] ring, ReadOnlySpan<float> hop)
    {
        Array.Copy(ring, Hop, ring, 0, RingLength - Hop);
        var dst = ring.AsSpan(RingLength - Hop);
        for (int n = 0; n < Hop; n++)
        {
            float x = hop[n];
            if (!float.IsFinite(x) || MathF.Abs(x) < Constants.DenormalFloor) x = 0f;
            dst[n] = Math.Clamp(x, -MaxInputMagnitude, MaxInputMagnitude);
        }
    }

    /// <summary>Spectrum of frame t (the newest two hops of the ring), §2.3.</summary>
    public void Analyse(float[] ring, float[] re, float[] im) => AnalyseAt(ring, FrameTStart, re, im);

    /// <summary>Spectrum of the frame starting at ring index <paramref name="start"/> (an earlier frame, recomputed).</summary>
    public void AnalyseAt(float[] ring, int start, float[] re, float[] im)
    {
        for (int n = 0; n < Win; n++) timeSignal[n] = window[n] * ring[start + n];
        fft.Forward(timeSignal, re, im);
        ApplyLowpass(re, im);
    }

    /// <summary>Spectrum P of the comb-filtered frame l for pitch period T with 2·<paramref name="taps"/> + 1 taps (§4.1).</summary>
    public void Comb(float[] ring, int period, int taps, float[] re, float[] im)
    {
        CombFilter.Apply(ring, FrameLStart, period, taps, timeSignal);
        for (int n = 0; n < Win; n++) timeSignal[n] *= window[n];
        fft.Forward(timeSignal, re, im);
        ApplyLowpass(re, im);
    }

    /// <summary>IFFT and synthesis window of a frame, added into the overlap-add buffer (§2.3).</summary>
    public void SynthesiseInto(float[] re, float[] im, float[] overlapAdd)
    {
        fft.Inverse(re, im, timeSignal);
        for (int n = 0; n < Win; n++) overlapAdd[n] += window[n] * timeSignal[n];
    }

    private void ApplyLowpass(float[] re, float[] im)
    {
        for (int k = Math.Max(LowpassBin, 0); k < Bins; k++) { re[k] = 0f; im[k] = 0f; }
    }
}
