namespace PercepNetFx.Dsp;

/// <summary>
/// The pitch coherence q(b) of §4.5: coherence between the frame's spectrum A and its comb-filtered
/// spectrum P with the comb's centre tap taken out, P° = (P − w₀A)/(1 − w₀), without building P°.
/// Used by the engine and by the overload guard's shadow analysis.
/// </summary>
internal static class CombCoherence
{
    /// <summary>
    /// Writes q(b) into <paramref name="coherence"/> and leaves E_P in <paramref name="combEnergy"/>
    /// (the engine's mixing step needs it); <paramref name="crossCorrelation"/> is scratch.
    /// </summary>
    public static void CentreFree(float[] aRe, float[] aIm, float[] energyA, float[] pRe, float[] pIm, float centreTap,
        float[] combEnergy, float[] crossCorrelation, float[] coherence)
    {
        // C(A, P°) = (C(A,P) − w₀E_A)/(1 − w₀); E_P° = (E_P − 2w₀C(A,P) + w₀²E_A)/(1 − w₀)².
        BandLayout.Energy(pRe, pIm, combEnergy);
        BandLayout.CrossCorrelation(aRe, aIm, pRe, pIm, crossCorrelation);
        float inv = 1f / (1f - centreTap);
        for (int b = 0; b < Constants.BandCount; b++)
        {
            float eA = energyA[b], eP = combEnergy[b], cAP = crossCorrelation[b];
            float cross = (cAP - centreTap * eA) * inv;
            float eRef = MathF.Max(0f, (eP - 2f * centreTap * cAP + centreTap * centreTap * eA) * inv * inv);
            float q = cross / MathF.Sqrt(eA * eRef + Constants.EnergyEpsilon);
            coherence[b] = float.IsFinite(q) ? Math.Clamp(q, 0f, 1f) : 0f;
        }
    }
}
