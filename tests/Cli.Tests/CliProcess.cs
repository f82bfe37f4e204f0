using System.Diagnostics;
using System.Globalization;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// Runs the built CLI (percepnetfx.dll, copied beside the tests) as a child process, as a user does: its own
/// runtime, heap and stdio. On Linux its peak resident memory is sampled from /proc/PID/status (VmHWM, the
/// kernel's high-water mark, which only grows), so the last sample before the exit is the peak up to that moment.
/// </summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, long PeakKiB);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "percepnetfx.dll");

    /// <summary>The dotnet host running the tests (set by `dotnet test`), else the one on PATH.</summary>
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";

    public static Result Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("the CLI did not start");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        string status = $"/proc/{p.Id}/status";
        while (!p.WaitForExit(20))
        {
            try
            {
                foreach (string line in File.ReadLines(status))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        peak = Math.Max(peak, long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
            }
            catch (IOException) { } // exited between the check and the read
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result, peak);
    }
}
