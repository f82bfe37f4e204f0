using System.Globalization;
using System.Text.RegularExpressions;
using NAudio.Wave;
using PercepNetFx.Audio;
using PercepNetFx.Audio.Tests;
using PercepNetFx.Tests.Shared;

namespace PercepNetFx.Bench;

/// <summary>
/// `--wav-strictness [N] [SEED]`: the project's WavReader and NAudio's WaveFileReader (with
/// ToSampleProvider, as an NAudio app reads a file) over the same mutated WAV files as the fuzz test
/// in tests/Audio.Tests (same seed files, mutator and default seed 6001), then both readers' messages
/// for a few hand-built broken files. Counts hangs (over 2 s), exceptions by type, allocations beyond
/// the fuzz test's bound, inputs one reader accepts and the other rejects (by the rejecting reader's
/// reason, numbers masked), and inputs both accept but decode differently. Numbers in docs/decisions.md.
/// </summary>
public static class WavStrictness
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(2);

    private sealed record Decoded(int Rate, float[][] Channels);

    private sealed record Outcome(Decoded? Audio, Exception? Error, bool Hung, long Allocated);

    public static void Run(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6001;
        var rng = new Random(seed);
        byte[][] seeds = WavBytes.FuzzSeeds();
        var ours = new Tally("WavReader");
        var theirs = new Tally("NAudio WaveFileReader");
        var onlyTheirs = new Dictionary<string, int>();
        var onlyOurs = new Dictionary<string, int>();
        var differ = new Dictionary<string, int>();
        int bothAccept = 0, bothReject = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] input = Fuzz.Mutate(seeds[i % seeds.Length], rng, hot: 60);
            Outcome a = Measure(Ours, input), b = Measure(Theirs, input);
            ours.Add(a, input.Length);
            theirs.Add(b, input.Length);
            if (a.Audio is not null && b.Audio is not null)
            {
                bothAccept++;
                string? d = Difference(a.Audio, b.Audio);
                if (d is not null) Bump(differ, d);
            }
            else if (a.Audio is null && b.Audio is null) bothReject++;
            else if (b.Audio is not null && a.Error is WavFormatException w) Bump(onlyTheirs, Mask(w.Problem));
            else if (a.Audio is not null && b.Error is { } e) Bump(onlyOurs, e.GetType().Name + ": " + Mask(e.Message));
        }

        Console.WriteLine($"seed {seed}: {count} mutated WAV files (tests/Audio.Tests WavFuzzTests' inputs)");
        ours.Print();
        theirs.Print();
        Console.WriteLine($"both accept {bothAccept} (decoded differently: {differ.Values.Sum()}), both reject {bothReject}");
        Print($"accepted by NAudio, rejected by WavReader ({onlyTheirs.Values.Sum()}), by WavReader's reason:", onlyTheirs);
        Print($"accepted by WavReader, rejected by NAudio ({onlyOurs.Values.Sum()}), by NAudio's exception:", onlyOurs);
        Print("accepted by both, decoded differently:", differ);
        Messages();
    }

    private static Decoded Ours(byte[] input, NAudioAllocations _)
    {
        var a = WavReader.Read(new MemoryStream(input, writable: false), "fuzz.wav");
        return new Decoded(a.SampleRate, a.Channels);
    }

    private static Decoded Theirs(byte[] input, NAudioAllocations allocations)
    {
        var stream = new MemoryStream(input, writable: false);
        using var reader = allocations.Count(() => new WaveFileReader(stream));
        ISampleProvider samples = allocations.Count(reader.ToSampleProvider);
        int channels = samples.WaveFormat.Channels;
        // Whole frames per Read (WaveFileReader refuses partial blocks), about 4096 samples.
        var buffer = new float[Math.Max(1, channels) * Math.Max(1, 4096 / Math.Max(1, channels))];
        var interleaved = new List<float>();
        for (int got; (got = allocations.Count(() => samples.Read(buffer))) > 0;) interleaved.AddRange(buffer.AsSpan(0, got));
        var planar = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            planar[c] = new float[interleaved.Count / channels];
            for (int n = 0; n < planar[c].Length; n++) planar[c][n] = interleaved[n * channels + c];
        }
        return new Decoded(samples.WaveFormat.SampleRate, planar);
    }

    /// <summary>
    /// Allocation inside NAudio's calls only: what this harness allocates to collect NAudio's samples
    /// (a growing list, planar copies) is not NAudio's and stays out of the count.
    /// </summary>
    private sealed class NAudioAllocations
    {
        public long? Bytes { get; private set; }

        public T Count<T>(Func<T> call)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { return call(); }
            finally { Bytes = (Bytes ?? 0) + GC.GetAllocatedBytesForCurrentThread() - before; }
        }
    }

    /// <summary>Runs one read on a worker thread so a hang is seen (and abandoned) instead of stopping the run.</summary>
    private static Outcome Measure(Func<byte[], NAudioAllocations, Decoded> read, byte[] input)
    {
        var task = Task.Run(() =>
        {
            var counted = new NAudioAllocations();
            long before = GC.GetAllocatedBytesForCurrentThread();
            long Allocated() => counted.Bytes ?? GC.GetAllocatedBytesForCurrentThread() - before;
            try
            {
                Decoded d = read(input, counted);
                return new Outcome(d, null, false, Allocated());
            }
            catch (Exception e)
            {
                return new Outcome(null, e, false, Allocated());
            }
        });
        return task.Wait(HangLimit) ? task.Result : new Outcome(null, null, true, 0);
    }

    private static string? Difference(Decoded a, Decoded b)
    {
        if (a.Rate != b.Rate) return "sample rate";
        if (a.Channels.Length != b.Channels.Length) return "channel count";
        if (a.Channels.Length > 0 && a.Channels[0].Length != b.Channels[0].Length) return "frame count";
        for (int c = 0; c < a.Channels.Length; c++)
            if (!a.Channels[c].AsSpan().SequenceEqual(b.Channels[c])) return "sample values";
        return null;
    }

    private static string Mask(string s) => Regex.Replace(s.ReplaceLineEndings(" "), @"-?\d+", "#");

    private static void Bump(Dictionary<string, int> d, string key) => d[key] = d.GetValueOrDefault(key) + 1;

    private static void Print(string title, Dictionary<string, int> d)
    {
        Console.WriteLine(title);
        foreach (var (k, v) in d.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)) Console.WriteLine($"  {v,7}  {k}");
    }

    private sealed class Tally(string name)
    {
        private int accepted, hung, overBound;
        private long worstExcess;
        private readonly Dictionary<string, int> errors = new();
        private readonly Dictionary<string, int> messages = new();

        public void Add(Outcome o, int inputLength)
        {
            if (o.Hung) { hung++; return; }
            if (o.Audio is not null) accepted++;
            else
            {
                Bump(errors, o.Error!.GetType().FullName!);
                Bump(messages, o.Error.GetType().FullName + "|" + Mask(o.Error.Message));
            }
            // The fuzz test's bound: decoded floats take at most 8 bytes per input byte, plus 1 MiB.
            long excess = o.Allocated - 8L * inputLength;
            worstExcess = Math.Max(worstExcess, excess);
            if (excess >= 1 << 20) overBound++;
        }

        public void Print()
        {
            Console.WriteLine($"{name}: accepted {accepted}, hung {hung}, allocated beyond 8 B/byte + 1 MiB: {overBound} (worst excess {worstExcess} B)");
            foreach (var (type, n) in errors.OrderByDescending(p => p.Value))
            {
                Console.WriteLine($"  {n,7}  {type}");
                // The commonest messages of each type (numbers masked) say what the exception stood for.
                foreach (var (k, v) in messages.Where(m => m.Key.StartsWith(type + "|", StringComparison.Ordinal)).OrderByDescending(m => m.Value).Take(4))
                    Console.WriteLine($"           {v,7}  {k[(type.Length + 1)..]}");
            }
        }
    }

    /// <summary>Both readers' messages for a few hand-built broken files (the CLI prints a reader's message as its one error line).</summary>
    private static void Messages()
    {
        short[] pcm = [1, 2, 3, 4, 5, 6, 7, 8];
        byte[] valid = WavBytes.Riff(WavBytes.Fmt(1, 2, 48000, 16), WavBytes.Chunk("data", WavBytes.Pcm16Data(pcm)));
        var cases = new (string What, byte[] Bytes)[]
        {
            ("empty file", []),
            ("FLAC file", [.. "fLaC"u8, 0, 0, 0, 34, .. new byte[40]]),
            ("cut inside the fmt chunk", valid[..30]),
            ("data chunk declares more than present", WavBytes.Riff(WavBytes.Fmt(1, 2, 48000, 16), WavBytes.Chunk("data", WavBytes.Pcm16Data(pcm), declaredSize: 1000))),
            ("block align 3 for 16-bit stereo", WavBytes.Riff(WavBytes.Fmt(1, 2, 48000, 16, blockAlign: 3), WavBytes.Chunk("data", WavBytes.Pcm16Data(pcm)))),
            ("IMA ADPCM", WavBytes.Riff(WavBytes.Fmt(0x11, 1, 48000, 4, blockAlign: 1), WavBytes.Chunk("data", new byte[16]))),
            ("no data chunk", WavBytes.Riff(WavBytes.Fmt(1, 2, 48000, 16))),
            ("0 channels", WavBytes.Riff(WavBytes.Fmt(1, 0, 48000, 16, blockAlign: 2), WavBytes.Chunk("data", WavBytes.Pcm16Data(pcm)))),
        };
        Console.WriteLine("messages for hand-built broken files (WavReader | NAudio):");
        foreach (var (what, bytes) in cases)
        {
            Outcome a = Measure(Ours, bytes), b = Measure(Theirs, bytes);
            Console.WriteLine($"  {what}:\n    {Describe(a)}\n    {Describe(b)}");
        }
    }

    private static string Describe(Outcome o) => o.Hung ? "hung"
        : o.Audio is { } d ? $"accepted: {d.Rate} Hz, {d.Channels.Length} channel(s), {(d.Channels.Length == 0 ? 0 : d.Channels[0].Length)} frames"
        : $"{o.Error!.GetType().Name}: {o.Error.Message.ReplaceLineEndings(" ")}";
}
