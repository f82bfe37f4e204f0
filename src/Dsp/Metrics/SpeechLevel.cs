namespace PercepNetFx.Dsp.Metrics;

/// <summary>
/// Active speech level in dBFS: the RMS over the 10 ms frames whose energy is within 40 dB of the
/// loudest frame (the rule scripts/oracle_table.py and train/mix.py use to set mixture levels). A
/// simplified ITU-T P.56: enough to compare a file before and after processing.
/// </summary>
public static class SpeechLevel
{
    public const double RangeDb = 40.0;

    /// <summary>Level of the mid signal of <paramref name="channels"/>; −∞ for digital silence.</summary>
    public static double ActiveDbfs(float[][] channels, int sampleRate)
    {
        int frame = Math.Max(1, sampleRate / 100);
        int length = channels[0].Length, frames = length / frame;
        if (frames == 0) return double.NegativeInfinity;
        var energy = new double[frames];
        double loudest = 0;
        for (int f = 0; f < frames; f++)
        {
            double e = 0;
            for (int n = f * frame; n < (f + 1) * frame; n++)
            {
                double mid = 0;
                foreach (var ch in channels) mid += ch[n];
                mid /= channels.Length;
                e += mid * mid;
            }
            energy[f] = e / frame;
            loudest = Math.Max(loudest, energy[f]);
        }
        if (loudest <= 0) return double.NegativeInfinity;
        double threshold = loudest * Math.Pow(10, -RangeDb / 10), sum = 0;
        int active = 0;
        foreach (double e in energy)
            if (e > threshold) { sum += e; active++; }
        return 10 * Math.Log10(sum / active);
    }
}
