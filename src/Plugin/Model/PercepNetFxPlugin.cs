using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Metering;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Plugin;

/// <summary>
/// PercepNetFx as a plain plug-in: the controls of <see cref="Controls"/> (spec §10 plus bypass and listen), driving one
/// <see cref="Denoiser"/> (the same object as the CLI's offline render, so output for any block
/// partition equals OfflineRenderer.Render shifted by the latency).
/// </summary>
public sealed class PercepNetFxPlugin : AudioPluginBase
{
    private readonly PercepNetModel? model;
    private readonly bool useModel;
    private readonly ParameterChangeList noChanges;
    private readonly double[] current;       // value in effect at the end of the last processed sample
    private readonly double[] blockStart;    // stored value when the host block began (ramp anchor, §7)
    private Denoiser? engine;                // swapped whole by setState on a model change (read once per block)
    private PercepNetModel? engineModel;     // the network the current engine runs
    private PercepNetModel? chosenModel;     // set by a state naming another model; null = the default
    private string requestedName = "", requestedVersion = ""; // a state's model that is not embedded
    private MeterExchange? meters;
    private int engineChannels;
    private double sampleRate = Constants.SampleRate;
    private int maxBlockSize = 4096;
    private long position;                   // host samples since Start (hop grid, §9.2)
    private int hostHop;                     // hop period in host samples

    /// <param name="model">The network; null runs with unity gains. Defaults to <see cref="ModelProvider"/>.</param>
    public PercepNetFxPlugin(PercepNetModel? model = null, bool loadDefaultModel = true)
    {
        Company = "PercepNetFx project";
        PluginName = "PercepNetFx";
        PluginCategory = "Fx|Restoration";
        PluginVersion = "1.0.0";
        // The control table's order is the parameter index (Controls.StrengthIndex …); IDs are stable (docs/vst3.md §7).
        foreach (var c in Controls.All)
            AddParameter(new PluginParameter(c.Id, c.Name, c.ShortName, c.Unit, c.Min, c.Max, c.Default, c.StepCount, c.Labels, c.IsBypass));
        this.model = model;
        useModel = model is not null || loadDefaultModel;
        noChanges = new ParameterChangeList(Parameters.Count);
        Changes = new ParameterChangeList(Parameters.Count);
        current = new double[Parameters.Count];
        blockStart = new double[Parameters.Count];
    }

    /// <summary>Preallocated change list the interop layer fills for each process call.</summary>
    public ParameterChangeList Changes { get; }

    /// <summary>The model this instance runs: one a loaded state chose, else the default.</summary>
    public PercepNetModel? Model => chosenModel ?? DefaultModel;
    private PercepNetModel? DefaultModel => model ?? (useModel ? ModelProvider.Model : null);
    public Denoiser? Engine => Volatile.Read(ref engine);

    /// <summary>"name version" of a model a loaded state asked for that is not embedded ("" when none is
    /// missing); the instance then runs <see cref="Model"/> (the default) and the editor says so.</summary>
    public string MissingModel => requestedName.Length == 0 ? "" : requestedVersion.Length == 0 ? requestedName : requestedName + " " + requestedVersion;

    /// <summary>True when the last loaded state named a model this build does not embed (no allocation).</summary>
    public bool ModelIsMissing => requestedName.Length > 0;

    /// <summary>Print one stderr line when a loaded state names a missing model (the component: yes; the controller's copy: no).</summary>
    public bool ReportMissingModel { get; set; } = true;

    /// <summary>One line for the editor: the model in use, or which one is missing.</summary>
    public string ModelStatus
    {
        get
        {
            var m = Model;
            string use = m is null ? "none (unity gains)" : (m.Name.Length > 0 ? m.Name : "unnamed") + (m.Version.Length > 0 ? " " + m.Version : "");
            return MissingModel.Length > 0 ? $"MISSING model {MissingModel}: using {use}" : "model " + use;
        }
    }

    /// <summary>Where every engine publishes its per-hop meters (the editor reads them). UI thread, before processing.</summary>
    public MeterExchange? Meters
    {
        get => meters;
        set { meters = value; if (engine is not null) engine.Meters = value; }
    }
    public double SampleRate => sampleRate;
    public int MaxBlockSize => maxBlockSize;
    public bool Active { get; private set; }

