namespace PercepNetFx.Audio;

/// <summary>
/// A file written under a temporary name in its destination folder and renamed into place only by
/// <see cref="Commit"/>: readers never see a partial file, and a failed or abandoned write (disposed
/// without a commit) leaves no temporary file and an existing destination untouched.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string destination;
    private readonly string temp;
    private FileStream? stream;
    private bool committed;

    /// <summary>Checks the destination (see <see cref="CheckDestination"/>) and creates the temporary file.</summary>
    public AtomicFile(string path)
    {
        destination = CheckDestination(path);
        // Same folder as the destination so the final rename never crosses file systems.
        temp = Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
        stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    /// <summary>The temporary file, positioned at its start.</summary>
    public Stream Stream => stream ?? throw new ObjectDisposedException(nameof(AtomicFile));

    /// <summary>
    /// The full path of <paramref name="path"/> if a file can be created there; otherwise an
    /// <see cref="IOException"/> whose one-line message names the path as given and the reason (a missing
    /// folder, or a folder in the file's place), so no caller ever reports a temporary name instead.
    /// </summary>
    public static string CheckDestination(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"{path}: is a folder; give a file name");
        string folder = Path.GetDirectoryName(full) ?? throw new IOException($"{path}: not a file path");
        if (!Directory.Exists(folder))
        {
            string given = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : folder;
            throw new DirectoryNotFoundException($"{path}: folder {given} does not exist");
        }
        return full;
    }

    /// <summary>
    /// Writes several files as a unit: <paramref name="write"/> writes file i to the temporary name it is
    /// given, and the files are renamed into place only when all were written, so a failure leaves none
    /// of them, neither temporaries nor files of the set already renamed.
    /// </summary>
    public static void WriteSet(IReadOnlyList<string> paths, Action<string, int> write)
    {
        string tag = $".{Guid.NewGuid():N}.part";
        int moved = 0;
        try
        {
            for (int i = 0; i < paths.Count; i++) write(paths[i] + tag, i);
            for (; moved < paths.Count; moved++) File.Move(paths[moved] + tag, paths[moved], overwrite: true);
        }
        catch
        {
            for (int i = 0; i < paths.Count; i++)
            {
                try { File.Delete(i < moved ? paths[i] : paths[i] + tag); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            throw;
        }
    }

    /// <summary>Flushes the data to disk and renames the temporary file over the destination.</summary>
    public void Commit()
    {
        var s = stream ?? throw new ObjectDisposedException(nameof(AtomicFile));
        s.Flush(flushToDisk: true);
        s.Dispose();
        stream = null;
        try
        {
            File.Move(temp, destination, overwrite: true);
            committed = true;
        }
        finally
        {
            if (!committed) DeleteTemp();
        }
    }

    public void Dispose()
    {
        if (committed) return;
        stream?.Dispose();
        stream = null;
        DeleteTemp();
    }

    private void DeleteTemp()
    {
        try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
