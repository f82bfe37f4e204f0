namespace PercepNetFx.Dsp;

/// <summary>
/// User controls (spec §10) and the envelope post-filter (§7), applied to the network's (or an
/// oracle's) band gains ĝ and strengths r̂ of one frame.
/// </summary>
public static class PostFilter
{
    private const float Beta = 0.02f; // §7

    /// <summary>Gain floor for suppression strength λ: floor_dB = −60·λ (§10).</summary>
    public static float FloorForStrength(float strength) => MathF.Pow(10f, -3f * Math.Clamp(strength, 0f, 1f));

    /// <summary>
    /// g1 = max(ĝ, floor); ĝʷ = max(floor, g1·sin(πg1/2)^a); G from E₀/E₁; g = G·ĝʷ;
    /// r = combOn ? r̂·(1 − floor) : 0. <paramref name="bandEnergy"/> is E_Y of the frame.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> gainIn, ReadOnlySpan<float> strengthIn, ReadOnlySpan<float> bandEnergy,
        float floor, float amount, bool combOn, Span<float> gainOut, Span<float> strengthOut)
    {
        const int bands = Constants.BandCount;
        float e0 = 0f, e1 = 0f;
        for (int b = 0; b < bands; b++)
        {
            float g1 = Sanitise(gainIn[b]);
            if (g1 < floor) g1 = floor;
            float warped = amount <= 0f ? g1
                : amount >= 1f ? g1 * MathF.Sin(0.5f * MathF.PI * g1) // the paper's setting, without Pow
                : g1 * MathF.Pow(MathF.Sin(0.5f * MathF.PI * g1), amount);
            if (warped < floor) warped = floor;
            e0 += g1 * g1 * bandEnergy[b];
            e1 += warped * warped * bandEnergy[b];
            gainOut[b] = warped;
        }
        if (amount > 0f)
        {
            float ratio = e0 / (e1 + Constants.EnergyEpsilon);
            if (ratio < 1f) ratio = 1f; // R ≥ 1 by construction; guards the ε term
            float compensation = MathF.Sqrt((1f + Beta) * ratio / (1f + Beta * ratio * ratio));
            for (int b = 0; b < bands; b++) gainOut[b] *= compensation;
        }
        float strengthScale = combOn ? 1f - floor : 0f;
        for (int b = 0; b < bands; b++) strengthOut[b] = Sanitise(strengthIn[b]) * strengthScale;
    }

    /// <summary>Clamps to [0, 1] and maps NaN to 0, so a faulty source cannot poison the output.</summary>
    private static float Sanitise(float v) => v >= 0f ? (v <= 1f ? v : 1f) : 0f;
}
