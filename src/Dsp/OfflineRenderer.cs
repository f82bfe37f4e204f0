namespace PercepNetFx.Dsp;

/// <summary>
/// Renders a whole signal through the streaming engine and compensates its latency (spec §9.2):
/// the input is extended by the latency in zeros, the first <c>LatencySamples</c> outputs are
/// dropped, so the result is sample-aligned with the input and has the same length. The engine
/// sees exactly the hops a real-time host would give it, so the result equals the plug-in's
/// output shifted by its latency.
/// </summary>
public static class OfflineRenderer
{
    /// <summary>Block size fed to the engine; aligned mode at 48 kHz.</summary>
    public const int BlockSize = 4 * Constants.HopSize;

    /// <param name="input">Planar channels (1 or 2) of equal length.</param>
    /// <param name="configure">Sets gain source and controls on the engine before processing.</param>
    /// <param name="reference">Optional clean reference (48 kHz only) for oracle modes and targets.</param>
    /// <param name="progress">Called with the fraction done, at most about 100 times.</param>
    public static float[][] Render(float[][] input, int sampleRate, Action<StreamingEngine>? configure = null,
        float[]? reference = null, Action<double>? progress = null)
    {
        int channels = input.Length;
        if (channels is < 1 or > 2) throw new ArgumentException("only mono and stereo are supported");
        int length = input[0].Length;
        if (reference is not null && sampleRate != Constants.SampleRate)
            throw new ArgumentException("a reference signal needs 48 kHz input");
        var engine = new StreamingEngine(sampleRate, channels, BlockSize);
        configure?.Invoke(engine);
        int latency = engine.LatencySamples;
        var output = new float[channels][];
        for (int c = 0; c < channels; c++) output[c] = new float[length];

        var inBlock = new float[channels][];
        var outBlock = new float[channels][];
        for (int c = 0; c < channels; c++) { inBlock[c] = new float[BlockSize]; outBlock[c] = new float[BlockSize]; }
        var refBlock = new float[BlockSize];
        // §9.2: latency zeros, plus zeros up to a whole hop, so the last input samples are processed
        // even in aligned mode (P_pad = 0), which only emits output for complete hops.
        long total = (long)length + latency;
        total = (total + Constants.HopSize - 1) / Constants.HopSize * Constants.HopSize;
        int lastReported = -1;
        for (long pos = 0; pos < total; pos += BlockSize)
        {
            int n = (int)Math.Min(BlockSize, total - pos);
            for (int c = 0; c < channels; c++) Fill(input[c], pos, inBlock[c].AsSpan(0, n));
            if (reference is not null) Fill(reference, pos, refBlock.AsSpan(0, n));
            if (channels == 1)
                engine.Process(inBlock[0].AsSpan(0, n), outBlock[0].AsSpan(0, n), reference is null ? default : refBlock.AsSpan(0, n));
            else
                engine.Process(inBlock[0].AsSpan(0, n), inBlock[1].AsSpan(0, n), outBlock[0].AsSpan(0, n), outBlock[1].AsSpan(0, n),
                    reference is null ? default : refBlock.AsSpan(0, n));
            // Output sample pos + i belongs to input sample pos + i − latency.
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < n; i++)
                {
                    long dst = pos + i - latency;
                    if (dst >= 0 && dst < length) output[c][dst] = outBlock[c][i];
                }
            }
            int percent = (int)(100 * (pos + n) / total);
            if (progress is not null && percent != lastReported) { lastReported = percent; progress(percent / 100.0); }
        }
        return output;
    }

    private static void Fill(float[] source, long pos, Span<float> block)
    {
        for (int i = 0; i < block.Length; i++)
        {
            long src = pos + i;
            block[i] = src < source.Length ? source[src] : 0f;
        }
    }
}
