using System.Runtime.InteropServices;
using PercepNetFx.Dsp;
using PercepNetFx.Plugin.Interop;

namespace PercepNetFx.Plugin.Tests;

/// <summary>The port-based instance behind LADSPA and LV2, driven as their hosts drive it.</summary>
public unsafe class PortInstanceTests
{
    private sealed class Ports : IDisposable
    {
        public readonly float* Audio, Controls_;
        public readonly PortInstance Instance;
        public readonly int Channels;
        public const int Max = 2048;

        public Ports(int channels)
        {
            Channels = channels;
            Instance = PortInstance.Create(48000, channels)!;
            Audio = (float*)NativeMemory.AllocZeroed((nuint)(2 * channels * Max), sizeof(float));
            Controls_ = (float*)NativeMemory.AllocZeroed(Controls.Count + 1, sizeof(float));
            for (int p = 0; p < 2 * channels; p++) Instance.Connect((uint)p, Audio + p * Max);
            for (int i = 0; i <= Controls.Count; i++) Instance.Connect((uint)(2 * channels + i), Controls_ + i);
            for (int i = 0; i < Controls.Count; i++) Controls_[i] = (float)Controls.All[i].Default;
        }

        public Span<float> Port(int p, int n) => new(Audio + p * Max, n);

        public void Dispose()
        {
            Instance.Release();
            NativeMemory.Free(Audio);
            NativeMemory.Free(Controls_);
        }
    }

    [Fact]
    public void Run_allocates_nothing_while_controls_change_between_blocks()
    {
        using var ports = new Ports(2);
        ports.Instance.Activate();
        var rng = new Random(5);
        void Block()
        {
            int n = 1 + rng.Next(Ports.Max);
            for (int c = 0; c < 2; c++)
            {
                var s = ports.Port(c, n);
                for (int i = 0; i < n; i++) s[i] = (float)(rng.NextDouble() - 0.5) * 0.3f;
            }
            ports.Controls_[Controls.StrengthIndex] = (float)(100 * rng.NextDouble());
            ports.Controls_[Controls.PostFilterIndex] = (float)(100 * rng.NextDouble());
            ports.Controls_[Controls.BypassIndex] = rng.Next(20) == 0 ? 1 : 0;
            ports.Controls_[Controls.CombIndex] = rng.Next(2);
            ports.Instance.Run(n);
        }
        for (int i = 0; i < 300; i++) Block();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++) Block();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes == 0, $"300 runs allocated {bytes} bytes");
        Assert.Equal(ports.Instance.Plugin.LatencySamples, (int)ports.Controls_[Controls.Count]);
    }

    /// <summary>Every object the plug-in and the DSP library keep in a static field: the lock objects
    /// of the factory, the model provider, the LADSPA and LV2 descriptors and the editor's meter
    /// registry are among them.</summary>
    private static List<object> StaticObjects()
    {
        var found = new List<object>();
        foreach (var assembly in new[] { typeof(PortInstance).Assembly, typeof(Denoiser).Assembly })
            foreach (var type in assembly.GetTypes())
            {
                if (type.ContainsGenericParameters) continue;
                foreach (var field in type.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic))
                    if (!field.FieldType.IsValueType && !field.IsLiteral && field.GetValue(null) is { } value && value is not string && value is not Type)
                        found.Add(value);
            }
        return found;
    }

    [Fact]
    public void Run_waits_on_no_lock_of_the_plug_in_or_the_dsp_library()
    {
        using var ports = new Ports(2);
        ports.Instance.Activate();
        var rng = new Random(6);
        void Blocks(int count)
        {
            for (int b = 0; b < count; b++)
            {
                int n = 1 + rng.Next(Ports.Max);
                for (int c = 0; c < 2; c++)
                {
                    var s = ports.Port(c, n);
                    for (int i = 0; i < n; i++) s[i] = (float)(rng.NextDouble() - 0.5) * 0.3f;
                }
                ports.Controls_[Controls.StrengthIndex] = (float)(100 * rng.NextDouble());
                ports.Controls_[Controls.BypassIndex] = rng.Next(20) == 0 ? 1 : 0;
                ports.Instance.Run(n);
            }
        }
        Blocks(50);
        var objects = StaticObjects();
        Assert.True(objects.Count >= 5, $"found only {objects.Count} static objects to hold");
        // Another thread holds every one of them while this one runs: a run that took any of these
        // locks would wait until the holder lets go, which it does only after the deadline.
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            foreach (var o in objects) Monitor.Enter(o);
            held.Set();
            release.Wait();
            for (int i = objects.Count - 1; i >= 0; i--) Monitor.Exit(objects[i]);
        }) { IsBackground = true };
        holder.Start();
        Assert.True(held.Wait(TimeSpan.FromSeconds(10)));
        var running = new Thread(() => Blocks(300));
        running.Start();
        bool finished = running.Join(TimeSpan.FromSeconds(60));
        release.Set();
        holder.Join();
        running.Join();
        Assert.True(finished, $"300 runs did not finish within 60 s while {objects.Count} static objects were held");
    }

    [Fact]
    public void A_nan_control_keeps_the_previous_value_and_out_of_range_values_are_clamped()
    {
        float[] Render(Func<int, float> strengthAt)
        {
            using var ports = new Ports(1);
            ports.Instance.Activate();
            var x = TestData.Voice(48000, 48000, seed: 2, noise: 0.1f);
            var y = new float[x.Length];
            for (int pos = 0, b = 0; pos < x.Length; pos += 500, b++)
            {
                int n = Math.Min(500, x.Length - pos);
                x.AsSpan(pos, n).CopyTo(ports.Port(0, n));
                ports.Controls_[Controls.StrengthIndex] = strengthAt(b);
                ports.Instance.Run(n);
                ports.Port(1, n).CopyTo(y.AsSpan(pos, n));
            }
            return y;
        }
        var steady = Render(_ => 40f);
        Assert.Equal(steady, Render(b => b == 0 ? 40f : float.NaN));
        Assert.Equal(Render(_ => 100f), Render(_ => 250f));
        Assert.NotEqual(steady, Render(_ => 100f));
    }

    [Fact]
    public void Unconnected_audio_ports_leave_run_without_effect()
    {
        var instance = PortInstance.Create(48000, 1)!;
        try
        {
            float latency = 0;
            instance.Connect((uint)PortInstance.LatencyPort(1), &latency);
            instance.Activate();
            instance.Run(480); // no audio connected: nothing to read or write, no crash
            Assert.Equal(instance.Plugin.LatencySamples, (int)latency);
        }
        finally { instance.Release(); }
    }
}
