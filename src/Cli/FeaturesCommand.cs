using System.Globalization;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Offline;

namespace PercepNetFx.Cli;

/// <summary>`percepnetfx features`: the network's training arrays of noisy/clean pairs.</summary>
public static partial class Commands
{
    public static int Features(ParsedArgs a)
    {
        a.NoOthers("noisy", "clean", "out", "lowpass-bin", "mask-bin", "list");
        if (a.Positional.Count != 0) throw a.WrongPositionals($"features takes its files as --noisy/--clean/--out or --list, got {Arguments(a.Positional)}");
        var jobs = new List<(string Noisy, string Clean, int Lowpass, int Mask, string Prefix)>();
        string? list = a.Optional("list");
        if (list is not null)
        {
            int lineNo = 0;
            foreach (var raw in File.ReadLines(list))
            {
                lineNo++;
                if (raw.Trim().Length == 0 || raw.StartsWith('#')) continue;
                var f = raw.Split('\t');
                int mask = Constants.BinCount;
                if (f.Length is not (4 or 5) || !int.TryParse(f[2], NumberStyles.Integer, Inv, out int k)
                    || (f.Length == 5 && !int.TryParse(f[4], NumberStyles.Integer, Inv, out mask)))
                    throw new UsageException($"{list}:{lineNo}: expected noisy<TAB>clean<TAB>lowpass_bin<TAB>out_prefix[<TAB>mask_bin]");
                jobs.Add((f[0], f[1], k, mask, f[3]));
            }
        }
        else
        {
            jobs.Add((a.Required("noisy"), a.Required("clean"), (int)a.Number("lowpass-bin", Constants.BinCount, 0, 1_000_000),
                (int)a.Number("mask-bin", Constants.BinCount, 0, 1_000_000), a.Required("out")));
        }
        // Every destination is checked before any work, so a bad prefix fails fast and leaves the other sets alone.
        foreach (var job in jobs)
            foreach (string path in RecordSetPaths(job.Prefix)) AtomicFile.CheckDestination(path);
        foreach (var job in jobs)
        {
            var noisy = ReadMono(job.Noisy);
            var clean = ReadMono(job.Clean);
            if (noisy.Rate != Constants.SampleRate || clean.Rate != Constants.SampleRate)
                throw new UsageException($"{job.Noisy}: features need 48 kHz input (got {noisy.Rate} and {clean.Rate} Hz)");
            if (noisy.Samples.Length != clean.Samples.Length)
                throw new UsageException($"{job.Noisy}: noisy and clean lengths differ ({noisy.Samples.Length} vs {clean.Samples.Length})");
            var set = FeatureExtractor.Extract(noisy.Samples, clean.Samples, job.Lowpass, job.Mask);
            WriteRecordSet(job.Prefix, set);
        }
        return 0;
    }

    /// <summary>The three arrays of one sequence, written as a unit (<see cref="AtomicFile.WriteSet"/>).</summary>
    private static void WriteRecordSet(string prefix, FeatureSet set)
    {
        var arrays = new (float[] Data, int Columns)[]
        {
            (set.Features, Constants.FeatureCount),
            (set.Gains, Constants.BandCount),
            (set.Strengths, Constants.BandCount),
        };
        AtomicFile.WriteSet(RecordSetPaths(prefix), (path, i) => NpyWriter.Write(path, arrays[i].Data, set.Frames, arrays[i].Columns));
    }

    private static string[] RecordSetPaths(string prefix) => [prefix + ".features.npy", prefix + ".gains.npy", prefix + ".strengths.npy"];
}
