namespace PercepNetFx.Dsp.Metering;

/// <summary>
/// What the editor draws for one 480-sample hop (spec §1: 48 kHz hops). Filled on the audio
/// thread by <see cref="MeterTap"/>, handed to the UI thread through <see cref="MeterExchange"/>.
/// A plain preallocated class (not a struct) so that the exchange swaps references and never
/// copies 300 bytes under contention. Levels are dBFS (full scale = 1.0), floored at
/// <see cref="FloorDb"/> so that digital silence is a finite number the UI can draw.
/// </summary>
public sealed class MeterSnapshot
{
    /// <summary>Lowest dB value ever written: −120 dB, below any meter's range.</summary>
    public const float FloorDb = -120f;

    /// <summary>20·log10 of the band gain g_b actually applied (0 dB = untouched, negative = reduction).</summary>
    public float[] BandGainDb { get; } = new float[Constants.BandCount];
    /// <summary>Comb-filter strength r_b ∈ [0, 1] actually applied per band.</summary>
    public float[] CombStrength { get; } = new float[Constants.BandCount];
    /// <summary>48000 / period of the pitch tracker's current decision (valid as a number even when unvoiced).</summary>
    public float PitchHz { get; set; }
    /// <summary>Pitch correlation (§3.3), the tracker's voicing confidence in [0, 1].</summary>
    public float PitchCorrelation { get; set; }
    public bool Voiced { get; set; }
    public float InputPeakDb { get; set; } = FloorDb;
    public float InputRmsDb { get; set; } = FloorDb;
    public float OutputPeakDb { get; set; } = FloorDb;
    public float OutputRmsDb { get; set; } = FloorDb;
    /// <summary>Hops processed since the engine was created or reset (0 = never published).</summary>
    public long Hop { get; set; }
    /// <summary>Time spent in Process divided by the audio time it covered, in percent (smoothed).</summary>
    public float CpuLoadPercent { get; set; }
    /// <summary>The engine's input-to-output delay in host samples (what the plug-in reports to the host).</summary>
    public int LatencySamples { get; set; }
    public int SampleRate { get; set; }
    /// <summary>True when the engine's bypass was on for this hop.</summary>
    public bool Bypassed { get; set; }

    /// <summary>Latency in milliseconds at the host rate.</summary>
    public double LatencyMs => SampleRate > 0 ? 1000.0 * LatencySamples / SampleRate : 0.0;

    /// <summary>Copies every field (used by the UI to keep a private copy; allocation-free).</summary>
    public void CopyTo(MeterSnapshot target)
    {
        BandGainDb.AsSpan().CopyTo(target.BandGainDb);
        CombStrength.AsSpan().CopyTo(target.CombStrength);
        target.PitchHz = PitchHz;
        target.PitchCorrelation = PitchCorrelation;
        target.Voiced = Voiced;
        target.InputPeakDb = InputPeakDb;
        target.InputRmsDb = InputRmsDb;
        target.OutputPeakDb = OutputPeakDb;
        target.OutputRmsDb = OutputRmsDb;
        target.Hop = Hop;
        target.CpuLoadPercent = CpuLoadPercent;
        target.LatencySamples = LatencySamples;
        target.SampleRate = SampleRate;
        target.Bypassed = Bypassed;
    }

    /// <summary>20·log10(x), with x ≤ 10^(FloorDb/20) (and NaN) mapped to <see cref="FloorDb"/>.</summary>
    public static float ToDb(float linear)
    {
        const float floorLinear = 1e-6f; // 10^(−120/20)
        if (!(linear > floorLinear)) return FloorDb;
        return 20f * MathF.Log10(linear);
    }

    /// <summary>10·log10 of a mean square (power), floored like <see cref="ToDb"/>.</summary>
    public static float PowerToDb(float meanSquare)
    {
        const float floorPower = 1e-12f;
        if (!(meanSquare > floorPower)) return FloorDb;
        return 10f * MathF.Log10(meanSquare);
    }
}
