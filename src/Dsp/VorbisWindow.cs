namespace PercepNetFx.Dsp;

/// <summary>
/// Vorbis power-complementary window of length 960 (spec §2.1):
/// w(n) = sin((π/2)·sin²(π(n + 0.5)/960)), with w(n)² + w(n + 480)² = 1.
/// </summary>
public static class VorbisWindow
{
    public static readonly float[] Values = Build();

    private static float[] Build()
    {
        var w = new float[Constants.WindowSize];
        for (int n = 0; n < Constants.HopSize; n++)
        {
            double s = Math.Sin(Math.PI * (n + 0.5) / Constants.WindowSize);
            float v = (float)Math.Sin(0.5 * Math.PI * s * s);
            w[n] = v;
            w[Constants.WindowSize - 1 - n] = v;
        }
        return w;
    }
}
