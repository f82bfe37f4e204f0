namespace PercepNetFx.Tests.Shared;

internal static class Repo
{
    /// <summary>The repository root (the folder holding PercepNetFx.sln), found from the test binary.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "PercepNetFx.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    public static string PathOf(string relative) => Path.Combine(Root, relative);
}
