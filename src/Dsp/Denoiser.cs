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
    /// Default post-filter amount a (§10 says 1). Measured on both dev sets with percepnetfx-v2 and
    /// percepnetfx-v3, a = 1 costs STOI, SI-SDR and PESQ-WB and turns speech down, a = 0 keeps them
    /// (docs/decisions.md, "§10 post-filter default"); the full §7 setting stays one control away.
    /// </summary>
    public const float DefaultPostFilterAmount = 0f;

    public DenoiseSettings() : this(1f, DefaultPostFilterAmount, true, NetworkPrecision.Int8, ListenMode.Output, true) { }
}

/// <summary>
/// The one place that wires a model and the §10 controls into an engine, so the CLI, the
/// plug-in and the tests configure the chain identically (bit-identical output for the same
/// settings and hops).
/// </summary>
public static class Denoiser
{
    /// <summary>Gives the engine its own network runner (fresh recurrent state) and applies the controls.</summary>
    public static NetworkRunner Attach(StreamingEngine engine, PercepNetModel model, in DenoiseSettings settings)
    {
        var runner = new NetworkRunner(model, settings.Precision) { OverloadGuard = settings.OverloadGuard };
        engine.Core.GainSource = runner;
        Apply(engine, settings);
        return runner;
    }

    /// <summary>Applies the controls; allocation-free, takes effect at the next hop (§10).</summary>
    public static void Apply(StreamingEngine engine, in DenoiseSettings settings)
    {
        engine.Core.Strength = Unit(settings.Strength, 1f);
        engine.Core.PostFilterAmount = Unit(settings.PostFilterAmount, 1f);
        engine.Core.CombEnabled = settings.CombEnabled;
        engine.Listen = settings.Listen;
    }

    /// <summary>Clamps a control to [0, 1]; NaN (a broken host or file) falls back to the default.</summary>
    public static float Unit(float value, float fallback) => float.IsNaN(value) ? fallback : Math.Clamp(value, 0f, 1f);

    /// <summary>Latency-compensated offline render (§9.2): output aligned with the input, same length.</summary>
    public static float[][] Render(float[][] input, int sampleRate, PercepNetModel model, DenoiseSettings settings,
        Action<double>? progress = null)
    {
        return OfflineRenderer.Render(input, sampleRate, e => Attach(e, model, settings), progress: progress);
    }

    /// <summary>The same render streamed block by block (<see cref="OfflineRenderer.Render(long, int, int, BlockSource, BlockSink, Action{StreamingEngine}?, BlockSource?, Action{double}?)"/>):
    /// constant memory for any length, output identical to the array form.</summary>
    public static void Render(long length, int channels, int sampleRate, BlockSource read, BlockSink write,
        PercepNetModel model, DenoiseSettings settings, Action<double>? progress = null)
    {
        OfflineRenderer.Render(length, channels, sampleRate, read, write, e => Attach(e, model, settings), progress: progress);
    }
}
