namespace PercepNetFx.Editor;

/// <summary>The editor's colours (0xAARRGGBB), public so that tests can predict pixels.</summary>
public static class Palette
{
    public const uint Background = 0xFF14171Cu;
    public const uint Panel = 0xFF1D2229u;
    public const uint PlotBackground = 0xFF101317u;
    public const uint Grid = 0xFF2C333Du;
    public const uint Text = 0xFFD8DEE6u;
    public const uint DimText = 0xFF8A94A3u;
    public const uint Reduction = 0xFFFF8A3Du;
    public const uint PeakHold = 0xFFFFE08Au;
    public const uint Comb = 0xFF3DD6D0u;
    public const uint Pitch = 0xFF7CC4FFu;
    public const uint Level = 0xFF4CD97Bu;
    public const uint LevelHot = 0xFFFF4D4Du;
    public const uint Track = 0xFF333B46u;
    public const uint Accent = 0xFF5AA9FFu;
    public const uint ToggleOn = 0xFF2F7D57u;
    public const uint ToggleBypassOn = 0xFFB8562Eu;
    public const uint ToggleOff = 0xFF2A3039u;
}
