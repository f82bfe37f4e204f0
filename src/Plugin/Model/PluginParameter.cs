using System.Globalization;

namespace PercepNetFx.Plugin;

/// <summary>
/// One automatable parameter of the plain plug-in model (shape after AudioPlugSharp's
/// AudioPluginParameter, docs/vst3.md §14, with the numeric stable ID VST3 needs). Values cross
/// every interface normalised to [0, 1] (docs/vst3.md §7); the plain value is what the user sees.
/// The current value is a 64-bit double written with Volatile so the UI thread (setState) and
/// the audio thread (process) never see a torn value (docs/vst3.md §6, threading rules).
/// </summary>
public sealed class PluginParameter
{
    private long bits;

    public PluginParameter(uint id, string name, string shortName, string units, double minValue, double maxValue,
        double defaultPlain, int stepCount = 0, string[]? labels = null, bool isBypass = false)
    {
        if (id > 0x7FFFFFFF) throw new ArgumentOutOfRangeException(nameof(id), "VST3 parameter IDs are 0 … 0x7FFFFFFF");
        if (labels is not null && labels.Length != stepCount + 1) throw new ArgumentException("one label per step");
        Id = id; Name = name; ShortName = shortName; Units = units;
        MinValue = minValue; MaxValue = maxValue; StepCount = stepCount; Labels = labels; IsBypass = isBypass;
        DefaultNormalized = ToNormalized(defaultPlain);
        Normalized = DefaultNormalized;
    }

    /// <summary>Stable forever: hosts store it in automation and projects (docs/vst3.md §7).</summary>
    public uint Id { get; }
    public string Name { get; }
    public string ShortName { get; }
    public string Units { get; }
    public double MinValue { get; }
    public double MaxValue { get; }
    /// <summary>0 = continuous; N = N + 1 discrete values (1 = toggle).</summary>
    public int StepCount { get; }
    public string[]? Labels { get; }
    public bool IsBypass { get; }
    public double DefaultNormalized { get; }

    /// <summary>Current normalised value, clamped to [0, 1]; NaN is ignored (keeps the old value).</summary>
    public double Normalized
    {
        get => BitConverter.Int64BitsToDouble(Volatile.Read(ref bits));
        set { if (!double.IsNaN(value)) Volatile.Write(ref bits, BitConverter.DoubleToInt64Bits(Math.Clamp(value, 0.0, 1.0))); }
    }

    public double Plain => ToPlain(Normalized);
    public bool IsOn => Normalized >= 0.5;

    /// <summary>Normalised → plain; discrete: plain = min(N, ⌊n·(N+1)⌋) (docs/vst3.md §7).</summary>
    public double ToPlain(double normalized)
    {
        normalized = double.IsNaN(normalized) ? DefaultNormalized : Math.Clamp(normalized, 0.0, 1.0);
        if (StepCount > 0) return MinValue + Math.Min(StepCount, (int)(normalized * (StepCount + 1)));
        return MinValue + normalized * (MaxValue - MinValue);
    }

    public double ToNormalized(double plain)
    {
        if (double.IsNaN(plain)) return DefaultNormalized;
        double span = MaxValue - MinValue;
        double n = span == 0 ? 0 : (Math.Clamp(plain, MinValue, MaxValue) - MinValue) / span;
        if (StepCount > 0) n = Math.Round(n * StepCount) / StepCount;
        return n;
    }

    /// <summary>Display string of a normalised value: the label for discrete values, one decimal otherwise.</summary>
    public string Format(double normalized)
    {
        double plain = ToPlain(normalized);
        if (Labels is not null) return Labels[(int)(plain - MinValue)];
        return plain.ToString("0.0", CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a display string (label, or number with or without the unit); false if it cannot.</summary>
    public bool TryParse(string text, out double normalized)
    {
        normalized = 0;
        text = text.Trim();
        if (Labels is not null)
        {
            for (int i = 0; i < Labels.Length; i++)
                if (string.Equals(Labels[i], text, StringComparison.OrdinalIgnoreCase)) { normalized = ToNormalized(MinValue + i); return true; }
        }
        if (Units.Length > 0 && text.EndsWith(Units, StringComparison.OrdinalIgnoreCase)) text = text[..^Units.Length].TrimEnd();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double plain) || !double.IsFinite(plain)) return false;
        normalized = ToNormalized(plain);
        return true;
    }
}
