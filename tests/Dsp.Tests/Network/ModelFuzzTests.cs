using PercepNetFx.Dsp.Network;
using Xunit.Abstractions;

namespace PercepNetFx.Dsp.Tests.Network;

/// <summary>
/// 100 000 mutated model files (fixed seed) through the loader. Each either loads a
/// model that runs and gives finite outputs in [0, 1], or fails with <see cref="ModelFormatException"/>;
/// nothing else escapes and no input allocates far beyond its own size (a header claiming a huge
/// tensor must not be believed). PERCEPNETFX_FUZZ=N for a longer run.
/// </summary>
public class ModelFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void MutatedModelsLoadAndRunOrFailWithModelFormatException()
    {
        byte[] valid = Golden.ModelBytes;
        int headerEnd = 8 + (int)BitConverter.ToInt64(valid, 0);
        int iterations = Fuzz.Iterations(100_000), seed = Fuzz.Seed(6002);
        var rng = new Random(seed);
        var features = new float[Constants.FeatureCount];
        var gains = new float[Constants.BandCount];
        var strengths = new float[Constants.BandCount];
        int loaded = 0, rejected = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = Fuzz.Mutate(valid, rng, hot: headerEnd);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var model = PercepNetModel.Load(input);
                loaded++;
                if (loaded % 64 == 1)
                {
                    // A model that loads must also run: outputs finite and in [0, 1] even with flipped weights.
                    var runner = new NetworkRunner(model);
                    for (int k = 0; k < features.Length; k++) features[k] = (float)(rng.NextDouble() * 4 - 2);
                    runner.Step(features, gains, strengths);
                    Assert.All(gains, g => Assert.InRange(g, 0f, 1f));
                    Assert.All(strengths, r => Assert.InRange(r, 0f, 1f));
                }
            }
            catch (ModelFormatException)
            {
                rejected++;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 16L * input.Length + (1 << 20), $"input {i} ({input.Length} bytes) allocated {allocated} bytes");
        }
        output.WriteLine($"seed {seed}: {iterations} inputs, {loaded} loaded, {rejected} rejected");
        Assert.True(loaded > 0 && rejected > iterations / 2);
    }
}
