using PercepNetFx.Dsp.Network;
using PercepNetFx.Dsp;

namespace PercepNetFx.Offline;

/// <summary>Fills <c>block[c][0 … count)</c> with the next <paramref name="count"/> samples of every channel.</summary>
public delegate void BlockSource(float[][] block, int count);

/// <summary>Takes <c>block[c][offset … offset + count)</c>: the next <paramref name="count"/> samples of every channel.</summary>
public delegate void BlockSink(float[][] block, int offset, int count);

/// <summary>
/// Renders a whole signal through the streaming engine and compensates its latency (spec §9.2):
/// the input is extended by the latency in zeros, the first <c>LatencySamples</c> outputs are
/// dropped, so the result is sample-aligned with the input and has the same length. The engine
/// sees exactly the hops a real-time host would give it, so the result equals the plug-in's
/// output shifted by its latency. The signal can be held in arrays or streamed block by block
/// (a file of any length in constant memory); both run the same loop, so their outputs are identical.
/// </summary>
public static class OfflineRenderer
{
    /// <summary>Block size fed to the engine; aligned mode at 48 kHz.</summary>
    public const int BlockSize = 4 * Constants.HopSize;

    /// <summary>Latency-compensated offline render through a <see cref="Denoiser"/> (§9.2): output aligned with the input, same length.</summary>
    public static float[][] Render(float[][] input, int sampleRate, PercepNetModel model, DenoiseSettings settings,
        Action<double>? progress = null)
    {
        return Render(input, sampleRate, b => new Denoiser(sampleRate, input.Length, b, model, settings).Engine, progress: progress);
    }

    /// <summary>The same render streamed block by block (<see cref="Render(long, int, int, BlockSource, BlockSink, Func{int, StreamingEngine}?, BlockSource?, Action{double}?)"/>):
    /// constant memory for any length, output identical to the array form.</summary>
    public static void Render(long length, int channels, int sampleRate, BlockSource read, BlockSink write,
        PercepNetModel model, DenoiseSettings settings, Action<double>? progress = null)
    {
        Render(length, channels, sampleRate, read, write, b => new Denoiser(sampleRate, channels, b, model, settings).Engine, progress: progress);
    }

    /// <summary>
    /// The render with automation: controls with a lane in <paramref name="automation"/> follow it, the others keep
    /// <paramref name="settings"/>. It is what PercepNetFxPlugin outputs, shifted by its latency, when a host delivers
    /// the same lanes as VST3 parameter changes (docs/decisions.md "Plug-in: automation at hop resolution" and
    /// "CLI: automation files"): the signal is cut after every 10 ms hop of the host-sample grid and at every
    /// automation point, each piece runs with the lanes' values at its last sample (so each hop uses the value at the
    /// sample that completes it, and bypass and listen cross-fades start at the point's sample), the engine runs with
    /// the plug-in's variable-block padding so those cross-fades sit where the plug-in's do, and it starts settled at
    /// the values at time 0.
    /// </summary>
    public static void Render(long length, int channels, int sampleRate, BlockSource read, BlockSink write,
        PercepNetModel model, DenoiseSettings settings, Automation automation, Action<double>? progress = null)
    {
        var player = new AutomationPlayer(automation.At(sampleRate), settings, sampleRate);
        RenderCore(length, channels, sampleRate, read, write, _ =>
        {
            // Variable host blocks (hostBlockSize 0), as the plug-in builds its engine.
            var d = new Denoiser(sampleRate, channels, 0, model, settings);
            player.Apply(d.Engine, 0);
            d.Reset(); // as the plug-in's activation: every state cleared, bypass and listen settled at their values
            return d.Engine;
        }, null, progress, player);
    }

