using System.Globalization;
using PercepNetFx.Dsp;

namespace PercepNetFx.Offline;

/// <summary>An automation file that cannot be used; the message is one line naming the file and line.</summary>
public sealed class AutomationFormatException(string message) : FormatException(message);

/// <summary>Whether a point is reached from the previous one by a straight line or by a jump at its time.</summary>
public enum AutomationShape
{
    Ramp,
    Step,
}

/// <summary>One automation point: a time in seconds, the control's normalised value in [0, 1], how it is reached.</summary>
public readonly record struct AutomationPoint(double Time, double Value, AutomationShape Shape);

/// <summary>
/// Automation lanes for the controls of <see cref="Controls"/>, as a DAW draws them, read from a text
/// file (README.md "Automation files"): one point per line, <c>time_seconds,control,value[,ramp|step]</c>.
/// Values are in the control's display unit (percent for strength and post-filter, a label such as
/// on/off for the others) and stored normalised, as the plug-in receives them.
/// </summary>
public sealed class Automation
{
    private readonly AutomationPoint[]?[] lanes;

    private Automation(AutomationPoint[]?[] lanes) => this.lanes = lanes;

    /// <summary>The name a control has in automation files: its CLI option, or its short name when it has none (bypass).</summary>
    public static string NameOf(Control c) => c.Option ?? c.ShortName.ToLowerInvariant();

    /// <summary>Reads an automation file; errors are <see cref="AutomationFormatException"/> (file, line, what is wrong).</summary>
    public static Automation Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses automation text; <paramref name="source"/> names it in error messages.</summary>
    public static Automation Parse(string text, string source)
    {
        var lists = new List<AutomationPoint>?[Controls.Count];
        string[] lines = text.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n];
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            line = line.Trim();
            if (line.Length == 0) continue;
            string Where(string what) => $"{source}:{n + 1}: {what}";
            string[] f = line.Split(',').Select(x => x.Trim()).ToArray();
            if (f.Length is < 3 or > 4)
                throw new AutomationFormatException(Where($"expected time_seconds,control,value[,ramp|step], got {f.Length} field{(f.Length == 1 ? "" : "s")}"));
            if (!double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double time) || !double.IsFinite(time) || time < 0)
                throw new AutomationFormatException(Where($"time must be a number of seconds >= 0, got '{f[0]}'"));
            int index = -1;
            for (int i = 0; i < Controls.Count; i++)
                if (string.Equals(NameOf(Controls.All[i]), f[1], StringComparison.OrdinalIgnoreCase)) index = i;
            if (index < 0)
                throw new AutomationFormatException(Where($"unknown control '{f[1]}' (controls: {string.Join(", ", Controls.All.Select(NameOf))})"));
            var c = Controls.All[index];
            double value = ParseValue(c, f[2]) ?? throw new AutomationFormatException(Where(
                $"{NameOf(c)} takes {(c.Labels is { } l ? string.Join("|", l.Select(x => x.ToLowerInvariant())) : $"a number from {c.Min.ToString(CultureInfo.InvariantCulture)} to {c.Max.ToString(CultureInfo.InvariantCulture)} ({c.Unit})")}, got '{f[2]}'"));
            // A lane of a choice cannot pass through the values between its labels, so it only steps (as a DAW's toggle lane).
            var shape = f.Length == 4 ? f[3].ToLowerInvariant() switch
            {
                "ramp" => AutomationShape.Ramp,
                "step" => AutomationShape.Step,
                _ => throw new AutomationFormatException(Where($"shape must be ramp or step, got '{f[3]}'")),
            } : c.Labels is null ? AutomationShape.Ramp : AutomationShape.Step;
            if (shape == AutomationShape.Ramp && c.Labels is not null)
                throw new AutomationFormatException(Where($"{NameOf(c)} is a choice: its points can only step"));
            var list = lists[index] ??= new List<AutomationPoint>();
            if (list.Count > 0 && time <= list[^1].Time)
                throw new AutomationFormatException(Where($"time {f[0]} is not after the previous {NameOf(c)} point ({list[^1].Time.ToString(CultureInfo.InvariantCulture)} s)"));
            list.Add(new AutomationPoint(time, value, shape));
        }
        if (lists.All(l => l is null)) throw new AutomationFormatException($"{source}: no automation points");
        return new Automation(lists.Select(l => l?.ToArray()).ToArray());
    }

    /// <summary>The normalised value of a display-unit value or label, null when it is not one.</summary>
    private static double? ParseValue(Control c, string text)
    {
        if (c.Labels is { } labels)
        {
            int k = Array.FindIndex(labels, l => string.Equals(l, text, StringComparison.OrdinalIgnoreCase));
            return k < 0 ? null : (double)k / c.StepCount;
        }
        if (c.Unit.Length > 0 && text.EndsWith(c.Unit, StringComparison.Ordinal)) text = text[..^c.Unit.Length].TrimEnd();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < c.Min || v > c.Max)
            return null;
        return (v - c.Min) / (c.Max - c.Min);
    }

    /// <summary>Whether the control at <paramref name="controlIndex"/> has a lane.</summary>
    public bool Has(int controlIndex) => lanes[controlIndex] is not null;

    /// <summary>The points of a control's lane (empty when it has none).</summary>
    public IReadOnlyList<AutomationPoint> Points(int controlIndex) => lanes[controlIndex] ?? [];

    /// <summary>The lanes on the sample grid of <paramref name="sampleRate"/>: each point falls on its nearest sample.</summary>
    public SampledAutomation At(int sampleRate) => new(lanes, sampleRate);
}

