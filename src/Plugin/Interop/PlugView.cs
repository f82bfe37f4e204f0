using System.Runtime.InteropServices;
using PercepNetFx.Dsp.Metering;
using PercepNetFx.Editor;
using PercepNetFx.EditorX11;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// The editor as the host sees it: IPlugView (view 0, identity), IEventHandler (1) and
/// ITimerHandler (2) — docs/vst3.md §3 and §11. Linux only ("X11EmbedWindowID"): attached() makes
/// our own X connection and a child window of the host's (<see cref="EditorWindow"/>), then
/// registers the connection's fd and a 33 ms timer on the host's IRunLoop (queried from the
/// IPlugFrame given to setFrame), so every callback arrives on the host's UI thread and we start
/// no thread. removed() unregisters both before the window goes (§11 step 6: never leave a
/// registered handler pointing at something freed).
/// <para>One instance per controller, created with the controller and reused for every
/// createView: the controller keeps one reference, the host gets another. Reuse is what makes
/// opening the editor allocate nothing managed (the 1.9 MB canvas exists once), so opening it
/// while audio runs cannot provoke a collection (measured in tests/Plugin.Tests/EditorHostTests.cs).</para>
/// </summary>
internal sealed unsafe class PlugView : ComObject, IEditorHost
{
    public static ReadOnlySpan<byte> X11Type => "X11EmbedWindowID\0"u8;

    /// <summary>Editor ids (indices of <see cref="Dsp.Controls.All"/>) → VST3 parameter ids.</summary>
    public static readonly uint[] ParamIds = Dsp.Controls.All.Select(c => c.Id).ToArray();

    private readonly Controller controller;
    private readonly EditorWindow window = new();
    private void* frame;     // IPlugFrame, addRef'd
    private void* runLoop;   // IRunLoop from the frame, addRef'd
    private bool eventRegistered, timerRegistered;

    private static readonly nint ViewVt = MakeVtable(
        (nint)(delegate* unmanaged<void*, byte*, int>)&IsPlatformTypeSupported,
        (nint)(delegate* unmanaged<void*, void*, byte*, int>)&Attached,
        (nint)(delegate* unmanaged<void*, int>)&Removed,
        (nint)(delegate* unmanaged<void*, float, int>)&OnWheel,
        (nint)(delegate* unmanaged<void*, char, short, short, int>)&OnKeyDown,
        (nint)(delegate* unmanaged<void*, char, short, short, int>)&OnKeyUp,
        (nint)(delegate* unmanaged<void*, ViewRect*, int>)&GetSize,
        (nint)(delegate* unmanaged<void*, ViewRect*, int>)&OnSize,
        (nint)(delegate* unmanaged<void*, byte, int>)&OnFocus,
        (nint)(delegate* unmanaged<void*, void*, int>)&SetFrame,
        (nint)(delegate* unmanaged<void*, int>)&CanResize,
        (nint)(delegate* unmanaged<void*, ViewRect*, int>)&CheckSizeConstraint);

    private static readonly nint EventVt = MakeVtable((nint)(delegate* unmanaged<void*, int, void>)&OnFdIsSet);
    private static readonly nint TimerVt = MakeVtable((nint)(delegate* unmanaged<void*, void>)&OnTimer);

    public PlugView(Controller controller) : base(ViewVt, EventVt, TimerVt)
    {
        this.controller = controller;
        Editor = new EditorView(null, this);
    }

    public EditorView Editor { get; }
    public bool IsAttached => window.IsAttached;

    protected override int ViewFor(byte* iid)
    {
        if (Vst.Equal(iid, Vst.IPlugView)) return 0;
        if (Vst.Equal(iid, Vst.IEventHandler)) return 1;
        if (Vst.Equal(iid, Vst.ITimerHandler)) return 2;
        return -1;
    }

    public void SetMeters(MeterExchange? meters) => Editor.Meters = meters;

    /// <summary>Before handing the view out again: a host that released it without removed()/setFrame(null) left state behind.</summary>
    public void PrepareForHost()
    {
        DoRemoved();
        DropFrame();
    }

    protected override void OnFinalRelease() => PrepareForHost();

    // ---- IEditorHost: the editor's edits go to the host's IComponentHandler (§7) ----
    public void BeginEdit(int id) { if ((uint)id < (uint)ParamIds.Length) controller.BeginEdit(ParamIds[id]); }
    public void PerformEdit(int id, double normalized) { if ((uint)id < (uint)ParamIds.Length) controller.PerformEdit(ParamIds[id], normalized); }
    public void EndEdit(int id) { if ((uint)id < (uint)ParamIds.Length) controller.EndEdit(ParamIds[id]); }

    private static PlugView Self(void* view) => From<PlugView>(view);

    // IRunLoop slots (§3): 3 registerEventHandler(handler, fd), 4 unregisterEventHandler, 5 registerTimer(handler, ms), 6 unregisterTimer.
    private int RegisterEvent(int fd) => ((delegate* unmanaged<void*, void*, int, int>)Host.Vt(runLoop)[3])(runLoop, View(1), fd);
    private int UnregisterEvent() => ((delegate* unmanaged<void*, void*, int>)Host.Vt(runLoop)[4])(runLoop, View(1));
    private int RegisterTimer(ulong ms) => ((delegate* unmanaged<void*, void*, ulong, int>)Host.Vt(runLoop)[5])(runLoop, View(2), ms);
    private int UnregisterTimer() => ((delegate* unmanaged<void*, void*, int>)Host.Vt(runLoop)[6])(runLoop, View(2));

