namespace PercepNetFx.Dsp;

/// <summary>
/// One user control: what the plug-in, its editor, the CLI and the NAudio provider all show and
/// store for it. <see cref="Min"/>, <see cref="Max"/> and <see cref="Default"/> are in the
/// display unit (the plug-in's plain value, e.g. percent); every front end exchanges the
/// normalised value in [0, 1], which is also the <see cref="DenoiseSettings"/> value of the two
/// continuous controls (λ and a of docs/design.md §10) and of the CLI's options.
/// </summary>
/// <param name="Id">VST3 ParamID, stable forever: hosts store it in automation and projects.</param>
/// <param name="StepCount">0 = continuous; N = N + 1 discrete values, one <paramref name="Labels"/> entry each.</param>
/// <param name="Option">The CLI option (without "--"); null when the CLI has none.</param>
/// <param name="OptionHelp">The CLI help's description of <paramref name="Option"/>.</param>
public sealed record Control(
    uint Id, string Name, string ShortName, string Unit, double Min, double Max, double Default,
    int StepCount, string[]? Labels, bool IsBypass, string? Option, string OptionHelp)
{
    /// <summary>The default as a normalised value in [0, 1].</summary>
    public double DefaultNormalized => (Default - Min) / (Max - Min);

    /// <summary>A toggle or a two-way choice (comb, bypass, listen).</summary>
    public bool IsToggle => StepCount == 1;
}

/// <summary>
/// The control table: the four controls of docs/design.md §10 plus Listen, in the order that is
/// the plug-in's parameter index and the editor's control id. Every front end builds its
/// parameter list, defaults, value strings and option help from here.
/// </summary>
public static class Controls
{
    public const int StrengthIndex = 0, PostFilterIndex = 1, CombIndex = 2, BypassIndex = 3, ListenIndex = 4;
    public const int Count = 5;

    // Stable VST3 ParamIDs: never renumber (Listen came with state version 2's parameter set).
    public const uint StrengthId = 1, PostFilterId = 2, CombId = 3, BypassId = 4, ListenId = 5;

    // The defaults are those of DenoiseSettings, so the library API and every front end start alike.
    private static readonly DenoiseSettings Defaults = new();

    private static readonly string[] OffOn = ["Off", "On"];

    public static readonly IReadOnlyList<Control> All =
    [
        new(StrengthId, "Suppression strength", "Strength", "%", 0, 100, 100 * Defaults.Strength, 0, null, false,
            "strength", "suppression strength; 0 gives back the input exactly"),
        new(PostFilterId, "Post-filter amount", "Post-filter", "%", 0, 100, 100 * Defaults.PostFilterAmount, 0, null, false,
            "postfilter", "envelope post-filter amount"),
        new(CombId, "Comb filter", "Comb", "", 0, 1, Defaults.CombEnabled ? 1 : 0, 1, OffOn, false,
            "comb", "comb filter on voiced frames"),
        new(BypassId, "Bypass", "Bypass", "", 0, 1, 0, 1, OffOn, true, null, ""),
        new(ListenId, "Listen", "Listen", "", 0, 1, (int)Defaults.Listen, 1, ["Output", "Removed"], false,
            "listen", "write the denoised speech or what was removed"),
    ];

    public static Control Strength => All[StrengthIndex];
    public static Control PostFilter => All[PostFilterIndex];
    public static Control Comb => All[CombIndex];
    public static Control Bypass => All[BypassIndex];
    public static Control Listen => All[ListenIndex];
}
