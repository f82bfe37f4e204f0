using Xunit.Abstractions;

namespace PercepNetFx.Audio.Tests;

/// <summary>
/// 100 000 mutated WAV files (fixed seed) through the reader. Every input either parses
/// to a consistent buffer or fails with <see cref="WavFormatException"/> naming the file; nothing else
/// is thrown, and no input allocates more than a bound tied to its own size (a header that claims
/// 4 GiB of data must not make the reader allocate 4 GiB). PERCEPNETFX_FUZZ=N for a longer run.
/// </summary>
public class WavFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void SeedFilesParse()
    {
        foreach (byte[] seed in WavBytes.FuzzSeeds()) Assert.True(WavReader.Read(new MemoryStream(seed), "seed.wav").FrameCount > 0);
    }

    [Fact]
    public void MutatedFilesParseConsistentlyOrFailWithWavFormatException()
    {
        int iterations = Fuzz.Iterations(100_000), seed = Fuzz.Seed(6001);
        var rng = new Random(seed);
        byte[][] seeds = WavBytes.FuzzSeeds();
        int parsed = 0, rejected = 0;
        long worstExcess = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = Fuzz.Mutate(seeds[i % seeds.Length], rng, hot: 60);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var audio = WavReader.Read(new MemoryStream(input, writable: false), "fuzz.wav");
                Assert.InRange(audio.ChannelCount, 1, 65535);
                Assert.All(audio.Channels, c => Assert.Equal(audio.FrameCount, c.Length));
                Assert.True(audio.SampleRate > 0);
                parsed++;
            }
            catch (WavFormatException e)
            {
                Assert.Contains("fuzz.wav", e.Message);
                rejected++;
            }
            // Decoded floats take at most 8 bytes per input byte (8-bit PCM → float), plus fixed overhead.
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            worstExcess = Math.Max(worstExcess, allocated - 8L * input.Length);
            Assert.True(allocated < 8L * input.Length + (1 << 20), $"input {i} ({input.Length} bytes) allocated {allocated} bytes");
        }
        output.WriteLine($"seed {seed}: {iterations} inputs, {parsed} parsed, {rejected} rejected, worst allocation beyond 8 B/byte: {worstExcess} B");
        Assert.True(parsed > iterations / 50 && rejected > iterations / 50, "the mutations should exercise both outcomes");
    }
}
