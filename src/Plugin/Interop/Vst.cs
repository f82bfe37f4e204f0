using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PercepNetFx.Plugin.Interop;

/// <summary>VST3 constants as described in docs/vst3.md §1, §3, §4, written by hand (the SDK is not used).</summary>
internal static class Vst
{
    // §1: Linux/macOS result codes (COM_COMPATIBLE = 0). Windows uses HRESULTs; only kNoInterface is switched here.
    public const int kResultOk = 0, kResultTrue = 0, kResultFalse = 1, kInvalidArgument = 2, kNotImplemented = 3,
        kInternalError = 4, kNotInitialized = 5, kOutOfMemory = 6;
    public static readonly int kNoInterface = OperatingSystem.IsWindows() ? unchecked((int)0x80004002) : -1;

    // §4 constants
    public const int kAudio = 0, kEvent = 1, kInput = 0, kOutput = 1, kMain = 0, kDefaultActive = 1;
    public const int kSample32 = 0, kSample64 = 1;
    public const ulong kSpeakerMono = 1UL << 19, kSpeakerStereo = 0x3;
    public const int kLatencyChanged = 1 << 3;
    public const int kCanAutomate = 1, kIsList = 1 << 3, kIsBypass = 1 << 16;
    public const int kManyInstances = 0x7FFFFFFF;
    public const int kUnicodeFactory = 16;
    public const string SdkVersion = "VST 3.7.14";
    public const string AudioEffectClass = "Audio Module Class";
    public const string ControllerClass = "Component Controller Class";

    // §3 interface IDs, as the four declared 32-bit numbers.
    public static readonly byte[] FUnknown = Tuid(0x00000000, 0x00000000, 0xC0000000, 0x00000046);
    public static readonly byte[] IPluginBase = Tuid(0x22888DDB, 0x156E45AE, 0x8358B348, 0x08190625);
    public static readonly byte[] IPluginFactory = Tuid(0x7A4D811C, 0x52114A1F, 0xAED9D2EE, 0x0B43BF9F);
    public static readonly byte[] IPluginFactory2 = Tuid(0x0007B650, 0xF24B4C0B, 0xA464EDB9, 0xF00B2ABB);
    public static readonly byte[] IPluginFactory3 = Tuid(0x4555A2AB, 0xC1234E57, 0x9B122910, 0x36878931);
    public static readonly byte[] IComponent = Tuid(0xE831FF31, 0xF2D54301, 0x928EBBEE, 0x25697802);
    public static readonly byte[] IAudioProcessor = Tuid(0x42043F99, 0xB7DA453C, 0xA569E79D, 0x9AAEC33D);
    public static readonly byte[] IProcessContextRequirements = Tuid(0x2A654303, 0xEF764E3D, 0x95B5FE83, 0x730EF6D0);
    public static readonly byte[] IEditController = Tuid(0xDCD7BBE3, 0x7742448D, 0xA874AACC, 0x979C759E);
    public static readonly byte[] IEditController2 = Tuid(0x7F4EFE59, 0xF3204967, 0xAC27A3AE, 0xAFB63038);
    public static readonly byte[] IConnectionPoint = Tuid(0x70A4156F, 0x6E6E4026, 0x989148BF, 0xAA60D8D1);
    public static readonly byte[] IMessage = Tuid(0x936F033B, 0xC6C047DB, 0xBB0882F8, 0x13C1E613);
    public static readonly byte[] IAttributeList = Tuid(0x1E5F0AEB, 0xCC7F4533, 0xA2544011, 0x38AD5EE4);
    public static readonly byte[] IComponentHandler = Tuid(0x93A0BEA3, 0x0BD045DB, 0x8E890B0C, 0xC1E46AC6);
    public static readonly byte[] IHostApplication = Tuid(0x58E595CC, 0xDB2D4969, 0x8B6AAF8C, 0x36A664E5);
    public static readonly byte[] IBStream = Tuid(0xC3BF6EA2, 0x30994752, 0x9B6BF990, 0x1EE33E9B);
    // Editor embedding (§3 IPlugView … ITimerHandler, §11).
    public static readonly byte[] IPlugView = Tuid(0x5BC32507, 0xD06049EA, 0xA6151B52, 0x2B755B29);
    public static readonly byte[] IPlugFrame = Tuid(0x367FAF01, 0xAFA94693, 0x8D4DA2A0, 0xED0882A3);
    public static readonly byte[] IRunLoop = Tuid(0x18C35366, 0x97764F1A, 0x9C5B8385, 0x7A871389);
    public static readonly byte[] IEventHandler = Tuid(0x561E65C9, 0x13A0496F, 0x813A2C35, 0x654D7983);
    public static readonly byte[] ITimerHandler = Tuid(0x10BDD94F, 0x41424774, 0x821FAD8F, 0xECA72CA9);

