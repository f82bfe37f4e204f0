namespace PercepNetFx.Cli;

/// <summary>Whether two paths name the same file, so that an output never silently replaces an input.</summary>
public static class FilePaths
{
    /// <summary>
    /// True when both paths lead to the same file: compared after making them absolute and following symbolic
    /// links in every component (a link to the input, or a path through a linked folder, is the input too).
    /// Hard links are not detected (.NET exposes no file identity); the atomic write keeps them harmless anyway:
    /// the new file replaces the name, and the other name keeps the old data.
    /// </summary>
    public static bool Same(string a, string b) =>
        string.Equals(Resolve(a), Resolve(b), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full) ?? "";
        string current = root;
        // A bound on the links followed, so that a link cycle ends with the path as it stands.
        int links = 0;
        var rest = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        while (rest.Count > 0)
        {
            string next = Path.Combine(current, rest.Dequeue());
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target && links++ < 64)
            {
                // The link's target replaces it; its components are resolved in turn.
                string resolved = Path.GetFullPath(target, current);
                string resolvedRoot = Path.GetPathRoot(resolved) ?? "";
                var remaining = rest.ToArray();
                rest = new Queue<string>(resolved[resolvedRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(remaining));
                current = resolvedRoot;
                continue;
            }
            current = next;
        }
        return current;
    }
}
