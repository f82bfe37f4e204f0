using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PercepNetFx.Audio;
using PercepNetFx.Dsp;
using PercepNetFx.Plugin.Interop;

namespace PercepNetFx.Plugin.Tests;

/// <summary>
/// The LADSPA and LV2 builds in real hosts from Debian's packages (docs/ladspa-lv2.md §3):
/// ladspa-sdk's analyseplugin and applyplugin, lilv-utils' lv2info and lv2apply (installed by
/// scripts/test.sh). Each host's render is compared with the CLI's render of the same file and
/// settings, after removing the latency the plug-in reports on its "latency" port.
/// </summary>
[Collection("native")]
public class LadspaLv2HostTests
{
    private static string LadspaSo => Repo.PathOf("build/ladspa/PercepNetFx.so");
    private static string Lv2Bundle => Repo.PathOf("build/PercepNetFx.lv2");
    // The CLI as the solution build left it, in this test assembly's configuration (a project reference
    // cannot bring it here: its assembly name differs from the plug-in's only in case).
    private static string CliDll
    {
        get
        {
            string config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name; // bin/<config>/net10.0/
            string dll = Repo.PathOf($"src/Cli/bin/{config}/net10.0/percepnetfx.dll");
            Assert.True(File.Exists(dll), $"{dll} missing: build the solution first");
            return dll;
        }
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The hosts and the CLI both run the embedded default model.
        psi.Environment.Remove("PERCEPNETFX_MODEL");
        // An empty value removes the variable (the host's own default applies).
        if (env is not null) foreach (var (k, v) in env) { if (v.Length == 0) psi.Environment.Remove(k); else psi.Environment[k] = v; }
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{file} timed out"); }
        return (p.ExitCode, o.Result, e.Result);
    }

    private static string Tool(string name)
    {
        string path = "/usr/bin/" + name;
        Assert.True(File.Exists(path), $"{name} is not installed: apt-get install ladspa-sdk lilv-utils (scripts/test.sh does)");
        return path;
    }