    public override void Initialize()
    {
        if (model is null && useModel) ModelProvider.EnsureLoaded();
    }

    /// <summary>The §10 settings for normalised parameter values (λ = strength %, a = post-filter %).</summary>
    public static DenoiseSettings SettingsFor(double strength, double postFilter, double comb) =>
        new((float)strength, (float)postFilter, comb >= 0.5);

    public DenoiseSettings CurrentSettings => SettingsFor(Parameters[Controls.StrengthIndex].Normalized,
        Parameters[Controls.PostFilterIndex].Normalized, Parameters[Controls.CombIndex].Normalized);

    public override void SetupProcessing(double rate, int maxBlock)
    {
        if (!Constants.IsSupportedRate(rate)) throw new ArgumentOutOfRangeException(nameof(rate));
        sampleRate = rate;
        maxBlockSize = Math.Max(1, maxBlock);
        EnsureEngine();
    }

    public override bool SetChannels(int channels)
    {
        if (!base.SetChannels(channels)) return false;
        if (!Active && engine is not null && engineChannels != channels) engine = null;
        return true;
    }

    /// <summary>Builds the engine for the current rate and channel count (UI thread: allocates).</summary>
    private void EnsureEngine()
    {
        int rate = (int)Math.Round(sampleRate);
        if (engine is not null && engine.SampleRate == rate && engineChannels == Channels && engineModel == Model) return;
        engine = BuildEngine(rate, Channels);
        engineChannels = Channels;
    }

    private Denoiser BuildEngine(int rate, int channels)
    {
        // hostBlockSize 0: variable host blocks, P_pad = 479 (spec §9.2 [choice] for VST3).
        var m = Model;
        var e = new Denoiser(rate, channels, 0, m, CurrentSettings with
        {
            Listen = Parameters[Controls.ListenIndex].IsOn ? ListenMode.Removed : ListenMode.Output,
        });
        e.Meters = meters;
        e.Bypass = Parameters[Controls.BypassIndex].IsOn;
        engineModel = m;
        return e;
    }

    /// <summary>
    /// The model a saved state names. A missing model stays named, so saving the project again
    /// does not forget it (it comes back once an update embeds it); otherwise the model in use.
    /// </summary>
    public (string Name, string Version) StateModel =>
        requestedName.Length > 0 ? (requestedName, requestedVersion) : (Model?.Name ?? "", Model?.Version ?? "");

    public override byte[] SaveState()
    {
        var (name, version) = StateModel;
        return PluginState.Write(this, name, version);
    }

    /// <summary>
    /// Chooses the model a host's state names (formats that store the model apart from the
    /// parameter values, such as LV2's state properties), by the same rules as <see cref="RestoreState"/>.
    /// </summary>
    public void RestoreModel(string name, string version) => RestoreState(PluginState.Write(this, name, version));

    /// <summary>
    /// Applies a state whole (UI thread). Model choice (docs/decisions.md "Plug-in state: model
    /// identity"): version 1 or an empty name → the default; a name and version equal to the
    /// default's or to an embedded model's → that model; anything else → the default, reported in
    /// <see cref="MissingModel"/> and once on stderr. A model change builds a new engine here and
    /// swaps the reference, so the audio thread never sees a half-changed engine.
    /// </summary>
    public override bool RestoreState(ReadOnlySpan<byte> data)
    {
        Span<double> values = stackalloc double[Parameters.Count];
        if (!PluginState.TryParse(data, this, values, out string name, out string version)) return false;
        for (int i = 0; i < values.Length; i++) Parameters[i].Normalized = values[i];
        var def = DefaultModel;
        PercepNetModel? chosen = null;
        bool missing = false;
        if (name.Length > 0 && useModel && !(def is not null && def.Name == name && def.Version == version))
        {
            var embedded = ModelProvider.LoadEmbedded(name);
            if (embedded is not null && embedded.Version == version) chosen = embedded;
            else missing = true;
        }
        chosenModel = chosen;
        requestedName = missing ? name : "";
        requestedVersion = missing ? version : "";
        if (missing && ReportMissingModel)
            Console.Error.WriteLine($"PercepNetFx: the state asks for model '{MissingModel}', which this build does not embed; using {(def is null ? "unity gains" : $"'{def.Name} {def.Version}'")}.");
        var e = engine;
        if (e is not null && engineModel != Model)
        {
            var fresh = BuildEngine(e.SampleRate, engineChannels);
            fresh.Reset();
            Volatile.Write(ref engine, fresh);
        }
        return true;
    }

