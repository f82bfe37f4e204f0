using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Plugin;

/// <summary>
/// PercepNetFx as a plain plug-in: the four parameters of spec §10 plus bypass, driving one
/// <see cref="StreamingEngine"/> wired by <see cref="Denoiser"/> (the same wiring as the CLI's
/// offline render, so output for any block partition equals Denoiser.Render shifted by the latency).
/// </summary>
public sealed class PercepNetFxPlugin : AudioPluginBase
{
    // Stable parameter IDs (vst3-abi.md §7): never renumber, hosts store them.
    public const uint StrengthId = 1;
    public const uint PostFilterId = 2;
    public const uint CombId = 3;
    public const uint BypassId = 4;
    public const int StrengthIndex = 0, PostFilterIndex = 1, CombIndex = 2, BypassIndex = 3;

    private readonly PercepNetModel? model;
    private readonly bool useModel;
    private readonly ParameterChangeList noChanges;
    private readonly double[] current;       // value in effect at the end of the last processed sample
    private readonly double[] blockStart;    // stored value when the host block began (ramp anchor, §7)
    private StreamingEngine? engine;
    private int engineChannels;
    private double sampleRate = Constants.SampleRate;
    private int maxBlockSize = 4096;
    private long position;                   // host samples since Start (hop grid, §9.2)
    private int grid;                        // hop period in host samples

    /// <param name="model">The network; null runs with unity gains. Defaults to <see cref="ModelProvider"/>.</param>
    public PercepNetFxPlugin(PercepNetModel? model = null, bool loadDefaultModel = true)
    {
        Company = "PercepNetFx project";
        PluginName = "PercepNetFx";
        PluginCategory = "Fx|Restoration";
        PluginVersion = "1.0.0";
        AddParameter(new PluginParameter(StrengthId, "Suppression strength", "Strength", "%", 0, 100, 100));
        AddParameter(new PluginParameter(PostFilterId, "Post-filter amount", "Post-filter", "%", 0, 100, 100));
        AddParameter(new PluginParameter(CombId, "Comb filter", "Comb", "", 0, 1, 1, stepCount: 1, labels: new[] { "Off", "On" }));
        AddParameter(new PluginParameter(BypassId, "Bypass", "Bypass", "", 0, 1, 0, stepCount: 1, labels: new[] { "Off", "On" }, isBypass: true));
        this.model = model;
        useModel = model is not null || loadDefaultModel;
        noChanges = new ParameterChangeList(Parameters.Count);
        Changes = new ParameterChangeList(Parameters.Count);
        current = new double[Parameters.Count];
        blockStart = new double[Parameters.Count];
    }

    /// <summary>Preallocated change list the interop layer fills for each process call.</summary>
    public ParameterChangeList Changes { get; }

    public PercepNetModel? Model => model ?? (useModel ? ModelProvider.Model : null);
    public StreamingEngine? Engine => engine;
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

    public DenoiseSettings CurrentSettings => SettingsFor(Parameters[StrengthIndex].Normalized,
        Parameters[PostFilterIndex].Normalized, Parameters[CombIndex].Normalized);

    public override void SetupProcessing(double rate, int maxBlock)
    {
        if (!(rate >= 8000 && rate <= 384000)) throw new ArgumentOutOfRangeException(nameof(rate));
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
        if (engine is not null && engine.SampleRate == rate && engineChannels == Channels) return;
        // hostBlockSize 0: variable host blocks, P_pad = 479 (spec §9.2 [choice] for VST3).
        var e = new StreamingEngine(rate, Channels, 0);
        var m = Model;
        if (m is not null) Denoiser.Attach(e, m, CurrentSettings); else Denoiser.Apply(e, CurrentSettings);
        engine = e;
        engineChannels = Channels;
    }

    public override void Start()
    {
        EnsureEngine();
        var e = engine!;
        for (int i = 0; i < current.Length; i++) current[i] = Parameters[i].Normalized;
        ApplyToEngine(e);
        e.Reset(); // §9.3: activation resets every state; bypass starts settled at its value
        position = 0;
        int rate = e.SampleRate;
        grid = rate == Constants.SampleRate ? Constants.HopSize : Math.Max(1, (int)Math.Round((double)Constants.HopSize * rate / Constants.SampleRate));
        Active = true;
    }

    public override void Stop() => Active = false;

    public override int LatencySamples { get { EnsureEngine(); return engine!.LatencySamples; } }

    /// <summary>After the input stops, output continues for the latency (the delayed signal) — the tail.</summary>
    public override int TailSamples => LatencySamples;

    private void ApplyToEngine(StreamingEngine e)
    {
        Denoiser.Apply(e, SettingsFor(current[StrengthIndex], current[PostFilterIndex], current[CombIndex]));
        e.Bypass = current[BypassIndex] >= 0.5;
    }

    /// <summary>
    /// Processes one block. Automation is applied at hop resolution (decisions.md "Parameter
    /// automation"): the block is cut after every hop boundary of the host-sample grid and at every
    /// point offset, and each piece runs with the automation value at its last sample. The engine
    /// reads the controls only when a hop completes (spec §10), which is always a piece's last
    /// sample, so each hop sees exactly the automation value at the sample that completes it, for
    /// any block partition. Allocation-, lock- and exception-free for valid blocks.
    /// </summary>
    public override void Process(in AudioBlock block, ParameterChangeList changes, int changeOffset = 0)
    {
        var e = engine;
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
            int toGrid = grid - (int)(position % grid);
            int end = Math.Min(n, pos + toGrid);
            int next = changes.NextOffsetAfter(pos + changeOffset) - changeOffset;
            if (next > pos && next < end) end = next;
            int last = end - 1 + changeOffset;
            for (int p = 0; p < current.Length; p++)
                if (changes.PointCount(p) > 0) current[p] = changes.ValueAt(p, last, blockStart[p]);
            ApplyToEngine(e);
            var piece = block.Slice(pos, end - pos);
            if (block.Channels == 1) e.Process(piece.In0, piece.Out0);
            else e.Process(piece.In0, piece.In1, piece.Out0, piece.Out1);
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
        if (engine is not null) ApplyToEngine(engine);
    }
}