    private static string Cli(string input, string output, double strength, double postFilter, bool comb)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var r = Run(host, [CliDll, "denoise", input, output, "--strength", F(strength), "--postfilter", F(postFilter),
            "--comb", comb ? "on" : "off", "--format", "f32", "--force"]);
        Assert.True(r.Code == 0, r.Stderr);
        return output;
    }

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A 16-bit file (the format applyplugin reads): the demo sample, plus a second voice for stereo.</summary>
    private static string Input(TempDir tmp, int channels)
    {
        var noisy = WavReader.Read(Repo.PathOf("samples/noisy.wav"));
        int n = noisy.FrameCount;
        var ch = new float[channels][];
        ch[0] = noisy.Channels[0];
        if (channels == 2) ch[1] = TestData.Voice(n, noisy.SampleRate, seed: 3, noise: 0.08f);
        string path = tmp.File($"in{channels}.wav");
        WavWriter.Write(path, new AudioBuffer(noisy.SampleRate, ch), WavSampleFormat.Pcm16);
        return path;
    }

    /// <summary>
    /// Largest difference between a host render (delayed by <paramref name="latency"/>) and the CLI's
    /// aligned render, in 16-bit steps, over the samples both cover; the number compared is returned too.
    /// </summary>
    private static (double MaxLsb, int Compared) Compare(string hostRender, string cliRender, int latency)
    {
        var host = WavReader.Read(hostRender);
        var cli = WavReader.Read(cliRender);
        Assert.Equal(cli.ChannelCount, host.ChannelCount);
        double worst = 0;
        int compared = Math.Min(cli.FrameCount, host.FrameCount - latency);
        for (int c = 0; c < cli.ChannelCount; c++)
            for (int i = 0; i < compared; i++)
                worst = Math.Max(worst, Math.Abs(host.Channels[c][i + latency] - cli.Channels[c][i]) * 32768.0);
        return (worst, compared);
    }

    /// <summary>The latency the plug-in reports on its output port at 48 kHz, read through the LADSPA ABI.</summary>
    private static int ReportedLatency() => LadspaAbi.ReportedLatency(48000);

    [Fact]
    public void Analyseplugin_lists_both_plugins_with_the_ports_of_the_control_table()
    {
        Assert.True(File.Exists(LadspaSo), $"{LadspaSo} missing: run scripts/build-plugin.sh first");
        var r = Run(Tool("analyseplugin"), [LadspaSo]);
        Assert.True(r.Code == 0, r.Stdout + r.Stderr);
        var plugins = r.Stdout.Split("Plugin Name:").Skip(1).ToArray();
        Assert.Equal(2, plugins.Length);
        foreach (var (text, label, id, audio) in new[] {
            (plugins[0], Ladspa.MonoLabel, Ladspa.MonoId, Ladspa.AudioPortNames(1)),
            (plugins[1], Ladspa.StereoLabel, Ladspa.StereoId, Ladspa.AudioPortNames(2)) })
        {
            Assert.Contains($"Plugin Label: \"{label}\"", text);
            Assert.Contains($"Plugin Unique ID: {id}", text);
            Assert.Contains("Must Run Real-Time: No", text);
            Assert.Contains("Environment: Normal or Hard Real-Time", text);
            var ports = Regex.Matches(text, "^(?:Ports:)?\\s*\"([^\"]+)\" (input|output), (audio|control)(.*)$", RegexOptions.Multiline);
            int channels = audio.Length / 2;
            Assert.Equal(2 * channels + Controls.Count + 1, ports.Count);
            for (int p = 0; p < 2 * channels; p++)
            {
                Assert.Equal(audio[p], ports[p].Groups[1].Value);
                Assert.Equal(p < channels ? "input" : "output", ports[p].Groups[2].Value);
                Assert.Equal("audio", ports[p].Groups[3].Value);
            }
            for (int i = 0; i < Controls.Count; i++)
            {
                var c = Controls.All[i];
                var m = ports[2 * channels + i];
                Assert.Equal(c.Name, m.Groups[1].Value);
                Assert.Equal("input", m.Groups[2].Value);
                Assert.Equal("control", m.Groups[3].Value);
                string expected = c.IsToggle ? $", toggled, default {F(c.Default)}" : $", {F(c.Min)} to {F(c.Max)}, default {F(c.Default)}";
                Assert.Equal(expected, m.Groups[4].Value.TrimEnd());
            }
            var latency = ports[^1];
            Assert.Equal(("latency", "output", "control"), (latency.Groups[1].Value, latency.Groups[2].Value, latency.Groups[3].Value));
        }
    }

    [Fact]
    public void The_latency_port_reports_the_algorithm_plus_the_padding_for_any_block_size()
    {
        // 1440 samples of algorithm (30 ms) plus P_pad = 479 for blocks of unknown size (docs/design.md §9.2).
        Assert.Equal(Constants.AlgorithmLatency + Constants.HopSize - 1, ReportedLatency());
    }

    [Theory]
    [InlineData(1, 1.0, 0.0, true)]
    [InlineData(1, 0.6, 0.75, false)]
    [InlineData(2, 0.8, 0.25, true)]
    public void Applyplugin_renders_what_the_cli_renders_after_the_reported_latency(int channels, double strength, double postFilter, bool comb)
    {
        using var tmp = new TempDir();
        string input = Input(tmp, channels);
        string rendered = tmp.File("ladspa.wav");
        int latency = ReportedLatency();
        var r = Run(Tool("applyplugin"), ["-s1", input, rendered, LadspaSo, channels == 1 ? Ladspa.MonoLabel : Ladspa.StereoLabel,
            F(100 * strength), F(100 * postFilter), comb ? "1" : "0", "0", "0"]);
        Assert.True(r.Code == 0, r.Stdout + r.Stderr);
        var (maxLsb, compared) = Compare(rendered, Cli(input, tmp.File("cli.wav"), strength, postFilter, comb), latency);
        Assert.Equal(WavReader.ReadInfo(input).FrameCount, compared); // -s1 leaves room for the whole delayed file
        // applyplugin writes 16-bit samples: rounding the same float output costs at most one step.
        Assert.True(maxLsb <= 1.0, $"applyplugin differs from the CLI by {maxLsb:F2} LSB");
    }

    [Fact]
    public void Lv2info_reads_the_bundle_without_complaint_and_lists_the_control_table()
    {
        using var tmp = new TempDir();
        string path = CopyBundle(tmp);
        foreach (var (uri, channels) in new[] { (Lv2.MonoUri, 1), (Lv2.StereoUri, 2) })
        {
            var r = Run(Tool("lv2info"), [uri], new() { ["LV2_PATH"] = path });
            Assert.True(r.Code == 0, r.Stdout + r.Stderr);
            // lilv prints every Turtle syntax or loading problem on stderr.
            Assert.True(r.Stderr.Trim().Length == 0, "lilv complained: " + r.Stderr);
            Assert.Contains($"Has latency:       yes, reported by port {PortInstanceLatencyPort(channels)}", r.Stdout);
            Assert.Contains("http://lv2plug.in/ns/ext/state#interface", r.Stdout);
            var ports = Regex.Split(r.Stdout, "\n\tPort \\d+:\n").Skip(1).ToArray();
            Assert.Equal(2 * channels + Controls.Count + 1, ports.Length);
            for (int i = 0; i < Controls.Count; i++)
            {
                var c = Controls.All[i];
                string port = ports[2 * channels + i];
                Assert.Contains($"Symbol:      {c.Option ?? c.ShortName.ToLowerInvariant()}\n", port);
                Assert.Contains($"Name:        {c.Name}\n", port);
                Assert.Contains($"Minimum:     {c.Min.ToString("F6", CultureInfo.InvariantCulture)}\n", port);
                Assert.Contains($"Maximum:     {c.Max.ToString("F6", CultureInfo.InvariantCulture)}\n", port);
                Assert.Contains($"Default:     {c.Default.ToString("F6", CultureInfo.InvariantCulture)}\n", port);
                Assert.Equal(c.IsToggle, port.Contains("lv2core#toggled"));
            }
            Assert.Contains("Symbol:      latency\n", ports[^1]);
            Assert.Contains("lv2core#OutputPort", ports[^1]);
        }
    }

    private static int PortInstanceLatencyPort(int channels) => 2 * channels + Controls.Count;

    private static string CopyBundle(TempDir tmp)
    {
        Assert.True(File.Exists(Path.Combine(Lv2Bundle, "manifest.ttl")), $"{Lv2Bundle} missing: run scripts/build-plugin.sh first");
        string root = tmp.File("lv2");
        string dest = Path.Combine(root, "PercepNetFx.lv2");
        Directory.CreateDirectory(dest);
        foreach (var f in Directory.GetFiles(Lv2Bundle)) File.Copy(f, Path.Combine(dest, Path.GetFileName(f)));
        return root;
    }

    [Theory]
    [InlineData(1, 1.0, 0.0, true)]
    [InlineData(1, 0.6, 0.75, false)]
    [InlineData(2, 0.8, 0.25, true)]
    public void Lv2apply_renders_what_the_cli_renders_after_the_reported_latency(int channels, double strength, double postFilter, bool comb)
    {
        using var tmp = new TempDir();
        string path = CopyBundle(tmp);
        string input = Input(tmp, channels);
        string rendered = tmp.File("lv2.wav");
        var r = Run(Tool("lv2apply"), ["-i", input, "-o", rendered, "-c", "strength", F(100 * strength), "-c", "postfilter", F(100 * postFilter),
            "-c", "comb", comb ? "1" : "0", channels == 1 ? Lv2.MonoUri : Lv2.StereoUri], new() { ["LV2_PATH"] = path });
        Assert.True(r.Code == 0, r.Stdout + r.Stderr);
        int latency = ReportedLatency();
        var (maxLsb, compared) = Compare(rendered, Cli(input, tmp.File("cli.wav"), strength, postFilter, comb), latency);
        // lv2apply writes as many samples as it read: the last `latency` of the CLI's are not in it.
        Assert.Equal(WavReader.ReadInfo(input).FrameCount - latency, compared);
        Assert.True(maxLsb <= 1.0, $"lv2apply differs from the CLI by {maxLsb:F2} LSB");
    }
    [Fact]
    public void Install_puts_every_format_where_hosts_look_and_lilv_finds_the_bundle_there()
    {
        using var tmp = new TempDir();
        string home = tmp.File("home");
        Directory.CreateDirectory(home);
        var r = Run("/bin/bash", [Repo.PathOf("scripts/install-plugin.sh")], new() { ["HOME"] = home });
        Assert.True(r.Code == 0, r.Stdout + r.Stderr);
        byte[] library = File.ReadAllBytes(TestData.SoPath);
        Assert.Equal(library, File.ReadAllBytes(Path.Combine(home, ".vst3/PercepNetFx.vst3/Contents/x86_64-linux/PercepNetFx.so")));
        Assert.Equal(library, File.ReadAllBytes(Path.Combine(home, ".ladspa/PercepNetFx.so")));
        Assert.Equal(library, File.ReadAllBytes(Path.Combine(home, ".lv2/PercepNetFx.lv2/PercepNetFx.so")));
        var presets = Directory.GetFiles(Repo.PathOf("presets"), "*.vstpreset").Select(Path.GetFileName).Order().ToArray();
        Assert.NotEmpty(presets);
        Assert.Equal(presets, Directory.GetFiles(Path.Combine(home, ".vst3/presets/PercepNetFx project/PercepNetFx")).Select(Path.GetFileName).Order().ToArray());
        // lilv's default search path starts with ~/.lv2: no LV2_PATH needed.
        var info = Run(Tool("lv2info"), [Lv2.MonoUri], new() { ["HOME"] = home, ["LV2_PATH"] = "" });
        Assert.True(info.Code == 0 && info.Stdout.Contains(Path.Combine(home, ".lv2/PercepNetFx.lv2")), info.Stdout + info.Stderr);
    }
}
