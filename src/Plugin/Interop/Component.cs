using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PercepNetFx.Dsp;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// The processor object: IComponent (view 0, identity), IAudioProcessor (1),
/// IProcessContextRequirements (2), IConnectionPoint (3) — docs/vst3.md §3. It maps the VST3
/// calls onto <see cref="PercepNetFxPlugin"/>; it holds no DSP of its own.
/// </summary>
internal sealed unsafe class Component : ConnectionPointObject
{
    /// <summary>Message from component to controller carrying the latency (attribute "samples").</summary>
    public static ReadOnlySpan<byte> LatencyMessageId => "PercepNetFx.Latency\0"u8;
    public static ReadOnlySpan<byte> SamplesAttribute => "samples\0"u8;
    /// <summary>Message from component to controller carrying the <see cref="MeterRegistry"/> id of the processor's meters (attribute "id").</summary>
    public static ReadOnlySpan<byte> MetersMessageId => "PercepNetFx.Meters\0"u8;
    public static ReadOnlySpan<byte> IdAttribute => "id\0"u8;

    private readonly PercepNetFxPlugin plugin = new();
    private void* hostContext;
    private int sampleSize = Vst.kSample32;
    private int lastAnnouncedLatency = -1;
    private float[][] scratch = { Array.Empty<float>(), Array.Empty<float>() };
    // Per-hop meters for the editor: every engine the plug-in builds publishes here (audio thread,
    // lock- and allocation-free); the controller finds it through MeterRegistry with the id we send it.
    private readonly Dsp.Metering.MeterExchange meters = new();
    private readonly long meterId;
    private bool metersAnnounced;

    private static readonly nint ComponentVt = MakeVtable(
        (nint)(delegate* unmanaged<void*, void*, int>)&Initialize,
        (nint)(delegate* unmanaged<void*, int>)&Terminate,
        (nint)(delegate* unmanaged<void*, byte*, int>)&GetControllerClassId,
        (nint)(delegate* unmanaged<void*, int, int>)&SetIoMode,
        (nint)(delegate* unmanaged<void*, int, int, int>)&GetBusCount,
        (nint)(delegate* unmanaged<void*, int, int, int, BusInfo*, int>)&GetBusInfo,
        (nint)(delegate* unmanaged<void*, void*, void*, int>)&GetRoutingInfo,
        (nint)(delegate* unmanaged<void*, int, int, int, byte, int>)&ActivateBus,
        (nint)(delegate* unmanaged<void*, byte, int>)&SetActive,
        (nint)(delegate* unmanaged<void*, void*, int>)&SetState,
        (nint)(delegate* unmanaged<void*, void*, int>)&GetState);

    private static readonly nint ProcessorVt = MakeVtable(
        (nint)(delegate* unmanaged<void*, ulong*, int, ulong*, int, int>)&SetBusArrangements,
        (nint)(delegate* unmanaged<void*, int, int, ulong*, int>)&GetBusArrangement,
        (nint)(delegate* unmanaged<void*, int, int>)&CanProcessSampleSize,
        (nint)(delegate* unmanaged<void*, uint>)&GetLatencySamples,
        (nint)(delegate* unmanaged<void*, ProcessSetup*, int>)&SetupProcessing,
        (nint)(delegate* unmanaged<void*, byte, int>)&SetProcessing,
        (nint)(delegate* unmanaged<void*, ProcessData*, int>)&Process,
        (nint)(delegate* unmanaged<void*, uint>)&GetTailSamples);

    private static readonly nint ContextRequirementsVt = MakeVtable(
        (nint)(delegate* unmanaged<void*, uint>)&GetProcessContextRequirements);

    public Component() : base(ComponentVt, ProcessorVt, ContextRequirementsVt, ConnectionVt)
    {
        plugin.Meters = meters;
        meterId = MeterRegistry.Register(meters);
    }

    protected override int ViewFor(byte* iid)
    {
        if (Vst.Equal(iid, Vst.IComponent) || Vst.Equal(iid, Vst.IPluginBase)) return 0;
        if (Vst.Equal(iid, Vst.IAudioProcessor)) return 1;
        if (Vst.Equal(iid, Vst.IProcessContextRequirements)) return 2;
        if (Vst.Equal(iid, Vst.IConnectionPoint)) return 3;
        return -1;
    }

    protected override void OnFinalRelease() => DropHostReferences();

