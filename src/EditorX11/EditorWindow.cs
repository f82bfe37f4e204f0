using System.Runtime.InteropServices;
using PercepNetFx.Editor;

namespace PercepNetFx.EditorX11;

/// <summary>
/// Embeds an <see cref="EditorView"/> in a host's X11 window (VST3 "X11EmbedWindowID",
/// docs/vst3.md §11). Owns its own Display connection and one child window of the host's; has no
/// threads: the plug-in registers <see cref="Fd"/> with IRunLoop::registerEventHandler (→
/// <see cref="OnFdReadable"/>) and a <see cref="TimerIntervalMs"/> timer (→ <see cref="OnTimer"/>).
/// Blits the canvas with XPutImage from a malloc'd copy in ZPixmap 24/32-bpp layout (the canvas'
/// 0xAARRGGBB pixels are already B,G,R,A in memory). After <see cref="Detach"/> the same object
/// can be attached again (the host closing and reopening the editor). UI thread only; no managed
/// allocation in attach, events, timer or detach (measured in tests/Editor.Tests/X11EmbedTests.cs),
/// provided the plug-in keeps one <see cref="EditorView"/> per controller and reuses it.
/// <para>IPlugView mapping for the plug-in: isPlatformTypeSupported("X11EmbedWindowID") → true;
/// getSize → <see cref="EditorView.Width"/> × <see cref="EditorView.Height"/>; canResize → kResultFalse;
/// attached(parent) → <see cref="Attach"/>((ulong)parent, view), then IRunLoop.registerEventHandler(h,
/// <see cref="Fd"/>) and registerTimer(h, <see cref="TimerIntervalMs"/>); onFDIsSet → <see cref="OnFdReadable"/>;
/// onTimer → <see cref="OnTimer"/>; removed() → unregister both, then <see cref="Detach"/>.
/// Host automation → <see cref="EditorView.SetParameter"/>; <see cref="IEditorHost"/> → IComponentHandler.</para>
/// </summary>
public sealed unsafe class EditorWindow
{
    /// <summary>Repaint period to register with IRunLoop::registerTimer (~30 fps).</summary>
    public const int TimerIntervalMs = 33;

    private nint display;
    private ulong window;
    private nint gc;
    private nint image;        // XImage whose data is our malloc'd pixel copy (freed by XDestroyImage)
    private uint* imagePixels;
    private EditorView? view;
    private bool windowDestroyed;
    private bool exposed;

    public bool IsAttached => display != 0;
    /// <summary>The X connection's file descriptor (ConnectionNumber), −1 when detached.</summary>
    public int Fd { get; private set; } = -1;
    /// <summary>Our child window (0 when detached).</summary>
    public ulong Window => window;
    /// <summary>Images put to the server since attach (diagnostics and tests).</summary>
    public long Blits { get; private set; }

    /// <summary>
    /// Opens a connection to $DISPLAY, creates a child of <paramref name="parentWindow"/> of the
    /// view's size, sets _XEMBED_INFO (version 0, XEMBED_MAPPED), maps it and flushes.
    /// Returns false (and stays detached) when libX11 or the display is unavailable.
    /// </summary>
    public bool Attach(ulong parentWindow, EditorView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (IsAttached) throw new InvalidOperationException("already attached; Detach first");
        if (!Xlib.IsAvailable()) return false;
        nint d = Xlib.OpenDefaultDisplay();
        if (d == 0) return false;
        display = d;
        this.view = view;
        int screen = Xlib.XDefaultScreen(d);
        int depth = Xlib.XDefaultDepth(d, screen);
        window = Xlib.XCreateSimpleWindow(d, parentWindow, 0, 0, EditorView.Width, EditorView.Height, 0, 0, Palette.Background & 0xFFFFFF);
        Xlib.XSelectInput(d, window, Xlib.ExposureMask | Xlib.ButtonPressMask | Xlib.ButtonReleaseMask | Xlib.PointerMotionMask
            | Xlib.KeyPressMask | Xlib.StructureNotifyMask);

        ulong xembedInfo = Xlib.InternAtom(d, "_XEMBED_INFO\0"u8);
        nint* info = stackalloc nint[2];
        info[0] = 0; // XEmbed protocol version
        info[1] = 1; // XEMBED_MAPPED: the embedder should map us
        Xlib.XChangeProperty(d, window, xembedInfo, xembedInfo, 32, Xlib.PropModeReplace, info, 2); // format 32 = C longs

        gc = Xlib.XDefaultGC(d, screen);
        // The canvas layout is a 32-bpp TrueColor ZPixmap; X servers on desktops use depth 24 with
        // 32 bits per pixel, which is what XCreateImage picks for depth 24 with bitmap_pad 32.
        imagePixels = (uint*)NativeMemory.Alloc((nuint)(EditorView.Width * EditorView.Height), sizeof(uint));
        image = Xlib.XCreateImage(d, Xlib.XDefaultVisual(d, screen), (uint)depth, Xlib.ZPixmap, 0, imagePixels,
            EditorView.Width, EditorView.Height, 32, EditorView.Width * 4);
        if (image == 0 || depth < 24)
        {
            Detach();
            return false;
        }
        windowDestroyed = false;
        exposed = false;
        Blits = 0;
        Xlib.XMapWindow(d, window);
        Xlib.XFlush(d);
        Fd = Xlib.XConnectionNumber(d);
        return true;
    }