    public override void Start()
    {
        EnsureEngine();
        var e = engine!;
        for (int i = 0; i < current.Length; i++) current[i] = Parameters[i].Normalized;
        ApplyToEngine(e);
        e.Reset(); // §9.3: activation resets every state; bypass starts settled at its value
        position = 0;
        hostHop = Constants.HostHopSize(e.SampleRate);
        Active = true;
    }

    public override void Stop() => Active = false;

    public override int LatencySamples { get { EnsureEngine(); return engine!.LatencySamples; } }

    /// <summary>After the input stops, output continues for the latency (the delayed signal) — the tail.</summary>
    public override int TailSamples => LatencySamples;

    private void ApplyToEngine(Denoiser e)
    {
        e.Apply(SettingsFor(current[Controls.StrengthIndex], current[Controls.PostFilterIndex], current[Controls.CombIndex]) with
        {
            Listen = current[Controls.ListenIndex] >= 0.5 ? ListenMode.Removed : ListenMode.Output,
        });
        e.Bypass = current[Controls.BypassIndex] >= 0.5;
    }

    /// <summary>
    /// Processes one block. Automation is applied at hop resolution (decisions.md "Plug-in: automation
    /// at hop resolution"): the block is cut after every hop boundary of the host-sample grid and at every
    /// point offset, and each piece runs with the automation value at its last sample. The engine
    /// reads the controls only when a hop completes (spec §10), which is always a piece's last
    /// sample, so each hop sees exactly the automation value at the sample that completes it, for
    /// any block partition. Allocation-, lock- and exception-free for valid blocks.
    /// </summary>
    public override void Process(in AudioBlock block, ParameterChangeList changes, int changeOffset = 0)
    {
        var e = Volatile.Read(ref engine);
        int n = block.Length;
        if (e is null || !Active || n == 0) { if (n == 0) ProcessParametersOnly(changes); return; }
        // Values set from the UI thread (setState) since the last block, read atomically once here.
        for (int p = 0; p < current.Length; p++)
        {
            if (changeOffset == 0) blockStart[p] = Parameters[p].Normalized;
            if (changes.PointCount(p) == 0) current[p] = Parameters[p].Normalized;
        }
        int pos = 0;
        while (pos < n)
        {
            int toHopBoundary = hostHop - (int)(position % hostHop);
            int end = Math.Min(n, pos + toHopBoundary);
            int next = changes.NextOffsetAfter(pos + changeOffset) - changeOffset;
            if (next > pos && next < end) end = next;
            int last = end - 1 + changeOffset;
            for (int p = 0; p < current.Length; p++)
                if (changes.PointCount(p) > 0) current[p] = changes.ValueAt(p, last, blockStart[p]);
            ApplyToEngine(e);
            e.Process(block.Slice(pos, end - pos));
            position += end - pos;
            pos = end;
        }
        CommitBlockEnd(changes, changeOffset + n);
    }

    public override void ProcessParametersOnly(ParameterChangeList changes)
    {
        for (int p = 0; p < current.Length; p++) blockStart[p] = Parameters[p].Normalized;
        CommitBlockEnd(changes, int.MaxValue);
    }

    // The value after the block becomes the parameter's stored value (what getState saves).
    private void CommitBlockEnd(ParameterChangeList changes, int endSample)
    {
        for (int p = 0; p < current.Length; p++)
        {
            if (changes.PointCount(p) == 0) continue;
            double v = changes.ValueAt(p, Math.Max(0, endSample - 1), blockStart[p]);
            Parameters[p].Normalized = v;
            current[p] = v;
        }
        var e = Volatile.Read(ref engine);
        if (e is not null) ApplyToEngine(e);
    }
}
