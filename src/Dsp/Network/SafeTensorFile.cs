using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace PercepNetFx.Dsp.Network;

/// <summary>A model file that cannot be used: the message says what is wrong and where.</summary>
public sealed class ModelFormatException(string message) : Exception(message);

/// <summary>Element types of the safetensors format that PercepNetFx reads.</summary>
public enum TensorDType { F32, I8, U8, F64, I16, I32, I64 }

/// <summary>One tensor: name, dtype, shape and its raw little-endian bytes (a private copy).</summary>
public sealed class SafeTensor
{
    internal SafeTensor(string name, TensorDType dtype, int[] shape, byte[] data)
    {
        Name = name; DType = dtype; Shape = shape; Data = data;
    }

    public string Name { get; }
    public TensorDType DType { get; }
    public IReadOnlyList<int> Shape { get; }
    internal byte[] Data { get; }
    public int ElementCount => Data.Length / SafeTensorFile.SizeOf(DType);

    /// <summary>The values as float32; the tensor must be F32.</summary>
    public float[] ToFloatArray()
    {
        if (DType != TensorDType.F32) throw new ModelFormatException($"tensor '{Name}': expected dtype F32, found {DType}");
        var a = new float[ElementCount];
        for (int i = 0; i < a.Length; i++) a[i] = BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(4 * i));
        return a;
    }

    /// <summary>The values as int8; the tensor must be I8.</summary>
    public sbyte[] ToSByteArray()
    {
        if (DType != TensorDType.I8) throw new ModelFormatException($"tensor '{Name}': expected dtype I8, found {DType}");
        return MemoryMarshal.Cast<byte, sbyte>(Data).ToArray();
    }

    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}

/// <summary>
/// Strict parser of the safetensors container (train/safetensors_io.py): 8-byte little-endian
/// header length N, N bytes of UTF-8 JSON {"__metadata__": {str: str}, name: {dtype, shape,
/// data_offsets}}, then the tensor bytes, contiguous and without gaps or trailing bytes.
/// Uses JsonDocument only (no reflection; NativeAOT-safe).
/// </summary>
public sealed class SafeTensorFile
{
    private readonly Dictionary<string, SafeTensor> _tensors;

    private SafeTensorFile(Dictionary<string, SafeTensor> tensors, Dictionary<string, string> metadata)
    {
        _tensors = tensors;
        Metadata = metadata;
    }

    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyDictionary<string, SafeTensor> Tensors => _tensors;

    internal static int SizeOf(TensorDType t) => t switch
    {
        TensorDType.I8 or TensorDType.U8 => 1,
        TensorDType.I16 => 2,
        TensorDType.F32 or TensorDType.I32 => 4,
        _ => 8,
    };

    /// <summary>The tensor called <paramref name="name"/>; throws if it is missing.</summary>
    public SafeTensor Get(string name) =>
        _tensors.TryGetValue(name, out var t) ? t : throw new ModelFormatException($"missing tensor '{name}'");

    /// <summary>The tensor called <paramref name="name"/> checked against dtype and shape.</summary>
    public SafeTensor Get(string name, TensorDType dtype, params int[] shape)
    {
        var t = Get(name);
        if (t.DType != dtype) throw new ModelFormatException($"tensor '{name}': dtype {t.DType}, expected {dtype}");
        if (!t.Shape.SequenceEqual(shape))
            throw new ModelFormatException($"tensor '{name}': shape {t.ShapeText}, expected [{string.Join(",", shape)}]");
        return t;
    }

    public static SafeTensorFile Parse(Stream stream)
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return Parse(ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }

    public static SafeTensorFile Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8) throw new ModelFormatException($"file too short for a safetensors header ({file.Length} bytes)");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n < 2 || n > (ulong)(file.Length - 8))
            throw new ModelFormatException($"header length {n} is beyond the file size ({file.Length} bytes)");
        var header = file.Slice(8, (int)n);
        var data = file[(8 + (int)n)..];

        if (!System.Text.Unicode.Utf8.IsValid(header)) throw new ModelFormatException("header is not valid UTF-8 JSON");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header.ToArray()); }
        catch (JsonException e) { throw new ModelFormatException($"header is not valid JSON: {e.Message}"); }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException("header JSON is not an object");
            var meta = new Dictionary<string, string>();
            var tensors = new Dictionary<string, SafeTensor>();
            var spans = new List<(long Begin, long End, string Name)>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new ModelFormatException("__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new ModelFormatException($"metadata '{m.Name}' is not a string");
                        meta[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                var t = ParseTensor(prop, data, out long begin, out long end);
                if (!tensors.TryAdd(prop.Name, t)) throw new ModelFormatException($"duplicate tensor '{prop.Name}'");
                spans.Add((begin, end, prop.Name));
            }
            spans.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long pos = 0;
            foreach (var (b, e, name) in spans)
            {
                if (b < pos) throw new ModelFormatException($"tensor '{name}': data_offsets [{b},{e}] overlap the previous tensor");
                if (b > pos) throw new ModelFormatException($"tensor '{name}': gap before data_offsets [{b},{e}] (data not contiguous)");
                pos = e;
            }
            if (pos != data.Length)
                throw new ModelFormatException($"data section has {data.Length} bytes but the tensors cover {pos} (trailing bytes)");
            return new SafeTensorFile(tensors, meta);
        }
    }

    private static SafeTensor ParseTensor(JsonProperty prop, ReadOnlySpan<byte> data, out long begin, out long end)
    {
        string name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"tensor '{name}': entry is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new ModelFormatException($"tensor '{name}': missing dtype");
        TensorDType dtype = dt.GetString() switch
        {
            "F32" => TensorDType.F32, "I8" => TensorDType.I8, "U8" => TensorDType.U8, "F64" => TensorDType.F64,
            "I16" => TensorDType.I16, "I32" => TensorDType.I32, "I64" => TensorDType.I64,
            var other => throw new ModelFormatException($"tensor '{name}': unsupported dtype '{other}'"),
        };
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new ModelFormatException($"tensor '{name}': missing shape");
        var shape = new int[sh.GetArrayLength()];
        long count = 1;
        int k = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int x) || x < 0)
                throw new ModelFormatException($"tensor '{name}': bad shape entry {d.GetRawText()}");
            shape[k++] = x;
            count *= x;
            if (count > int.MaxValue) throw new ModelFormatException($"tensor '{name}': shape too large");
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new ModelFormatException($"tensor '{name}': data_offsets must be [begin, end]");
        if (!off[0].TryGetInt64(out begin) || !off[1].TryGetInt64(out end) || begin < 0 || end < begin)
            throw new ModelFormatException($"tensor '{name}': bad data_offsets {off.GetRawText()}");
        if (end > data.Length)
            throw new ModelFormatException($"tensor '{name}': data_offsets [{begin},{end}] out of range (data section has {data.Length} bytes)");
        long bytes = count * SizeOf(dtype);
        if (end - begin != bytes)
            throw new ModelFormatException($"tensor '{name}': {dtype} shape [{string.Join(",", shape)}] needs {bytes} bytes but data_offsets give {end - begin}");
        return new SafeTensor(name, dtype, shape, data[(int)begin..(int)end].ToArray());
    }
}
