using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// The edit controller: IEditController (view 0, identity), IEditController2 (1),
/// IConnectionPoint (2) — docs/vst3.md §3, §7, §8. Its parameter values live in its own
/// <see cref="PercepNetFxPlugin"/> instance (used for parameter definitions and values only; no
/// engine is ever built for it), kept in sync with the component through setComponentState.
/// </summary>
internal sealed unsafe class Controller : ConnectionPointObject
{
    // Parameter values and the state's model identity (no engine is ever built here). It resolves a
    // state's model like the component does, so the editor can say which model is in use or missing;
    // the weights are shared process-wide (ModelProvider), so this costs no second load.
    private readonly PercepNetFxPlugin model = new(model: null) { ReportMissingModel = false };
    private PlugView? plugView;             // the one editor view, created with the controller and reused
    private Dsp.Metering.MeterExchange? meters;
    private string? modelStatus;            // built once per state load, so attaching the editor allocates nothing
    private void* hostContext;
    private void* handler;
    private int knownLatency = -1;     // last latency the component announced
    private int reportedLatency = -1;  // last latency the host was told about (restartComponent)

    private static readonly nint ControllerVt = MakeVtable(
        (nint)(delegate* unmanaged<void*, void*, int>)&Initialize,
        (nint)(delegate* unmanaged<void*, int>)&Terminate,
        (nint)(delegate* unmanaged<void*, void*, int>)&SetComponentState,
        (nint)(delegate* unmanaged<void*, void*, int>)&SetState,
        (nint)(delegate* unmanaged<void*, void*, int>)&GetState,
        (nint)(delegate* unmanaged<void*, int>)&GetParameterCount,
        (nint)(delegate* unmanaged<void*, int, ParameterInfo*, int>)&GetParameterInfo,
        (nint)(delegate* unmanaged<void*, uint, double, char*, int>)&GetParamStringByValue,
        (nint)(delegate* unmanaged<void*, uint, char*, double*, int>)&GetParamValueByString,
        (nint)(delegate* unmanaged<void*, uint, double, double>)&NormalizedParamToPlain,
        (nint)(delegate* unmanaged<void*, uint, double, double>)&PlainParamToNormalized,
        (nint)(delegate* unmanaged<void*, uint, double>)&GetParamNormalized,
        (nint)(delegate* unmanaged<void*, uint, double, int>)&SetParamNormalized,
        (nint)(delegate* unmanaged<void*, void*, int>)&SetComponentHandler,
        (nint)(delegate* unmanaged<void*, byte*, void*>)&CreateView);

    private static readonly nint Controller2Vt = MakeVtable(
        (nint)(delegate* unmanaged<void*, int, int>)&SetKnobMode,
        (nint)(delegate* unmanaged<void*, byte, int>)&OpenHelp,
        (nint)(delegate* unmanaged<void*, byte, int>)&OpenAboutBox);

    public Controller() : base(ControllerVt, Controller2Vt, ConnectionVt)
    {
        // Allocated here, not at the first createView, so that opening the editor while audio runs
        // allocates nothing managed (decisions.md "Editor in the plug-in").
        plugView = new PlugView(this);
    }

    /// <summary>Parameter definitions and the controller's current values (for the editor).</summary>
    public PercepNetFxPlugin Model => model;

    protected override int ViewFor(byte* iid)
    {
        if (Vst.Equal(iid, Vst.IEditController) || Vst.Equal(iid, Vst.IPluginBase)) return 0;
        if (Vst.Equal(iid, Vst.IEditController2)) return 1;
        if (Vst.Equal(iid, Vst.IConnectionPoint)) return 2;
        return -1;
    }

    protected override void OnFinalRelease()
    {
        DropHostReferences();
        var v = plugView;
        plugView = null;
        v?.Release(); // our own reference; a host still holding the view keeps it alive
    }

    /// <summary>Puts every parameter value and the model line into the editor (attach, state load).</summary>
    public void SyncView(Editor.EditorView view)
    {
        for (int id = 0; id < PlugView.ParamIds.Length; id++)
        {
            var p = model.FindParameter(PlugView.ParamIds[id]);
            if (p is not null) view.SetParameter(id, p.Normalized);
        }
        modelStatus ??= model.ModelStatus;
        view.SetModelStatus(modelStatus, model.ModelIsMissing);
        view.Meters = meters;
    }

