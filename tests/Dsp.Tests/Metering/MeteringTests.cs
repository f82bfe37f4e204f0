using PercepNetFx.Dsp.Metering;

namespace PercepNetFx.Dsp.Tests.Metering;

public class MeteringTests
{
    private static float[] Sine(int length, double hz, double peak)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(peak * Math.Sin(2 * Math.PI * hz * i / 48000.0));
        return x;
    }

    [Fact]
    public void SineAtMinus12DbfsReadsMinus12DbPeakAndMinus15DbRms()
    {
        // 1 kHz divides the 480-sample hop into whole periods (10 per hop), so every hop's peak and
        // mean square are those of the continuous sine: peak −12 dBFS, RMS −12 − 20·log10(√2) dBFS.
        double peak = Math.Pow(10, -12 / 20.0);
        var x = Sine(48000, 1000, peak);
        var engine = new StreamingEngine(48000, 1) { Meters = new MeterExchange() };
        var y = new float[x.Length];
        engine.Process(x, y);
        Assert.True(engine.Meters.TryRead(out var s));
        Assert.Equal(100, s.Hop); // 48000 / 480 hops, the last one is the newest
        Assert.Equal(-12.0, s.InputPeakDb, 0.01);
        Assert.Equal(-12.0 - 10 * Math.Log10(2), s.InputRmsDb, 0.01);
        // Unity gains make the engine transparent (§2.3): the output hop (input delayed 3 hops) reads the same.
        Assert.Equal(-12.0, s.OutputPeakDb, 0.05);
        Assert.Equal(-12.0 - 10 * Math.Log10(2), s.OutputRmsDb, 0.05);
        Assert.Equal(engine.LatencySamples, s.LatencySamples);
        Assert.Equal(48000, s.SampleRate);
        Assert.All(s.BandGainDb, g => Assert.Equal(0f, g));
        Assert.False(engine.Meters.TryRead(out var again)); // nothing newer: same snapshot
        Assert.Same(s, again);
    }

    [Fact]
    public void SilenceReadsTheFloor()
    {
        var engine = new StreamingEngine(48000, 1) { Meters = new MeterExchange() };
        var x = new float[4800];
        engine.Process(x, x);
        Assert.True(engine.Meters!.TryRead(out var s));
        Assert.Equal(MeterSnapshot.FloorDb, s.InputPeakDb);
        Assert.Equal(MeterSnapshot.FloorDb, s.OutputRmsDb);
    }

    [Fact]
    public void GainsAndStrengthsEqualTheCoreAfterEveryHop()
    {
        var (voice, _) = Signals.Harmonic(48000, 180, 5, 0.02, seed: 3);
        var noisy = Signals.Add(voice, Signals.WhiteNoise(voice.Length, 0.05, seed: 4));
        var engine = new StreamingEngine(48000, 1) { Meters = new MeterExchange() };
        engine.GainSource = new FeatureGainSource();
        var hop = new float[480];
        int voicedHops = 0, combHops = 0;
        for (int t = 0; t < noisy.Length / 480; t++)
        {
            engine.Process(noisy.AsSpan(t * 480, 480), hop);
            Assert.True(engine.Meters!.TryRead(out var s));
            Assert.Equal(t + 1, s.Hop);
            for (int b = 0; b < 34; b++)
            {
                float g = engine.Core.AppliedGain[b];
                Assert.Equal(20 * MathF.Log10(g), s.BandGainDb[b], 1e-4f);
                Assert.Equal(engine.Core.AppliedStrength[b], s.CombStrength[b]);
            }
            Assert.Equal(engine.Core.Analysis.Voiced, s.Voiced);
            Assert.Equal(engine.Core.Analysis.PitchCorrelation, s.PitchCorrelation);
            Assert.Equal(48000f / engine.Core.Analysis.Period, s.PitchHz, 1e-3f);
            if (s.Voiced) { voicedHops++; Assert.InRange(s.PitchHz, 170f, 190f); }
            if (s.CombStrength.Max() > 0.1f) combHops++;
        }
        // The test signal is a voiced 180 Hz tone: the path must carry real pitch and comb data.
        Assert.True(voicedHops > 50, $"voiced hops {voicedHops}");
        Assert.True(combHops > 50, $"comb hops {combHops}");
    }

    [Fact]
    public void ProcessWithMetersAllocatesNothing()
    {
        foreach (int rate in new[] { 48000, 44100 })
        {
            var engine = new StreamingEngine(rate, 2) { Meters = new MeterExchange() };
            engine.GainSource = new FeatureGainSource();
            Assert.Equal(0, EngineAllocation.OfProcess(engine, warmUpMs: 500, calls: 1000, () => engine.Meters.TryRead(out _)));
            Assert.True(engine.Meters.TryRead(out var s) || s.Hop > 0);
            Assert.InRange(s.CpuLoadPercent, 0.001f, 1000f); // measured, not a placeholder
        }
    }

    [Fact]
    public void ReaderAlwaysSeesAConsistentSnapshotUnderAConcurrentProducer()
    {
        // Every field of snapshot k is derived from k; a torn read would mix two values of k.
        var exchange = new MeterExchange();
        var stop = new ManualResetEventSlim();
        long produced = 0;
        var producer = new Thread(() =>
        {
            for (long k = 1; !stop.IsSet; k++)
            {
                var w = exchange.WriteBuffer;
                w.Hop = k;
                for (int b = 0; b < 34; b++) { w.BandGainDb[b] = -(k % 1000) - b; w.CombStrength[b] = k % 7 + b; }
                w.PitchHz = k % 5000;
                w.InputPeakDb = -(k % 97);
                w.LatencySamples = (int)(k % 100000);
                exchange.Publish();
                produced = k;
            }
        });
        producer.Start();
        long reads = 0, fresh = 0, lastHop = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // Count-based, not time-based: on a loaded 2-core machine the two threads may rarely run at
            // the same moment, so read until 300 fresh snapshots were taken (10 s at most).
            while (fresh < 300 && clock.ElapsedMilliseconds < 10_000)
            {
                bool isNew = exchange.TryRead(out var s);
                reads++;
                if (s.Hop == 0) continue; // nothing published yet
                if (isNew) { fresh++; Assert.True(s.Hop > lastHop, "snapshots must arrive newest-first, never older"); }
                else Assert.Equal(lastHop, s.Hop);
                lastHop = s.Hop;
                long k = s.Hop;
                for (int b = 0; b < 34; b++)
                {
                    Assert.Equal(-(k % 1000) - b, s.BandGainDb[b]);
                    Assert.Equal(k % 7 + b, s.CombStrength[b]);
                }
                Assert.Equal(k % 5000, s.PitchHz);
                Assert.Equal(-(k % 97), s.InputPeakDb);
                Assert.Equal((int)(k % 100000), s.LatencySamples);
            }
        }
        finally
        {
            stop.Set();
            producer.Join();
        }
        Assert.True(fresh >= 300, $"only {fresh} fresh reads of {reads} in 10 s (produced {produced})");
    }
}