/// <summary>
/// Automation lanes on a sample grid, evaluated as a DAW's lane: before the first point the first
/// value, after the last the last value, between two points a straight line (the later point is a
/// ramp) or the earlier value until the later point's sample (a step). Evaluation allocates nothing.
/// </summary>
public sealed class SampledAutomation
{
    private readonly long[]?[] samples;
    private readonly double[]?[] values;
    private readonly bool[]?[] ramps;

    internal SampledAutomation(AutomationPoint[]?[] lanes, int sampleRate)
    {
        samples = new long[]?[lanes.Length];
        values = new double[]?[lanes.Length];
        ramps = new bool[]?[lanes.Length];
        for (int i = 0; i < lanes.Length; i++)
        {
            if (lanes[i] is not { } lane) continue;
            samples[i] = lane.Select(p => (long)Math.Round(p.Time * sampleRate)).ToArray();
            values[i] = lane.Select(p => p.Value).ToArray();
            ramps[i] = lane.Select(p => p.Shape == AutomationShape.Ramp).ToArray();
        }
    }

    public bool Has(int controlIndex) => samples[controlIndex] is not null;

    /// <summary>The lane's normalised value at <paramref name="sample"/>; the points' samples need not be distinct (the later wins).</summary>
    public double ValueAt(int controlIndex, long sample)
    {
        var s = samples[controlIndex]!;
        var v = values[controlIndex]!;
        int i = UpperBound(s, sample) - 1; // the last point at or before the sample
        if (i < 0) return v[0];
        if (i == s.Length - 1 || !ramps[controlIndex]![i + 1]) return v[i];
        return v[i] + (v[i + 1] - v[i]) * (sample - s[i]) / (s[i + 1] - s[i]);
    }

    /// <summary>The first point sample of any lane strictly after <paramref name="sample"/>, or long.MaxValue.</summary>
    public long NextPointAfter(long sample)
    {
        long best = long.MaxValue;
        foreach (var s in samples)
        {
            if (s is null) continue;
            int i = UpperBound(s, sample);
            if (i < s.Length) best = Math.Min(best, s[i]);
        }
        return best;
    }

    // The index of the first point sample strictly after `sample` (binary search: a render asks once per piece,
    // so a long lane must not cost a walk from its start each time).
    private static int UpperBound(long[] s, long sample)
    {
        int lo = 0, hi = s.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (s[mid] <= sample) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
