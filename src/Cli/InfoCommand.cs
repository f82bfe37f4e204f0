using PercepNetFx.Audio;

namespace PercepNetFx.Cli;

/// <summary>`percepnetfx info`: the format of an audio file.</summary>
public static partial class Commands
{
    public static int Info(ParsedArgs a)
    {
        a.NoOthers();
        if (a.Positional.Count != 1) throw new UsageException("info takes one audio file");
        var (container, info) = AudioFiles.ReadInfo(a.Positional[0]);
        string inContainer = container == "WAV" ? "" : ", " + container;
        Console.Out.WriteLine(string.Create(Inv, $"{a.Positional[0]}: {info.Format} ({info.BitsPerSample}-bit{(info.IsExtensible ? ", extensible" : "")}{inContainer}), {info.SampleRate} Hz, {info.ChannelCount} channel(s), {info.FrameCount} frames, {info.DurationSeconds:F3} s"));
        return 0;
    }
}
