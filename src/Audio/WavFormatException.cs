namespace PercepNetFx.Audio;

/// <summary>
/// A WAV file could not be read. The message is always one line of the form
/// <c>"{path}: {problem}"</c> so a CLI can print it as-is.
/// </summary>
public sealed class WavFormatException : Exception
{
    /// <summary>The path (or stream name) the caller gave.</summary>
    public string FileName { get; }
    /// <summary>The problem without the file name.</summary>
    public string Problem { get; }

    public WavFormatException(string fileName, string problem, Exception? innerException = null)
        : base($"{fileName}: {OneLine(problem)}", innerException)
    {
        FileName = fileName;
        Problem = OneLine(problem);
    }

    // Wrapped OS messages may carry line breaks; the one-line contract matters more than their layout.
    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