    private int DoAttached(void* parent, byte* type)
    {
        if (!Vst.SameChar8(type, X11Type)) return Vst.kResultFalse;
        if (window.IsAttached) return Vst.kResultFalse;
        controller.SyncView(Editor);
        // The parent is the host's XID carried in the pointer value, not a pointer to it (§11 step 4).
        if (!window.Attach((ulong)(nuint)parent, Editor)) return Vst.kResultFalse;
        if (runLoop != null)
        {
            eventRegistered = RegisterEvent(window.Fd) == Vst.kResultOk;
            timerRegistered = RegisterTimer(EditorWindow.TimerIntervalMs) == Vst.kResultOk;
        }
        return Vst.kResultOk;
    }

    // §11 step 6: unregisterTimer, unregisterEventHandler, then destroy the window and close the display.
    private void DoRemoved()
    {
        if (runLoop != null)
        {
            if (timerRegistered) UnregisterTimer();
            if (eventRegistered) UnregisterEvent();
        }
        timerRegistered = eventRegistered = false;
        window.Detach();
    }

    private void DropFrame()
    {
        if (runLoop != null) { Host.Release(runLoop); runLoop = null; }
        if (frame != null) { Host.Release(frame); frame = null; }
    }

    [UnmanagedCallersOnly]
    private static int IsPlatformTypeSupported(void* self, byte* type)
    {
        try { return Vst.SameChar8(type, X11Type) ? Vst.kResultTrue : Vst.kResultFalse; } catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int Attached(void* self, void* parent, byte* type)
    {
        try { return Self(self).DoAttached(parent, type); } catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static int Removed(void* self)
    {
        try { Self(self).DoRemoved(); return Vst.kResultOk; } catch { return Vst.kInternalError; }
    }

    // Keys and the wheel reach us as X events on our own window; the host's copies are not needed.
    [UnmanagedCallersOnly] private static int OnWheel(void* self, float distance) => Vst.kResultFalse;
    [UnmanagedCallersOnly] private static int OnKeyDown(void* self, char key, short keyCode, short modifiers) => Vst.kResultFalse;
    [UnmanagedCallersOnly] private static int OnKeyUp(void* self, char key, short keyCode, short modifiers) => Vst.kResultFalse;
    [UnmanagedCallersOnly] private static int OnFocus(void* self, byte state) => Vst.kResultOk;
    [UnmanagedCallersOnly] private static int CanResize(void* self) => Vst.kResultFalse; // fixed size (§11 step 5)

    private static void FixedSize(ViewRect* r)
    {
        r->left = 0; r->top = 0; r->right = EditorView.Width; r->bottom = EditorView.Height;
    }

    [UnmanagedCallersOnly]
    private static int GetSize(void* self, ViewRect* size)
    {
        if (size == null) return Vst.kInvalidArgument;
        FixedSize(size);
        return Vst.kResultOk;
    }

    [UnmanagedCallersOnly]
    private static int OnSize(void* self, ViewRect* newSize)
    {
        if (newSize == null) return Vst.kInvalidArgument;
        return newSize->right - newSize->left == EditorView.Width && newSize->bottom - newSize->top == EditorView.Height
            ? Vst.kResultOk : Vst.kResultFalse;
    }

    [UnmanagedCallersOnly]
    private static int CheckSizeConstraint(void* self, ViewRect* rect)
    {
        if (rect == null) return Vst.kInvalidArgument;
        int left = rect->left, top = rect->top;
        FixedSize(rect);
        rect->left = left; rect->top = top; rect->right += left; rect->bottom += top;
        return Vst.kResultTrue;
    }

    [UnmanagedCallersOnly]
    private static int SetFrame(void* self, void* newFrame)
    {
        try
        {
            var v = Self(self);
            if (newFrame == v.frame) return Vst.kResultOk;
            // Handlers live on the old frame's run loop: take them off before letting it go.
            if (v.runLoop != null)
            {
                if (v.timerRegistered) v.UnregisterTimer();
                if (v.eventRegistered) v.UnregisterEvent();
                v.timerRegistered = v.eventRegistered = false;
            }
            v.DropFrame();
            if (newFrame != null)
            {
                Host.AddRef(newFrame);
                v.frame = newFrame;
                v.runLoop = Host.Query(newFrame, Vst.IRunLoop); // §11 step 2: the frame answers IRunLoop on Linux
                if (v.runLoop != null && v.window.IsAttached)
                {
                    v.eventRegistered = v.RegisterEvent(v.window.Fd) == Vst.kResultOk;
                    v.timerRegistered = v.RegisterTimer(EditorWindow.TimerIntervalMs) == Vst.kResultOk;
                }
            }
            return Vst.kResultOk;
        }
        catch { return Vst.kInternalError; }
    }

    [UnmanagedCallersOnly]
    private static void OnFdIsSet(void* self, int fd)
    {
        try { Self(self).window.OnFdReadable(); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void OnTimer(void* self)
    {
        try { Self(self).window.OnTimer(); } catch { }
    }
}

/// <summary>
/// Process-wide table from a small id to a processor's <see cref="MeterExchange"/> (decisions.md
/// "Editor in the plug-in: meter data path"). The processor registers its exchange and sends the
/// id to its controller in an IMessage; the controller looks it up once. Only UI-thread calls
/// (create, connect, notify, terminate) touch the table; the audio thread only ever writes the
/// exchange itself, which is lock-free.
/// </summary>
internal static class MeterRegistry
{
    private static readonly Dictionary<long, MeterExchange> Table = new();
    private static long next;

    public static long Register(MeterExchange exchange)
    {
        lock (Table) { long id = ++next; Table[id] = exchange; return id; }
    }

    public static void Unregister(long id)
    {
        lock (Table) Table.Remove(id);
    }

    public static MeterExchange? Find(long id)
    {
        lock (Table) return Table.TryGetValue(id, out var e) ? e : null;
    }
}
