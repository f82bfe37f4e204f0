namespace PercepNetFx.Dsp;

/// <summary>
/// The network's input F_t of §5, written in one place for the engine and for the overload guard's
/// shadow analysis, which must produce exactly what the engine would have on the silenced input.
/// </summary>
internal static class FeatureVector
{
    private const int Bands = Constants.BandCount;

    /// <summary>The period feature: log₂(T / T_reset), 0 for the tracker's reset period.</summary>
    public static float PeriodCode(PitchTracker pitch) => MathF.Log2(pitch.Period / (float)PitchTracker.ResetPeriod);

    /// <summary>The correlation feature: the tracker's correlation when voiced, else 0.</summary>
    public static float Correlation(PitchTracker pitch) => pitch.Voiced ? pitch.Correlation : 0f;

    /// <summary>F_t: 34 log band energies of frame t, 34 coherences of frame l, period code, correlation.</summary>
    public static void Write(float[] f, float[] energyT, float[] coherenceL, PitchTracker pitch)
    {
        for (int b = 0; b < Bands; b++) f[b] = MathF.Log10(energyT[b] + Constants.FeatureEnergyFloor);
        for (int b = 0; b < Bands; b++) f[Bands + b] = coherenceL[b];
        f[2 * Bands] = PeriodCode(pitch);
        f[2 * Bands + 1] = Correlation(pitch);
    }
}
