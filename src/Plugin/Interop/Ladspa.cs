using System.Runtime.InteropServices;
using System.Text;
using PercepNetFx.Dsp;

namespace PercepNetFx.Plugin.Interop;

/// <summary>
/// The LADSPA entry point (docs/ladspa-lv2.md §1): <c>ladspa_descriptor(index)</c> returns the mono
/// (index 0) and stereo (index 1) descriptors, built once in native memory from the control
/// table and never freed (the image is never unmapped, docs/vst3.md §10). Every callback catches
/// everything: an exception must not reach the host.
/// </summary>
public static unsafe class Ladspa
{
    public const uint MonoId = 6502810, StereoId = 6502811;
    public const string MonoLabel = "percepnetfx_mono", StereoLabel = "percepnetfx_stereo";

    // LADSPA_PortDescriptor bits.
    private const int PortInput = 0x1, PortOutput = 0x2, PortControl = 0x4, PortAudio = 0x8;
    // LADSPA_PortRangeHintDescriptor bits and default codes (the DEFAULT_MASK field, 0x3C0).
    private const int BoundedBelow = 0x1, BoundedAbove = 0x2, Toggled = 0x4, Integer = 0x20;
    // LOW and HIGH are 0.75·min + 0.25·max and 0.25·min + 0.75·max on a linear control (every control here is linear).
    private const int DefaultMinimum = 0x40, DefaultLow = 0x80, DefaultMiddle = 0xC0, DefaultHigh = 0x100, DefaultMaximum = 0x140,
        Default0 = 0x200, Default1 = 0x240, Default100 = 0x280;
    // LADSPA_Properties: hard real-time capable (no blocking, bounded time per sample). Not the
    // "real-time" bit 0x1, which would say the output depends on wall-clock time and must not be rendered offline.
    private const int PropertyHardRtCapable = 0x4;

