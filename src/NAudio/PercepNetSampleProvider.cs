using NAudio.Wave;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.NAudio;

/// <summary>
/// PercepNet noise suppression as an NAudio <see cref="ISampleProvider"/>: wraps a mono or stereo
/// source at any rate from 8 to 384 kHz (other rates than 48 kHz are resampled inside) and runs it
/// through the same <see cref="Denoiser"/> as the CLI and the VST3 plug-in, so the output is bit-identical to theirs for the same settings.
/// </summary>
/// <remarks>
/// <para>Latency: a stream cannot look ahead, so the output is the processed input delayed by
/// <see cref="LatencySamples"/> frames (1919 at 48 kHz). The CLI's offline render removes that
/// delay; here the caller drops the first <see cref="LatencySamples"/> frames when it needs the
/// output aligned with the input. When the source ends (it returns fewer samples than asked), the
/// provider goes on for <see cref="LatencySamples"/> frames, feeding silence, so that the end of the
/// input comes out too, and then returns 0.</para>
/// <para>Threading: the settings may be changed from any thread while another one reads; each Read
/// takes them once, at its start (they reach the network at its next 10 ms hop), without locks.
/// Read allocates nothing, takes no lock and throws nothing of its own once running; call it from
/// one thread at a time, as NAudio's outputs do.</para>
/// <para>Read sizes: any count is accepted; for stereo an odd count is rounded down to whole frames.</para>
/// </remarks>
public sealed class PercepNetSampleProvider : ISampleProvider
{
    // Frames per engine call. The engine's output does not depend on how the input is cut into
    // blocks, so this only bounds the planar scratch buffers.
    private const int MaxBlock = 2048;

    // The embedded default model, parsed once per process and shared: the weights are immutable and
    // every Denoiser gets its own recurrent state.
    private static readonly Lazy<PercepNetModel> DefaultModel = new(ShippedModels.LoadDefault);

    private readonly ISampleProvider source;
    private readonly Denoiser engine;
    private readonly int channels;
    private readonly DenoiseSettings initial; // precision and overload guard: fixed for the network runner
    private readonly float[] left = new float[MaxBlock], right = new float[MaxBlock];

    // Controls, written by any thread with Volatile and read once per Read (as the plug-in's parameters).
    private float strength, postFilter;
    private bool comb, bypass;
    private int listen;
    private int resetRequested;

    // Audio-thread state: the source has ended, and how many frames of silence still flush the engine.
    private bool ended;
    private int tailLeft;

    /// <param name="source">Mono or stereo float samples, 8000 … 384000 Hz.</param>
    /// <param name="settings">Initial controls and network arithmetic; null for the defaults
    /// (strength 1, post-filter 0.25, comb on, int8, overload guard on).</param>
    /// <param name="model">The network; null for the embedded default (<see cref="ShippedModels.DefaultName"/>).</param>
    /// <exception cref="ArgumentException">The source has more than two channels or an unsupported rate,
    /// or a setting is out of range.</exception>
    public PercepNetSampleProvider(ISampleProvider source, DenoiseSettings? settings = null, PercepNetModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        WaveFormat format = source.WaveFormat ?? throw new ArgumentException("the source has no WaveFormat", nameof(source));
        if (format.Channels is not (1 or 2))
            throw new ArgumentException($"PercepNetFx processes mono or stereo; the source has {format.Channels} channels", nameof(source));
        if (!Constants.IsSupportedRate(format.SampleRate))
            throw new ArgumentException($"the source's {format.SampleRate} Hz is outside {Constants.MinSampleRate} … {Constants.MaxSampleRate} Hz", nameof(source));
        this.source = source;
        channels = format.Channels;
        WaveFormat = WaveFormat.CreateIeeeFloatWaveFormat(format.SampleRate, channels);
        initial = settings ?? new DenoiseSettings();
        Strength = initial.Strength;
        PostFilterAmount = initial.PostFilterAmount;
        CombEnabled = initial.CombEnabled;
        Listen = initial.Listen;
        Model = model ?? DefaultModel.Value;
        // Host block size 0: NAudio callers ask for any count, so the engine pads for variable blocks.
        engine = new Denoiser(format.SampleRate, channels, 0, Model, initial);
        engine.Reset(); // a Removed listen mode starts settled, not cross-fading in
        tailLeft = engine.LatencySamples;
    }

    /// <summary>32-bit float at the source's rate and channel count.</summary>
    public WaveFormat WaveFormat { get; }

