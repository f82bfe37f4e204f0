namespace PercepNetFx.Audio;

/// <summary>Sample encoding of a WAV file's data chunk.</summary>
public enum WavSampleFormat
{
    Pcm16,
    Pcm24,
    Pcm32,
    Float32,
    Float64,
    /// <summary>8-bit unsigned PCM (offset 128). Appended last so the other values stay stable.</summary>
    Pcm8,
}

/// <summary>Header facts of a WAV file, as returned by <see cref="WavReader.ReadInfo(string)"/>.</summary>
/// <param name="Format">Container format of each sample.</param>
/// <param name="BitsPerSample">Meaningful bits per sample: the EXTENSIBLE valid-bits field when present
/// (e.g. 20 for 20-in-24), otherwise the header's bits per sample.</param>
/// <param name="FrameCount">Whole frames (samples per channel) in the data chunk.</param>
/// <param name="ChannelMask">EXTENSIBLE speaker mask; 0 for plain headers or unassigned speakers.</param>
public sealed record WavInfo(
    int SampleRate,
    int ChannelCount,
    WavSampleFormat Format,
    int BitsPerSample,
    long FrameCount,
    uint ChannelMask,
    bool IsExtensible)
{
    public double DurationSeconds => (double)FrameCount / SampleRate;
}
