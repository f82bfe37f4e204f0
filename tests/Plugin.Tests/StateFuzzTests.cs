using PercepNetFx.Dsp;
using Xunit.Abstractions;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// 100 000 mutated plug-in states (fixed seed) through the state loader. Each is either
/// accepted, leaving every parameter inside [0, 1], or rejected with the parameters exactly as they
/// were; nothing throws and no input allocates beyond a small bound. PERCEPNETFX_FUZZ=N for longer.
/// </summary>
public class StateFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void MutatedStatesAreAppliedSafelyOrRejectedWithParametersKept()
    {
        var p = new PercepNetFxPlugin(null, loadDefaultModel: false);
        p.Initialize();
        p.Parameters[Controls.StrengthIndex].Normalized = 0.3;
        p.Parameters[Controls.BypassIndex].Normalized = 1;
        byte[] valid = p.SaveState();
        int iterations = Fuzz.Iterations(100_000), seed = Fuzz.Seed(6003);
        var rng = new Random(seed);
        int accepted = 0, rejected = 0;
        var before = new double[p.Parameters.Count];
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = Fuzz.Mutate(valid, rng, hot: 16);
            for (int k = 0; k < before.Length; k++) before[k] = p.Parameters[k].Normalized;
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            bool ok = p.RestoreState(input);
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.True(allocated < 4096 + 16L * input.Length, $"input {i} ({input.Length} bytes) allocated {allocated} bytes");
            if (ok)
            {
                accepted++;
                foreach (var param in p.Parameters) Assert.InRange(param.Normalized, 0.0, 1.0);
            }
            else
            {
                rejected++;
                for (int k = 0; k < before.Length; k++) Assert.Equal(before[k], p.Parameters[k].Normalized);
            }
        }
        output.WriteLine($"seed {seed}: {iterations} states, {accepted} accepted, {rejected} rejected");
        Assert.True(accepted > 0 && rejected > iterations / 2);
    }
}
