namespace PercepNetFx.Dsp;

/// <summary>
/// Oracle training targets g_b and r_b of spec §6 for one frame, from band sums of the noisy Y,
/// the clean X and the clean comb reference P°_x (all with the noisy pitch, §6.1).
/// </summary>
public static class OracleTargets
{
    private const float GainEpsilon = 1e-6f;    // ε_g (§6.2)
    private const float MaskingThreshold = 0.03f; // n₀ (§4.7)

    /// <summary>g_b = min(1, sqrt((E_X + ε_g)/(E_Y + ε_g))) (§6.2).</summary>
    public static float Gain(float energyClean, float energyNoisy)
        => MathF.Min(1f, MathF.Sqrt((energyClean + GainEpsilon) / (energyNoisy + GainEpsilon)));

    /// <summary>
    /// Strength target and extra attenuation for one voiced band (§6.3 steps 2–5).
    /// <paramref name="cleanCoherence"/> is q_x = coh(X, P°_x), <paramref name="noisyCoherence"/> is q̃_y = coh(Y, P°_x).
    /// Returns r_b; <paramref name="gainFactor"/> is g_att (1 unless full filtering is not enough).
    /// </summary>
    public static float Strength(float cleanCoherence, float noisyCoherence, float noisePowerGain, out float gainFactor)
    {
        gainFactor = 1f;
        float qx = Math.Clamp(cleanCoherence, 0f, 1f), qy = Math.Clamp(noisyCoherence, 0f, 1f);
        float qx2 = qx * qx;
        if (qx2 <= MaskingThreshold) return 0f;      // periodic part inaudible: no comb (step 2)
        if (qy >= qx) return 0f;                      // already as periodic as the clean band (step 3)
        float s2 = noisePowerGain;
        float qp = qy / MathF.Sqrt((1f - s2) * qy * qy + s2); // modelled coherence after comb filtering (§4.7)
        if (qp <= qx)
        {
            // Full filtering is not enough: r = 1 and attenuate the band further (§4.7).
            gainFactor = MathF.Sqrt((1f + MaskingThreshold - qx2) / (1f + MaskingThreshold - qp * qp));
            return 1f;
        }
        float a = qp * qp - qx2;
        float b = qy * qp * (1f - qx2);
        float c = qx2 - qy * qy;
        float alpha = c / (b + MathF.Sqrt(b * b + a * c));
        if (!float.IsFinite(alpha) || alpha < 0f) alpha = 0f;
        return Math.Clamp(alpha / (1f + alpha), 0f, 1f);
    }
}
