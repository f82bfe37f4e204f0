using System.Diagnostics;
using System.Reflection;
using Xunit.Abstractions;

namespace PercepNetFx.Audio.Tests;

[CollectionDefinition(nameof(PerformanceTests), DisableParallelization = true)]
public sealed class PerformanceCollection;

/// <summary>Runs alone (no parallel tests) so the timing measures the reader, not the machine's load.</summary>
[Collection(nameof(PerformanceTests))]
public sealed class PerformanceTests(ITestOutputHelper output)
{
    private static bool LibraryIsOptimised =>
        typeof(WavReader).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;

    [Theory]
    [InlineData(WavSampleFormat.Pcm16)]
    [InlineData(WavSampleFormat.Pcm24)]
    [InlineData(WavSampleFormat.Float32)]
    public void TenMinuteStereo48kFileIsReadInUnderOneSecond(WavSampleFormat format)
    {
        const int frames = 48000 * 600;
        float[][] x = [new float[frames], new float[frames]];
        for (int n = 0; n < frames; n++)
        {
            x[0][n] = (float)Math.Sin(n * 0.01);
            x[1][n] = -x[0][n] * 0.5f;
        }
        var file = new MemoryStream();
        WavWriter.Write(file, new AudioBuffer(48000, x), format);
        byte[] bytes = file.ToArray();

        // Timed from memory so the number is the reader's (parsing, allocation, decoding), not the disk's:
        // on a shared 2-core VM a page-cache read right after a large write can stall for seconds.
        // It is the first read in the process, JIT included, as a CLI would pay.
        var sw = Stopwatch.StartNew();
        AudioBuffer a = WavReader.Read(new MemoryStream(bytes, writable: false), "long.wav");
        double seconds = sw.Elapsed.TotalSeconds;
        output.WriteLine($"read {format} ({bytes.Length >> 20} MiB): {seconds * 1000:F0} ms");
        Assert.Equal(frames, a.FrameCount);
        Assert.Equal(x[1][12345], a.Channels[1][12345], 1e-4f);
        // Debug builds of the library run unoptimised JIT code (several times slower), so the 1 s budget applies
        // to optimised builds (`dotnet test -c Release`); Debug only guards against gross regressions.
        double budget = LibraryIsOptimised ? 1.0 : 5.0;
        Assert.True(seconds < budget, $"reading took {seconds:F2} s (budget {budget} s)");
    }
}
