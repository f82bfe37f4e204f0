using System.Numerics;

namespace PercepNetFx.Offline.Metrics;

/// <summary>The mean removal that SI-SDR and STOI's correlation both start with.</summary>
internal static class Means
{
    /// <summary>The means of two equal-length series, summed in double in one pass from the first element.</summary>
    public static (double X, double Y) Of<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : INumberBase<T>
    {
        int n = x.Length;
        double xMean = 0, yMean = 0;
        for (int i = 0; i < n; i++)
        {
            xMean += double.CreateChecked(x[i]);
            yMean += double.CreateChecked(y[i]);
        }
        return (xMean / n, yMean / n);
    }
}