    /// <summary>The automation render of whole arrays (<see cref="Render(long, int, int, BlockSource, BlockSink, PercepNetModel, DenoiseSettings, Automation, Action{double}?)"/>).</summary>
    public static float[][] Render(float[][] input, int sampleRate, PercepNetModel model, DenoiseSettings settings, Automation automation)
    {
        int channels = input.Length, length = input[0].Length;
        var output = new float[channels][];
        for (int c = 0; c < channels; c++) output[c] = new float[length];
        int read = 0, written = 0;
        Render(length, channels, sampleRate,
            (block, n) => { for (int c = 0; c < channels; c++) input[c].AsSpan(read, n).CopyTo(block[c]); read += n; },
            (block, offset, n) => { for (int c = 0; c < channels; c++) block[c].AsSpan(offset, n).CopyTo(output[c].AsSpan(written)); written += n; },
            model, settings, automation);
        return output;
    }

    /// <param name="input">Planar channels (1 or 2) of equal length.</param>
    /// <param name="create">Builds the engine (gain source, controls) for a host block size; null: unity gains.</param>
    /// <param name="reference">Optional clean reference (48 kHz only) for oracle modes and targets.</param>
    /// <param name="progress">Called with the fraction done, at most about 100 times.</param>
    public static float[][] Render(float[][] input, int sampleRate, Func<int, StreamingEngine>? create = null,
        float[]? reference = null, Action<double>? progress = null)
    {
        int channels = input.Length;
        if (channels is < 1 or > 2) throw new ArgumentException("only mono and stereo are supported");
        int length = input[0].Length;
        var output = new float[channels][];
        for (int c = 0; c < channels; c++) output[c] = new float[length];
        long read = 0, readReference = 0, written = 0;
        BlockSource? referenceSource = null;
        if (reference is not null)
        {
            // A reference shorter than the input reads as zeros past its end.
            referenceSource = (block, n) =>
            {
                int have = (int)Math.Clamp(reference.Length - readReference, 0, n);
                reference.AsSpan((int)Math.Min(readReference, reference.Length), have).CopyTo(block[0]);
                block[0].AsSpan(have, n - have).Clear();
                readReference += n;
            };
        }
        Render(length, channels, sampleRate,
            (block, n) =>
            {
                for (int c = 0; c < channels; c++) input[c].AsSpan((int)read, n).CopyTo(block[c]);
                read += n;
            },
            (block, offset, n) =>
            {
                for (int c = 0; c < channels; c++) block[c].AsSpan(offset, n).CopyTo(output[c].AsSpan((int)written));
                written += n;
            },
            create, referenceSource, progress);
        return output;
    }

    /// <summary>
    /// The streaming form: <paramref name="read"/> is asked for the <paramref name="length"/> input samples
    /// in order, in blocks of at most <see cref="BlockSize"/>, and <paramref name="write"/> receives exactly
    /// <paramref name="length"/> output samples in order, aligned with the input.
    /// </summary>
    /// <param name="readReference">Optional clean mono reference (48 kHz only), read in step with the input.</param>
    public static void Render(long length, int channels, int sampleRate, BlockSource read, BlockSink write,
        Func<int, StreamingEngine>? create = null, BlockSource? readReference = null, Action<double>? progress = null)
        => RenderCore(length, channels, sampleRate, read, write, create, readReference, progress, null);

