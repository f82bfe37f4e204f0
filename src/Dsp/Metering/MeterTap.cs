using System.Diagnostics;

namespace PercepNetFx.Dsp.Metering;

/// <summary>
/// Fills a <see cref="MeterSnapshot"/> from the core after a hop (spec §9.1) and measures the
/// engine's CPU load. Lives beside the engine so that <see cref="StreamingEngine"/> only needs a
/// few additive calls. Allocation-free.
/// </summary>
internal sealed class MeterTap
{
    private long busyTicks, audioSamples;
    private float load;

    /// <summary>Called at the end of each Process call with its duration, so that the load covers all
    /// of the engine's work (resampling, FIFOs, bypass), not only the hop's network step.</summary>
    public void AddProcessTime(long ticks, int hostSamples, int hostRate)
    {
        busyTicks += ticks;
        audioSamples += hostSamples;
        // Update about every 50 ms of audio so that one slow block neither vanishes nor dominates.
        if (audioSamples * 20 < hostRate) return;
        double audioSeconds = (double)audioSamples / hostRate;
        double busySeconds = (double)busyTicks / Stopwatch.Frequency;
        float now = (float)(100.0 * busySeconds / audioSeconds);
        load = load == 0f ? now : 0.7f * load + 0.3f * now;
        busyTicks = 0;
        audioSamples = 0;
    }

    public void Reset()
    {
        busyTicks = audioSamples = 0;
        load = 0f;
    }

    /// <summary>Fills the exchange's write buffer from the core's last step, whose input and output hops
    /// per channel are <paramref name="input"/> and <paramref name="output"/>, and publishes it.</summary>
    public void Publish(MeterExchange exchange, PercepNetCore core, float[][] input, float[][] output, int latencySamples, int hostRate, bool bypassed)
    {
        var s = exchange.WriteBuffer;
        var gain = core.AppliedGain;
        var strength = core.AppliedStrength;
        var gainDb = s.BandGainDb;
        var comb = s.CombStrength;
        for (int b = 0; b < Constants.BandCount; b++)
        {
            gainDb[b] = MeterSnapshot.ToDb(gain[b]);
            comb[b] = strength[b];
        }
        var a = core.Analysis;
        s.PitchHz = a.Period > 0 ? (float)Constants.SampleRate / a.Period : 0f;
        s.PitchCorrelation = a.PitchCorrelation;
        s.Voiced = a.Voiced;

        // Levels over exactly this hop: the input hop just consumed and the output hop just emitted
        // (both 48 kHz; in stereo the louder channel, as a linked meter shows).
        float inPeak = 0f, inSquare = 0f, outPeak = 0f, outSquare = 0f;
        for (int c = 0; c < core.ChannelCount; c++)
        {
            Level(input[c], out float p, out float ms);
            inPeak = MathF.Max(inPeak, p);
            inSquare = MathF.Max(inSquare, ms);
            Level(output[c], out p, out ms);
            outPeak = MathF.Max(outPeak, p);
            outSquare = MathF.Max(outSquare, ms);
        }
        s.InputPeakDb = MeterSnapshot.ToDb(inPeak);
        s.InputRmsDb = MeterSnapshot.PowerToDb(inSquare);
        s.OutputPeakDb = MeterSnapshot.ToDb(outPeak);
        s.OutputRmsDb = MeterSnapshot.PowerToDb(outSquare);
        s.Hop = a.Step + 1;
        s.CpuLoadPercent = load;
        s.LatencySamples = latencySamples;
        s.SampleRate = hostRate;
        s.Bypassed = bypassed;
        exchange.Publish();
    }

    private static void Level(ReadOnlySpan<float> x, out float peak, out float meanSquare)
    {
        float p = 0f;
        double sum = 0.0;
        foreach (float v in x)
        {
            float m = MathF.Abs(v);
            if (m > p) p = m;
            sum += (double)v * v;
        }
        peak = float.IsFinite(p) ? p : 0f;
        meanSquare = (float)(sum / Math.Max(1, x.Length));
    }
}
