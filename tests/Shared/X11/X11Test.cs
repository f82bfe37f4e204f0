using System.Diagnostics;
using PercepNetFx.EditorX11;

namespace PercepNetFx.Tests.Shared;

/// <summary>A fact that runs only when an X server answers on $DISPLAY (scripts/test.sh starts Xvfb
/// and counts a skip of these tests as a failure, so CI always runs them).</summary>
public sealed class X11FactAttribute : FactAttribute
{
    public X11FactAttribute()
    {
        if (!X11Test.DisplayReachable(out string why)) Skip = "no X server reachable: " + why;
    }
}

/// <summary>Raw Xlib helpers for tests that play the host's side of X11 embedding (docs/vst3.md §11):
/// the test's own connection, a parent window, XGetImage grabs, child counts and synthetic clicks.
/// Compiled into the test projects that reference src/EditorX11 (tests/Shared/X11/*.cs).</summary>
public static unsafe class X11Test
{
    public static bool DisplayReachable(out string why)
    {
        string? name = Environment.GetEnvironmentVariable("DISPLAY");
        if (string.IsNullOrEmpty(name)) { why = "DISPLAY is not set"; return false; }
        if (!Xlib.IsAvailable()) { why = "libX11.so.6 cannot be loaded"; return false; }
        nint d = Open();
        if (d == 0) { why = $"XOpenDisplay(\"{name}\") failed for 3 s"; return false; }
        Xlib.XCloseDisplay(d);
        why = "";
        return true;
    }

    /// <summary>
    /// XOpenDisplay with retries: a server started without -noreset resets when its last client
    /// disconnects and refuses connections for a moment, so one failed attempt proves nothing.
    /// </summary>
    public static nint Open()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            nint d = Xlib.OpenDefaultDisplay();
            if (d != 0 || clock.ElapsedMilliseconds > 3000) return d;
            Thread.Sleep(50);
        }
    }

    /// <summary>A mapped top-level window standing in for the host's editor frame.</summary>
    public static ulong CreateParent(nint display, int width, int height)
    {
        ulong parent = Xlib.XCreateSimpleWindow(display, Xlib.XDefaultRootWindow(display), 0, 0, (uint)width, (uint)height, 0, 0, 0);
        Xlib.XMapWindow(display, parent);
        Xlib.XSync(display, 0);
        return parent;
    }

    /// <summary>The window's pixels as the X server holds them (0x00RRGGBB), read with XGetImage.</summary>
    public static uint[] Grab(nint display, ulong window, int width, int height)
    {
        nint img = Xlib.XGetImage(display, window, 0, 0, (uint)width, (uint)height, Xlib.AllPlanes, Xlib.ZPixmap);
        Assert.NotEqual(0, img);
        try
        {
            byte* p = (byte*)img;
            Assert.Equal(32, *(int*)(p + Xlib.ImageOffBitsPerPixel));
            Assert.Equal(0, *(int*)(p + Xlib.ImageOffByteOrder)); // LSBFirst
            int stride = *(int*)(p + Xlib.ImageOffBytesPerLine);
            byte* data = *(byte**)(p + 16);
            var pixels = new uint[width * height];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    pixels[y * width + x] = *(uint*)(data + y * stride + 4 * x) & 0xFFFFFF;
            return pixels;
        }
        finally { Xlib.XDestroyImage(img); }
    }

    public static int Children(nint display, ulong parent, out ulong firstChild)
    {
        ulong root, par;
        ulong* kids;
        uint count;
        Assert.NotEqual(0, Xlib.XQueryTree(display, parent, &root, &par, &kids, &count));
        firstChild = count > 0 ? kids[0] : 0;
        if (kids != null) Xlib.XFree(kids);
        return (int)count;
    }

    public static int Children(nint display, ulong parent) => Children(display, parent, out _);

    /// <summary>A synthetic button event sent to <paramref name="window"/> with XSendEvent (what a click delivers).</summary>
    public static void SendButton(nint display, ulong window, int type, uint button, int x, int y, ulong time)
    {
        var ev = default(Xlib.XEvent);
        byte* p = (byte*)&ev;
        ev.Type = type;
        *(ulong*)(p + Xlib.OffWindow) = window;
        *(ulong*)(p + Xlib.OffButtonTime) = time;
        *(int*)(p + Xlib.OffButtonX) = x;
        *(int*)(p + Xlib.OffButtonY) = y;
        *(uint*)(p + Xlib.OffButtonButton) = button;
        *(int*)(p + 88) = 1; // same_screen
        long mask = type == Xlib.ButtonPress ? Xlib.ButtonPressMask : Xlib.ButtonReleaseMask;
        Assert.NotEqual(0, Xlib.XSendEvent(display, window, 0, mask, &ev));
        Xlib.XFlush(display);
    }
}