    private static void RenderCore(long length, int channels, int sampleRate, BlockSource read, BlockSink write,
        Func<int, StreamingEngine>? create, BlockSource? readReference, Action<double>? progress, AutomationPlayer? automation)
    {
        if (channels is < 1 or > 2) throw new ArgumentException("only mono and stereo are supported");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        if (readReference is not null && sampleRate != Constants.SampleRate)
            throw new ArgumentException("a reference signal needs 48 kHz input");
        var engine = create?.Invoke(BlockSize) ?? new StreamingEngine(sampleRate, channels, BlockSize);
        int latency = engine.LatencySamples;

        var inBlock = new float[channels][];
        var outBlock = new float[channels][];
        for (int c = 0; c < channels; c++) { inBlock[c] = new float[BlockSize]; outBlock[c] = new float[BlockSize]; }
        var refBlock = new[] { new float[BlockSize] };
        // §9.2: latency zeros, plus zeros up to a whole hop, so the last input samples are processed
        // even in aligned mode (P_pad = 0), which only emits output for complete hops.
        long total = length + latency;
        total = (total + Constants.HopSize - 1) / Constants.HopSize * Constants.HopSize;
        int lastReported = -1;
        for (long pos = 0; pos < total; pos += BlockSize)
        {
            int n = (int)Math.Min(BlockSize, total - pos);
            // Input samples pos … pos + n − 1; past the end of the signal they are zeros.
            int present = (int)Math.Clamp(length - pos, 0, n);
            if (present > 0)
            {
                read(inBlock, present);
                readReference?.Invoke(refBlock, present);
            }
            for (int c = 0; c < channels; c++) inBlock[c].AsSpan(present, n - present).Clear();
            refBlock[0].AsSpan(present, n - present).Clear();
            var refSpan = readReference is null ? default : refBlock[0].AsSpan(0, n);
            for (int offset = 0; offset < n;)
            {
                int len = automation?.PieceLength(pos + offset, n - offset) ?? n;
                automation?.Apply(engine, pos + offset + len - 1);
                var r = refSpan.IsEmpty ? default : refSpan.Slice(offset, len);
                if (channels == 1)
                    engine.Process(inBlock[0].AsSpan(offset, len), outBlock[0].AsSpan(offset, len), r);
                else
                    engine.Process(inBlock[0].AsSpan(offset, len), inBlock[1].AsSpan(offset, len), outBlock[0].AsSpan(offset, len), outBlock[1].AsSpan(offset, len), r);
                offset += len;
            }
            // Output sample pos + i belongs to input sample pos + i − latency, kept when that lies in 0 … length − 1.
            long first = Math.Max(pos, latency), end = Math.Min(pos + n, length + latency);
            if (end > first) write(outBlock, (int)(first - pos), (int)(end - first));
            int percent = (int)(100 * (pos + n) / total);
            if (progress is not null && percent != lastReported) { lastReported = percent; progress(percent / 100.0); }
        }
    }
}

/// <summary>Applies automation lanes to an engine piece by piece, as PercepNetFxPlugin.Process does with VST3 points.</summary>
internal sealed class AutomationPlayer(SampledAutomation lanes, DenoiseSettings settings, int sampleRate)
{
    private readonly int hop = Constants.HostHopSize(sampleRate);

    /// <summary>The piece starting at <paramref name="start"/>: up to the next hop boundary or automation point, at most <paramref name="max"/>.</summary>
    public int PieceLength(long start, int max)
    {
        long end = Math.Min(start + max, (start / hop + 1) * hop);
        return (int)(Math.Min(end, lanes.NextPointAfter(start)) - start);
    }

    /// <summary>Sets the engine's controls to the lanes' values at <paramref name="sample"/> (controls without a lane keep the settings).</summary>
    public void Apply(StreamingEngine engine, long sample)
    {
        double Value(int index, double fallback) => lanes.Has(index) ? lanes.ValueAt(index, sample) : fallback;
        // As the plug-in maps normalised values (PercepNetFxPlugin.SettingsFor): the continuous ones cast to float, choices at 0.5.
        engine.Apply(settings with
        {
            Strength = (float)Value(Controls.StrengthIndex, settings.Strength),
            PostFilterAmount = (float)Value(Controls.PostFilterIndex, settings.PostFilterAmount),
            CombEnabled = Value(Controls.CombIndex, settings.CombEnabled ? 1 : 0) >= 0.5,
            Listen = Value(Controls.ListenIndex, (int)settings.Listen) >= 0.5 ? ListenMode.Removed : ListenMode.Output,
        });
        engine.Bypass = Value(Controls.BypassIndex, 0) >= 0.5;
    }
}
