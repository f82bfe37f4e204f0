using System.Buffers.Binary;
using System.Text;
using PercepNetFx.Dsp.Network;

namespace PercepNetFx.Dsp.Tests.Network;

/// <summary>Corrupt variants of the golden model, built in memory, must fail with a clear ModelFormatException.</summary>
public class SafeTensorFormatTests
{
    private static readonly Lazy<byte[]> File = new(() => Golden.ModelBytes);

    private static int HeaderEnd => 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(File.Value);

    /// <summary>The golden file with one same-length replacement inside the JSON header.</summary>
    private static byte[] Patch(string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        var b = (byte[])File.Value.Clone();
        string header = Encoding.UTF8.GetString(b, 8, HeaderEnd - 8);
        int i = header.IndexOf(from, StringComparison.Ordinal);
        Assert.True(i >= 0, "pattern not in header: " + from);
        Encoding.UTF8.GetBytes(to).CopyTo(b, 8 + Encoding.UTF8.GetByteCount(header[..i]));
        return b;
    }

    private static string Fails(byte[] file)
    {
        var e = Assert.Throws<ModelFormatException>(() => PercepNetModel.Load(file));
        return e.Message;
    }

    [Fact]
    public void GoldenFileParses()
    {
        var f = SafeTensorFile.Parse(File.Value);
        Assert.Equal("percepnetfx-model", f.Metadata["format"]);
        var t = f.Get("conv1.weight.q8");
        Assert.Equal(TensorDType.I8, t.DType);
        Assert.Equal(new[] { 24, 16, 5 }, t.Shape);
        Assert.Equal(24 * 16 * 5, t.ElementCount);
        Assert.Equal(new[] { 16, 70 }, f.Get("fc_in.weight").Shape);
        using var ms = new MemoryStream(File.Value);
        Assert.Equal(16, PercepNetModel.Load(ms).D);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(200)]
    [InlineData(-1)]     // end of header
    [InlineData(-2)]     // middle of the data
    [InlineData(-3)]     // one byte short
    public void TruncatedFileIsRejected(int where)
    {
        int n = where switch { -1 => HeaderEnd, -2 => (HeaderEnd + File.Value.Length) / 2, -3 => File.Value.Length - 1, _ => where };
        string msg = Fails(File.Value[..n]);
        Assert.Matches("too short|beyond the file|out of range|trailing|needs", msg);
    }

    [Fact]
    public void TrailingBytesAreRejected() =>
        Assert.Contains("trailing", Fails([.. File.Value, 0, 0, 0, 0]));

    [Fact]
    public void HeaderLengthBeyondFileIsRejected()
    {
        var b = (byte[])File.Value.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(b, ulong.MaxValue - 3);
        Assert.Contains("beyond the file", Fails(b));
    }

    [Fact]
    public void BadJsonIsRejected()
    {
        var b = (byte[])File.Value.Clone();
        b[8] = (byte)'x';
        Assert.Contains("not valid JSON", Fails(b));
        Assert.Contains("not valid JSON", Fails(Patch("\"fc_in.weight\":{", "\"fc_in.weight\":[")));
    }

    [Theory]
    [InlineData("\"fc_in.weight\":{\"dtype\":\"F32\"", "\"fc_in.weight\":{\"dtype\":\"F16\"", "unsupported dtype 'F16'")]
    [InlineData("\"fc_in.weight\":{\"dtype\":\"F32\"", "\"fc_in.weight\":{\"dtype\":\"I32\"", "fc_in.weight")]
    [InlineData("\"shape\":[16,70]", "\"shape\":[16,71]", "needs 4544 bytes")]
    [InlineData("\"data_offsets\":[0,4480]", "\"data_offsets\":[8,4488]", "gap before")]
    [InlineData("\"data_offsets\":[4480,4544]", "\"data_offsets\":[4476,4540]", "overlap")]
    [InlineData("\"data_offsets\":[0,4480]", "\"data_offsets\":[0,9999]", "fc_in.weight")]
    [InlineData("\"fc_r.bias\"", "\"fc_r.bixs\"", "missing tensor 'fc_r.bias'")]
    [InlineData("\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[24,16,5]", "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[24,80,1]", "conv1.weight': shape [24,80,1], expected [24,16,5]")]
    [InlineData("\"gru2.weight_hh\":{\"dtype\":\"F32\",\"shape\":[72,24]", "\"gru2.weight_hh\":{\"dtype\":\"F32\",\"shape\":[24,72]", "gru2.weight_hh': shape [24,72], expected [72,24]")]
    [InlineData("\\\"D\\\": 16", "\\\"D\\\": 17", "config D=17 does not match")]
    [InlineData("percepnetfx-model", "percepnetfx-modex", "format")]
    public void CorruptHeaderIsRejected(string from, string to, string expected) =>
        Assert.Contains(expected, Fails(Patch(from, to)));

    [Fact]
    public void RandomByteFlipsNeverThrowAnythingElse()
    {
        var rng = new Random(17);
        int headerEnd = HeaderEnd;
        for (int i = 0; i < 300; i++)
        {
            var b = (byte[])File.Value.Clone();
            int pos = i < 250 ? rng.Next(0, headerEnd) : rng.Next(headerEnd, b.Length);
            b[pos] ^= (byte)(1 << rng.Next(8));
            try { PercepNetModel.Load(b); }
            catch (ModelFormatException) { }
        }
    }
}