    private void DropHostReferences()
    {
        MeterRegistry.Unregister(meterId);
        ReleasePeer();
        if (hostContext != null) { Host.Release(hostContext); hostContext = null; }
    }

    private static Component Self(void* view) => From<Component>(view);

    /// <summary>Tells the controller the current latency (UI thread) so it can restartComponent (§6).</summary>
    private void AnnounceLatency()
    {
        int latency = plugin.LatencySamples;
        if (latency == lastAnnouncedLatency) return;
        if (SendInt(LatencyMessageId, SamplesAttribute, latency)) lastAnnouncedLatency = latency;
    }

    /// <summary>Once per connection: the id under which the controller finds our meters (same process only).</summary>
    private void AnnounceMeters()
    {
        if (!metersAnnounced) metersAnnounced = SendInt(MetersMessageId, IdAttribute, meterId);
    }

    /// <summary>An IMessage with one int attribute to the connected controller (UI thread, §3 IConnectionPoint/IMessage).</summary>
    private bool SendInt(ReadOnlySpan<byte> messageId, ReadOnlySpan<byte> attribute, long value)
    {
        if (Peer == null || hostContext == null) return false;
        void* app = Host.Query(hostContext, Vst.IHostApplication);
        if (app == null) return false;
        void* msg = Host.CreateMessage(app);
        Host.Release(app);
        if (msg == null) return false;
        bool sent = false;
        fixed (byte* id = messageId)
        fixed (byte* attr = attribute)
        {
            Host.SetMessageId(msg, id);
            void* list = Host.GetAttributes(msg);
            sent = list != null && Host.SetInt(list, attr, value) == Vst.kResultOk && Host.Notify(Peer, msg) == Vst.kResultOk;
        }
        Host.Release(msg);
        return sent;
    }

    // ---- IPluginBase / IComponent ----

