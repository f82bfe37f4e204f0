using System.Globalization;
using System.Text.RegularExpressions;
using PercepNetFx.Dsp;
using PercepNetFx.Editor;

namespace PercepNetFx.Plugin.Tests;

/// <summary>The plug-in's parameters, the editor's controls and docs/plugin.md's table are the control table.</summary>
public class ControlTableTests
{
    [Fact]
    public void PluginParametersAreTheTable()
    {
        var p = new PercepNetFxPlugin(null, loadDefaultModel: false);
        Assert.Equal(Controls.Count, p.Parameters.Count);
        for (int i = 0; i < Controls.Count; i++)
        {
            Control c = Controls.All[i];
            PluginParameter q = p.Parameters[i];
            Assert.Equal((c.Id, c.Name, c.ShortName, c.Unit, c.Min, c.Max, c.StepCount, c.IsBypass),
                (q.Id, q.Name, q.ShortName, q.Units, q.MinValue, q.MaxValue, q.StepCount, q.IsBypass));
            Assert.Equal(c.DefaultNormalized, q.DefaultNormalized, 12);
            Assert.Equal(c.Default, q.ToPlain(q.DefaultNormalized), 9);
            Assert.Equal(c.Labels, q.Labels);
        }
    }

    [Fact]
    public void TableDefaultsAreTheSettingsDefaults()
    {
        var d = new DenoiseSettings();
        Assert.Equal(d.Strength, Controls.Strength.DefaultNormalized, 6);
        Assert.Equal(d.PostFilterAmount, Controls.PostFilter.DefaultNormalized, 6);
        Assert.Equal(d.CombEnabled, Controls.Comb.DefaultNormalized >= 0.5);
        Assert.Equal(d.Listen == ListenMode.Removed, Controls.Listen.DefaultNormalized >= 0.5);
        Assert.Equal(0.0, Controls.Bypass.DefaultNormalized);
        Assert.Equal(d, PercepNetFxPlugin.SettingsFor(Controls.Strength.DefaultNormalized, Controls.PostFilter.DefaultNormalized,
            Controls.Comb.DefaultNormalized));
    }

    [Fact]
    public void EditorControlsAreTheTable()
    {
        Assert.Equal(Controls.Count, EditorParameters.Count);
        Assert.Equal(Controls.All.Select(c => c.Id), Interop.PlugView.ParamIds);
        for (int id = 0; id < EditorParameters.Count; id++)
        {
            Control c = Controls.All[id];
            Assert.Equal(c.Name, EditorParameters.Name(id));
            Assert.Equal(c.DefaultNormalized, EditorParameters.Default(id));
            Assert.Equal(c.StepCount == 1, EditorParameters.IsToggle(id));
        }
    }

    [Fact]
    public void DocsParameterTableIsTheControlTable()
    {
        // | ID | Name | Values | Default |: one row per control, in table order.
        var rows = File.ReadAllLines(Repo.PathOf("docs/plugin.md"))
            .Select(l => Regex.Match(l, @"^\| (\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$")).Where(m => m.Success).ToArray();
        Assert.Equal(Controls.Count, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Control c = Controls.All[i];
            var g = rows[i].Groups;
            Assert.Equal(c.Id.ToString(CultureInfo.InvariantCulture), g[1].Value);
            Assert.Equal(c.Name, g[2].Value.Trim());
            string values = g[3].Value.Trim(), def = g[4].Value.Trim();
            if (c.Labels is { } labels)
            {
                Assert.StartsWith(string.Join(" / ", labels), values);
                Assert.Equal(labels[(int)c.Default], def);
            }
            else
            {
                Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{c.Min:0.#} … {c.Max:0.#} {c.Unit}"), values);
                Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{c.Default:0.#} {c.Unit}"), def);
            }
        }
    }
}
