namespace PercepNetFx.Plugin;

/// <summary>
/// The parameter points of one process call, per parameter index, sorted by sample offset
/// (VST3 IParamValueQueue semantics, docs/vst3.md §7). Preallocated: filling and reading it never
/// allocates, so the audio thread can use it (spec §9.6). Points beyond the capacity overwrite the
/// last slot, so the final value of a block is never lost.
/// </summary>
public sealed class ParameterChangeList
{
    public const int Capacity = 512;
    private readonly int[] counts;
    private readonly int[][] offsets;
    private readonly double[][] values;

    public ParameterChangeList(int parameterCount)
    {
        counts = new int[parameterCount];
        offsets = new int[parameterCount][];
        values = new double[parameterCount][];
        for (int i = 0; i < parameterCount; i++) { offsets[i] = new int[Capacity]; values[i] = new double[Capacity]; }
    }

    public int ParameterCount => counts.Length;

    public void Clear() => Array.Clear(counts);

    public int PointCount(int parameterIndex) => counts[parameterIndex];
    public int Offset(int parameterIndex, int point) => offsets[parameterIndex][point];
    public double Value(int parameterIndex, int point) => values[parameterIndex][point];

    /// <summary>Adds a point; offsets are forced non-decreasing, values clamped to [0, 1], NaN dropped.</summary>
    public void Add(int parameterIndex, int sampleOffset, double normalized)
    {
        if ((uint)parameterIndex >= (uint)counts.Length || double.IsNaN(normalized)) return;
        normalized = Math.Clamp(normalized, 0.0, 1.0);
        int n = counts[parameterIndex];
        if (sampleOffset < 0) sampleOffset = 0;
        if (n > 0 && sampleOffset < offsets[parameterIndex][n - 1]) sampleOffset = offsets[parameterIndex][n - 1];
        if (n == Capacity) n--; // keep the newest value in the last slot
        offsets[parameterIndex][n] = sampleOffset;
        values[parameterIndex][n] = normalized;
        counts[parameterIndex] = n + 1;
    }

    /// <summary>
    /// The automation value at <paramref name="sample"/>: linear between points, the last point's
    /// value after it, and before the first point a ramp from <paramref name="previous"/> (the value
    /// at the end of the last block, taken to hold at offset 0) — the VST3 queue semantics (§7).
    /// </summary>
    public double ValueAt(int parameterIndex, int sample, double previous)
    {
        int n = counts[parameterIndex];
        if (n == 0) return previous;
        var off = offsets[parameterIndex];
        var val = values[parameterIndex];
        int prevOffset = 0; double prevValue = previous;
        for (int i = 0; i < n; i++)
        {
            if (sample < off[i])
            {
                int span = off[i] - prevOffset;
                if (span <= 0) return val[i];
                return prevValue + (val[i] - prevValue) * (sample - prevOffset) / span;
            }
            prevOffset = off[i]; prevValue = val[i];
        }
        return val[n - 1];
    }

    /// <summary>The first point offset strictly greater than <paramref name="sample"/> over all parameters, or int.MaxValue.</summary>
    public int NextOffsetAfter(int sample)
    {
        int best = int.MaxValue;
        for (int p = 0; p < counts.Length; p++)
        {
            var off = offsets[p];
            for (int i = 0; i < counts[p]; i++)
                if (off[i] > sample) { if (off[i] < best) best = off[i]; break; }
        }
        return best;
    }
}
