using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace PercepNetFx.Cli.Tests;

/// <summary>Every class that swaps Console.Out/Error joins this collection, so they never run concurrently.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>Runs the CLI in-process through <see cref="CommandLine.Run"/> with captured stdout and stderr.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        var stdout = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var stderr = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Console.SetOut(stdout);
        Console.SetError(stderr);
        int code;
        try
        {
            code = CommandLine.Run(args);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>The sox command line tool: the independent writer and reader of these tests (CI installs it).</summary>
internal static class Sox
{
    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo("sox") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException("sox did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("sox is not on PATH; install it with `apt-get install -y sox`.", e);
        }
        using (p)
        {
            Task<string> err = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"sox {string.Join(' ', args)} exited {p.ExitCode}: {err.Result}");
            return stdout;
        }
    }

    /// <summary>One field of `sox --i` (-r rate, -c channels, -s samples per channel, -b bits, -e encoding).</summary>
    public static string Info(string flag, string path) => Run("--i", flag, path).Trim();

    public static long Frames(string path) => long.Parse(Info("-s", path), CultureInfo.InvariantCulture);
    public static int Rate(string path) => int.Parse(Info("-r", path), CultureInfo.InvariantCulture);
    public static int Channels(string path) => int.Parse(Info("-c", path), CultureInfo.InvariantCulture);
}

/// <summary>A scratch folder deleted with the test class instance.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pnfx-cli-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>File names in the folder, sorted (hidden temporaries included).</summary>
    public string[] Names() => Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