    /// <summary>The network in use (<c>Model.Name</c>, <c>Model.Version</c> say which).</summary>
    public PercepNetModel Model { get; }

    /// <summary>Delay of the output behind the input, in frames at the source's rate (resamplers included).</summary>
    public int LatencySamples => engine.LatencySamples;

    /// <summary>Suppression strength λ in [0, 1] (§10): 0 returns the input unchanged (delayed).</summary>
    public float Strength
    {
        get => Volatile.Read(ref strength);
        set => Volatile.Write(ref strength, CheckedControl(value, "strength"));
    }

    /// <summary>Envelope post-filter amount in [0, 1] (§10); the default is 0 (docs/decisions.md).</summary>
    public float PostFilterAmount
    {
        get => Volatile.Read(ref postFilter);
        set => Volatile.Write(ref postFilter, CheckedControl(value, "post-filter amount"));
    }

    /// <summary>The pitch comb filter that rebuilds voiced harmonics.</summary>
    public bool CombEnabled
    {
        get => Volatile.Read(ref comb);
        set => Volatile.Write(ref comb, value);
    }

    /// <summary>Output, or Removed: what the suppressor takes away (delayed input − output); switches cross-fade over one hop.</summary>
    public ListenMode Listen
    {
        get => (ListenMode)Volatile.Read(ref listen);
        set
        {
            // The value goes into the message, not ArgumentOutOfRangeException's actualValue, which adds a second line.
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), $"listen must be Output or Removed, got {(int)value}");
            Volatile.Write(ref listen, (int)value);
        }
    }

    /// <summary>Outputs the input delayed by the same latency (cross-faded over one hop), so toggling it does not shift the audio.</summary>
    public bool Bypass
    {
        get => Volatile.Read(ref bypass);
        set => Volatile.Write(ref bypass, value);
    }

    /// <summary>The settings now in effect, with the precision and overload guard the provider was built with.</summary>
    public DenoiseSettings Settings => initial with
    {
        Strength = Strength, PostFilterAmount = PostFilterAmount, CombEnabled = CombEnabled, Listen = Listen,
    };

    /// <summary>
    /// Forgets the signal (network memory, pitch history, delay lines) and starts a new stream: call it
    /// after repositioning the source. Safe from any thread: it takes effect at the start of the next Read.
    /// </summary>
    public void Reset() => Volatile.Write(ref resetRequested, 1);

    /// <summary>Fills <paramref name="buffer"/> with denoised samples; returns 0 once the source and the flushed latency have ended.</summary>
    public int Read(Span<float> buffer)
    {
        engine.Bypass = Bypass;
        engine.Apply(Settings);
        if (Interlocked.Exchange(ref resetRequested, 0) != 0)
        {
            engine.Reset(); // after the controls, so bypass and listen restart settled at their values
            ended = false;
            tailLeft = engine.LatencySamples;
        }
        int frames = buffer.Length / channels, done = 0;
        while (done < frames)
        {
            int n = Math.Min(MaxBlock, frames - done);
            Span<float> block = buffer.Slice(done * channels, n * channels);
            int real = 0;
            if (!ended)
            {
                int got = source.Read(block);
                real = got / channels; // a partial trailing frame cannot be processed
                ended = got < block.Length;
            }
            int total = real;
            if (ended)
            {
                int silence = Math.Min(n - real, tailLeft);
                tailLeft -= silence;
                total += silence;
            }
            if (total == 0) break;
            Process(block, real, total);
            done += total;
            if (total < n) break;
        }
        return done * channels;
    }

    // Runs frames [0, total) of an interleaved block through the engine in place; frames from `real` on are silence.
    private void Process(Span<float> block, int real, int total)
    {
        if (channels == 1)
        {
            Span<float> mono = block[..total];
            mono[real..].Clear();
            engine.Process(new AudioBlock(mono, default, mono, default, 1));
            return;
        }
        Span<float> l = left.AsSpan(0, total), r = right.AsSpan(0, total);
        for (int i = 0; i < real; i++)
        {
            l[i] = block[2 * i];
            r[i] = block[2 * i + 1];
        }
        l[real..].Clear();
        r[real..].Clear();
        engine.Process(new AudioBlock(l, r, l, r, 2));
        for (int i = 0; i < total; i++)
        {
            block[2 * i] = l[i];
            block[2 * i + 1] = r[i];
        }
    }

    private static float CheckedControl(float value, string name) =>
        value is >= 0f and <= 1f ? value : throw new ArgumentOutOfRangeException(nameof(value), $"{name} must be in [0, 1], got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
}
