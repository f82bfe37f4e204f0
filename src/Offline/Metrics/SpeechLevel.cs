namespace PercepNetFx.Offline.Metrics;

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
        var meter = new FrameEnergies(sampleRate);
        meter.Add(channels, 0, channels[0].Length);
        return meter.ActiveLevelDbfs();
    }
}

/// <summary>
/// Mean square of the mid signal (L + R)/2 (or the channel itself) per 10 ms frame, fed block by block,
/// so a file of any length is measured without holding its samples; a trailing partial frame is left out.
/// </summary>
public sealed class FrameEnergies(int sampleRate)
{
    private readonly List<double> energies = new();
    private double sum;
    private int filled;

    /// <summary>Samples per frame: 10 ms at the signal's rate.</summary>
    public int FrameLength { get; } = Math.Max(1, sampleRate / 100);

    /// <summary>Mean square of every complete frame so far, in order.</summary>
    public IReadOnlyList<double> Energies => energies;

    /// <summary>Adds samples [offset, offset + count) of every channel.</summary>
    public void Add(float[][] channels, int offset, int count)
    {
        for (int n = offset; n < offset + count; n++)
        {
            double mid = 0;
            foreach (var ch in channels) mid += ch[n];
            mid /= channels.Length;
            sum += mid * mid;
            if (++filled == FrameLength)
            {
                energies.Add(sum / FrameLength);
                sum = 0;
                filled = 0;
            }
        }
    }

    /// <summary><see cref="SpeechLevel.ActiveDbfs"/> of the frames so far.</summary>
    public double ActiveLevelDbfs()
    {
        double loudest = 0;
        foreach (double e in energies) loudest = Math.Max(loudest, e);
        if (loudest <= 0) return double.NegativeInfinity;
        double threshold = loudest * Math.Pow(10, -SpeechLevel.RangeDb / 10), total = 0;
        int active = 0;
        foreach (double e in energies)
            if (e > threshold) { total += e; active++; }
        return 10 * Math.Log10(total / active);
    }
}
