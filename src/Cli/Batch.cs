using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Offline.Metrics;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Cli;

/// <summary>
/// `denoise` over folders and globs: the folder structure under the input root is kept under the
/// output folder, files run in parallel (one engine per file, the immutable model shared), outputs
/// newer than their input are skipped unless --force, a failing file is reported and the rest go on.
/// </summary>
public static class Batch
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public sealed record Job(string Input, string Output);

    public sealed record FileResult(Job Job, bool Skipped, string? Error, double AudioSeconds, double CpuSeconds,
        double LevelBeforeDb, double LevelAfterDb);

    /// <summary>True when <paramref name="input"/> names a folder or holds a wildcard.</summary>
    public static bool IsBatch(string input) => Directory.Exists(input) || input.IndexOfAny(['*', '?']) >= 0;

    /// <summary>What a folder contributes: the files the CLI reads (AudioFiles), by their usual names.</summary>
    private static readonly string[] FolderExtensions = [".wav", ".aif", ".aiff", ".aifc"];

    /// <summary>The (input, output) pairs for a folder (every WAV and AIFF file below it) or a glob (* ? **);
    /// outputs are WAV, so an input named otherwise gets the .wav extension.</summary>
    public static List<Job> Plan(string input, string outputRoot)
    {
        string root;
        Regex? pattern = null;
        if (Directory.Exists(input))
        {
            root = input;
        }
        else
        {
            // The root is the longest leading run of path segments without wildcards.
            string[] parts = input.Replace('\\', '/').Split('/');
            int fixedCount = 0;
            while (fixedCount < parts.Length && parts[fixedCount].IndexOfAny(['*', '?']) < 0) fixedCount++;
            root = fixedCount == 0 ? "." : string.Join('/', parts[..fixedCount]);
            if (root.Length == 0) root = "/";
            pattern = GlobRegex(string.Join('/', parts[fixedCount..]));
            if (!Directory.Exists(root)) throw new UsageException($"{input}: folder {root} does not exist");
        }
        var jobs = new List<Job>();
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            bool match = pattern is null
                ? FolderExtensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase))
                : pattern.IsMatch(relative);
            if (!match) continue;
            string output = Path.GetExtension(relative).Equals(".wav", StringComparison.OrdinalIgnoreCase) ? relative : Path.ChangeExtension(relative, ".wav");
            jobs.Add(new Job(file, Path.Combine(outputRoot, output)));
        }
        jobs.Sort((a, b) => string.CompareOrdinal(a.Input, b.Input));
        if (jobs.Count == 0) throw new UsageException($"{input}: no matching files");
        // x.wav and x.aiff side by side would race for one output file.
        foreach (var clash in jobs.GroupBy(j => j.Output, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            throw new UsageException($"{string.Join(" and ", clash.Select(j => j.Input))} would both be written to {clash.Key}");
        return jobs;
    }

    /// <summary>* matches within a segment, ** any number of segments, ? one character.</summary>
    public static Regex GlobRegex(string glob)
    {
        var sb = new System.Text.StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                bool slash = i + 2 < glob.Length && glob[i + 2] == '/';
                sb.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    public static int Run(List<Job> jobs, PercepNetModel model, DenoiseSettings settings, string? format, int workers, bool force)
    {
        var results = new FileResult[jobs.Count];
        int done = 0;
        var wall = Stopwatch.StartNew();
        bool showProgress = !Console.IsErrorRedirected;
        var progressLock = new object();
        Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
        {
            results[i] = One(jobs[i], model, settings, format, force);
            int finished = Interlocked.Increment(ref done);
            if (showProgress)
                lock (progressLock) Console.Error.Write($"\r{Bar(finished, jobs.Count)} {finished}/{jobs.Count} files");
        });
        if (showProgress) Console.Error.WriteLine();
        PrintTable(results, wall.Elapsed.TotalSeconds, workers);
        return results.Any(r => r.Error is not null) ? 1 : 0;
    }

    private static string Bar(int done, int total)
    {
        int width = 30, filled = total == 0 ? width : done * width / total;
        return "[" + new string('#', filled) + new string(' ', width - filled) + "]";
    }

    private static FileResult One(Job job, PercepNetModel model, DenoiseSettings settings, string? format, bool force)
    {
        try
        {
            if (!force && File.Exists(job.Output) && File.GetLastWriteTimeUtc(job.Output) >= File.GetLastWriteTimeUtc(job.Input))
                return new FileResult(job, true, null, 0, 0, double.NaN, double.NaN);
            using var input = AudioFiles.Open(job.Input);
            Commands.CheckInput(input.Info, job.Input);
            var outFormat = Commands.OutputFormat(format ?? "same", input.Info.Format);
            string? dir = Path.GetDirectoryName(job.Output);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            var levels = (In: new FrameEnergies(input.Info.SampleRate), Out: new FrameEnergies(input.Info.SampleRate));
            // The worker's CPU time for the whole file: decoding and encoding stream along with the processing.
            double cpuStart = ThreadCpu.Seconds();
            Commands.DenoiseFile(input, job.Output, model, settings, outFormat, null, levels);
            double cpu = ThreadCpu.Seconds() - cpuStart;
            return new FileResult(job, false, null, input.Info.DurationSeconds, cpu,
                levels.In.ActiveLevelDbfs(), levels.Out.ActiveLevelDbfs());
        }
        catch (Exception e) when (e is UsageException or WavFormatException or IOException or UnauthorizedAccessException)
        {
            return new FileResult(job, false, e.Message, 0, 0, double.NaN, double.NaN);
        }
    }

    private static void PrintTable(FileResult[] results, double wallSeconds, int workers)
    {
        var o = Console.Out;
        o.WriteLine(string.Create(Inv, $"{"file",-40} {"audio s",8} {"CPU s",7} {"x real time",11} {"level in",9} {"level out",9}  status"));
        foreach (var r in results)
        {
            string name = r.Job.Input.Length > 40 ? "…" + r.Job.Input[^39..] : r.Job.Input;
            string status = r.Error is not null ? "FAILED: " + r.Error : r.Skipped ? "up to date (skipped; --force to redo)" : "ok";
            if (r.Error is not null || r.Skipped) { o.WriteLine(string.Create(Inv, $"{name,-40} {"",8} {"",7} {"",11} {"",9} {"",9}  {status}")); continue; }
            o.WriteLine(string.Create(Inv,
                $"{name,-40} {r.AudioSeconds,8:F2} {r.CpuSeconds,7:F3} {r.AudioSeconds / Math.Max(r.CpuSeconds, 1e-9),11:F0} {Db(r.LevelBeforeDb),9} {Db(r.LevelAfterDb),9}  {status}"));
        }
        int ok = results.Count(r => r.Error is null && !r.Skipped), failed = results.Count(r => r.Error is not null);
        double audio = results.Sum(r => r.AudioSeconds);
        o.WriteLine(string.Create(Inv,
            $"{ok} processed, {results.Length - ok - failed} skipped, {failed} failed; {audio:F1} s of audio in {wallSeconds:F2} s wall with {workers} worker(s): {ok / wallSeconds:F2} files/s, {audio / wallSeconds:F0}x real time"));
    }

    private static string Db(double v) => double.IsFinite(v) ? v.ToString("F1", Inv) + " dB" : "silent";
}

/// <summary>CPU time of the calling thread (Linux: /proc/thread-self/schedstat); wall time elsewhere.</summary>
internal static class ThreadCpu
{
    private static readonly Stopwatch Fallback = Stopwatch.StartNew();

    public static double Seconds()
    {
        try
        {
            string s = File.ReadAllText("/proc/thread-self/schedstat");
            int space = s.IndexOf(' ');
            if (space > 0 && long.TryParse(s.AsSpan(0, space), NumberStyles.Integer, CultureInfo.InvariantCulture, out long ns)) return ns / 1e9;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Fallback.Elapsed.TotalSeconds;
    }
}
