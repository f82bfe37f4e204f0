using System.Diagnostics;
using PercepNetFx.Dsp.Metering;
using PercepNetFx.Dsp.Resampling;

namespace PercepNetFx.Dsp;

/// <summary>
/// Drives <see cref="PercepNetCore"/> from host blocks of any size (spec §9.2) at 44.1, 48, 88.2
/// or 96 kHz (§9.5), mono or linked stereo. Every call returns as many samples as it was given,
/// and the output is the processed input delayed by exactly <see cref="LatencySamples"/> host
/// samples, bit-identical for any partition of the input into blocks. Allocation-free after
/// construction; in-place buffers (input and output the same array) are allowed.
/// </summary>
public sealed class StreamingEngine
{
    private const int Hop = Constants.HopSize;
    private const int InnerRate = Constants.SampleRate;
    private const int MaxPiece = 256; // host samples handled at once on the resampled path

    private readonly int channels;
    private readonly int hostRate;
    private readonly int paddingInner;       // P_pad in 48 kHz samples
    private readonly int hostFifoPrefill;    // extra host-rate padding covering the resamplers' output jitter
    private readonly PercepNetCore core;
    private int hopFill;
    private readonly SampleFifo[] innerOut;   // 48 kHz processed samples waiting to be popped
    private readonly ResamplerPair? resamplers;
    private readonly PolyphaseResampler[]? toInner, toHost;
    private readonly SampleFifo[]? hostOut;
    private readonly float[][] innerScratch, innerScratchOut, hostScratch;
    private readonly float[][] hopIn, hopOut; // the 48 kHz hop being filled, and the core's last output hop
    private readonly float[][] dryDelay;     // latency-aligned input for bypass (§9.3)
    private int dryWrite;
    private float bypassMix;                 // 0 = processed, 1 = dry
    private float removedMix;                // 0 = processed, 1 = delayed input − processed
    private readonly float bypassStep;
    private long underruns;

    /// <param name="sampleRate">Host rate: 48000 runs natively; 44100, 88200, 96000 (or other rates) are resampled.</param>
    /// <param name="channelCount">1 (mono) or 2 (linked stereo).</param>
    /// <param name="hostBlockSize">0 for variable or unknown host blocks (P_pad = 479); a fixed block size B gives
    /// P_pad = 480 − gcd(B, 480), so multiples of 480 run in aligned mode with exactly 1440 samples of latency.</param>
    public StreamingEngine(int sampleRate, int channelCount, int hostBlockSize = 0)
    {
        if (!Constants.IsSupportedRate(sampleRate)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"sample rate must be {Constants.MinSampleRate} … {Constants.MaxSampleRate} Hz");
        if (channelCount is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(channelCount), channelCount, "1 or 2 channels");
        if (hostBlockSize < 0) throw new ArgumentOutOfRangeException(nameof(hostBlockSize));
        channels = channelCount;
        hostRate = sampleRate;
        core = new PercepNetCore(channels);
        hopIn = new float[channels][];
        hopOut = new float[channels][];
        for (int c = 0; c < channels; c++) { hopIn[c] = new float[Hop]; hopOut[c] = new float[Hop]; }
        innerOut = new SampleFifo[channels];
        for (int c = 0; c < channels; c++) innerOut[c] = new SampleFifo(4 * Hop);

        if (sampleRate == InnerRate)
        {
            paddingInner = PaddingFor(hostBlockSize);
            LatencySamples = Constants.AlgorithmLatency + paddingInner;
            innerScratch = innerScratchOut = hostScratch = Array.Empty<float[]>();
        }
        else
        {
            // §9.5: the 48 kHz side receives a variable count per block, so P_pad = 480.
            paddingInner = Hop;
            resamplers = ResamplerPair.Create(sampleRate, InnerRate, Constants.AlgorithmLatency + paddingInner);
            toInner = new PolyphaseResampler[channels];
            toHost = new PolyphaseResampler[channels];
            hostOut = new SampleFifo[channels];
            innerScratch = new float[channels][];
            innerScratchOut = new float[channels][];
            hostScratch = new float[channels][];
            for (int c = 0; c < channels; c++)
            {
                var pair = c == 0 ? resamplers : ResamplerPair.Create(sampleRate, InnerRate, Constants.AlgorithmLatency + paddingInner);
                toInner[c] = pair.ToInner;
                toHost[c] = pair.ToHost;
                int innerMax = toInner[c].MaxOutputFor(MaxPiece);
                innerScratch[c] = new float[innerMax];
                innerScratchOut[c] = new float[innerMax];
                hostScratch[c] = new float[toHost[c].MaxOutputFor(innerMax) + 4];
                hostOut[c] = new SampleFifo(4 * MaxPiece + 64);
            }
            // Cumulative resampler outputs can trail the inputs by up to ⌈f_s/48000⌉ samples; pad for it.
            hostFifoPrefill = (sampleRate + InnerRate - 1) / InnerRate + 1;
            LatencySamples = resamplers.LatencyHostSamples + hostFifoPrefill;
        }
        dryDelay = new float[channels][];
        for (int c = 0; c < channels; c++) dryDelay[c] = new float[LatencySamples];
        bypassStep = (float)InnerRate / (Hop * (float)sampleRate); // one-hop cross-fade (§9.3)
        Reset();
    }

