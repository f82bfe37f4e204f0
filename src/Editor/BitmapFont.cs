namespace PercepNetFx.Editor;

/// <summary>
/// PercepNetFx's own 5×9 bitmap font for ASCII 32–126, designed for this project (not derived
/// from any third-party font). Each glyph is a hex string of up to 9 rows of 5 bits, bit 4 (0x10)
/// the leftmost column. Rows 0–6 are the cap height, the baseline is under row 6 and rows 7–8
/// hold descenders (g, j, p, q, y, comma, underscore). Missing trailing rows are blank.
/// Glyphs are drawn scaled with coverage supersampling (see <see cref="Canvas.DrawText"/>), which
/// gives anti-aliased text at any scale from one set of hand-made bitmaps.
/// </summary>
public static class BitmapFont
{
    public const int GlyphWidth = 5;
    public const int GlyphHeight = 9;
    /// <summary>Horizontal advance in font pixels (glyph + one column of spacing).</summary>
    public const int Advance = 6;
    /// <summary>Cap height in font pixels (rows 0–6).</summary>
    public const int CapHeight = 7;
    public const char First = ' ', Last = '~';

    private static readonly string[] Glyphs =
    {
        "",                   // ' '
        "04040404040004",     // !
        "0A0A",               // "
        "0A0A1F0A1F0A0A",     // #
        "040F140E051E04",     // $
        "18190204081303",     // %
        "0814140815120D",     // &
        "0404",               // '
        "02040808080402",     // (
        "08040202020408",     // )
        "0004150E150400",     // *
        "0004041F040400",     // +
        "000000000000040408", // ,
        "0000001F",           // -
        "00000000000C0C",     // .
        "01010204081010",     // /
        "0E11131519110E",     // 0
        "040C040404040E",     // 1
        "0E11010204081F",     // 2
        "1F02040201110E",     // 3
        "02060A121F0202",     // 4
        "1F101E0101110E",     // 5
        "0608101E11110E",     // 6
        "1F010204080808",     // 7
        "0E11110E11110E",     // 8
        "0E11110F01020C",     // 9
        "000C0C000C0C",       // :
        "000C0C000C0408",     // ;
        "02040810080402",     // <
        "00001F001F",         // =
        "08040201020408",     // >
        "0E110102040004",     // ?
        "0E11171517100F",     // @
        "0E11111F111111",     // A
        "1E11111E11111E",     // B
        "0E11101010110E",     // C
        "1C12111111121C",     // D
        "1F10101E10101F",     // E
        "1F10101E101010",     // F
        "0E11101711110F",     // G
        "1111111F111111",     // H
        "0E04040404040E",     // I
        "0702020202120C",     // J
        "11121418141211",     // K
        "1010101010101F",     // L
        "111B1515111111",     // M
        "11111915131111",     // N
        "0E11111111110E",     // O
        "1E11111E101010",     // P
        "0E11111115120D",     // Q
        "1E11111E141211",     // R
        "0F10100E01011E",     // S
        "1F040404040404",     // T
        "1111111111110E",     // U
        "11111111110A04",     // V
        "1111111515150A",     // W
        "11110A040A1111",     // X
        "1111110A040404",     // Y
        "1F01020408101F",     // Z
        "0E08080808080E",     // [
        "10100804020101",     // \
        "0E02020202020E",     // ]
        "040A11",             // ^
        "000000000000001F",   // _
        "0804",               // `
        "00000E010F110F",     // a
        "1010161911111E",     // b
        "00000E1010110E",     // c
        "01010D1311110F",     // d
        "00000E111F100E",     // e
        "0609081C080808",     // f
        "00000F1111110F010E", // g
        "10101619111111",     // h
        "04000C0404040E",     // i
        "02000602020202120C", // j
        "10101214181412",     // k
        "0C04040404040E",     // l
        "00001A15151515",     // m
        "00001619111111",     // n
        "00000E1111110E",     // o
        "00001E1111111E1010", // p
        "00000F1111110F0101", // q
        "00001619101010",     // r
        "00000F100E011E",     // s
        "08081C08080906",     // t
        "0000111111130D",     // u
        "00001111110A04",     // v
        "0000111115150A",     // w
        "0000110A040A11",     // x
        "0000111111110F010E", // y
        "00001F0204081F",     // z
        "02040408040402",     // {
        "04040404040404",     // |
        "08040402040408",     // }
        "0000081502",         // ~
    };

    private static readonly byte[] Rows = Build();

    private static byte[] Build()
    {
        if (Glyphs.Length != Last - First + 1) throw new InvalidOperationException("font table must cover ASCII 32–126");
        var rows = new byte[Glyphs.Length * GlyphHeight];
        for (int g = 0; g < Glyphs.Length; g++)
        {
            string hex = Glyphs[g];
            if (hex.Length % 2 != 0 || hex.Length > 2 * GlyphHeight) throw new InvalidOperationException($"bad glyph {(char)(First + g)}");
            for (int r = 0; r < hex.Length / 2; r++)
            {
                byte v = Convert.ToByte(hex.Substring(2 * r, 2), 16);
                if (v > 0x1F) throw new InvalidOperationException($"glyph {(char)(First + g)} row {r} wider than 5");
                rows[g * GlyphHeight + r] = v;
            }
        }
        return rows;
    }

    /// <summary>True when font pixel (column, row) of <paramref name="c"/> is set; characters outside ASCII 32–126 draw as '?'.</summary>
    public static bool IsSet(char c, int column, int row)
    {
        if ((uint)column >= GlyphWidth || (uint)row >= GlyphHeight) return false;
        return (Row(c, row) & (0x10 >> column)) != 0;
    }

    /// <summary>The 5-bit row bitmap of a glyph.</summary>
    public static int Row(char c, int row)
    {
        if (c < First || c > Last) c = '?';
        return Rows[(c - First) * GlyphHeight + row];
    }
}
