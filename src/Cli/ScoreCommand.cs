using PercepNetFx.Audio;
using PercepNetFx.Offline.Metrics;

namespace PercepNetFx.Cli;

/// <summary>`percepnetfx score`: SI-SDR, STOI and segmental SNR of enhanced files against their clean references.</summary>
public static partial class Commands
{
    public static int Score(ParsedArgs a)
    {
        a.NoOthers("clean", "enhanced", "max-lag", "list");
        if (a.Positional.Count != 0) throw a.WrongPositionals($"score takes its files as --clean/--enhanced or --list, got {Arguments(a.Positional)}");
        int maxLag = (int)a.Number("max-lag", 2400, 0, 48000);
        string? list = a.Optional("list");
        if (list is null)
        {
            Console.Out.WriteLine(ScoreLine(a.Required("clean"), a.Required("enhanced"), maxLag));
            return 0;
        }
        if (a.Optional("clean") is not null || a.Optional("enhanced") is not null)
            throw new UsageException("score takes either --list or --clean/--enhanced, not both");
        // Batch mode for evaluation scripts: one process scores many pairs (saves the runtime's
        // start-up per pair). Every line is parsed before any scoring, so a malformed list fails fast.
        var pairs = new List<(string Clean, string Enhanced)>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(list))
        {
            lineNo++;
            if (raw.Trim().Length == 0 || raw.StartsWith('#')) continue;
            var f = raw.Split('\t');
            if (f.Length != 2 || f[0].Length == 0 || f[1].Length == 0)
                throw new UsageException($"{list}:{lineNo}: expected clean<TAB>enhanced");
            pairs.Add((f[0], f[1]));
        }
        // Lines are printed only when every pair scored, so a failure leaves stdout empty (the error contract).
        var lines = new List<string>(pairs.Count);
        foreach (var (c, e) in pairs)
        {
            try { lines.Add($"{e}\t{ScoreLine(c, e, maxLag)}"); }
            catch (Exception ex) when (ex is UsageException or WavFormatException or IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{list}: pair {c} / {e}: {ex.Message}");
            }
        }
        foreach (var line in lines) Console.Out.WriteLine(line);
        return 0;
    }

    private static string ScoreLine(string cleanPath, string enhancedPath, int maxLag)
    {
        var clean = ReadMono(cleanPath);
        var enhanced = ReadMono(enhancedPath);
        if (clean.Rate != enhanced.Rate) throw new UsageException($"sample rates differ: {clean.Rate} vs {enhanced.Rate} Hz");
        var m = MetricSet.Score(clean.Samples, enhanced.Samples, clean.Rate, maxLag);
        return string.Create(Inv, $"SI-SDR {m.SiSdrDb:F2} dB  STOI {m.Stoi:F4}  segSNR {m.SegSnrDb:F2} dB  lag {m.LagSamples} samples");
    }
}