    /// <summary>Host automation → the editor's control (UI thread).</summary>
    private void ShowParameter(uint id, double value)
    {
        var v = plugView;
        if (v is null) return;
        int editorId = Array.IndexOf(PlugView.ParamIds, id);
        if (editorId >= 0) v.Editor.SetParameter(editorId, value);
    }
    private void DropHostReferences()
    {
        if (handler != null) { Host.Release(handler); handler = null; }
        ReleasePeer();
        if (hostContext != null) { Host.Release(hostContext); hostContext = null; }
    }

    private static Controller Self(void* view) => From<Controller>(view);

    /// <summary>
    /// Tells the host the latency changed (§6 "Latency"): restartComponent(kLatencyChanged) on the
    /// UI thread, once per new value the component announces.
    /// </summary>
    private void ReportLatencyIfChanged()
    {
        if (handler == null || knownLatency < 0 || knownLatency == reportedLatency) return;
        // The first value a host sees it reads itself after setActive; report only real changes.
        bool first = reportedLatency < 0;
        reportedLatency = knownLatency;
        if (!first) Host.RestartComponent(handler, Vst.kLatencyChanged);
    }

    // Edits from the editor go to the host (§7): beginEdit / performEdit / endEdit, UI thread.
    public int BeginEdit(uint id) => handler == null ? Vst.kResultFalse : ((delegate* unmanaged<void*, uint, int>)Host.Vt(handler)[3])(handler, id);
    public int PerformEdit(uint id, double value)
    {
        var p = model.FindParameter(id);
        if (p is not null) p.Normalized = value;
        return handler == null ? Vst.kResultFalse : ((delegate* unmanaged<void*, uint, double, int>)Host.Vt(handler)[4])(handler, id, value);
    }
    public int EndEdit(uint id) => handler == null ? Vst.kResultFalse : ((delegate* unmanaged<void*, uint, int>)Host.Vt(handler)[5])(handler, id);

