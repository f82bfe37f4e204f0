using System.Diagnostics;
using System.Runtime.InteropServices;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Metering;
using PercepNetFx.Editor;
using PercepNetFx.EditorX11;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// The editor through the VST3 interfaces (docs/vst3.md §11): the test host creates a parent X
/// window on its own connection, calls createView("editor") and the IPlugView slots through the
/// vtables, gives it an IPlugFrame whose IRunLoop records the fd handler and timer, fires them like
/// a host's UI loop, feeds real audio through process(), reads the window back with XGetImage and
/// compares it with meters computed independently (a managed engine with the same model and input).
/// </summary>
[Collection("X11 editor")]
public unsafe class EditorHostTests
{
    // IPlugView slots (§3).
    private const int IsPlatformTypeSupported = 3, Attached = 4, Removed = 5, GetSize = 9, OnSize = 10, SetFrame = 12, CanResize = 13;
    private const int CreateView = 17; // IEditController

    private static int CallStr(void* obj, int slot, string s)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(s + "\0");
        fixed (byte* p = bytes) return Abi.Call(obj, slot, p);
    }

    private static void* NewView(PluginInstance p)
    {
        var name = "editor\0"u8.ToArray();
        fixed (byte* n = name) return ((delegate* unmanaged<void*, byte*, void*>)Abi.Slot(p.Controller, CreateView))(p.Controller, n);
    }

    private static int Attach(void* view, ulong parent)
    {
        fixed (byte* t = "X11EmbedWindowID\0"u8) return ((delegate* unmanaged<void*, void*, byte*, int>)Abi.Slot(view, Attached))(view, (void*)(nuint)parent, t);
    }

    private static float[] Noisy() => WavReader.Read(Path.Combine(Repo.Root, "samples", "noisy.wav")).Channels[0];

    /// <summary>The meters the plug-in should show after <paramref name="input"/>: a managed engine with the same model, independent of the .so.</summary>
    private static MeterSnapshot ReferenceMeters(float[] input)
    {
        var e = new Denoiser(48000, 1, 0, TestData.GoldenModel, new DenoiseSettings()) { Meters = new MeterExchange() }.Engine;
        var output = new float[input.Length];
        e.Process(input, output);
        Assert.True(e.Meters!.TryRead(out var s));
        return s;
    }

    private static void Feed(PluginInstance p, float[] signal)
    {
        for (int pos = 0; pos < signal.Length; pos += 1024)
        {
            int n = Math.Min(1024, signal.Length - pos);
            p.Process(new[] { signal.AsSpan(pos, n).ToArray() }, n, inPlace: true);
        }
    }

    /// <summary>Fires the run loop until the server's copy stops changing and has been painted at least once.</summary>
    private static uint[] Pump(RunLoop loop, nint test, ulong child)
    {
        uint[] last = Array.Empty<uint>();
        var clock = Stopwatch.StartNew();
        int stable = 0;
        while (clock.ElapsedMilliseconds < 5000)
        {
            loop.Fire();
            Thread.Sleep(15);
            var grab = X11Test.Grab(test, child, EditorView.Width, EditorView.Height);
            stable = grab.AsSpan().SequenceEqual(last) ? stable + 1 : 0;
            last = grab;
            if (stable >= 3 && grab.Any(px => px == (Palette.Panel & 0xFFFFFF))) return grab;
        }
        Assert.Fail("the editor never showed a stable image");
        return last;
    }

    private static uint At(uint[] grab, int x, int y) => grab[y * EditorView.Width + x];

    /// <summary>Band columns whose top plot row shows reduction.</summary>
    private static bool[] ReducedColumns(uint[] grab)
    {
        var r = new bool[Constants.BandCount];
        for (int b = 0; b < r.Length; b++)
            r[b] = At(grab, EditorView.BandPlot.X + b * EditorView.BandPitch + EditorView.BandPitch / 2, EditorView.BandPlot.Y) == (Palette.Reduction & 0xFFFFFF);
        return r;
    }

    /// <summary>Level-meter fill (RMS) in pixels along the meter's middle row.</summary>
    private static int LevelFill(uint[] grab, RectI m)
    {
        int n = 0;
        while (n < m.W && At(grab, m.X + n, m.Y + m.H / 2) is var c && (c == (Palette.Level & 0xFFFFFF) || c == (Palette.LevelHot & 0xFFFFFF))) n++;
        return n;
    }

    private static int CountColour(uint[] grab, RectI r, uint colour)
    {
        int n = 0;
        for (int y = r.Y; y < r.Bottom; y++) for (int x = r.X; x < r.Right; x++) if (At(grab, x, y) == (colour & 0xFFFFFF)) n++;
        return n;
    }

    private static void Click(nint test, ulong child, RunLoop loop, Handler handler, int editorId, int expectEdits)
    {
        var r = EditorView.ControlRect(editorId);
        X11Test.SendButton(test, child, Xlib.ButtonPress, 1, r.X + 10, r.Y + 10, 1000 + (ulong)editorId * 1000);
        X11Test.SendButton(test, child, Xlib.ButtonRelease, 1, r.X + 10, r.Y + 10, 1050 + (ulong)editorId * 1000);
        var clock = Stopwatch.StartNew();
        while (handler.Edits.Count < expectEdits && clock.ElapsedMilliseconds < 3000) { loop.Fire(); Thread.Sleep(5); }
    }

    [X11Fact]
    public void Editor_embeds_through_IPlugView_shows_processed_audio_sends_edits_and_reattaches()
    {
        NativeModule.Load();
        using var p = new PluginInstance();
        p.Activate(1, 48000, 1024);
        nint test = X11Test.Open();
        Assert.NotEqual(0, test);
        ulong parent = X11Test.CreateParent(test, EditorView.Width, EditorView.Height);
        var frame = new Frame();
        void* view = NewView(p);
        try
        {
            Assert.True(view != null);
            Assert.True(NewView(p) == null); // one editor per controller while it is open
            Assert.Equal(Abi.Ok, CallStr(view, IsPlatformTypeSupported, "X11EmbedWindowID"));
            Assert.Equal(Abi.False, CallStr(view, IsPlatformTypeSupported, "HWND"));
            Assert.Equal(Abi.False, Abi.Call(view, CanResize));
            var rect = stackalloc int[4];
            Assert.Equal(Abi.Ok, Abi.Call(view, GetSize, rect));
            Assert.Equal(new[] { 0, 0, EditorView.Width, EditorView.Height }, new[] { rect[0], rect[1], rect[2], rect[3] });
            Assert.Equal(Abi.Ok, Abi.Call(view, OnSize, rect));
            Assert.Equal(Abi.Ok, Abi.Call(view, SetFrame, frame.Ptr));
            Assert.Equal(Abi.Ok, Attach(view, parent));

            // §11 step 4: one fd handler on the X connection and one ~30 fps timer, nothing else, no thread of ours.
            var loop = frame.Loop;
            Assert.Equal(1, loop.EventCount);
            Assert.Equal(1, loop.TimerCount);
            Assert.True(loop.EventFds[0] > 2);
            Assert.InRange(loop.TimerMs[0], 16UL, 50UL);
            Assert.Equal(1, X11Test.Children(test, parent, out ulong child));

            // 1. Silence through process(): the meters show the silent state.
            var silence = new float[48000];
            Feed(p, silence);
            var quiet = Pump(loop, test, child);
            var quietRef = ReferenceMeters(silence);
            Assert.Equal(0, LevelFill(quiet, EditorView.InputMeter));

            // 2. Real noisy speech through process(): the window shows what an independent engine computes.
            var noisy = Noisy().AsSpan(0, 3 * 48000).ToArray();
            var combined = silence.Concat(noisy).ToArray();
            Feed(p, noisy);
            var speech = Pump(loop, test, child);
            var reference = ReferenceMeters(combined);
            var expected = new bool[Constants.BandCount];
            for (int b = 0; b < expected.Length; b++) expected[b] = EditorView.BandBarPixels(reference.BandGainDb[b]) >= 1;
            Assert.Equal(expected, ReducedColumns(speech));
            Assert.Equal(EditorView.LevelPixels(reference.InputRmsDb, EditorView.InputMeter.W), LevelFill(speech, EditorView.InputMeter));
            Assert.True(LevelFill(speech, EditorView.InputMeter) > 20, "input meter shows the speech level");
            int changed = 0;
            var plot = EditorView.BandPlot;
            for (int y = plot.Y; y < plot.Bottom; y++)
                for (int x = plot.X; x < plot.Right; x++)
                    if (At(quiet, x, y) != At(speech, x, y)) changed++;
            Assert.True(changed > 500, $"band meters changed only {changed} pixels between silence and speech");

            // 3. Clicks reach the host's IComponentHandler as beginEdit / performEdit / endEdit with VST3 ids.
            Click(test, child, loop, p.Handler, EditorParameters.Bypass, 3);
            Click(test, child, loop, p.Handler, EditorParameters.Listen, 6);
            Assert.Equal(new (string, uint, double)[] { ("begin", 4, double.NaN), ("perform", 4, 1.0), ("end", 4, double.NaN),
                ("begin", 5, double.NaN), ("perform", 5, 1.0), ("end", 5, double.NaN) }, p.Handler.Edits);
            Assert.Equal(1.0, p.GetParamNormalized(4)); // the controller's value follows the edit

            // 4. Host automation moves the control: strength 25 % → the slider fill ends at 25 % of the track.
            Assert.Equal(Abi.Ok, ((delegate* unmanaged<void*, uint, double, int>)Abi.Slot(p.Controller, 15))(p.Controller, 1, 0.25));
            var moved = Pump(loop, test, child);
            var s = EditorView.ControlRect(EditorParameters.Strength);
            int fill = EditorView.SliderFillPixels(0.25, s.W), trackY = s.Y + 34;
            Assert.Equal(Palette.Accent & 0xFFFFFF, At(moved, s.X + fill - 14, trackY));
            Assert.Equal(Palette.Track & 0xFFFFFF, At(moved, s.X + fill + 14, trackY));
            Assert.Equal(Palette.ToggleBypassOn & 0xFFFFFF, At(moved, EditorView.ControlRect(EditorParameters.Bypass).X + 3, EditorView.ControlRect(EditorParameters.Bypass).Y + 3));

            // 5. A state naming a model this build lacks: the editor says so in the warning colour.
            Assert.Equal(0, CountColour(moved, EditorView.ModelStatusRect, Palette.LevelHot));
            Assert.True(CountColour(moved, EditorView.ModelStatusRect, Palette.DimText) > 20, "the model line is shown");
            Assert.Equal(Abi.Ok, p.SetComponentState(PluginModelTests.V2State("percepnetfx-v9", "9.0.0", (1, 0.25))));
            var warned = Pump(loop, test, child);
            Assert.True(CountColour(warned, EditorView.ModelStatusRect, Palette.LevelHot) > 20, "missing model shown in the warning colour");

            // 6. removed(): handlers unregistered first, then our window is gone.
            Assert.Equal(Abi.Ok, Abi.Call(view, Removed));
            Assert.Equal(0, loop.EventCount);
            Assert.Equal(0, loop.TimerCount);
            Assert.Equal(2, loop.Unregistrations);
            Xlib.XSync(test, 0);
            Assert.Equal(0, X11Test.Children(test, parent));
            Assert.Equal(Abi.Ok, Abi.Call(view, SetFrame, null));

            // 7. Reopen on the same view, then close and release it; a new createView hands it out again.
            Assert.Equal(Abi.Ok, Abi.Call(view, SetFrame, frame.Ptr));
            Assert.Equal(Abi.Ok, Attach(view, parent));
            Assert.Equal(1, loop.EventCount);
            Assert.Equal(1, loop.TimerCount);
            Assert.Equal(1, X11Test.Children(test, parent, out child));
            Feed(p, noisy.AsSpan(0, 4800).ToArray());
            var again = Pump(loop, test, child);
            Assert.True(CountColour(again, EditorView.ModelStatusRect, Palette.LevelHot) > 20);
            Assert.True(LevelFill(again, EditorView.InputMeter) > 20);
            Assert.Equal(Abi.Ok, Abi.Call(view, Removed));
            Assert.Equal(Abi.Ok, Abi.Call(view, SetFrame, null));
            Assert.Equal(0, X11Test.Children(test, parent));
            Abi.Release(view);
            view = NewView(p);
            Assert.True(view != null);
            Assert.Equal(Abi.Ok, Abi.Call(view, SetFrame, frame.Ptr));
            Assert.Equal(Abi.Ok, Attach(view, parent));
            Pump(loop, test, child: X11Test.Children(test, parent, out ulong c3) == 1 ? c3 : 0);
            Assert.Equal(Abi.Ok, Abi.Call(view, Removed));
            Assert.Equal(Abi.Ok, Abi.Call(view, SetFrame, null));
            Assert.True(frame.RefCount == 1 && frame.Loop.RefCount == 1, $"frame refs {frame.RefCount}, run loop refs {frame.Loop.RefCount}");
        }
        finally
        {
            if (view != null) Abi.Release(view);
            Xlib.XDestroyWindow(test, parent);
            Xlib.XCloseDisplay(test);
        }
    }

    /// <summary>
    /// The managed interop layer under the JIT (the same code the .so is compiled from), driven through
    /// the same vtables, so the test can count this runtime's allocations: process() with meters
    /// attached, the editor's fd and timer callbacks, and closing/reopening the editor allocate nothing.
    /// </summary>
    [X11Fact]
    public void Processing_with_the_editor_open_and_reopening_it_allocates_nothing()
    {
        void* factory = ((delegate* unmanaged<void*>)&Interop.Exports.GetPluginFactory)();
        using var p = new PluginInstance(factory: factory);
        p.Activate(1, 48000, 512);
        nint test = X11Test.Open();
        ulong parent = X11Test.CreateParent(test, EditorView.Width, EditorView.Height);
        var frame = new Frame();
        void* view = NewView(p);
        // One preallocated mono 32-bit ProcessData (§4 offsets) so that the test host allocates nothing per call.
        const int n = 480;
        var data = (byte*)NativeMemory.AllocZeroed(80);
        var bus = (byte*)NativeMemory.AllocZeroed(24);
        var chans = (nint*)NativeMemory.AllocZeroed(1, 8);
        var buffer = (float*)NativeMemory.AllocZeroed(n, 4);
        var rng = new Random(9);
        var noise = new float[n];
        for (int i = 0; i < n; i++) noise[i] = (float)(0.3 * (rng.NextDouble() - 0.5));
        chans[0] = (nint)buffer;
        *(int*)bus = 1; *(nint*)(bus + 16) = (nint)chans;
        *(int*)(data + 8) = n; *(int*)(data + 12) = 1; *(int*)(data + 16) = 1;
        *(nint*)(data + 24) = (nint)bus; *(nint*)(data + 32) = (nint)bus; // in place
        void Block()
        {
            for (int i = 0; i < n; i++) buffer[i] = noise[i];
            Ok(Abi.Call(p.Processor, 9, data));
        }
        // Assert.Equal allocates a comparer per call; this check allocates only when it fails.
        static void Ok(int rc) { if (rc != Abi.Ok) Assert.Fail("tresult " + rc); }
        try
        {
            Assert.Equal(Abi.Ok, Abi.Call(view, SetFrame, frame.Ptr));
            Assert.Equal(Abi.Ok, Attach(view, parent));
            var warm = Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 800) { Block(); frame.Loop.Fire(); }
            // Warm the close/reopen path too (first-call JIT work is not what is being measured).
            Assert.Equal(Abi.Ok, Abi.Call(view, Removed));
            Assert.Equal(Abi.Ok, Attach(view, parent));
            for (int i = 0; i < 50; i++) { Block(); frame.Loop.Fire(); }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 600; i++) { Block(); frame.Loop.Fire(); } // 6 s of audio, 600 timer ticks
            long open = GC.GetAllocatedBytesForCurrentThread() - before;

            before = GC.GetAllocatedBytesForCurrentThread();
            for (int cycle = 0; cycle < 5; cycle++)
            {
                Ok(Abi.Call(view, Removed));
                for (int i = 0; i < 10; i++) Block();
                Ok(Attach(view, parent));
                for (int i = 0; i < 10; i++) { Block(); frame.Loop.Fire(); }
            }
            long reopen = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(open == 0, $"600 blocks + timer ticks with the editor open allocated {open} bytes");
            Assert.True(reopen == 0, $"5 close/reopen cycles allocated {reopen} bytes");
            Assert.Equal(1, frame.Loop.TimerCount);
        }
        finally
        {
            Abi.Call(view, Removed);
            Abi.Call(view, SetFrame, null);
            Abi.Release(view);
            NativeMemory.Free(data); NativeMemory.Free(bus); NativeMemory.Free(chans); NativeMemory.Free(buffer);
            Xlib.XDestroyWindow(test, parent);
            Xlib.XCloseDisplay(test);
        }
    }
}