    [UnmanagedCallersOnly]
    private static int Initialize(void* self, void* context)
    {
        try { return InitializeWorker(Self(self), context); } catch { return Vst.kInternalError; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int InitializeWorker(Component c, void* context)
    {
        if (c.hostContext != null) return Vst.kResultFalse; // already initialised
        if (context != null) { Host.AddRef(context); c.hostContext = context; }
        c.plugin.Initialize(); // loads the model (UI thread, once per process)
        return Vst.kResultOk;
    }

    [UnmanagedCallersOnly]
    private static int Terminate(void* self)
    {
        try { Self(self).DropHostReferences(); return Vst.kResultOk; } catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int GetControllerClassId(void* self, byte* classId)
    {
        if (classId == null) return Vst.kInvalidArgument;
        try { Vst.ControllerCid.CopyTo(new Span<byte>(classId, 16)); return Vst.kResultOk; } catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int SetIoMode(void* self, int mode) => Vst.kResultOk;

    [UnmanagedCallersOnly]
    private static int GetBusCount(void* self, int type, int dir) => type == Vst.kAudio && (dir == Vst.kInput || dir == Vst.kOutput) ? 1 : 0;

    [UnmanagedCallersOnly]
    private static int GetBusInfo(void* self, int type, int dir, int index, BusInfo* bus)
    {
        try
        {
            if (bus == null || type != Vst.kAudio || index != 0 || dir is not (Vst.kInput or Vst.kOutput)) return Vst.kInvalidArgument;
            bus->mediaType = Vst.kAudio;
            bus->direction = dir;
            bus->channelCount = Self(self).plugin.Channels;
            Vst.WriteChar16(bus->name, 128, dir == Vst.kInput ? "Input" : "Output");
            bus->busType = Vst.kMain;
            bus->flags = Vst.kDefaultActive;
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int GetRoutingInfo(void* self, void* inInfo, void* outInfo) => Vst.kNotImplemented;

    [UnmanagedCallersOnly]
    private static int ActivateBus(void* self, int type, int dir, int index, byte state) =>
        type == Vst.kAudio && index == 0 && dir is Vst.kInput or Vst.kOutput ? Vst.kResultOk : Vst.kInvalidArgument;

    [UnmanagedCallersOnly]
    private static int SetActive(void* self, byte state)
    {
        try { return SetActiveWorker(Self(self), state != 0); } catch { return Vst.kInternalError; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SetActiveWorker(Component c, bool state)
    {
        if (state)
        {
            c.plugin.Start(); // resets the engine (docs/design.md §9.3); everything is allocated by now
            c.AnnounceLatency();
            c.AnnounceMeters();
        }
        else c.plugin.Stop();
        return Vst.kResultOk;
    }

    [UnmanagedCallersOnly]
    private static int SetState(void* self, void* stream)
    {
        try
        {
            var data = Host.ReadState(stream);
            return data is not null && Self(self).plugin.RestoreState(data) ? Vst.kResultOk : Vst.kResultFalse;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int GetState(void* self, void* stream)
    {
        try
        {
            if (stream == null) return Vst.kInvalidArgument;
            return Host.WriteAll(stream, Self(self).plugin.SaveState()) ? Vst.kResultOk : Vst.kResultFalse;
        }
        catch { return Vst.kInternalError; }
    }

    // ---- IAudioProcessor ----

    [UnmanagedCallersOnly]
    private static int SetBusArrangements(void* self, ulong* inputs, int numIns, ulong* outputs, int numOuts)
    {
        try
        {
            // Mono→mono or stereo→stereo only; anything else is refused and the host adapts (§6 step 9).
            if (numIns != 1 || numOuts != 1 || inputs == null || outputs == null || inputs[0] != outputs[0]) return Vst.kResultFalse;
            int channels = inputs[0] == Vst.kSpeakerMono ? 1 : inputs[0] == Vst.kSpeakerStereo ? 2 : 0;
            var c = Self(self);
            if (channels == 0 || c.plugin.Active) return Vst.kResultFalse;
            return c.plugin.SetChannels(channels) ? Vst.kResultOk : Vst.kResultFalse;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int GetBusArrangement(void* self, int dir, int index, ulong* arr)
    {
        try
        {
            if (arr == null || index != 0 || dir is not (Vst.kInput or Vst.kOutput)) return Vst.kInvalidArgument;
            *arr = Self(self).plugin.Channels == 1 ? Vst.kSpeakerMono : Vst.kSpeakerStereo;
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int CanProcessSampleSize(void* self, int size) => size is Vst.kSample32 or Vst.kSample64 ? Vst.kResultOk : Vst.kResultFalse;

    [UnmanagedCallersOnly]
    private static uint GetLatencySamples(void* self)
    {
        try { return (uint)Self(self).plugin.LatencySamples; } catch { return 0; }
    }

    [UnmanagedCallersOnly]
    private static int SetupProcessing(void* self, ProcessSetup* setup)
    {
        try { return SetupWorker(Self(self), setup); } catch { return Vst.kInternalError; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SetupWorker(Component c, ProcessSetup* setup)
    {
        if (setup == null) return Vst.kInvalidArgument;
        if (c.plugin.Active) return Vst.kResultFalse; // only while inactive (§6 step 12)
        double rate = setup->sampleRate;
        if (!Dsp.Constants.IsSupportedRate(rate) || setup->symbolicSampleSize is not (Vst.kSample32 or Vst.kSample64)) return Vst.kResultFalse;
        c.plugin.SetupProcessing(rate, Math.Max(1, setup->maxSamplesPerBlock));
        c.sampleSize = setup->symbolicSampleSize;
        int max = Math.Max(1, setup->maxSamplesPerBlock);
        if (c.sampleSize == Vst.kSample64 && c.scratch[0].Length < max)
            c.scratch = new[] { new float[max], new float[max] }; // 64-bit hosts: convert through these (§4)
        c.AnnounceLatency();
        c.AnnounceMeters();
        return Vst.kResultOk;
    }

    [UnmanagedCallersOnly]
    private static int SetProcessing(void* self, byte state) => Vst.kResultOk;

    [UnmanagedCallersOnly]
    private static uint GetTailSamples(void* self)
    {
        try { return (uint)Self(self).plugin.TailSamples; } catch { return 0; }
    }

    [UnmanagedCallersOnly]
    private static uint GetProcessContextRequirements(void* self) => 0; // a denoiser needs no transport info

    [UnmanagedCallersOnly]
    private static int Process(void* self, ProcessData* data)
    {
        // Real-time: the worker allocates nothing; a throw here would be a bug, never expected,
        // but it must not reach the host (§10). Output is then left as the host gave it.
        try { return Self(self).ProcessWorker(data); } catch { return Vst.kInternalError; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ProcessWorker(ProcessData* data)
    {
        if (data == null) return Vst.kInvalidArgument;
        var changes = plugin.Changes;
        changes.Clear();
        if (data->inputParameterChanges != null) ReadChanges(data->inputParameterChanges, changes);
        int n = data->numSamples;
        if (n <= 0 || data->numInputs < 1 || data->numOutputs < 1 || data->inputs == null || data->outputs == null)
        {
            plugin.ProcessParametersOnly(changes); // parameter flush (§4 ProcessData notes)
            return Vst.kResultOk;
        }
        int channels = plugin.Channels;
        AudioBusBuffers* ib = data->inputs, ob = data->outputs;
        if (ib->numChannels < channels || ob->numChannels < channels || ib->channelBuffers == null || ob->channelBuffers == null)
        {
            plugin.ProcessParametersOnly(changes);
            return Vst.kResultFalse;
        }
        if (data->symbolicSampleSize == Vst.kSample32)
        {
            float** i = (float**)ib->channelBuffers, o = (float**)ob->channelBuffers;
            var block = new AudioBlock(new Span<float>(i[0], n), channels == 2 ? new Span<float>(i[1], n) : default,
                new Span<float>(o[0], n), channels == 2 ? new Span<float>(o[1], n) : default, channels);
            plugin.Process(block, changes);
            ulong silent = 0;
            for (int c = 0; c < channels; c++) if (IsSilent(new ReadOnlySpan<float>(o[c], n))) silent |= 1UL << c;
            ob->silenceFlags = (ob->silenceFlags & ~((1UL << channels) - 1)) | silent;
            return Vst.kResultOk;
        }
        // 64-bit: through the preallocated float buffers, in pieces of at most their length.
        double** id = (double**)ib->channelBuffers, od = (double**)ob->channelBuffers;
        int max = scratch[0].Length;
        if (max == 0) return Vst.kNotInitialized;
        for (int start = 0; start < n; start += max)
        {
            int len = Math.Min(max, n - start);
            for (int c = 0; c < channels; c++)
            {
                var s = scratch[c];
                double* src = id[c] + start;
                for (int k = 0; k < len; k++) s[k] = (float)src[k];
            }
            var block = new AudioBlock(scratch[0].AsSpan(0, len), channels == 2 ? scratch[1].AsSpan(0, len) : default,
                scratch[0].AsSpan(0, len), channels == 2 ? scratch[1].AsSpan(0, len) : default, channels);
            plugin.Process(block, changes, start);
            for (int c = 0; c < channels; c++)
            {
                var s = scratch[c];
                double* dst = od[c] + start;
                for (int k = 0; k < len; k++) dst[k] = s[k];
            }
        }
        ulong silent64 = 0;
        for (int c = 0; c < channels; c++) if (IsSilent(new ReadOnlySpan<double>(od[c], n))) silent64 |= 1UL << c;
        ob->silenceFlags = (ob->silenceFlags & ~((1UL << channels) - 1)) | silent64;
        return Vst.kResultOk;
    }

    // AudioBusBuffers.silenceFlags (docs/vst3.md §4): bit c set when output channel c is all zeros in
    // this block, so the host may skip processing downstream of it. −0 counts as zero.
    private static bool IsSilent<T>(ReadOnlySpan<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var v in x) if (v != T.Zero) return false;
        return true;
    }

    private void ReadChanges(void* hostChanges, ParameterChangeList changes)
    {
        int count = Host.ChangesCount(hostChanges);
        for (int q = 0; q < count; q++)
        {
            void* queue = Host.ChangesQueue(hostChanges, q); // not addRef'd (§7)
            if (queue == null) continue;
            int index = plugin.FindParameterIndex(Host.QueueId(queue));
            if (index < 0) continue;
            int points = Host.QueueCount(queue);
            for (int p = 0; p < points; p++)
            {
                int offset; double value;
                if (Host.QueuePoint(queue, p, &offset, &value) == Vst.kResultOk) changes.Add(index, offset, value);
            }
        }
    }

    // ---- IConnectionPoint ----

    // A new connection hears the current latency and where the meters are.
    protected override void OnConnected()
    {
        lastAnnouncedLatency = -1;
        metersAnnounced = false;
        AnnounceLatency();
        AnnounceMeters();
    }

    protected override int OnNotify(void* message) => Vst.kResultOk; // the controller sends nothing
}
