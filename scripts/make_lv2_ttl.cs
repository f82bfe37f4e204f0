#:project ../src/Dsp/PercepNetFx.Dsp.csproj
// Writes the LV2 bundle's manifest.ttl and PercepNetFx.ttl from the control table
// (src/Dsp/Controls.cs), so the ports the host reads are the ones the binary serves
// (port order of src/Plugin/Interop/PortInstance.cs; docs/ladspa-lv2.md §2).
// Usage: dotnet run scripts/make_lv2_ttl.cs -- BUNDLE_DIR
using System.Globalization;
using System.Text;
using PercepNetFx.Dsp;

if (args.Length != 1) { Console.Error.WriteLine("usage: dotnet run scripts/make_lv2_ttl.cs -- BUNDLE_DIR"); return 2; }
string dir = args[0];
Directory.CreateDirectory(dir);
var plugins = new[] { ("urn:percepnetfx:mono", 1, "PercepNetFx voice denoiser (mono)"), ("urn:percepnetfx:stereo", 2, "PercepNetFx voice denoiser (stereo)") };
const string Prefixes = """
    @prefix doap:  <http://usefulinc.com/ns/doap#> .
    @prefix lv2:   <http://lv2plug.in/ns/lv2core#> .
    @prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix state: <http://lv2plug.in/ns/ext/state#> .
    @prefix units: <http://lv2plug.in/ns/extensions/units#> .
    @prefix urid:  <http://lv2plug.in/ns/ext/urid#> .


    """;

var manifest = new StringBuilder(Prefixes);
foreach (var (uri, _, _) in plugins)
    manifest.Append($"<{uri}>\n    a lv2:Plugin ;\n    lv2:binary <PercepNetFx.so> ;\n    rdfs:seeAlso <PercepNetFx.ttl> .\n\n");

static string F(double v) => v.ToString("0.0###", CultureInfo.InvariantCulture);
static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

var ttl = new StringBuilder(Prefixes);
foreach (var (uri, channels, name) in plugins)
{
    var ports = new List<string>();
    string[] audioSymbols = channels == 1 ? ["in", "out"] : ["in_l", "in_r", "out_l", "out_r"];
    string[] audioNames = channels == 1 ? ["Input", "Output"] : ["Input L", "Input R", "Output L", "Output R"];
    for (int p = 0; p < 2 * channels; p++)
        ports.Add($"a lv2:AudioPort, {(p < channels ? "lv2:InputPort" : "lv2:OutputPort")} ;\n        lv2:index {p} ;\n        lv2:symbol \"{audioSymbols[p]}\" ;\n        lv2:name \"{audioNames[p]}\"");
    int index = 2 * channels;
    foreach (var c in Controls.All)
    {
        string symbol = c.Option ?? c.ShortName.ToLowerInvariant();
        var port = new StringBuilder($"a lv2:InputPort, lv2:ControlPort ;\n        lv2:index {index++} ;\n        lv2:symbol \"{symbol}\" ;\n        lv2:name \"{Escape(c.Name)}\" ;\n");
        port.Append($"        lv2:default {F(c.Default)} ;\n        lv2:minimum {F(c.Min)} ;\n        lv2:maximum {F(c.Max)}");
        if (c.IsToggle) port.Append(" ;\n        lv2:portProperty lv2:toggled");
        if (c.Unit == "%") port.Append(" ;\n        units:unit units:pc");
        ports.Add(port.ToString());
    }
    // The delay the host compensates: 30 ms of algorithm plus the padding for blocks of any size.
    ports.Add($"a lv2:OutputPort, lv2:ControlPort ;\n        lv2:index {index} ;\n        lv2:symbol \"latency\" ;\n        lv2:name \"Latency\" ;\n"
        + "        lv2:designation lv2:latency ;\n        lv2:portProperty lv2:reportsLatency, lv2:integer ;\n        lv2:minimum 0 ;\n        lv2:maximum 192000 ;\n        units:unit units:frame");
    ttl.Append($"<{uri}>\n    a lv2:Plugin ;\n    doap:name \"{Escape(name)}\" ;\n    doap:license <https://opensource.org/licenses/MIT> ;\n");
    ttl.Append("    lv2:optionalFeature lv2:hardRTCapable, urid:map ;\n    lv2:extensionData state:interface ;\n    lv2:port [\n        ");
    ttl.Append(string.Join("\n    ] , [\n        ", ports));
    ttl.Append("\n    ] .\n\n");
}
File.WriteAllText(Path.Combine(dir, "manifest.ttl"), manifest.ToString());
File.WriteAllText(Path.Combine(dir, "PercepNetFx.ttl"), ttl.ToString());
return 0;