    /// <summary>P_pad for a host block policy (§9.2): 479 when unknown, 480 − gcd(B, 480) for fixed B.</summary>
    public static int PaddingFor(int hostBlockSize)
    {
        if (hostBlockSize <= 0) return Hop - 1;
        int a = hostBlockSize, b = Hop;
        while (b != 0) (a, b) = (b, a % b);
        return Hop - a;
    }

    /// <summary>Exact input-to-output delay in host samples.</summary>
    public int LatencySamples { get; }
    public int SampleRate => hostRate;
    public int ChannelCount => channels;
    /// <summary>The hop engine, for reading what the last hop analysed and applied (meters, reports).</summary>
    public PercepNetCore Core => core;
    /// <summary>The source of ĝ and r̂ (unity by default). Swap only between Process calls.</summary>
    public IGainSource GainSource
    {
        get => core.GainSource;
        set => core.GainSource = value;
    }

    /// <summary>Per-bin magnitude oracle (needs a reference; see <see cref="PercepNetCore.BinMagnitudeOracle"/>).</summary>
    public bool BinMagnitudeOracle
    {
        get => core.BinMagnitudeOracle;
        set => core.BinMagnitudeOracle = value;
    }

    /// <summary>Applies the §10 controls and the listen mode of <paramref name="settings"/>; allocation-free, read at the next hop.</summary>
    public void Apply(in DenoiseSettings settings)
    {
        core.Strength = ClampControl(settings.Strength, 1f);
        core.PostFilterAmount = ClampControl(settings.PostFilterAmount, 1f);
        core.CombEnabled = settings.CombEnabled;
        Listen = settings.Listen;
    }

    /// <summary>Clamps a control to [0, 1]; NaN (a broken host or file) falls back to the default.</summary>
    private static float ClampControl(float value, float fallback) => float.IsNaN(value) ? fallback : Math.Clamp(value, 0f, 1f);

    /// <summary>Bypass: output the input delayed by the same latency, with a one-hop cross-fade.</summary>
    public bool Bypass { get; set; }
    /// <summary>Output or Removed (delayed input − processed output, §9.3), cross-faded over one hop.</summary>
    public ListenMode Listen { get; set; }
    /// <summary>Times an output sample was missing because a caller broke its promised block policy (output 0).</summary>
    public long Underruns => underruns;

    /// <summary>When set, a <see cref="MeterSnapshot"/> of every hop (gains, strengths, pitch, levels, CPU load)
    /// is published here from the audio thread, lock- and allocation-free. Set it between Process calls.</summary>
    public MeterExchange? Meters { get; set; }
    private readonly MeterTap meterTap = new();

    /// <summary>Called after every hop with the core, whose applied gains, strengths and analysis then
    /// describe frame t − 2 (§9.1). For offline analysis (the report); null costs one check per hop.</summary>
    public Action<PercepNetCore>? HopCompleted { get; set; }

    /// <summary>Delay of the host→48 kHz resampler in seconds (0 at 48 kHz): inner sample n of the core
    /// corresponds to host input time n/48000 − this.</summary>
    public double InnerInputDelaySeconds => toInner is null ? 0 : (double)toInner[0].GroupDelayFineSamples / toInner[0].FineRate;

