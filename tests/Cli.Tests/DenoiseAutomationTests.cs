using System.Globalization;
using PercepNetFx.Dsp;
using PercepNetFx.Dsp.Network;
using PercepNetFx.Offline;

namespace PercepNetFx.Cli.Tests;

/// <summary>
/// `percepnetfx denoise --automation FILE`: a constant file is the plain options, a bypass lane gives the
/// input back between its cross-fades, the file's render is the library's (which equals the plug-in's,
/// Plugin.Tests), and a bad file or a conflicting option is one error line.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DenoiseAutomationTests : CliTest
{
    private string Noise(string name, int channels)
    {
        string path = dir.File(name);
        Sox.Run("-R", "-n", "-r", "48000", "-c", channels.ToString(CultureInfo.InvariantCulture), "-b", "32", "-e", "floating-point",
            path, "synth", "1.2", "pinknoise", "synth", "1.2", "sine", "mix", "220", "gain", "-18");
        return path;
    }

    private string Lanes(string text)
    {
        string path = dir.File("lanes.txt");
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_file_of_constant_lanes_gives_the_same_bytes_as_the_plain_options(int channels)
    {
        string input = Noise("in.wav", channels), a = dir.File("a.wav"), b = dir.File("b.wav");
        string lanes = Lanes("0,strength,60\n0,postfilter,75%\n0.5,comb,off\n0,listen,removed\n0,bypass,off\n");
        Assert.Equal(0, Cli.Run("denoise", input, a, "--automation", lanes).ExitCode);
        Assert.Equal(0, Cli.Run("denoise", input, b, "--strength", "0.6", "--postfilter", "0.75", "--comb", "off", "--listen", "removed").ExitCode);
        Assert.Equal(File.ReadAllBytes(b), File.ReadAllBytes(a));
    }

    [Fact]
    public void A_bypass_lane_gives_back_the_input_between_its_cross_fades_and_the_render_is_the_librarys()
    {
        string input = Noise("in.wav", 1), output = dir.File("out.wav");
        // Bypass from 0.3 s to 0.8 s; strength ramps 100 % → 20 % meanwhile and steps back to 100 % at 1 s.
        string lanes = Lanes("0,bypass,off\n0.3,bypass,on\n0.8,bypass,off\n0.2,strength,100\n0.9,strength,20,ramp\n1.0,strength,100,step\n");
        Assert.Equal(0, Cli.Run("denoise", input, output, "--automation", lanes).ExitCode);
        // Read with the CLI's own reader: sox holds samples as 32-bit integers, so its decode of float files is not exact.
        float[] x = AudioFiles.Read(input).Channels[0], y = AudioFiles.Read(output).Channels[0];
        // Bypass outputs the input delayed by the latency, which the render compensates: the input itself,
        // from one hop after the switch (the cross-fade) to the switch back. The cross-fades sit where the
        // plug-in's do: at the point's sample in host time, the latency earlier in the aligned output.
        int latency = new StreamingEngine(48000, 1).LatencySamples, on = 14400 - latency + 480, off = 38400 - latency;
        for (int n = on; n < off; n++) Assert.True(x[n] == y[n], $"sample {n}: {y[n]} vs input {x[n]}");
        Assert.True(Enumerable.Range(0, 9000).Max(n => Math.Abs(x[n] - y[n])) > 0.01, "before bypass the output is denoised");
        Assert.True(Enumerable.Range(off + 480, 9000).Max(n => Math.Abs(x[n] - y[n])) > 0.01, "after bypass the output is denoised");

        var expected = OfflineRenderer.Render(new[] { x }, 48000, ShippedModels.LoadDefault(), new DenoiseSettings(), Automation.Load(lanes))[0];
        Assert.Equal(expected, y);
    }

    [Fact]
    public void A_bad_automation_file_is_one_line_naming_the_file_and_line()
    {
        string input = Noise("in.wav", 1), output = dir.File("out.wav");
        string lanes = Lanes("0,strength,50\n0.5,bypas,on\n");
        Assert.Equal($"{Prefix}{lanes}:2: unknown control 'bypas' (controls: strength, postfilter, comb, bypass, listen)",
            Fails("denoise", input, output, "--automation", lanes));
        File.Delete(lanes);
        Assert.Equal($"{Prefix}{lanes}: no such automation file", Fails("denoise", input, output, "--automation", lanes));
    }

    [Fact]
    public void A_control_set_by_both_its_option_and_a_lane_and_automation_of_a_folder_are_refused()
    {
        string input = Noise("in.wav", 1), output = dir.File("out.wav");
        string lanes = Lanes("0,strength,50\n1,strength,80\n");
        Assert.Equal($"{Prefix}--strength and the automation file's strength lane both set strength: give one",
            Fails("denoise", input, output, "--automation", lanes, "--strength", "0.5"));
        Assert.Equal($"{Prefix}--automation applies to a single input file",
            Fails("denoise", dir.Path, dir.File("outs"), "--automation", lanes));
    }
}
