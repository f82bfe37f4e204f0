namespace PercepNetFx.Tests.Shared;

/// <summary>A scratch folder deleted with the test class instance.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pnfx-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>File names in the folder, sorted (hidden temporaries included).</summary>
    public string[] Names() => Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
