using System.Reflection;

namespace PercepNetFx.Dsp.Network;

/// <summary>
/// The models embedded in this assembly (models/*.safetensors, see models/README.md). Each is
/// an embedded resource named "PercepNetFx.Models.NAME.safetensors"; NAME is also the "name"
/// in the file's metadata. Embedding is not I/O: the bytes are part of the assembly, so the CLI
/// and the plug-in carry the same weights and need no file beside them.
/// </summary>
public static class ShippedModels
{
    /// <summary>The model the CLI and the plug-in use unless told otherwise.</summary>
    public const string DefaultName = "percepnetfx-v3.1";

    private const string Prefix = "PercepNetFx.Models.";
    private const string Suffix = ".safetensors";

    /// <summary>Names of every embedded model, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = ListNames();

    public static PercepNetModel LoadDefault() => Load(DefaultName);

    /// <summary>Loads an embedded model by name; throws <see cref="ModelFormatException"/> naming the known ones if absent.</summary>
    public static PercepNetModel Load(string name)
    {
        using var stream = typeof(ShippedModels).Assembly.GetManifestResourceStream(Prefix + name + Suffix)
            ?? throw new ModelFormatException($"no embedded model named '{name}' (embedded: {string.Join(", ", Names)})");
        return PercepNetModel.Load(stream);
    }

    private static string[] ListNames()
    {
        Assembly asm = typeof(ShippedModels).Assembly;
        var names = new List<string>();
        foreach (string r in asm.GetManifestResourceNames())
            if (r.StartsWith(Prefix, StringComparison.Ordinal) && r.EndsWith(Suffix, StringComparison.Ordinal))
                names.Add(r[Prefix.Length..^Suffix.Length]);
        names.Sort(StringComparer.Ordinal);
        return names.ToArray();
    }
}