    [UnmanagedCallersOnly]
    private static int Initialize(void* self, void* context)
    {
        try
        {
            var c = Self(self);
            if (c.hostContext != null) return Vst.kResultFalse;
            if (context != null) { Host.AddRef(context); c.hostContext = context; }
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int Terminate(void* self)
    {
        try { Self(self).DropHostReferences(); return Vst.kResultOk; } catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int SetComponentState(void* self, void* stream)
    {
        try { return SetComponentStateWorker(Self(self), stream); } catch { return Vst.kInternalError; }
    }

    // Same bytes and the same validation as the component's setState (§8), so both sides agree
    // on what a state means and both reject the same corrupt data.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SetComponentStateWorker(Controller c, void* stream)
    {
        var data = Host.ReadState(stream);
        if (data is null || !c.model.RestoreState(data)) return Vst.kResultFalse;
        c.modelStatus = null;
        if (c.plugView is { } v) c.SyncView(v.Editor);
        c.ReportLatencyIfChanged();
        return Vst.kResultOk;
    }

    // Controller-only state: none (the editor has no persistent view settings yet). Empty is legal (§8).
    [UnmanagedCallersOnly]
    private static int SetState(void* self, void* stream) => Vst.kResultOk;

    [UnmanagedCallersOnly]
    private static int GetState(void* self, void* stream) => stream == null ? Vst.kInvalidArgument : Vst.kResultOk;

    [UnmanagedCallersOnly]
    private static int GetParameterCount(void* self)
    {
        try { return Self(self).model.Parameters.Count; } catch { return 0; }
    }

    [UnmanagedCallersOnly]
    private static int GetParameterInfo(void* self, int index, ParameterInfo* info)
    {
        try
        {
            var ps = Self(self).model.Parameters;
            if (info == null || (uint)index >= (uint)ps.Count) return Vst.kInvalidArgument;
            var p = ps[index];
            info->id = p.Id;
            Vst.WriteChar16(info->title, 128, p.Name);
            Vst.WriteChar16(info->shortTitle, 128, p.ShortName);
            Vst.WriteChar16(info->units, 128, p.Units);
            info->stepCount = p.StepCount;
            info->defaultNormalizedValue = p.DefaultNormalized;
            info->unitId = 0; // root unit
            info->flags = Vst.kCanAutomate | (p.IsBypass ? Vst.kIsBypass : 0) | (p.Labels is not null && !p.IsBypass ? Vst.kIsList : 0);
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int GetParamStringByValue(void* self, uint id, double value, char* text)
    {
        try
        {
            var p = Self(self).model.FindParameter(id);
            if (p is null || text == null) return Vst.kInvalidArgument;
            Vst.WriteChar16(text, 128, p.Format(value));
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int GetParamValueByString(void* self, uint id, char* text, double* value)
    {
        try
        {
            var p = Self(self).model.FindParameter(id);
            if (p is null || text == null || value == null) return Vst.kInvalidArgument;
            if (!p.TryParse(Vst.ReadChar16(text), out double v)) return Vst.kResultFalse;
            *value = v;
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static double NormalizedParamToPlain(void* self, uint id, double value)
    {
        try { return Self(self).model.FindParameter(id)?.ToPlain(value) ?? value; } catch { return value; }
    }

    [UnmanagedCallersOnly]
    private static double PlainParamToNormalized(void* self, uint id, double value)
    {
        try { return Self(self).model.FindParameter(id)?.ToNormalized(value) ?? value; } catch { return value; }
    }

    [UnmanagedCallersOnly]
    private static double GetParamNormalized(void* self, uint id)
    {
        try { return Self(self).model.FindParameter(id)?.Normalized ?? 0; } catch { return 0; }
    }

    [UnmanagedCallersOnly]
    private static int SetParamNormalized(void* self, uint id, double value)
    {
        try
        {
            var p = Self(self).model.FindParameter(id);
            if (p is null || double.IsNaN(value)) return Vst.kInvalidArgument;
            p.Normalized = value;
            Self(self).ShowParameter(id, p.Normalized);
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int SetComponentHandler(void* self, void* newHandler)
    {
        try
        {
            var c = Self(self);
            if (c.handler == newHandler) return Vst.kResultOk;
            if (newHandler != null) Host.AddRef(newHandler);
            if (c.handler != null) Host.Release(c.handler);
            c.handler = newHandler;
            c.ReportLatencyIfChanged();
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static void* CreateView(void* self, byte* name)
    {
        try { return EditorHook.CreateView(Self(self), name); } catch { return null; }
    }

    [UnmanagedCallersOnly]
    private static int SetKnobMode(void* self, int mode) => mode is 0 or 1 or 2 ? Vst.kResultOk : Vst.kResultFalse;

    [UnmanagedCallersOnly]
    private static int OpenHelp(void* self, byte onlyCheck) => Vst.kResultFalse;

    [UnmanagedCallersOnly]
    private static int OpenAboutBox(void* self, byte onlyCheck) => Vst.kResultFalse;

    protected override int OnNotify(void* message) => NotifyWorker(this, message);

    /// <summary>createView("editor"): our one view with a reference for the host, or null while the host already holds it.</summary>
    public void* CreateEditorView(byte* name)
    {
        var v = plugView;
        if (v is null || !Vst.SameChar8(name, "editor\0"u8)) return null;
        if (v.RefCount > 1) return null; // already open: one editor per controller (null is legal, §11)
        v.PrepareForHost();
        SyncView(v.Editor);
        v.AddRef();
        return v.View(0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int NotifyWorker(Controller c, void* message)
    {
        if (message == null) return Vst.kInvalidArgument;
        byte* id = Host.GetMessageId(message);
        if (Vst.SameChar8(id, Component.MetersMessageId))
        {
            void* attrs = Host.GetAttributes(message);
            long key;
            fixed (byte* attr = Component.IdAttribute)
                if (attrs == null || Host.GetInt(attrs, attr, &key) != Vst.kResultOk) return Vst.kResultFalse;
            // Same process: the exchange itself; another process (a bridging host): none, the editor shows no meters.
            c.meters = MeterRegistry.Find(key);
            if (c.plugView is { } v) v.SetMeters(c.meters);
            return c.meters is null ? Vst.kResultFalse : Vst.kResultOk;
        }
        if (!Vst.SameChar8(id, Component.LatencyMessageId)) return Vst.kResultFalse;
        void* list = Host.GetAttributes(message);
        long samples;
        fixed (byte* attr = Component.SamplesAttribute)
            if (list == null || Host.GetInt(list, attr, &samples) != Vst.kResultOk) return Vst.kResultFalse;
        c.knownLatency = (int)samples;
        c.ReportLatencyIfChanged();
        return Vst.kResultOk;
    }
}
