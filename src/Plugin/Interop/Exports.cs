using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// The module's C exports (docs/vst3.md §5, §10). Each catches everything (an exception crossing
/// into the host would terminate it) and forwards to a non-inlined worker, so the try/catch frame
/// always exists in the export itself.
/// </summary>
public static unsafe class Exports
{
    private static int entryCount;

    // Linux: ModuleEntry/ModuleExit. Windows hosts call InitDll/ExitDll, macOS bundleEntry/bundleExit;
    // those are compiled in only for their runtime identifiers (csproj defines), so the Linux .so
    // exports exactly the three symbols of §5.
    [UnmanagedCallersOnly(EntryPoint = "ModuleEntry")]
    public static byte ModuleEntry(void* sharedLibraryHandle)
    {
        try { return Enter() ? (byte)1 : (byte)0; } catch { return 0; }
    }

    [UnmanagedCallersOnly(EntryPoint = "ModuleExit")]
    public static byte ModuleExit()
    {
        try { return Exit() ? (byte)1 : (byte)0; } catch { return 0; }
    }

#if PERCEPNETFX_WINDOWS
    [UnmanagedCallersOnly(EntryPoint = "InitDll")]
    public static byte InitDll()
    {
        try { return Enter() ? (byte)1 : (byte)0; } catch { return 0; }
    }

    [UnmanagedCallersOnly(EntryPoint = "ExitDll")]
    public static byte ExitDll()
    {
        try { return Exit() ? (byte)1 : (byte)0; } catch { return 0; }
    }
#endif

#if PERCEPNETFX_MACOS
    [UnmanagedCallersOnly(EntryPoint = "bundleEntry")]
    public static byte BundleEntry(void* bundleRef)
    {
        try { return Enter() ? (byte)1 : (byte)0; } catch { return 0; }
    }

    [UnmanagedCallersOnly(EntryPoint = "bundleExit")]
    public static byte BundleExit()
    {
        try { return Exit() ? (byte)1 : (byte)0; } catch { return 0; }
    }
#endif

    [UnmanagedCallersOnly(EntryPoint = "GetPluginFactory")]
    public static void* GetPluginFactory()
    {
        try { return Acquire(); } catch { return null; }
    }

    // ModuleEntry may be called more than once; count the calls (§5). Nothing global to build:
    // the factory and model are created lazily and survive ModuleExit (the image stays mapped).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Enter() { Interlocked.Increment(ref entryCount); return true; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Exit() { Interlocked.Decrement(ref entryCount); return true; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void* Acquire() => Factory.AcquireForHost();
}
