using PercepNetFx.Dsp;

namespace PercepNetFx.Tests.Shared;

/// <summary>What a <see cref="StreamingEngine"/> allocates on the audio thread once it is warm.</summary>
internal static class EngineAllocation
{
    /// <summary>Bytes allocated over <paramref name="calls"/> stereo calls of random block sizes (0 to 4095
    /// frames of noise), counted after a time-based warm-up of <paramref name="warmUpMs"/> ms so that type
    /// loading and tiered JIT compilation have settled. <paramref name="afterEach"/> runs after every call,
    /// in the warm-up too.</summary>
    public static long OfProcess(StreamingEngine engine, int warmUpMs, int calls, Action? afterEach = null)
    {
        var a = Signals.WhiteNoise(4096, 0.3, seed: 9);
        var b = Signals.WhiteNoise(4096, 0.3, seed: 10);
        var rng = new Random(11);
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < warmUpMs)
            Call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
            Call();
        return GC.GetAllocatedBytesForCurrentThread() - before;

        void Call()
        {
            int n = rng.Next(0, 4096);
            engine.Process(a.AsSpan(0, n), b.AsSpan(0, n), a.AsSpan(0, n), b.AsSpan(0, n));
            afterEach?.Invoke();
        }
    }
}