    // Our class IDs: picked at random once (uuid4, 2026-11-21), never to change (hosts store them, §2).
    public static readonly uint[] ProcessorCidWords = { 0x31DF2115, 0xF32E41EC, 0x99AA595B, 0x099546BE };
    public static readonly uint[] ControllerCidWords = { 0xD25220DE, 0xD7A34CDD, 0x9D798F4E, 0xB88B2564 };
    public static readonly byte[] ProcessorCid = Tuid(ProcessorCidWords);
    public static readonly byte[] ControllerCid = Tuid(ControllerCidWords);

    public static byte[] Tuid(uint[] w) => Tuid(w[0], w[1], w[2], w[3]);

    /// <summary>
    /// §2: on Linux/macOS the four words are written big-endian one after the other; on Windows
    /// (COM_COMPATIBLE) the first 8 bytes take the Microsoft GUID layout (Data1 LE, Data2/Data3 LE).
    /// </summary>
    public static byte[] Tuid(uint l1, uint l2, uint l3, uint l4) => Tuid(l1, l2, l3, l4, OperatingSystem.IsWindows());

    public static byte[] Tuid(uint l1, uint l2, uint l3, uint l4, bool comCompatible)
    {
        var b = new byte[16];
        if (comCompatible)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0), l1);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), (ushort)(l2 >> 16));
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), (ushort)l2);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(0), l1);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), l2);
        }
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), l3);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), l4);
        return b;
    }

    /// <summary>The FUID string: sprintf("%08X%08X%08X%08X") of the declared words on every platform (§2).</summary>
    public static string FuidString(uint[] w) => $"{w[0]:X8}{w[1]:X8}{w[2]:X8}{w[3]:X8}";

    public static unsafe bool Equal(byte* iid, byte[] id)
    {
        if (iid == null) return false;
        return new ReadOnlySpan<byte>(iid, 16).SequenceEqual(id);
    }

    /// <summary>Writes a NUL-terminated ASCII/UTF-8 string into a fixed char8 field, truncating.</summary>
    public static unsafe void WriteChar8(byte* dst, int size, string s)
    {
        var span = new Span<byte>(dst, size);
        span.Clear();
        int n = Math.Min(s.Length, size - 1);
        for (int i = 0; i < n; i++) span[i] = s[i] < 128 ? (byte)s[i] : (byte)'?';
    }

    /// <summary>Writes a NUL-terminated UTF-16 string into a fixed char16 field of <paramref name="chars"/> units, truncating.</summary>
    public static unsafe void WriteChar16(char* dst, int chars, string s)
    {
        var span = new Span<char>(dst, chars);
        span.Clear();
        s.AsSpan(0, Math.Min(s.Length, chars - 1)).CopyTo(span);
    }

    public static unsafe string ReadChar16(char* s, int max = 128)
    {
        if (s == null) return "";
        int n = 0;
        while (n < max && s[n] != '\0') n++;
        return new string(s, 0, n);
    }

    public static unsafe string ReadChar8(byte* s, int max = 256)
    {
        if (s == null) return "";
        int n = 0;
        while (n < max && s[n] != 0) n++;
        return System.Text.Encoding.UTF8.GetString(s, n);
    }

    /// <summary>strcmp of a NUL-terminated host string against a NUL-terminated constant, never reading
    /// past either NUL (host strings have no length to check against).</summary>
    public static unsafe bool SameChar8(byte* s, ReadOnlySpan<byte> expected)
    {
        if (s == null) return false;
        for (int i = 0; i < expected.Length; i++)
        {
            if (s[i] != expected[i]) return false;
            if (s[i] == 0) return true;
        }
        return true;
    }
}