    public void Reset()
    {
        core.Reset();
        hopFill = 0;
        for (int c = 0; c < channels; c++)
        {
            innerOut[c].Clear();
            innerOut[c].PushZeros(paddingInner);
            Array.Clear(dryDelay[c]);
            if (resamplers is not null)
            {
                toInner![c].Reset();
                toHost![c].Reset();
                hostOut![c].Clear();
                hostOut[c].PushZeros(hostFifoPrefill);
            }
        }
        dryWrite = 0;
        bypassMix = Bypass ? 1f : 0f;
        removedMix = Listen == ListenMode.Removed ? 1f : 0f;
        underruns = 0;
        meterTap.Reset();
    }

    /// <summary>Mono processing; <paramref name="output"/> may be the same memory as <paramref name="input"/>.</summary>
    public void Process(ReadOnlySpan<float> input, Span<float> output) => Process(input, output, default);

    /// <summary>Mono processing with a clean reference (oracle experiments, training targets; 48 kHz only).</summary>
    public void Process(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> reference)
    {
        if (channels != 1) throw new InvalidOperationException("engine is stereo");
        ProcessBlock(input, default, output, default, reference);
    }

    /// <summary>Linked stereo processing; outputs may alias inputs.</summary>
    public void Process(ReadOnlySpan<float> inputLeft, ReadOnlySpan<float> inputRight, Span<float> outputLeft, Span<float> outputRight)
        => Process(inputLeft, inputRight, outputLeft, outputRight, default);

    /// <summary>Linked stereo processing with an optional clean mono reference (48 kHz only).</summary>
    public void Process(ReadOnlySpan<float> inputLeft, ReadOnlySpan<float> inputRight, Span<float> outputLeft, Span<float> outputRight,
        ReadOnlySpan<float> reference)
    {
        if (channels != 2) throw new InvalidOperationException("engine is mono");
        ProcessBlock(inputLeft, inputRight, outputLeft, outputRight, reference);
    }

    private void ProcessBlock(ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, Span<float> out0, Span<float> out1, ReadOnlySpan<float> reference)
    {
        int n = in0.Length;
        bool useReference = !reference.IsEmpty;
        if (useReference && (resamplers is not null || reference.Length < n))
            throw new ArgumentException("the reference needs 48 kHz and the block's length");
        if (out0.Length < n || (channels == 2 && (in1.Length < n || out1.Length < n)))
            throw new ArgumentException("buffers shorter than the block");
        long started = Meters is null ? 0 : Stopwatch.GetTimestamp();
        int piece = resamplers is null ? Hop : MaxPiece;
        for (int offset = 0; offset < n;)
        {
            int len = Math.Min(piece, n - offset);
            if (resamplers is null) len = Math.Min(len, Hop - hopFill);
            var a = in0.Slice(offset, len);
            var b = channels == 2 ? in1.Slice(offset, len) : default;
            var oa = out0.Slice(offset, len);
            var ob = channels == 2 ? out1.Slice(offset, len) : default;
            referenceActive = useReference;
            if (useReference) reference.Slice(offset, len).CopyTo(referencePiece);
            if (resamplers is null) PieceNative(a, b, oa, ob); else PieceResampled(a, b, oa, ob);
            offset += len;
        }
        if (Meters is not null) meterTap.AddProcessTime(Stopwatch.GetTimestamp() - started, n, hostRate);
    }

    // Host rate 48 kHz: feed at most up to the next hop boundary, then pop as many samples as fed.
    private void PieceNative(ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, Span<float> out0, Span<float> out1)
    {
        int len = in0.Length;
        StoreDry(in0, in1);
        FeedInner(in0, in1);
        PopInner(0, out0);
        if (channels == 2) PopInner(1, out1);
        MixBypass(out0, out1, len);
    }

    private void PieceResampled(ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, Span<float> out0, Span<float> out1)
    {
        int len = in0.Length;
        StoreDry(in0, in1);
        int inner = toInner![0].Process(in0, innerScratch[0]);
        if (channels == 2) toInner[1].Process(in1, innerScratch[1]);
        FeedInnerChunked(inner);
        for (int c = 0; c < channels; c++)
        {
            int got = innerOut[c].Pop(innerScratchOut[c].AsSpan(0, inner));
            if (got < inner) { innerScratchOut[c].AsSpan(got, inner - got).Clear(); underruns++; }
            int hostCount = toHost![c].Process(innerScratchOut[c].AsSpan(0, inner), hostScratch[c]);
            if (!hostOut![c].Push(hostScratch[c].AsSpan(0, hostCount))) underruns++;
            var dst = c == 0 ? out0 : out1;
            int popped = hostOut[c].Pop(dst[..len]);
            if (popped < len) { dst[popped..len].Clear(); underruns++; }
        }
        MixBypass(out0, out1, len);
    }

