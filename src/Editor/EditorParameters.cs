using PercepNetFx.Dsp;

namespace PercepNetFx.Editor;

/// <summary>
/// What the plug-in implements so that edits in the editor reach the host (VST3: the
/// IComponentHandler's beginEdit / performEdit / endEdit). Called on the UI thread.
/// Values are normalised to [0, 1] (toggles: 0 or 1).
/// </summary>
public interface IEditorHost
{
    void BeginEdit(int id);
    void PerformEdit(int id, double normalized);
    void EndEdit(int id);
}

/// <summary>
/// The editor's controls: those of the control table (<see cref="Controls"/>), whose indices are the
/// editor's ids; the plug-in maps them to its VST3 ParamIDs. A double-click resets a control to the
/// table's default, which is also the plug-in parameter's.
/// </summary>
public static class EditorParameters
{
    public const int Strength = Controls.StrengthIndex;
    public const int PostFilter = Controls.PostFilterIndex;
    public const int Comb = Controls.CombIndex;
    public const int Bypass = Controls.BypassIndex;
    /// <summary>Listen: 0 = Output, 1 = Removed (delayed input − output).</summary>
    public const int Listen = Controls.ListenIndex;
    public const int Count = Controls.Count;

    // The toggles' state words, upper-cased once so that drawing allocates nothing.
    private static readonly string[][] StateWords = Controls.All
        .Select(c => c.Labels?.Select(l => l.ToUpperInvariant()).ToArray() ?? []).ToArray();

    public static double Default(int id) => Controls.All[id].DefaultNormalized;

    public static bool IsToggle(int id) => Controls.All[id].IsToggle;

    public static string Name(int id) => Controls.All[id].Name;

    /// <summary>What a toggle shows for its state ("ON", "REMOVED", …).</summary>
    public static string StateWord(int id, bool on) => StateWords[id][on ? 1 : 0];
}
