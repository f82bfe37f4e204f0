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