    private void FeedInnerChunked(int count)
    {
        for (int offset = 0; offset < count;)
        {
            int len = Math.Min(Hop - hopFill, count - offset);
            FeedInner(innerScratch[0].AsSpan(offset, len), channels == 2 ? innerScratch[1].AsSpan(offset, len) : default);
            offset += len;
        }
    }

    // Reference piece of the current call (native path: pieces never cross a hop boundary), and its hop.
    private readonly float[] referencePiece = new float[Hop], referenceHop = new float[Hop];
    private bool referenceActive;

    /// <summary>Copies samples into the hop (never past a hop boundary) and runs a step when full.</summary>
    private void FeedInner(ReadOnlySpan<float> in0, ReadOnlySpan<float> in1)
    {
        in0.CopyTo(hopIn[0].AsSpan(hopFill));
        if (channels == 2) in1.CopyTo(hopIn[1].AsSpan(hopFill));
        if (referenceActive) referencePiece.AsSpan(0, in0.Length).CopyTo(referenceHop.AsSpan(hopFill));
        hopFill += in0.Length;
        if (hopFill < Hop) return;
        bool stereo = channels == 2;
        core.Step(hopIn[0], stereo ? hopIn[1] : default, hopOut[0], stereo ? hopOut[1] : default,
            referenceActive ? referenceHop : default);
        hopFill = 0;
        for (int c = 0; c < channels; c++) innerOut[c].Push(hopOut[c]);
        if (Meters is { } meters) meterTap.Publish(meters, core, hopIn, hopOut, LatencySamples, hostRate, Bypass);
        HopCompleted?.Invoke(core);
    }

    private void PopInner(int channel, Span<float> output)
    {
        int popped = innerOut[channel].Pop(output);
        if (popped < output.Length) { output[popped..].Clear(); underruns++; }
    }

    private void StoreDry(ReadOnlySpan<float> in0, ReadOnlySpan<float> in1)
    {
        // The dry line is read back in MixBypass for the same positions before being overwritten.
        int len = in0.Length, size = LatencySamples;
        for (int c = 0; c < channels; c++)
        {
            var src = c == 0 ? in0 : in1;
            var line = dryDelay[c];
            int w = dryWrite;
            for (int i = 0; i < len; i++)
            {
                float x = src[i];
                dryPending[c][i] = line[w];
                line[w] = float.IsFinite(x) ? x : 0f;
                if (++w == size) w = 0;
            }
        }
        dryWrite = (dryWrite + len) % size;
    }

    private readonly float[][] dryPending = { new float[Math.Max(Hop, MaxPiece)], new float[Math.Max(Hop, MaxPiece)] };

    private void MixBypass(Span<float> out0, Span<float> out1, int len)
    {
        // Listen mode first (processed → delayed input − processed), then bypass (→ delayed input);
        // each ramps over one hop, so switching either is click-free and keeps the latency (§9.3).
        float bypassTarget = Bypass ? 1f : 0f, removedTarget = Listen == ListenMode.Removed ? 1f : 0f;
        if (bypassMix == bypassTarget && bypassTarget == 0f && removedMix == removedTarget && removedTarget == 0f) return;
        for (int i = 0; i < len; i++)
        {
            if (bypassMix < bypassTarget) bypassMix = MathF.Min(bypassTarget, bypassMix + bypassStep);
            else if (bypassMix > bypassTarget) bypassMix = MathF.Max(bypassTarget, bypassMix - bypassStep);
            if (removedMix < removedTarget) removedMix = MathF.Min(removedTarget, removedMix + bypassStep);
            else if (removedMix > removedTarget) removedMix = MathF.Max(removedTarget, removedMix - bypassStep);
            float wet = 1f - bypassMix;
            for (int c = 0; c < channels; c++)
            {
                var o = c == 0 ? out0 : out1;
                float dry = dryPending[c][i], processed = o[i];
                float heard = removedMix == 0f ? processed : removedMix == 1f ? dry - processed : processed + removedMix * (dry - 2f * processed);
                o[i] = bypassMix == 0f ? heard : wet * heard + bypassMix * dry;
            }
        }
    }
}

/// <summary>What the engine outputs: the processed signal, or what processing removed (delayed input − output).</summary>
public enum ListenMode
{
    Output,
    Removed,
}
