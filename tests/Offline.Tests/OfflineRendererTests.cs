using PercepNetFx.Dsp;
using PercepNetFx.Offline;

namespace PercepNetFx.Offline.Tests;

/// <summary>The latency-compensated render (§9.2) keeps every sample, whatever the length, held in arrays or streamed.</summary>
public class OfflineRendererTests
{
    [Theory]
    [InlineData(48000, 1, 1)]
    [InlineData(48000, 1, 479)]
    [InlineData(48000, 2, 480)]
    [InlineData(48000, 1, 12345)]
    [InlineData(44100, 1, 12345)]
    [InlineData(96000, 2, 7777)]
    public void UnityGainsReturnEveryInputSampleAlignedIncludingTheLastPartialHop(int rate, int channels, int length)
    {
        var rng = new Random(length);
        var input = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            input[c] = new float[length];
            // Band-limited content (below 18 kHz at every rate) so the resamplers pass it unchanged.
            for (int n = 0; n < length; n++)
            {
                // A 2 ms raised-cosine fade at both ends keeps the start and stop inside the band too.
                float edge = Math.Min(1f, Math.Min(n, length - 1 - n) / (0.002f * rate));
                float fade = 0.5f - 0.5f * MathF.Cos(MathF.PI * edge);
                input[c][n] = fade * (0.3f * MathF.Sin(2 * MathF.PI * 997f * n / rate + c) + 0.2f * MathF.Sin(2 * MathF.PI * 4111f * n / rate));
            }
        }
        var output = OfflineRenderer.Render(input, rate);
        float tolerance = rate == Constants.SampleRate ? 1e-5f : 1e-4f; // the resamplers' pass-band ripple at other rates
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(length, output[c].Length);
            for (int n = 0; n < length; n++)
                Assert.True(Math.Abs(output[c][n] - input[c][n]) < tolerance, $"sample {n} of {length}: {output[c][n]} vs {input[c][n]}");
        }
    }

    [Theory]
    [InlineData(48000, 2, 100_003)]
    [InlineData(44100, 1, 54_321)]
    [InlineData(48000, 1, 0)]
    public void StreamedUnityGainsReadEachInputSampleOnceAndWriteItBackAlignedInOrder(int rate, int channels, int length)
    {
        // A band-limited signal generated on demand, so nothing but the blocks in flight is held.
        static float Sample(long n, int c, int rate) => 0.3f * MathF.Sin(2 * MathF.PI * 997f * n / rate + c) * MathF.Min(1f, n / (0.002f * rate));
        long read = 0, written = 0;
        float tolerance = rate == Constants.SampleRate ? 1e-5f : 1e-4f;
        OfflineRenderer.Render(length, channels, rate,
            (block, n) =>
            {
                Assert.InRange(n, 1, OfflineRenderer.BlockSize);
                for (int c = 0; c < channels; c++)
                    for (int i = 0; i < n; i++) block[c][i] = Sample(read + i, c, rate);
                read += n;
            },
            (block, offset, n) =>
            {
                for (int c = 0; c < channels; c++)
                    for (int i = 0; i < n; i++)
                    {
                        long at = written + i;
                        // The last 2 ms are left out: the signal does not fade out, so the resamplers ring there.
                        if (at < length - rate / 500)
                            Assert.True(Math.Abs(block[c][offset + i] - Sample(at, c, rate)) < tolerance, $"sample {at}: {block[c][offset + i]}");
                    }
                written += n;
            });
        Assert.Equal(length, read);
        Assert.Equal(length, written);
    }
}
