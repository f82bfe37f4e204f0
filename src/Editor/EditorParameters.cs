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
/// The editor's controls (spec §10 plus Listen). The ids are the editor's own indices; the plug-in maps
/// them to its VST3 ParamIDs. Defaults are those of <see cref="PercepNetFx.Dsp.DenoiseSettings"/> (strength 1,
/// post-filter <see cref="PercepNetFx.Dsp.DenoiseSettings.DefaultPostFilterAmount"/>, comb on), bypass off and
/// listen to the output, so a double-click resets a control to the plug-in's own default.
/// </summary>
public static class EditorParameters
{
    public const int Strength = 0;
    public const int PostFilter = 1;
    public const int Comb = 2;
    public const int Bypass = 3;
    /// <summary>Listen: 0 = Output, 1 = Removed (delayed input − output).</summary>
    public const int Listen = 4;
    public const int Count = 5;

    public static double Default(int id) => id switch
    {
        Strength => 1.0,
        PostFilter => PercepNetFx.Dsp.DenoiseSettings.DefaultPostFilterAmount,
        Comb => 1.0,
        Bypass => 0.0,
        Listen => 0.0,
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    public static bool IsToggle(int id) => id is Comb or Bypass or Listen;

    public static string Name(int id) => id switch
    {
        Strength => "Suppression strength",
        PostFilter => "Post-filter amount",
        Comb => "Comb filter",
        Bypass => "Bypass",
        Listen => "Listen",
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };
}
