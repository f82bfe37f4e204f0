namespace PercepNetFx.Audio;

/// <summary>One channel from a file's channels, for whatever is measured or analysed in mono.</summary>
public static class Downmix
{
    /// <summary>Mid signal (L + R)/2 for stereo, the channel itself for mono.</summary>
    public static float[] Mid(float[][] channels)
    {
        if (channels.Length == 1) return channels[0];
        var mid = new float[channels[0].Length];
        for (int c = 0; c < channels.Length; c++)
            for (int n = 0; n < mid.Length; n++) mid[n] += channels[c][n] / channels.Length;
        return mid;
    }
}
