using System.Diagnostics;
using System.Globalization;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;
using Xunit.Abstractions;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// A long run through the plug-in's process with the shipped model, random host blocks
/// (1 … 4096 samples) and random parameter automation. Every 20 s of audio the host bypasses for
/// 0.5 s: a fully bypassed stretch must equal the input delayed by the reported latency exactly, so
/// any drift or latency change shows up as a mismatch. Output must stay finite and process must not
/// allocate, so memory cannot grow. CI runs 10 minutes of audio; PERCEPNETFX_SOAK_HOURS=10 is the
/// long local mode (docs/reliability.md).
/// </summary>
public class SoakTests(ITestOutputHelper output)
{
    private const int Rate = 48000, MaxBlock = 4096, Period = 20 * Rate, BypassLength = Rate / 2;

    private static double AudioSeconds() =>
        double.TryParse(Environment.GetEnvironmentVariable("PERCEPNETFX_SOAK_HOURS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double h) && h > 0
            ? h * 3600 : 600;

    [Fact]
    public void HoursOfRandomBlocksAndAutomationKeepLatencyExactNoNanNoAllocation()
    {
        // Source: the committed noisy sample (speech in noise) looped, with a different gain per loop.
        float[] sample = WavReader.Read(Path.Combine(Repo.Root, "samples", "noisy.wav")).Channels[0];
        var p = new PercepNetFxPlugin(ShippedModels.LoadDefault());
        p.Initialize();
        Assert.True(p.SetChannels(1));
        p.SetupProcessing(Rate, MaxBlock);
        p.Start();
        int latency = p.LatencySamples;
        Assert.Equal(1919, latency); // variable host blocks (spec §9.2)

        // The input history needed to check bypassed output: a ring longer than the latency.
        var history = new float[1 << 16];
        var inBuf = new float[MaxBlock];
        var outBuf = new float[MaxBlock];
        var rng = new Random(20261121);
        long total = (long)(AudioSeconds() * Rate), pos = 0, checkedSamples = 0, mismatches = 0, nonFinite = 0;
        int bypassWindows = 0;
        double strength = 1, postFilter = 1;
        long allocatedBefore = 0;
        var watch = Stopwatch.StartNew();
        while (pos < total)
        {
            int n = 1 + rng.Next(MaxBlock);
            if (rng.Next(50) == 0) n = 0; // hosts also send empty blocks
            for (int i = 0; i < n; i++)
            {
                long t = pos + i;
                float gain = 0.25f + 0.75f * (t / sample.Length % 4) / 3f;
                float x = gain * sample[t % sample.Length];
                inBuf[i] = x;
                history[t & (history.Length - 1)] = x;
            }
            var changes = p.Changes;
            changes.Clear();
            if (n > 0)
            {
                if (rng.Next(4) == 0) { strength = rng.NextDouble(); changes.Add(Controls.StrengthIndex, rng.Next(n), strength); }
                if (rng.Next(8) == 0) { postFilter = rng.NextDouble(); changes.Add(Controls.PostFilterIndex, rng.Next(n), postFilter); }
                if (rng.Next(16) == 0) changes.Add(Controls.CombIndex, rng.Next(n), rng.Next(2));
                // Bypass on for the first 0.5 s of every 20 s period, set sample-accurately at its edges.
                long periodStart = (pos + n) / Period * Period;
                for (long edge = periodStart - Period; edge <= periodStart + Period; edge += Period)
                {
                    // VST3 queues ramp linearly between points: a step needs the old value one sample before.
                    if (edge >= pos && edge < pos + n)
                    {
                        if (edge > pos) changes.Add(Controls.BypassIndex, (int)(edge - pos) - 1, 0);
                        changes.Add(Controls.BypassIndex, (int)(edge - pos), 1);
                    }
                    long off = edge + BypassLength;
                    if (off >= pos && off < pos + n)
                    {
                        if (off > pos) changes.Add(Controls.BypassIndex, (int)(off - pos) - 1, 1);
                        changes.Add(Controls.BypassIndex, (int)(off - pos), 0);
                    }
                }
            }
            p.Process(new AudioBlock(inBuf.AsSpan(0, n), default, outBuf.AsSpan(0, n), default, 1), changes);
            for (int i = 0; i < n; i++)
            {
                long t = pos + i;
                if (!float.IsFinite(outBuf[i])) nonFinite++;
                // Bypass acts on the output in host time: fully bypassed from two hops after the edge (hop-
                // resolution automation, one-hop cross-fade) to the end of the stretch, where the output is
                // the input delayed by exactly the reported latency.
                long inPeriod = t % Period;
                if (t >= Period && inPeriod >= 3 * 480 && inPeriod < BypassLength)
                {
                    checkedSamples++;
                    if (outBuf[i] != history[(t - latency) & (history.Length - 1)])
                    {
                        if (mismatches < 5) output.WriteLine($"mismatch at t={t} (period offset {inPeriod}): {outBuf[i]} vs {history[(t - latency) & (history.Length - 1)]}, block {n} at {pos}");
                        mismatches++;
                    }
                    if (inPeriod == 3 * 480) bypassWindows++;
                }
            }
            pos += n;
            if (allocatedBefore == 0 && watch.ElapsedMilliseconds > 500) allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        double seconds = watch.Elapsed.TotalSeconds;
        output.WriteLine($"{total / (double)Rate / 3600:F2} h of audio in {seconds:F1} s ({total / (double)Rate / seconds:F0}x real time); " +
                         $"{bypassWindows} bypass windows, {checkedSamples} samples checked, {mismatches} mismatches, {nonFinite} non-finite, {allocated} bytes allocated after warm-up");
        Assert.Equal(latency, p.LatencySamples);
        Assert.True(bypassWindows >= total / Period - 2, $"only {bypassWindows} bypass windows checked");
        Assert.Equal(0, mismatches);
        Assert.Equal(0, nonFinite);
        Assert.Equal(0, allocated);
    }
}
