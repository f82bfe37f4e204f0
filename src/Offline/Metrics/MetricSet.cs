namespace PercepNetFx.Offline.Metrics;

/// <summary>Objective scores of one enhanced signal against its clean reference.</summary>
/// <param name="SiSdrDb">Scale-invariant SDR in dB (<see cref="SiSdr"/>).</param>
/// <param name="Stoi">STOI, 0 … 1 (<see cref="Metrics.Stoi"/>).</param>
/// <param name="SegSnrDb">Segmental SNR in dB (<see cref="SegmentalSnr"/>).</param>
/// <param name="LagSamples">Delay of the enhanced signal removed before scoring, in samples.</param>
public readonly record struct MetricSet(double SiSdrDb, double Stoi, double SegSnrDb, int LagSamples)
{
    /// <summary>
    /// Aligns <paramref name="enhanced"/> to <paramref name="clean"/> (constant lag within
    /// ±<paramref name="alignMaxLagSamples"/>, 0 to skip the search), trims both to the overlap and
    /// computes SI-SDR, STOI and segmental SNR on the aligned pair. The lengths may differ.
    /// </summary>
    public static MetricSet Score(ReadOnlySpan<float> clean, ReadOnlySpan<float> enhanced, int sampleRate, int alignMaxLagSamples)
    {
        var (reference, estimate, lag) = DelayAlignment.FindAndAlign(clean, enhanced, alignMaxLagSamples);
        return new MetricSet(
            SiSdr.Compute(reference, estimate),
            Metrics.Stoi.Compute(reference, estimate, sampleRate),
            SegmentalSnr.Compute(reference, estimate, sampleRate),
            lag);
    }
}