    /// <summary>Drains the X queue (IRunLoop's IEventHandler::onFDIsSet): expose, mouse, structure events.</summary>
    public void OnFdReadable()
    {
        if (!IsAttached) return;
        Xlib.XEvent ev;
        while (Xlib.XPending(display) > 0)
        {
            Xlib.XNextEvent(display, &ev);
            Dispatch(&ev);
        }
    }

    /// <summary>The ~30 fps timer (ITimerHandler::onTimer): also drains events, then pulls the newest meters and repaints if needed.</summary>
    public void OnTimer()
    {
        if (!IsAttached) return;
        OnFdReadable();
        if (!IsAttached || windowDestroyed) return;
        // Tick on every timer call so the newest snapshot is always consumed; paint only once the
        // server has shown the window (first Expose) and something changed.
        bool changed = view!.Tick();
        if (changed && exposed) Paint();
    }

    private void Dispatch(Xlib.XEvent* ev)
    {
        byte* p = (byte*)ev;
        if (*(ulong*)(p + Xlib.OffWindow) != window) return;
        var v = view!;
        switch (ev->Type)
        {
            case Xlib.Expose:
                // Repaint once per expose series (count = number of expose events still to come).
                exposed = true;
                if (*(int*)(p + Xlib.OffExposeCount) == 0) Paint();
                break;
            case Xlib.ButtonPress:
            {
                int x = *(int*)(p + Xlib.OffButtonX), y = *(int*)(p + Xlib.OffButtonY);
                uint button = *(uint*)(p + Xlib.OffButtonButton);
                // X reports the wheel as buttons 4 (up) and 5 (down), press only; 6/7 are horizontal.
                if (button == 1) v.MouseDown(x, y, (long)*(ulong*)(p + Xlib.OffButtonTime));
                else if (button == 4) v.MouseWheel(x, y, +1);
                else if (button == 5) v.MouseWheel(x, y, -1);
                break;
            }
            case Xlib.ButtonRelease:
                if (*(uint*)(p + Xlib.OffButtonButton) == 1) v.MouseUp(*(int*)(p + Xlib.OffButtonX), *(int*)(p + Xlib.OffButtonY));
                break;
            case Xlib.MotionNotify:
                v.MouseMove(*(int*)(p + Xlib.OffButtonX), *(int*)(p + Xlib.OffButtonY));
                break;
            case Xlib.DestroyNotify:
                // The host destroyed its window (and so ours) before calling removed(): never touch it again.
                windowDestroyed = true;
                break;
        }
        if (v.NeedsRender && exposed && !windowDestroyed) Paint();
    }

    /// <summary>Renders if the view changed and puts the whole image.</summary>
    private void Paint()
    {
        var v = view!;
        if (v.NeedsRender || v.FramesRendered == 0) v.Render();
        var src = v.Canvas.Pixels;
        fixed (uint* s = src) Buffer.MemoryCopy(s, imagePixels, (long)src.Length * 4, (long)src.Length * 4);
        Xlib.XPutImage(display, window, gc, image, 0, 0, 0, 0, EditorView.Width, EditorView.Height);
        Xlib.XFlush(display);
        Blits++;
    }

    /// <summary>
    /// Tears down in the order of docs/vst3.md §11 (the plug-in unregisters the fd and timer first):
    /// destroys our window (unless the host already destroyed it), frees the image and closes the
    /// display. Safe to call twice; the object can be attached again afterwards.
    /// </summary>
    public void Detach()
    {
        if (!IsAttached) return;
        // Pending events may carry a DestroyNotify for our window: learn it before destroying it,
        // because an X error on a dead window would reach the host's (often fatal) error handler.
        if (!windowDestroyed) OnFdReadable();
        if (image != 0) { Xlib.XDestroyImage(image); image = 0; imagePixels = null; } // frees imagePixels too (malloc'd)
        else if (imagePixels != null) { NativeMemory.Free(imagePixels); imagePixels = null; }
        if (window != 0 && !windowDestroyed) Xlib.XDestroyWindow(display, window);
        Xlib.XSync(display, 0);
        Xlib.XCloseDisplay(display);
        display = 0;
        window = 0;
        gc = 0;
        view = null;
        Fd = -1;
    }
}
