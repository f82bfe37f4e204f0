using System.Runtime.InteropServices;

namespace PercepNetFx.EditorX11;

/// <summary>
/// The few Xlib entry points the editor needs (libX11.so.6). All signatures are blittable, so
/// the source generator emits plain calls: no marshalling stubs, no allocation, AOT-safe.
/// Types follow Xlib on LP64 Linux: Window/Atom/Time/XID = unsigned long = 64 bits, Bool = int.
/// Public so that tests (and the plug-in) can build a parent window with the same bindings.
/// </summary>
public static unsafe partial class Xlib
{
    public const string Library = "libX11.so.6";

    // Event masks (X.h).
    public const long KeyPressMask = 1L << 0, ButtonPressMask = 1L << 2, ButtonReleaseMask = 1L << 3,
        PointerMotionMask = 1L << 6, ExposureMask = 1L << 15, StructureNotifyMask = 1L << 17;
    // Event types (X.h).
    public const int KeyPress = 2, ButtonPress = 4, ButtonRelease = 5, MotionNotify = 6, Expose = 12,
        DestroyNotify = 17, UnmapNotify = 18, MapNotify = 19, ConfigureNotify = 22;
    public const int ZPixmap = 2, PropModeReplace = 0, XA_CARDINAL = 6;
    public const ulong AllPlanes = ~0UL;

    /// <summary>XEvent is a 192-byte union on LP64 (24 longs).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 192)]
    public struct XEvent
    {
        public int Type;
    }

    // Offsets inside XEvent (LP64) of the fields read here.
    public const int OffWindow = 32;              // every X*Event: Window window
    public const int OffButtonTime = 56, OffButtonX = 64, OffButtonY = 68, OffButtonState = 80, OffButtonButton = 84;
    public const int OffExposeCount = 56;

    [LibraryImport(Library)] public static partial nint XOpenDisplay(byte* name);
    [LibraryImport(Library)] public static partial int XCloseDisplay(nint display);
    [LibraryImport(Library)] public static partial int XConnectionNumber(nint display);
    [LibraryImport(Library)] public static partial int XDefaultScreen(nint display);
    [LibraryImport(Library)] public static partial ulong XDefaultRootWindow(nint display);
    [LibraryImport(Library)] public static partial nint XDefaultVisual(nint display, int screen);
    [LibraryImport(Library)] public static partial int XDefaultDepth(nint display, int screen);
    [LibraryImport(Library)] public static partial nint XDefaultGC(nint display, int screen);
    [LibraryImport(Library)] public static partial ulong XCreateSimpleWindow(nint display, ulong parent, int x, int y, uint width, uint height,
        uint borderWidth, ulong border, ulong background);
    [LibraryImport(Library)] public static partial int XDestroyWindow(nint display, ulong window);
    [LibraryImport(Library)] public static partial int XSelectInput(nint display, ulong window, long mask);
    [LibraryImport(Library)] public static partial ulong XInternAtom(nint display, byte* name, int onlyIfExists);
    [LibraryImport(Library)] public static partial int XChangeProperty(nint display, ulong window, ulong property, ulong type, int format, int mode,
        void* data, int elementCount);
    [LibraryImport(Library)] public static partial int XMapWindow(nint display, ulong window);
    [LibraryImport(Library)] public static partial int XFlush(nint display);
    [LibraryImport(Library)] public static partial int XSync(nint display, int discard);
    [LibraryImport(Library)] public static partial int XPending(nint display);
    [LibraryImport(Library)] public static partial int XNextEvent(nint display, XEvent* ev);
    [LibraryImport(Library)] public static partial int XSendEvent(nint display, ulong window, int propagate, long mask, XEvent* ev);
    [LibraryImport(Library)] public static partial nint XCreateImage(nint display, nint visual, uint depth, int format, int offset, void* data,
        uint width, uint height, int bitmapPad, int bytesPerLine);
    [LibraryImport(Library)] public static partial int XDestroyImage(nint image);
    [LibraryImport(Library)] public static partial int XPutImage(nint display, ulong drawable, nint gc, nint image, int srcX, int srcY,
        int dstX, int dstY, uint width, uint height);
    [LibraryImport(Library)] public static partial nint XGetImage(nint display, ulong drawable, int x, int y, uint width, uint height,
        ulong planeMask, int format);
    [LibraryImport(Library)] public static partial ulong XGetPixel(nint image, int x, int y);
    [LibraryImport(Library)] public static partial int XQueryTree(nint display, ulong window, ulong* root, ulong* parent, ulong** children, uint* count);
    [LibraryImport(Library)] public static partial int XFree(void* data);

    /// <summary>XImage field offsets (LP64) used to check the image format.</summary>
    public const int ImageOffByteOrder = 24, ImageOffDepth = 40, ImageOffBytesPerLine = 44, ImageOffBitsPerPixel = 48;

    /// <summary>True when libX11.so.6 can be loaded (checked without touching any display).</summary>
    public static bool IsAvailable()
    {
        if (!NativeLibrary.TryLoad(Library, out nint handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }

    /// <summary>XOpenDisplay(NULL): the display named by $DISPLAY; 0 when none can be reached.</summary>
    public static nint OpenDefaultDisplay() => XOpenDisplay(null);

    public static ulong InternAtom(nint display, ReadOnlySpan<byte> nulTerminatedName)
    {
        fixed (byte* p = nulTerminatedName) return XInternAtom(display, p, 0);
    }
}
