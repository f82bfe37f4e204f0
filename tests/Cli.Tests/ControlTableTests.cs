using System.Globalization;
using System.Text.RegularExpressions;
using PercepNetFx.Dsp;

namespace PercepNetFx.Cli.Tests;

/// <summary>The CLI's setting options, their help lines and defaults are the control table's.</summary>
public class ControlTableTests
{
    private static string Default(Control c) => c.Labels is { } labels
        ? labels[(int)c.Default].ToLowerInvariant()
        : c.DefaultNormalized.ToString("0.##", CultureInfo.InvariantCulture);

    [Fact]
    public void DenoiseHelpListsEveryOptionOfTheTableWithItsDefault()
    {
        string help = CommandLine.CommandHelp["denoise"];
        var withOption = Controls.All.Where(c => c.Option is not null).ToArray();
        Assert.Equal(["strength", "postfilter", "comb", "listen"], withOption.Select(c => c.Option));
        foreach (Control c in withOption)
        {
            var m = Regex.Match(help, $@"^  --{c.Option} (\S+) +(.+) \(default ([^)]+)\)$", RegexOptions.Multiline);
            Assert.True(m.Success, $"--{c.Option} missing from the denoise help");
            string values = c.Labels is ["Off", "On"] ? "on|off" : c.Labels is { } l ? string.Join("|", l.Select(x => x.ToLowerInvariant())) : "0..1";
            Assert.Equal(values, m.Groups[1].Value);
            Assert.Equal(c.OptionHelp, m.Groups[2].Value);
            Assert.Equal(Default(c), m.Groups[3].Value);
        }
        Assert.Contains("Defaults: " + string.Join(" ", withOption.Where(c => c != Controls.Listen).Select(c => $"--{c.Option} {Default(c)}")),
            CommandLine.Usage);
    }

    [Fact]
    public void OptionsLeftOutGiveTheTableDefaults()
    {
        var s = Commands.ParseSettings(ParsedArgs.Parse([]));
        Assert.Equal((float)Controls.Strength.DefaultNormalized, s.Strength);
        Assert.Equal((float)Controls.PostFilter.DefaultNormalized, s.PostFilterAmount);
        Assert.Equal(Controls.Comb.DefaultNormalized >= 0.5, s.CombEnabled);
        Assert.Equal((ListenMode)(int)Controls.Listen.Default, s.Listen);
        Assert.Equal(new DenoiseSettings(), s);
    }

    [Fact]
    public void EveryChoiceOfTheTableIsAccepted()
    {
        string[] args = ["--listen", "removed", "--comb", "off", "--strength", "0.25", "--postfilter", "1"];
        var s = Commands.ParseSettings(ParsedArgs.Parse(args, new HashSet<string> { "comb" }));
        Assert.Equal(new DenoiseSettings(0.25f, 1f, false, Listen: ListenMode.Removed), s);
        Assert.Throws<UsageException>(() => Commands.ParseSettings(ParsedArgs.Parse(["--listen", "both"])));
    }
}
