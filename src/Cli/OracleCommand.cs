using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Offline;

namespace PercepNetFx.Cli;

/// <summary>`percepnetfx oracle`: a noisy file rendered with gains from its clean reference.</summary>
public static partial class Commands
{
    public static int Oracle(ParsedArgs a)
    {
        a.NoOthers("clean", "noisy", "mode", "force");
        if (a.Positional.Count != 1) throw a.WrongPositionals("oracle needs one output path");
        WavOutputName(a.Positional[0]);
        string mode = a.Required("mode");
        OracleMode oracleMode = mode switch
        {
            "stft" => OracleMode.Stft,
            "bands" => OracleMode.Bands,
            "bands+comb" => OracleMode.BandsComb,
            "bands+comb+postfilter" => OracleMode.BandsCombPostFilter,
            _ => throw new UsageException($"--mode must be stft, bands, bands+comb or bands+comb+postfilter, got '{mode}'"),
        };
        string cleanPath = a.Required("clean"), noisyPath = a.Required("noisy");
        CheckOutput(a.Positional[0], a.Switch("force", false), cleanPath, noisyPath);
        var clean = AudioFiles.Read(cleanPath);
        var noisy = AudioFiles.Read(noisyPath);
        if (noisy.ChannelCount > 2) throw new UsageException($"{noisyPath}: {noisy.ChannelCount} channels; only mono and stereo are supported");
        if (clean.SampleRate != noisy.SampleRate) throw new UsageException($"sample rates differ: {cleanPath} {clean.SampleRate} Hz, {noisyPath} {noisy.SampleRate} Hz");
        if (clean.FrameCount != noisy.FrameCount) throw new UsageException($"lengths differ: {cleanPath} {clean.FrameCount} frames, {noisyPath} {noisy.FrameCount} frames");

        float[][] output = Progress.Run($"oracle {mode}", noisy.FrameCount / (double)noisy.SampleRate, report =>
            OracleRender.Render(noisy.Channels, Downmix.Mid(clean.Channels), noisy.SampleRate, oracleMode, report));
        WavWriter.Write(a.Positional[0], new AudioBuffer(noisy.SampleRate, output), WavSampleFormat.Float32);
        return 0;
    }
}
