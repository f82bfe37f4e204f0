using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;
using Xunit.Abstractions;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// Many instances at once and many instances over time. Sixteen instances on sixteen
/// threads in one process give each exactly the output of a lone instance (no shared mutable state:
/// the model is immutable and shared, everything else is per instance). Creating and destroying
/// 1 000 instances, managed and through the NativeAOT .so's vtables, leaks neither memory nor file
/// descriptors. The class runs alone: other test classes open pipes, X connections and files in
/// the same process, which would move the descriptor and heap counts it compares.
/// </summary>
[CollectionDefinition(nameof(LoadTests), DisableParallelization = true)]
[Collection(nameof(LoadTests))]
public unsafe class LoadTests(ITestOutputHelper output)
{
    private const int Rate = 48000;

    private static float[] Render(PercepNetModel model, float[] input, int seed)
    {
        var p = new PercepNetFxPlugin(model);
        p.Initialize();
        Assert.True(p.SetChannels(1));
        p.SetupProcessing(Rate, 1024);
        p.Start();
        var y = new float[input.Length];
        var rng = new Random(seed);
        for (int pos = 0; pos < input.Length;)
        {
            int n = Math.Min(input.Length - pos, 1 + rng.Next(1024));
            p.Changes.Clear();
            p.Changes.Add(Controls.StrengthIndex, n - 1, 0.5 + 0.5 * Math.Sin(pos / 20000.0));
            p.Process(new AudioBlock(input.AsSpan(pos, n), default, y.AsSpan(pos, n), default, 1), p.Changes);
            pos += n;
        }
        return y;
    }

    [Fact]
    public void SixteenConcurrentInstancesEachMatchALoneInstance()
    {
        var model = ShippedModels.LoadDefault();
        float[] input = TestData.Voice(5 * Rate, Rate, seed: 3, noise: 0.1f);
        float[] alone = Render(model, input, seed: 7);
        var results = new float[16][];
        using var start = new Barrier(16);
        var threads = Enumerable.Range(0, 16).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            results[i] = Render(model, input, seed: 7);
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        for (int i = 0; i < 16; i++) Assert.Equal(alone, results[i]);
    }

    private static long RssKb()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        throw new InvalidOperationException("no VmRSS");
    }

    private static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;

    [Fact]
    public void AThousandManagedInstancesComeAndGoWithoutGrowth()
    {
        var model = ShippedModels.LoadDefault();
        var block = new float[480];
        var outBlock = new float[480];
        long heapAfterWarmUp = 0;
        for (int i = 0; i < 1000; i++)
        {
            var p = new PercepNetFxPlugin(model);
            p.Initialize();
            p.SetChannels(2);
            p.SetupProcessing(i % 2 == 0 ? 48000 : 44100, 512);
            p.Start();
            p.Process(new AudioBlock(block, block, outBlock, outBlock, 2), p.Changes);
            p.Stop();
            if (i == 99) heapAfterWarmUp = GC.GetTotalMemory(forceFullCollection: true);
        }
        long heapAtEnd = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed heap after 100 instances {heapAfterWarmUp / 1024} KB, after 1000 {heapAtEnd / 1024} KB");
        // Other test classes run concurrently and share the heap; an instance holds > 0.5 MB of
        // engine buffers, so leaking them would add > 450 MB over 900 instances.
        Assert.True(heapAtEnd - heapAfterWarmUp < 64 << 20, $"heap grew by {(heapAtEnd - heapAfterWarmUp) / 1024} KB over 900 instances");
    }

    [Fact]
    public void AThousandNativeInstancesComeAndGoWithoutLeakingMemoryOrDescriptors()
    {
        var input = new[] { TestData.Voice(960, Rate, seed: 1), TestData.Voice(960, Rate, seed: 2) };
        long rssWarm = 0;
        int fdsWarm = 0;
        for (int i = 0; i < 1000; i++)
        {
            using (var p = new PluginInstance())
            {
                p.Activate(2, i % 3 == 0 ? 96000 : 48000, 960);
                p.Process(input, 960, inPlace: false);
            }
            if (i == 199) { GC.Collect(); rssWarm = RssKb(); fdsWarm = OpenFds(); }
        }
        GC.Collect();
        long rssEnd = RssKb();
        int fdsEnd = OpenFds();
        output.WriteLine($"RSS after 200 instances {rssWarm} KB, after 1000 {rssEnd} KB; fds {fdsWarm} → {fdsEnd}");
        // One instance holds ~0.5 MB of engine buffers: a leak per instance would add ~400 MB over 800.
        Assert.True(rssEnd - rssWarm < 48 * 1024, $"RSS grew by {(rssEnd - rssWarm) / 1024} MB over 800 instances");
        Assert.Equal(fdsWarm, fdsEnd);
    }
}
