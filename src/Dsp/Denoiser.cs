using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Dsp;

/// <summary>The user-facing controls of §10 plus the network's arithmetic.</summary>
public readonly record struct DenoiseSettings(
    float Strength = 1f,
    float PostFilterAmount = DenoiseSettings.DefaultPostFilterAmount,
    bool CombEnabled = true,
    NetworkPrecision Precision = NetworkPrecision.Int8,
    ListenMode Listen = ListenMode.Output,
    bool OverloadGuard = true)
{
    /// <summary>
    /// Default post-filter amount a (§10 says 1). a = 1 costs STOI, SI-SDR, PESQ-WB and 1 dB of speech
    /// level; with percepnetfx-v3.1 a = 0.25 scores best on PESQ-WB and removes a little more noise
    /// between words for 0.001–0.002 of STOI (docs/decisions.md, "§10 post-filter default with
    /// v3.1: 0.25"); the full §7 setting stays one control away.
    /// </summary>
    public const float DefaultPostFilterAmount = 0.25f;

    public DenoiseSettings() : this(1f, DefaultPostFilterAmount, true, NetworkPrecision.Int8, ListenMode.Output, true) { }
}

/// <summary>
/// The processing object every front end runs (plug-in, CLI, NAudio provider): a
/// <see cref="StreamingEngine"/> with its own network runner (fresh recurrent state) and the §10
/// controls, so all of them configure the chain identically (bit-identical output for the same
/// settings and hops). Process, Reset and Apply are allocation-, lock- and exception-free for valid blocks.
/// </summary>
public sealed class Denoiser
{
    /// <param name="sampleRate">Host rate, <see cref="Constants.MinSampleRate"/> … <see cref="Constants.MaxSampleRate"/> Hz.</param>
    /// <param name="channelCount">1 (mono) or 2 (linked stereo).</param>
    /// <param name="hostBlockSize">The host's fixed block size, or 0 when blocks vary (any size up to any length;
    /// see <see cref="StreamingEngine.PaddingFor"/> for what it does to the latency).</param>
    /// <param name="model">The network; null runs with unity gains (the engine is then transparent, §2.3).</param>
    public Denoiser(int sampleRate, int channelCount, int hostBlockSize, PercepNetModel? model, in DenoiseSettings settings)
    {
        Engine = new StreamingEngine(sampleRate, channelCount, hostBlockSize);
        if (model is not null)
        {
            Network = new NetworkRunner(model, settings.Precision);
            Guard = settings.OverloadGuard ? new OverloadGuard(Network) : null;
            Engine.GainSource = Guard ?? (IGainSource)Network;
        }
        Apply(settings);
    }

    /// <summary>The engine: latency, meters and the last hop's analysis (read them; configure through this object).</summary>
    public StreamingEngine Engine { get; }
    /// <summary>The network runner, null without a model.</summary>
    public NetworkRunner? Network { get; }
    /// <summary>The network's overload guard, null without a model or with the guard off.</summary>
    public OverloadGuard? Guard { get; }
    public int LatencySamples => Engine.LatencySamples;
    public int SampleRate => Engine.SampleRate;
    public int ChannelCount => Engine.ChannelCount;

    /// <summary>Bypass: the input delayed by the same latency, cross-faded over one hop (§9.3).</summary>
    public bool Bypass
    {
        get => Engine.Bypass;
        set => Engine.Bypass = value;
    }

    /// <summary>Where each hop's meters are published (<see cref="StreamingEngine.Meters"/>); set between Process calls.</summary>
    public Metering.MeterExchange? Meters
    {
        get => Engine.Meters;
        set => Engine.Meters = value;
    }

    /// <summary>Applies the controls (not the precision or the overload guard, fixed at construction); takes effect at the next hop (§10).</summary>
    public void Apply(in DenoiseSettings settings) => Engine.Apply(settings);

    /// <summary>Forgets the signal: network memory, pitch history, delay lines (§9.3).</summary>
    public void Reset() => Engine.Reset();

    /// <summary>Processes one block; its outputs may alias its inputs.</summary>
    public void Process(in AudioBlock block)
    {
        if (block.Channels == 1) Engine.Process(block.In0, block.Out0);
        else Engine.Process(block.In0, block.In1, block.Out0, block.Out1);
    }
}