    /// <summary>The C struct LADSPA_Descriptor on LP64 (unsigned long = 64 bits).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Descriptor
    {
        public nuint UniqueID;
        public byte* Label;
        public int Properties;
        public byte* Name;
        public byte* Maker;
        public byte* Copyright;
        public nuint PortCount;
        public int* PortDescriptors;
        public byte** PortNames;
        public RangeHint* PortRangeHints;
        public void* ImplementationData;
        public delegate* unmanaged<Descriptor*, nuint, nint> instantiate;
        public delegate* unmanaged<nint, nuint, float*, void> connect_port;
        public delegate* unmanaged<nint, void> activate;
        public delegate* unmanaged<nint, nuint, void> run;
        public delegate* unmanaged<nint, nuint, void> run_adding;
        public delegate* unmanaged<nint, float, void> set_run_adding_gain;
        public delegate* unmanaged<nint, void> deactivate;
        public delegate* unmanaged<nint, void> cleanup;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct RangeHint
    {
        public int HintDescriptor;
        public float LowerBound;
        public float UpperBound;
    }

    private static readonly object Gate = new();
    private static Descriptor* mono, stereo;

    [UnmanagedCallersOnly(EntryPoint = "ladspa_descriptor")]
    public static void* LadspaDescriptor(nuint index)
    {
        try
        {
            lock (Gate)
            {
                if (mono == null) { mono = Build(1); stereo = Build(2); }
            }
            return index switch { 0 => mono, 1 => stereo, _ => null };
        }
        catch { return null; }
    }

    /// <summary>Audio port names of the LADSPA build, inputs then outputs.</summary>
    public static string[] AudioPortNames(int channels) => channels == 1
        ? ["Input", "Output"]
        : ["Input L", "Input R", "Output L", "Output R"];

    /// <summary>
    /// The range hint of a control: bounds from the table, toggles marked as such, and the default
    /// as the LADSPA code that expresses it exactly (the formats allow only a few defaults).
    /// </summary>
    internal static RangeHint HintFor(Control c)
    {
        if (c.IsToggle) return new RangeHint { HintDescriptor = Toggled | (c.Default >= 0.5 ? Default1 : Default0) };
        int def = c.Default == c.Min ? DefaultMinimum : c.Default == c.Max ? DefaultMaximum
            : c.Default == (c.Min + c.Max) / 2 ? DefaultMiddle
            : c.Default == 0.75 * c.Min + 0.25 * c.Max ? DefaultLow : c.Default == 0.25 * c.Min + 0.75 * c.Max ? DefaultHigh
            : c.Default == 0 ? Default0 : c.Default == 1 ? Default1
            : c.Default == 100 ? Default100 : throw new InvalidOperationException($"{c.Name}: default {c.Default} has no LADSPA code");
        return new RangeHint { HintDescriptor = BoundedBelow | BoundedAbove | def | (c.StepCount > 0 ? Integer : 0), LowerBound = (float)c.Min, UpperBound = (float)c.Max };
    }

    private static Descriptor* Build(int channels)
    {
        int count = PortInstance.PortCount(channels);
        var d = (Descriptor*)NativeMemory.AllocZeroed((nuint)sizeof(Descriptor));
        d->UniqueID = channels == 1 ? MonoId : StereoId;
        d->Label = Utf8(channels == 1 ? MonoLabel : StereoLabel);
        d->Properties = PropertyHardRtCapable;
        d->Name = Utf8(channels == 1 ? "PercepNetFx voice denoiser (mono)" : "PercepNetFx voice denoiser (stereo)");
        d->Maker = Utf8(Factory.Vendor);
        d->Copyright = Utf8("MIT (code); model terms: models/README.md");
        d->PortCount = (nuint)count;
        var kinds = (int*)NativeMemory.AllocZeroed((nuint)count, sizeof(int));
        var names = (byte**)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(byte*));
        var hints = (RangeHint*)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(RangeHint));
        var audio = AudioPortNames(channels);
        for (int p = 0; p < 2 * channels; p++)
        {
            kinds[p] = PortAudio | (p < channels ? PortInput : PortOutput);
            names[p] = Utf8(audio[p]);
        }
        int first = PortInstance.FirstControlPort(channels);
        for (int i = 0; i < Controls.Count; i++)
        {
            kinds[first + i] = PortControl | PortInput;
            names[first + i] = Utf8(Controls.All[i].Name);
            hints[first + i] = HintFor(Controls.All[i]);
        }
        int latency = PortInstance.LatencyPort(channels);
        kinds[latency] = PortControl | PortOutput;
        names[latency] = Utf8("latency"); // the name hosts look for to compensate the delay
        d->PortDescriptors = kinds;
        d->PortNames = names;
        d->PortRangeHints = hints;
        d->instantiate = &Instantiate;
        d->connect_port = &ConnectPort;
        d->activate = &Activate;
        d->run = &Run;
        d->deactivate = &Deactivate;
        d->cleanup = &Cleanup;
        return d;
    }

    private static byte* Utf8(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    [UnmanagedCallersOnly]
    private static nint Instantiate(Descriptor* descriptor, nuint sampleRate)
    {
        try { return PortInstance.Create(sampleRate, descriptor == stereo ? 2 : 1)?.Handle ?? 0; }
        catch { return 0; }
    }

    [UnmanagedCallersOnly]
    private static void ConnectPort(nint instance, nuint port, float* data)
    {
        try { if (instance != 0) PortInstance.From(instance).Connect((uint)Math.Min(port, uint.MaxValue), data); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void Activate(nint instance)
    {
        try { if (instance != 0) PortInstance.From(instance).Activate(); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void Run(nint instance, nuint sampleCount)
    {
        try { if (instance != 0) PortInstance.From(instance).Run((int)Math.Min(sampleCount, int.MaxValue)); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void Deactivate(nint instance)
    {
        try { if (instance != 0) PortInstance.From(instance).Deactivate(); } catch { }
    }

    [UnmanagedCallersOnly]
    private static void Cleanup(nint instance)
    {
        try { if (instance != 0) PortInstance.From(instance).Release(); } catch { }
    }
}
