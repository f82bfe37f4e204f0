namespace PercepNetFx.Dsp.Resampling;

/// <summary>
/// The two resamplers around the 48 kHz engine (spec §9.5): host→inner and inner→host, built so that
/// the whole round trip, including the engine's own latency, is an exact integer number of host samples.
/// </summary>
/// <remarks>
/// <para>Both resamplers share the fine grid F = lcm(hostRate, innerRate): a host sample lasts
/// L₁ = F/hostRate fine samples and an inner sample M₁ = F/innerRate (L₁/M₁ is the host→inner ratio).
/// With both started together, host output m equals the band-limited host input at fine time
/// m·L₁ − (d₁ + P·M₁ + d₂), where d₁ = (K₁−1)/2 + D and d₂ = (K₂−1)/2 are the resamplers' group delays
/// in fine samples and P the engine latency in inner samples (1440 + P_pad in the spec).</para>
/// <para>That total is an integer number of host samples only if it is a multiple of L₁. The pad
/// D = (−(d₁ + P·M₁ + d₂)) mod L₁, with 0 ≤ D &lt; L₁, is added as extra fine delay to the host→inner
/// resampler (whose L is L₁, so it costs no extra taps). Then
/// L_host = (d₁ + P·M₁ + d₂)/L₁ exactly, which equals the spec's
/// round((1440 + P_pad)·f_s/48000 + d_in + d_out) with d_in (including D) and d_out in host samples,
/// because the argument of round() is already an integer. The pad is below one host sample
/// (≤ 22.7 µs at 44.1 kHz); at 48 kHz both resamplers are identities and L_host = P.</para>
/// </remarks>
public sealed class ResamplerPair
{
    private ResamplerPair(PolyphaseResampler toInner, PolyphaseResampler toHost, int padFineSamples, long totalFine, int hostPeriodFine)
    {
        ToInner = toInner;
        ToHost = toHost;
        PadFineSamples = padFineSamples;
        TotalDelayFineSamples = totalFine;
        LatencyHostSamples = checked((int)(totalFine / hostPeriodFine));
    }

    /// <summary>Host→inner resampler (carries the pad as its extra fine delay).</summary>
    public PolyphaseResampler ToInner { get; }

    /// <summary>Inner→host resampler.</summary>
    public PolyphaseResampler ToHost { get; }

    /// <summary>Pad D in fine samples added to <see cref="ToInner"/> (0 ≤ D &lt; F/hostRate).</summary>
    public int PadFineSamples { get; }

    /// <summary>Total round-trip delay in fine samples (a multiple of F/hostRate).</summary>
    public long TotalDelayFineSamples { get; }

    /// <summary>Exact round-trip latency in host samples, engine latency included.</summary>
    public int LatencyHostSamples { get; }

    /// <summary>Builds the pair for <paramref name="hostRate"/> around an engine running at
    /// <paramref name="innerRate"/> with <paramref name="innerLatencySamples"/> samples of latency.</summary>
    public static ResamplerPair Create(int hostRate, int innerRate, int innerLatencySamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hostRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(innerRate);
        ArgumentOutOfRangeException.ThrowIfNegative(innerLatencySamples);

        var toHost = new PolyphaseResampler(innerRate, hostRate);
        var unpadded = new PolyphaseResampler(hostRate, innerRate);
        int hostPeriodFine = unpadded.UpFactor;   // L₁
        int innerPeriodFine = unpadded.DownFactor; // M₁
        long total = unpadded.GroupDelayFineSamples + toHost.GroupDelayFineSamples + (long)innerLatencySamples * innerPeriodFine;
        int pad = (int)((hostPeriodFine - total % hostPeriodFine) % hostPeriodFine);
        var toInner = pad == 0 ? unpadded : new PolyphaseResampler(hostRate, innerRate, pad);
        return new ResamplerPair(toInner, toHost, pad, total + pad, hostPeriodFine);
    }
}
