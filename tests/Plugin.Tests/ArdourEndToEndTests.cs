using System.Diagnostics;
using System.Globalization;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Offline;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// End to end in a real DAW: Ardour 7 (Debian package `ardour`, installed by scripts/test.sh),
/// headless on the Dummy backend, following docs/vst3.md §12. The built bundle is scanned,
/// instantiated on a track, its parameters set through Ardour, audio rendered through it with
/// ardour7-export, and the render compared with the offline renderer (OfflineRenderer.Render).
/// Set PERCEPNETFX_SKIP_ARDOUR=1 to skip on a machine without Ardour (CI never sets it).
/// </summary>
[Collection("native")]
public class ArdourEndToEndTests
{
    private const int Rate = 48000;
    private const int LeadIn = 9600; // 0.2 s of silence: Ardour's pan gain glides from centre to hard left at roll start
    private static readonly DenoiseSettings Settings = new(0.6f, 0.75f, CombEnabled: false);

    private static (int code, string output) Run(string file, IEnumerable<string> args, string home, string cwd, int timeoutSeconds = 120)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = cwd };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = home;
        psi.Environment["PERCEPNETFX_MODEL"] = TestData.GoldenModelPath; // same network as the offline reference
        psi.Environment["LD_LIBRARY_PATH"] = "/usr/lib/ardour7";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000)) { p.Kill(true); throw new TimeoutException($"{file} timed out"); }
        return (p.ExitCode, output.Result + err.Result);
    }

    /// <summary>
    /// ardour7-export (Ardour 7.3, Debian) corrupts its own heap in a fraction of runs whether or not
    /// a plug-in is loaded: measured 5/30 and 4/30 crashes exporting a session with no plug-in and no
    /// VST3 folder at all, with glibc aborting in Ardour's export teardown (PortExportChannel's ring
    /// buffer, ExportFormatSpecification) — docs/decisions.md "Ardour's exporter crashes on its own". A run that dies of a
    /// signal is therefore repeated, up to 4 times (all 4 crashing by chance: about 1 in 1300); any
    /// other failure, or a crash every time, fails the test.
    /// </summary>
    private static (int code, string output) Export(string renderPath, string session, string home, string cwd)
    {
        const int attempts = 4;
        var crashes = new List<string>();
        for (int attempt = 1; ; attempt++)
        {
            File.Delete(renderPath);
            var export = Run("/usr/bin/ardour7-export", new[] { "-b", "float", "-o", renderPath, session, "s1" }, home, cwd);
            bool killedBySignal = export.code > 128 && export.code < 160;
            if (!killedBySignal || attempt == attempts)
            {
                if (crashes.Count > 0) Console.Error.WriteLine($"Ardour: ardour7-export crashed {crashes.Count} time(s) before this run: {string.Join(", ", crashes)}");
                return (export.code, string.Join("\n", crashes.Select(c => $"earlier attempt: {c}")) + "\n" + export.output);
            }
            crashes.Add($"exit {export.code}: {export.output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim()}");
        }
    }

    [Fact]
    public void Ardour_scans_instantiates_automates_and_renders_it_in_line_with_the_input_and_the_offline_render()
    {
        if (Environment.GetEnvironmentVariable("PERCEPNETFX_SKIP_ARDOUR") == "1") return;
        const string scanner = "/usr/lib/ardour7/ardour-vst3-scanner";
        Assert.True(File.Exists("/usr/bin/ardour7-lua") && File.Exists(scanner),
            "Ardour 7 is not installed: apt-get install -y --no-install-recommends ardour (scripts/test.sh does)");
        using var tmp = new TempDir();
        string home = tmp.File("home");
        string bundle = Path.Combine(home, ".vst3", "PercepNetFx.vst3");
        CopyDirectory(TestData.BundlePath, bundle);
        // The scanner stamps its cache with the module's mtime, and Ardour's cache-only lookup treats a
        // module that is not strictly older than the cache as "updated" and ignores it: age the copy.
        var old = DateTime.Now.AddMinutes(-2);
        foreach (var f in Directory.EnumerateFileSystemEntries(bundle, "*", SearchOption.AllDirectories)) File.SetLastWriteTime(f, old);
        Directory.SetLastWriteTime(bundle, old);

        var scan = Run(scanner, new[] { "-f", "-v", bundle }, home, tmp.Path);
        Assert.True(scan.code == 0 && scan.output.Contains("Found Plugin: PercepNetFx"), scan.output);
        Assert.Contains($"uid=\"{ModuleInfo.ProcessorCid}\"", scan.output);
        Assert.Contains("n_inputs=\"2\" n_outputs=\"2\"", scan.output);

        // Session: "Wet" track with PercepNetFx panned left, plug-in-free "Dry" track panned right.
        // Ardour's set_processor_param takes plain values (the controller's normalizedParamToPlain).
        string session = tmp.File("s1");
        string lua = Path.Combine(Repo.Root, "tests", "Plugin.Tests", "Ardour", "make_session.lua");
        var make = Run("/usr/bin/ardour7-lua", new[] { lua, session, "60", "75", "0" }, home, tmp.Path);
        Assert.True(make.code == 0, make.output);
        Assert.Contains("param 0 Suppression strength 0.0 100.0 default 100.0", make.output);
        Assert.Contains("param 3 Bypass 0.0 1.0 default 0.0", make.output);
        int latency = new StreamingEngine(Rate, 1).LatencySamples; // 1919 (variable host blocks)
        // Ardour read getLatencySamples and compensates the session for it (§6, §12).
        Assert.True(make.output.Contains($"plugin latency {latency} wet track latency {latency}")
            && make.output.Contains($"worst_latency_preroll {latency}"), make.output);

        // Replace the recorded takes with the test signal (§12 "Feeding a WAV file").
        string audio = Path.Combine(session, "interchange", "s1", "audiofiles");
        string wetTake = Path.Combine(audio, "Take1_Wet-1.wav"), dryTake = Path.Combine(audio, "Take1_Dry-1.wav");
        int n = (int)WavReader.ReadInfo(wetTake).FrameCount;
        Assert.True(n > Rate * 2, $"recorded take too short: {n}");
        var speech = WavReader.Read(Path.Combine(Repo.Root, "samples", "noisy.wav")).Channels[0];
        var x = new float[n];
        Array.Copy(speech, 0, x, LeadIn, Math.Min(speech.Length, n - LeadIn));
        foreach (var take in new[] { wetTake, dryTake }) WavWriter.Write(take, new AudioBuffer(Rate, new[] { x }), WavSampleFormat.Float32);
        foreach (var peakFile in Directory.EnumerateFiles(Path.Combine(session, "peaks"))) File.Delete(peakFile);

        string renderPath = tmp.File("render.wav");
        var export = Export(renderPath, session, home, tmp.Path);
        Assert.True(export.code == 0 && File.Exists(renderPath), export.output);
        var render = WavReader.Read(renderPath);
        Assert.Equal(2, render.ChannelCount);
        float[] left = render.Channels[0], right = render.Channels[1];

        // Compare where neither the region's end fade nor the end of the render interferes.
        int end = Math.Min(n, render.FrameCount) - latency - 2000;
        // Dry: the input at lag 0, times the hard-pan gain (1 − 2⁻²⁴ in Ardour's float pan law).
        Assert.Equal(0, BestLag(right, x, end));
        double g = right[LeadIn + 20000] / (double)x[LeadIn + 20000];
        Assert.InRange(g, 1 - 1e-6, 1 + 1e-6);
        for (int i = 0; i < end; i++) Assert.True(Math.Abs(right[i] - g * x[i]) <= 1e-6, $"dry differs at {i}");

        // Wet: the offline render for the same settings, also at lag 0 — Ardour delayed the dry
        // track by the reported latency, so the plug-in's report was exact.
        // Wet. Ardour runs the plug-in as stereo (its input map feeds the mono track to both inputs;
        // by linearity the mid is the track itself, §9.4) and keeps it running on silence from session
        // load until the export, so the hop grid's phase and the silent history before x[0] are
        // Ardour's and vary from run to run (measured: 33, 47 … samples). Bit-exactness against a
        // render that starts at x[0] is therefore impossible in this host (it is asserted in-process,
        // NativeHostTests). What is asserted here: (1) lag 0 — the reported latency was exact; (2) the
        // wet output matches the offline render for the same settings with at least 15 dB SNR (a
        // different hop phase moves the 10 ms gain decisions by < 1 hop), and (3) it is far closer to
        // that render than to the unprocessed input or to the render at default settings, i.e. Ardour's
        // parameter values reached it. Measured: 23.1 dB vs the render, 6.3 dB vs dry, 13.0 dB vs defaults.
        var expected = OfflineRenderer.Render(new[] { x, x }, Rate, TestData.GoldenModel, Settings)[0];
        Assert.Equal(0, BestLag(left, expected, end));
        double gw = FitGain(left, expected, LeadIn, end);
        Assert.InRange(gw, 0.9, 1.1);
        double snrRender = Snr(expected, left, gw, LeadIn, end);
        double snrDry = Snr(x, left, FitGain(left, x, LeadIn, end), LeadIn, end);
        var other = OfflineRenderer.Render(new[] { x, x }, Rate, TestData.GoldenModel, new DenoiseSettings())[0]; // default settings
        double snrDefaults = Snr(other, left, FitGain(left, other, LeadIn, end), LeadIn, end);
        Console.Error.WriteLine($"Ardour: wet gain {gw:F6}, SNR vs offline render {snrRender:F1} dB, vs dry input {snrDry:F1} dB, vs render at default settings {snrDefaults:F1} dB");
        Assert.True(snrRender >= 15, $"wet vs offline render: {snrRender:F1} dB");
        Assert.True(snrRender >= snrDry + 10, $"wet is not closer to the render ({snrRender:F1} dB) than to the dry input ({snrDry:F1} dB)");
        Assert.True(snrRender >= snrDefaults + 3, $"wet matches default settings ({snrDefaults:F1} dB) as well as the set ones ({snrRender:F1} dB)");
        double peak = expected.Take(end).Max(v => Math.Abs(v));
        // And the processing did something: the wet output is not the dry signal.
        double diff = 0;
        for (int i = LeadIn; i < end; i++) diff = Math.Max(diff, Math.Abs(left[i] - right[i]));
        Assert.True(diff > 0.01 * peak, "the wet track equals the dry one: the plug-in did not process");
    }

    /// <summary>Least-squares gain of a against b over [from, to).</summary>
    private static double FitGain(float[] a, float[] b, int from, int to)
    {
        double ab = 0, bb = 0;
        for (int i = from; i < to; i++) { ab += a[i] * (double)b[i]; bb += b[i] * (double)b[i]; }
        return ab / bb;
    }

    /// <summary>10·log10(‖g·reference‖² / ‖actual − g·reference‖²) over [from, to).</summary>
    private static double Snr(float[] reference, float[] actual, double g, int from, int to)
    {
        double s = 0, e = 0;
        for (int i = from; i < to; i++) { double r = g * reference[i]; s += r * r; e += (actual[i] - r) * (actual[i] - r); }
        return 10 * Math.Log10(s / Math.Max(e, 1e-30));
    }

    /// <summary>The lag (−3000 … 3000) maximising the normalised cross-correlation of a against b.</summary>
    private static int BestLag(float[] a, float[] b, int length)
    {
        int best = int.MinValue; double bestScore = double.NegativeInfinity;
        for (int lag = -3000; lag <= 3000; lag += 1)
        {
            double s = 0;
            for (int i = 4000; i < length; i += 3)
            {
                int j = i - lag;
                if (j >= 0 && j < b.Length) s += a[i] * (double)b[j];
            }
            if (s > bestScore) { bestScore = s; best = lag; }
        }
        return best;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)), true);
    }
}