// §4 structures (x86_64 Linux; explicit offsets as measured there).
[StructLayout(LayoutKind.Explicit, Size = 452)]
internal unsafe struct PFactoryInfo
{
    [FieldOffset(0)] public fixed byte vendor[64];
    [FieldOffset(64)] public fixed byte url[256];
    [FieldOffset(320)] public fixed byte email[128];
    [FieldOffset(448)] public int flags;
}

[StructLayout(LayoutKind.Explicit, Size = 116)]
internal unsafe struct PClassInfo
{
    [FieldOffset(0)] public fixed byte cid[16];
    [FieldOffset(16)] public int cardinality;
    [FieldOffset(20)] public fixed byte category[32];
    [FieldOffset(52)] public fixed byte name[64];
}

[StructLayout(LayoutKind.Explicit, Size = 440)]
internal unsafe struct PClassInfo2
{
    [FieldOffset(0)] public fixed byte cid[16];
    [FieldOffset(16)] public int cardinality;
    [FieldOffset(20)] public fixed byte category[32];
    [FieldOffset(52)] public fixed byte name[64];
    [FieldOffset(116)] public uint classFlags;
    [FieldOffset(120)] public fixed byte subCategories[128];
    [FieldOffset(248)] public fixed byte vendor[64];
    [FieldOffset(312)] public fixed byte version[64];
    [FieldOffset(376)] public fixed byte sdkVersion[64];
}

[StructLayout(LayoutKind.Explicit, Size = 696)]
internal unsafe struct PClassInfoW
{
    [FieldOffset(0)] public fixed byte cid[16];
    [FieldOffset(16)] public int cardinality;
    [FieldOffset(20)] public fixed byte category[32];
    [FieldOffset(52)] public fixed char name[64];
    [FieldOffset(180)] public uint classFlags;
    [FieldOffset(184)] public fixed byte subCategories[128];
    [FieldOffset(312)] public fixed char vendor[64];
    [FieldOffset(440)] public fixed char version[64];
    [FieldOffset(568)] public fixed char sdkVersion[64];
}

[StructLayout(LayoutKind.Explicit, Size = 276)]
internal unsafe struct BusInfo
{
    [FieldOffset(0)] public int mediaType;
    [FieldOffset(4)] public int direction;
    [FieldOffset(8)] public int channelCount;
    [FieldOffset(12)] public fixed char name[128];
    [FieldOffset(268)] public int busType;
    [FieldOffset(272)] public uint flags;
}

[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct ProcessSetup
{
    [FieldOffset(0)] public int processMode;
    [FieldOffset(4)] public int symbolicSampleSize;
    [FieldOffset(8)] public int maxSamplesPerBlock;
    [FieldOffset(16)] public double sampleRate;
}

[StructLayout(LayoutKind.Explicit, Size = 24)]
internal unsafe struct AudioBusBuffers
{
    [FieldOffset(0)] public int numChannels;
    [FieldOffset(8)] public ulong silenceFlags;
    [FieldOffset(16)] public void** channelBuffers; // float** or double** by symbolicSampleSize
}

[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct ProcessData
{
    [FieldOffset(0)] public int processMode;
    [FieldOffset(4)] public int symbolicSampleSize;
    [FieldOffset(8)] public int numSamples;
    [FieldOffset(12)] public int numInputs;
    [FieldOffset(16)] public int numOutputs;
    [FieldOffset(24)] public AudioBusBuffers* inputs;
    [FieldOffset(32)] public AudioBusBuffers* outputs;
    [FieldOffset(40)] public void* inputParameterChanges;
    [FieldOffset(48)] public void* outputParameterChanges;
    [FieldOffset(56)] public void* inputEvents;
    [FieldOffset(64)] public void* outputEvents;
    [FieldOffset(72)] public void* processContext;
}

[StructLayout(LayoutKind.Explicit, Size = 792)]
internal unsafe struct ParameterInfo
{
    [FieldOffset(0)] public uint id;
    [FieldOffset(4)] public fixed char title[128];
    [FieldOffset(260)] public fixed char shortTitle[128];
    [FieldOffset(516)] public fixed char units[128];
    [FieldOffset(772)] public int stepCount;
    [FieldOffset(776)] public double defaultNormalizedValue;
    [FieldOffset(784)] public int unitId;
    [FieldOffset(788)] public int flags;
}

/// <summary>§4 ViewRect (16 bytes): physical pixels on Linux; width = right − left.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ViewRect
{
    public int left, top, right, bottom;
}
