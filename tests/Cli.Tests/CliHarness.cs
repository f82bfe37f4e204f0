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

/// <summary>
/// A CLI test class: a scratch folder of its own, and the error contract that every failing command keeps
/// (CommandLine's summary): exactly one line on stderr starting with <see cref="Prefix"/>, nothing on
/// stdout, a non-zero exit code, and no output or temporary file left behind.
/// </summary>
public abstract class CliTest : IDisposable
{
    protected const string Prefix = "percepnetfx: error: ";
    protected readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>Runs the CLI, checks the error contract and that the folder holds exactly what it held before;
    /// returns the error line.</summary>
    protected string Fails(params string[] args)
    {
        string[] before = dir.Names();
        var r = Cli.Run(args);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Single(r.StderrLines);
        Assert.EndsWith("\n", r.Stderr);
        Assert.StartsWith(Prefix, r.Stderr);
        Assert.Equal(before, dir.Names());
        return r.Stderr.TrimEnd('\n');
    }
}
