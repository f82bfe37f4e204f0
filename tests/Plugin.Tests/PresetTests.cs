using System.Buffers.Binary;
using System.Text.Json;

namespace PercepNetFx.Plugin.Tests;

/// <summary>presets/*.vstpreset: the VST3 preset container (docs/vst3.md §9) around our component state.</summary>
[Collection("native")]
public unsafe class PresetTests
{
    private static string Dir => Path.Combine(Repo.Root, "presets");

    private static (string cid, Dictionary<string, (long offset, long size)> chunks, byte[] file) Parse(string path)
    {
        byte[] f = File.ReadAllBytes(path);
        Assert.Equal("VST3"u8.ToArray(), f[..4]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan(4)));
        string cid = System.Text.Encoding.ASCII.GetString(f, 8, 32);
        long list = BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan(40));
        Assert.InRange(list, 48, f.Length - 8);
        Assert.Equal("List"u8.ToArray(), f[(int)list..(int)(list + 4)]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan((int)list + 4));
        Assert.Equal(f.Length, list + 8 + 20 * count);
        var chunks = new Dictionary<string, (long, long)>();
        for (int i = 0; i < count; i++)
        {
            int e = (int)list + 8 + 20 * i;
            string id = System.Text.Encoding.ASCII.GetString(f, e, 4);
            long off = BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan(e + 4)), size = BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan(e + 12));
            Assert.InRange(off, 48, list);
            Assert.InRange(off + size, 48, list);
            chunks[id] = (off, size);
        }
        return (cid, chunks, f);
    }

    public static IEnumerable<object[]> Presets()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "presets.json")));
        foreach (var p in doc.RootElement.GetProperty("presets").EnumerateArray())
            yield return new object[] { p.GetProperty("name").GetString()!, p.GetProperty("file").GetString()!,
                p.GetProperty("strength").GetDouble() / 100, p.GetProperty("postFilter").GetDouble() / 100,
                p.GetProperty("comb").GetBoolean() ? 1.0 : 0.0, p.GetProperty("bypass").GetBoolean() ? 1.0 : 0.0,
                p.GetProperty("listen").GetString() switch { "Output" => 0.0, "Removed" => 1.0, var x => throw new InvalidDataException(x) } };
    }

    [Fact]
    public void The_five_required_presets_exist()
    {
        var names = Presets().Select(p => (string)p[0]).ToArray();
        Assert.Equal(new[] { "Broadcast voice", "Podcast gentle", "Heavy noise", "Music-safe light", "Comb off" }, names);
        foreach (var p in Presets()) Assert.True(File.Exists(Path.Combine(Dir, (string)p[1])), (string)p[1]);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Preset_parses_and_loads_into_the_plugin(string name, string file, double strength, double postFilter, double comb, double bypass, double listen)
    {
        var (cid, chunks, bytes) = Parse(Path.Combine(Dir, file));
        Assert.Equal(ModuleInfo.ProcessorCid, cid); // the preset belongs to our processor class
        Assert.Contains("Comp", chunks.Keys);
        Assert.Contains(name, System.Text.Encoding.UTF8.GetString(bytes, (int)chunks["Info"].offset, (int)chunks["Info"].size));
        var (off, size) = chunks["Comp"];
        double[] expected = { strength, postFilter, comb, bypass, listen };

        // Managed model.
        var model = new PercepNetFxPlugin(null, loadDefaultModel: false);
        Assert.True(model.RestoreState(bytes.AsSpan((int)off, (int)size)));
        Assert.Equal(expected, model.Parameters.Select(x => x.Normalized));

        // Through the .so, the way a host loads a preset (§9): component.setState(Comp) and
        // controller.setComponentState(Comp) on a stream over the whole file positioned at the chunk.
        using var p = new PluginInstance();
        Assert.Equal(Abi.Ok, Abi.Call(p.Component, 12, new MemStream(bytes, (int)off, (int)size).Ptr));
        Assert.Equal(Abi.Ok, Abi.Call(p.Controller, 5, new MemStream(bytes, (int)off, (int)size).Ptr));
        if (chunks.TryGetValue("Cont", out var cont))
            Assert.Equal(Abi.Ok, Abi.Call(p.Controller, 6, new MemStream(bytes, (int)cont.offset, (int)cont.size).Ptr));
        for (uint id = 1; id <= 5; id++) Assert.Equal(expected[id - 1], p.GetParamNormalized(id));
        // The preset is a version-1 state (the default model); the plug-in saves it back as version 2
        // naming the model it runs (the golden test model here) with the same values.
        var saved = p.GetState();
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(saved.AsSpan(4)));
        Assert.EndsWith("golden\0test", System.Text.Encoding.ASCII.GetString(saved));
        var back = new PercepNetFxPlugin(null, loadDefaultModel: false);
        Assert.True(back.RestoreState(saved));
        Assert.Equal(expected, back.Parameters.Select(x => x.Normalized));
    }
}
