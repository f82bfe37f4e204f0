using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PercepNetFx.Dsp;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// One plug-in instance as the port-based C formats see it (LADSPA and LV2, docs/ladspa-lv2.md):
/// the host connects a pointer per port and calls run(n); every control port is a float in the
/// control's display unit (percent, or 0/1 for a toggle), read at the start of each run. The
/// processing is the plain <see cref="PercepNetFxPlugin"/>, the same object the VST3 component
/// drives, so the output equals the CLI's render delayed by <see cref="PercepNetFxPlugin.LatencySamples"/>.
/// Port order: audio inputs, audio outputs, the controls of <see cref="Controls.All"/> in table
/// order, then the output control "latency".
/// </summary>
internal sealed unsafe class PortInstance
{
    public static int PortCount(int channels) => 2 * channels + Controls.Count + 1;
    public static int FirstControlPort(int channels) => 2 * channels;
    public static int LatencyPort(int channels) => 2 * channels + Controls.Count;

    private readonly nint[] ports;          // float* per port, as connected by the host
    private readonly float[] lastPlain;     // the control values applied last (NaN: none yet)
    // Fixed for the instance's life (its rate and channel count are; the model does not change the
    // latency), read once at instantiation so that connect and run never reach the engine's checks.
    private readonly int latency;
    private GCHandle self;

    public PercepNetFxPlugin Plugin { get; }
    public int Channels { get; }

    private PortInstance(PercepNetFxPlugin plugin, int channels)
    {
        Plugin = plugin;
        Channels = channels;
        ports = new nint[PortCount(channels)];
        lastPlain = new float[Controls.Count];
        Array.Fill(lastPlain, float.NaN);
        latency = plugin.LatencySamples;
    }

    /// <summary>
    /// A new instance at <paramref name="sampleRate"/>, or null when the rate is outside the
    /// engine's range (the host then reports that the plug-in cannot run at that rate). Allocates;
    /// never called on the audio thread.
    /// </summary>
    public static PortInstance? Create(double sampleRate, int channels)
    {
        if (!Constants.IsSupportedRate(sampleRate) || channels is not (1 or 2)) return null;
        var plugin = new PercepNetFxPlugin();
        plugin.Initialize();
        plugin.SetChannels(channels);
        // Neither format tells the block size in advance: the engine pads for any partition
        // (variable host blocks, docs/design.md §9.2), and the latency port says so.
        plugin.SetupProcessing(sampleRate, 4096);
        var instance = new PortInstance(plugin, channels);
        instance.self = GCHandle.Alloc(instance);
        return instance;
    }

    /// <summary>The opaque handle handed to the host.</summary>
    public nint Handle => GCHandle.ToIntPtr(self);

    public static PortInstance From(nint handle) => (PortInstance)GCHandle.FromIntPtr(handle).Target!;

    /// <summary>Frees the handle; the instance is unreachable from the host afterwards.</summary>
    public void Release()
    {
        Plugin.Stop();
        if (self.IsAllocated) self.Free();
    }

    public void Connect(uint port, float* data)
    {
        if (port < (uint)ports.Length) ports[port] = (nint)data;
        if (port == (uint)LatencyPort(Channels) && data != null) *data = latency;
    }

    /// <summary>activate(): resets every state, so a restart sounds like a fresh instance.</summary>
    public void Activate()
    {
        ReadControls();
        Plugin.Start();
        WriteLatency();
    }

    public void Deactivate() => Plugin.Stop();

    /// <summary>
    /// run(n) on the audio thread: allocation-, lock- and exception-free. Unconnected audio ports
    /// leave the call without effect (a host bug, not a reason to crash); a NaN control is ignored.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Run(int n)
    {
        ReadControls();
        if (!Plugin.Active) Plugin.Start(); // a host that skipped activate(): the engine exists already
        WriteLatency();
        if (n <= 0) return;
        int c = Channels;
        for (int p = 0; p < 2 * c; p++) if (ports[p] == 0) return;
        var block = new AudioBlock(
            new Span<float>((float*)ports[0], n), c == 2 ? new Span<float>((float*)ports[1], n) : default,
            new Span<float>((float*)ports[c], n), c == 2 ? new Span<float>((float*)ports[c + 1], n) : default, c);
        var changes = Plugin.Changes;
        changes.Clear();
        Plugin.Process(block, changes);
    }

    // A control port's value changes the parameter's stored value, which Process reads once per
    // block: the new value holds from the block's first sample, as the formats define it.
    private void ReadControls()
    {
        int first = FirstControlPort(Channels);
        for (int i = 0; i < Controls.Count; i++)
        {
            float* p = (float*)ports[first + i];
            if (p == null) continue;
            float v = *p;
            if (float.IsNaN(v) || v == lastPlain[i]) continue;
            lastPlain[i] = v;
            var parameter = Plugin.Parameters[i];
            parameter.Normalized = parameter.ToNormalized(v);
        }
    }

    private void WriteLatency()
    {
        float* l = (float*)ports[LatencyPort(Channels)];
        if (l != null) *l = latency;
    }
}
