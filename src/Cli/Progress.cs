using System.Diagnostics;
using System.Globalization;

namespace PercepNetFx.Cli;

/// <summary>
/// The progress line of a single long file: "label: 42 %" rewritten in place with a carriage return, then
/// "label: done, … s of audio in … s". Shown only when stderr is a terminal, as progress meters of other
/// command line tools are: a log or a pipe gets no carriage-return clutter, and a successful run stays
/// silent there. Short inputs finish before a meter would be read, so they show none either.
/// </summary>
public sealed class Progress
{
    /// <summary>Inputs at most this long (audio seconds) show no progress line.</summary>
    public const double MinSeconds = 5;

    private readonly string label;
    private readonly double audioSeconds;
    private readonly TextWriter output;
    private readonly bool show;
    private readonly Stopwatch watch = Stopwatch.StartNew();
    private int lastPercent = -1;

    /// <param name="terminal">Whether <paramref name="output"/> is a terminal.</param>
    public Progress(string label, double audioSeconds, TextWriter output, bool terminal)
    {
        this.label = label;
        this.audioSeconds = audioSeconds;
        this.output = output;
        show = terminal && audioSeconds > MinSeconds;
    }

    /// <summary>Progress on the process's stderr.</summary>
    public static Progress Start(string label, double audioSeconds) => new(label, audioSeconds, Console.Error, !Console.IsErrorRedirected);

    /// <summary>The fraction done, 0 … 1; the line is rewritten only when the whole percentage changes.</summary>
    public void Report(double fraction)
    {
        // The small offset keeps fractions given as whole percentages (0.29 is 28.999… % in binary) on their value.
        int percent = (int)Math.Floor(100 * Math.Clamp(fraction, 0, 1) + 1e-9);
        if (!show || percent == lastPercent) return;
        lastPercent = percent;
        output.Write(string.Create(CultureInfo.InvariantCulture, $"\r{label}: {percent} %"));
        output.Flush();
    }

    public void Done()
    {
        if (!show) return;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\r{label}: done, {audioSeconds:F1} s of audio in {watch.Elapsed.TotalSeconds:F1} s"));
    }

    /// <summary>Runs <paramref name="work"/> with a progress line on stderr.</summary>
    public static T Run<T>(string label, double audioSeconds, Func<Action<double>, T> work)
    {
        var progress = Start(label, audioSeconds);
        T result = work(progress.Report);
        progress.Done();
        return result;
    }
}
