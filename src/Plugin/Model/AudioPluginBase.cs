using PercepNetFx.Dsp;

namespace PercepNetFx.Plugin;

/// <summary>
/// A plain audio plug-in that knows nothing of VST3 vtables. The shape mirrors AudioPlugSharp's
/// AudioPluginBase (docs/vst3.md §14: metadata, parameters, Initialize, Start/Stop, Process,
/// SaveState/RestoreState) so that a Windows port through another binding stays cheap. The
/// interop layer (src/Plugin/Interop) maps VST3 calls onto this class.
/// </summary>
public abstract class AudioPluginBase
{
    private readonly List<PluginParameter> parameters = new();

    public string Company { get; protected set; } = "";
    public string Website { get; protected set; } = "";
    public string Contact { get; protected set; } = "";
    public string PluginName { get; protected set; } = "";
    public string PluginCategory { get; protected set; } = "";
    public string PluginVersion { get; protected set; } = "1.0.0";

    public IReadOnlyList<PluginParameter> Parameters => parameters;

    protected void AddParameter(PluginParameter parameter)
    {
        if (FindParameterIndex(parameter.Id) >= 0) throw new ArgumentException($"duplicate parameter id {parameter.Id}");
        parameters.Add(parameter);
    }

    public int FindParameterIndex(uint id)
    {
        for (int i = 0; i < parameters.Count; i++) if (parameters[i].Id == id) return i;
        return -1;
    }

    public PluginParameter? FindParameter(uint id)
    {
        int i = FindParameterIndex(id);
        return i < 0 ? null : parameters[i];
    }

    /// <summary>Loads what the plug-in needs (UI thread, may allocate and do I/O).</summary>
    public virtual void Initialize() { }

    /// <summary>Channel count of the main input and output bus (both equal).</summary>
    public int Channels { get; private set; } = 2;

    /// <summary>True if the plug-in supports this channel count on its buses.</summary>
    public virtual bool SupportsChannels(int channels) => channels is 1 or 2;

    public virtual bool SetChannels(int channels)
    {
        if (!SupportsChannels(channels)) return false;
        Channels = channels;
        return true;
    }

    /// <summary>Host rate and maximum block size; called only while stopped (UI thread).</summary>
    public abstract void SetupProcessing(double sampleRate, int maxBlockSize);

    /// <summary>Activation: reset the DSP state; everything allocated here or before.</summary>
    public abstract void Start();
    public abstract void Stop();

    /// <summary>Exact input-to-output delay in samples at the current rate.</summary>
    public abstract int LatencySamples { get; }
    public abstract int TailSamples { get; }

    /// <summary>Real-time processing: must not allocate, lock, throw or log.</summary>
    public abstract void Process(in AudioBlock block, ParameterChangeList changes, int changeOffset = 0);

    /// <summary>A call with no audio (a host's parameter "flush"): apply the block's final values.</summary>
    public abstract void ProcessParametersOnly(ParameterChangeList changes);

    /// <summary>The processor state: every parameter value (PluginState format).</summary>
    public virtual byte[] SaveState() => PluginState.Write(this, "", "");

    /// <summary>Validates and applies a state; false (and nothing changed) if it is corrupt.</summary>
    public virtual bool RestoreState(ReadOnlySpan<byte> data)
    {
        Span<double> values = stackalloc double[Parameters.Count];
        if (!PluginState.TryParse(data, this, values, out _, out _)) return false;
        for (int i = 0; i < values.Length; i++) Parameters[i].Normalized = values[i];
        return true;
    }
}
