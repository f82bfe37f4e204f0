namespace PercepNetFx.Audio;

/// <summary>
/// Planar float audio at full scale ±1.0: <c>Channels[c][n]</c> is sample <c>n</c> of channel <c>c</c>.
/// The arrays are used as given (no copy) so large files are not duplicated in memory.
/// </summary>
public sealed class AudioBuffer
{
    public int SampleRate { get; }
    public float[][] Channels { get; }
    public int ChannelCount => Channels.Length;
    /// <summary>Samples per channel.</summary>
    public int FrameCount { get; }

    public AudioBuffer(int sampleRate, float[][] channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (sampleRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "Sample rate must be positive.");
        if (channels.Length == 0)
            throw new ArgumentException("At least one channel is required.", nameof(channels));
        for (int c = 0; c < channels.Length; c++)
        {
            if (channels[c] is null)
                throw new ArgumentException($"Channel {c} is null.", nameof(channels));
            if (channels[c].Length != channels[0].Length)
                throw new ArgumentException(
                    $"Channel {c} has {channels[c].Length} samples but channel 0 has {channels[0].Length}.", nameof(channels));
        }
        SampleRate = sampleRate;
        Channels = channels;
        FrameCount = channels[0].Length;
    }
}
