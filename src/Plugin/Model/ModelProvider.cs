using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Plugin;

/// <summary>
/// Loads the network once per process, on the UI thread at the first Initialize (never in
/// process, spec §9.6), and shares the immutable weights between instances (each engine gets its
/// own recurrent state in its Denoiser).
/// Source, in order: the file named by the environment variable PERCEPNETFX_MODEL (a developer
/// and test override), else the embedded default model (ShippedModels.DefaultName). If neither
/// exists the plug-in still loads and runs with unity gains (transparent, exactly the delayed
/// input) and says so once on stderr, the only log line it ever writes.
/// </summary>
public static class ModelProvider
{
    public const string EnvironmentVariable = "PERCEPNETFX_MODEL";
    private static readonly object Gate = new();
    // Written once, under Gate, after model and description: a reader that sees it true sees both,
    // and takes no lock (the audio thread asks for the model through the engine's checks).
    private static volatile bool loaded;
    private static PercepNetModel? model;
    private static string description = "";

    public static PercepNetModel? Model { get { if (!loaded) EnsureLoaded(); return model; } }

    /// <summary>Human-readable source, e.g. "embedded percepnetfx-v1" or "none (unity gains)".</summary>
    public static string Description { get { if (!loaded) EnsureLoaded(); return description; } }

    public static void EnsureLoaded()
    {
        if (loaded) return;
        lock (Gate)
        {
            if (loaded) return;
            Load();
            loaded = true;
        }
    }

    private static void Load()
    {
        string? path = Environment.GetEnvironmentVariable(EnvironmentVariable);
        try
        {
            if (!string.IsNullOrEmpty(path))
            {
                using var file = File.OpenRead(path);
                model = PercepNetModel.Load(file);
                description = $"file {path}";
            }
            else if (ShippedModels.Names.Contains(ShippedModels.DefaultName))
            {
                model = ShippedModels.LoadDefault();
                Embedded[ShippedModels.DefaultName] = model; // one copy of the weights per process
                description = $"embedded {ShippedModels.DefaultName}";
            }
            else
            {
                description = "none (unity gains)";
                Console.Error.WriteLine($"PercepNetFx: no embedded model '{ShippedModels.DefaultName}'; running with unity gains (transparent).");
            }
        }
        catch (Exception e)
        {
            model = null;
            description = "none (unity gains)";
            Console.Error.WriteLine($"PercepNetFx: could not load the model ({e.Message}); running with unity gains (transparent).");
        }
    }

    private static readonly Dictionary<string, PercepNetModel?> Embedded = new(StringComparer.Ordinal);

    /// <summary>
    /// An embedded model by name, loaded once per process and shared (UI thread: setState);
    /// null when no model of that name is embedded or it cannot be read.
    /// </summary>
    public static PercepNetModel? LoadEmbedded(string name)
    {
        lock (Gate)
        {
            if (Embedded.TryGetValue(name, out var cached)) return cached;
            PercepNetModel? m = null;
            if (ShippedModels.Names.Contains(name))
            {
                try { m = ShippedModels.Load(name); } catch (Exception) { m = null; }
            }
            Embedded[name] = m;
            return m;
        }
    }
}
