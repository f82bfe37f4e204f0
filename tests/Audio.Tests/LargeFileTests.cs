namespace PercepNetFx.Audio.Tests;

/// <summary>
/// A 10-minute stereo 48 kHz file (the length of a long podcast segment) in every sample format the
/// writer produces. The reader decodes it block by block: the only large allocations are the output
/// channels themselves, so a long file never needs a second whole-file copy in memory. Its speed is
/// measured by the benchmark suite (bench/PercepNetFx.Bench, class WavIo), not here.
/// </summary>
public sealed class LargeFileTests
{
    private const int Frames = 48000 * 600;

    [Theory]
    [InlineData(WavSampleFormat.Pcm16)]
    [InlineData(WavSampleFormat.Pcm24)]
    [InlineData(WavSampleFormat.Float32)]
    public void TenMinuteStereoFileDecodesExactlyAllocatingLittleBeyondItsSamples(WavSampleFormat format)
    {
        float[][] x = [new float[Frames], new float[Frames]];
        for (int n = 0; n < Frames; n++)
        {
            x[0][n] = (float)Math.Sin(n * 0.01);
            x[1][n] = -x[0][n] * 0.5f;
        }
        var file = new MemoryStream();
        WavWriter.Write(file, new AudioBuffer(48000, x), format);
        byte[] bytes = file.ToArray();
        var input = new MemoryStream(bytes, writable: false);
        WavReader.ReadInfo(new MemoryStream(bytes, writable: false), "warm.wav"); // type loading outside the count

        long before = GC.GetAllocatedBytesForCurrentThread();
        AudioBuffer a = WavReader.Read(input, "long.wav");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The samples, plus the reader's 1 MiB decode block and small change; a whole-file copy of even
        // the smallest (16-bit) encoding would add 110 MiB.
        long samples = 2L * Frames * sizeof(float);
        Assert.True(allocated <= samples + (2 << 20),
            $"reading allocated {allocated / 1048576.0:F1} MiB for {samples / 1048576.0:F1} MiB of samples");
        Assert.Equal(Frames, a.FrameCount);
        // Quantisation bound of the format: half a step of 16/24-bit PCM, exact for float.
        float tolerance = format switch { WavSampleFormat.Pcm16 => 1f / 32768, WavSampleFormat.Pcm24 => 1f / 8388608, _ => 0f };
        for (int n = 0; n < Frames; n += 997)
        {
            Assert.InRange(a.Channels[0][n] - x[0][n], -tolerance, tolerance);
            Assert.InRange(a.Channels[1][n] - x[1][n], -tolerance, tolerance);
        }
    }
}
