namespace PercepNetFx.Editor;

/// <summary>An integer rectangle (x, y = top-left, exclusive right/bottom).</summary>
public readonly record struct RectI(int X, int Y, int W, int H)
{
    public int Right => X + W;
    public int Bottom => Y + H;
    public bool Contains(int px, int py) => px >= X && px < X + W && py >= Y && py < Y + H;
}

/// <summary>
/// A software raster target. Pixel format: one <see cref="uint"/> per pixel holding 0xAARRGGBB,
/// row-major, stride = <see cref="Width"/>. On a little-endian machine the bytes in memory are
/// B, G, R, A, which is exactly what an X11 ZPixmap of depth 24 / 32 bits per pixel (TrueColor,
/// LSBFirst) expects, so the X11 glue blits <see cref="Pixels"/> without conversion; the PNG
/// writer converts to RGBA. All drawing clips to the canvas, blends with the alpha of the colour
/// times the coverage, and never allocates (except the first use of a text scale: see
/// <see cref="DrawText"/>).
/// </summary>
public sealed class Canvas
{
    public Canvas(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width));
        Width = width;
        Height = height;
        Pixels = new uint[width * height];
    }

    public int Width { get; }
    public int Height { get; }
    public uint[] Pixels { get; }

    public uint this[int x, int y] => Pixels[y * Width + x];

    public static uint Rgb(int r, int g, int b) => 0xFF000000u | (uint)(r & 255) << 16 | (uint)(g & 255) << 8 | (uint)(b & 255);
    public static uint WithAlpha(uint color, int alpha) => (color & 0x00FFFFFFu) | (uint)(alpha & 255) << 24;

    public void Clear(uint color) => Pixels.AsSpan().Fill(color);

    /// <summary>Blends <paramref name="color"/> over pixel (x, y) with extra coverage in [0, 1].</summary>
    public void Blend(int x, int y, uint color, float coverage)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || !(coverage > 0f)) return;
        int a = (int)((color >> 24) * MathF.Min(coverage, 1f) + 0.5f);
        if (a <= 0) return;
        ref uint p = ref Pixels[y * Width + x];
        if (a >= 255) { p = color | 0xFF000000u; return; }
        p = Mix(p, color, a);
    }

    private static uint Mix(uint dst, uint src, int a)
    {
        int ia = 255 - a;
        uint r = (uint)((((src >> 16) & 255) * a + ((dst >> 16) & 255) * ia + 127) / 255);
        uint g = (uint)((((src >> 8) & 255) * a + ((dst >> 8) & 255) * ia + 127) / 255);
        uint b = (uint)(((src & 255) * a + (dst & 255) * ia + 127) / 255);
        return 0xFF000000u | r << 16 | g << 8 | b;
    }

    /// <summary>Fills whole pixels [x, x+w) × [y, y+h), clipped. Opaque colours overwrite; others blend.</summary>
    public void FillRect(int x, int y, int w, int h, uint color)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y);
        int x1 = Math.Min(Width, x + w), y1 = Math.Min(Height, y + h);
        if (x0 >= x1 || y0 >= y1) return;
        int a = (int)(color >> 24);
        for (int yy = y0; yy < y1; yy++)
        {
            var row = Pixels.AsSpan(yy * Width + x0, x1 - x0);
            if (a == 255) row.Fill(color);
            else if (a > 0) for (int i = 0; i < row.Length; i++) row[i] = Mix(row[i], color, a);
        }
    }

    public void FillRect(in RectI r, uint color) => FillRect(r.X, r.Y, r.W, r.H, color);

    /// <summary>One-pixel outline inside the rectangle.</summary>
    public void StrokeRect(in RectI r, uint color)
    {
        FillRect(r.X, r.Y, r.W, 1, color);
        FillRect(r.X, r.Bottom - 1, r.W, 1, color);
        FillRect(r.X, r.Y + 1, 1, r.H - 2, color);
        FillRect(r.Right - 1, r.Y + 1, 1, r.H - 2, color);
    }

    /// <summary>
    /// Anti-aliased line of the given width with round caps: each pixel near the segment gets the
    /// coverage of its centre's distance d to the segment, clamp(width/2 + 0.5 − d, 0, 1), a
    /// one-pixel linear ramp that approximates the exact area coverage well enough for UI strokes.
    /// </summary>
    public void DrawLine(float x0, float y0, float x1, float y1, float width, uint color)
    {
        float half = width * 0.5f;
        int minX = Math.Max(0, (int)MathF.Floor(MathF.Min(x0, x1) - half - 1));
        int maxX = Math.Min(Width - 1, (int)MathF.Ceiling(MathF.Max(x0, x1) + half + 1));
        int minY = Math.Max(0, (int)MathF.Floor(MathF.Min(y0, y1) - half - 1));
        int maxY = Math.Min(Height - 1, (int)MathF.Ceiling(MathF.Max(y0, y1) + half + 1));
        float dx = x1 - x0, dy = y1 - y0;
        float len2 = dx * dx + dy * dy;
        for (int y = minY; y <= maxY; y++)
        {
            float py = y + 0.5f;
            for (int x = minX; x <= maxX; x++)
            {
                float px = x + 0.5f;
                float t = len2 > 0f ? Math.Clamp(((px - x0) * dx + (py - y0) * dy) / len2, 0f, 1f) : 0f;
                float ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
                float d = MathF.Sqrt(ex * ex + ey * ey);
                Blend(x, y, color, half + 0.5f - d);
            }
        }
    }

    /// <summary>Anti-aliased filled disc (same distance-ramp coverage as <see cref="DrawLine"/>).</summary>
    public void FillCircle(float cx, float cy, float radius, uint color)
    {
        int minX = Math.Max(0, (int)(cx - radius - 1)), maxX = Math.Min(Width - 1, (int)(cx + radius + 1));
        int minY = Math.Max(0, (int)(cy - radius - 1)), maxY = Math.Min(Height - 1, (int)(cy + radius + 1));
        for (int y = minY; y <= maxY; y++)
            for (int x = minX; x <= maxX; x++)
            {
                float ex = x + 0.5f - cx, ey = y + 0.5f - cy;
                Blend(x, y, color, radius + 0.5f - MathF.Sqrt(ex * ex + ey * ey));
            }
    }

    /// <summary>Width in pixels of <paramref name="length"/> characters at <paramref name="scale"/>: the last glyph's rounded start plus its mask width (no trailing spacing).</summary>
    public static int MeasureText(int length, float scale)
        => length <= 0 ? 0 : (int)MathF.Round((length - 1) * BitmapFont.Advance * scale) + (int)MathF.Ceiling(BitmapFont.GlyphWidth * scale);

    /// <summary>Height in pixels of a line at <paramref name="scale"/>: cap height plus descenders.</summary>
    public static int TextHeight(float scale) => (int)MathF.Ceiling(BitmapFont.GlyphHeight * scale);

    /// <summary>
    /// Draws text with its top-left (top of the capitals) at integer pixel (x, y); one font pixel is
    /// <paramref name="scale"/> screen pixels. Each screen pixel's coverage is the fraction of 4×4
    /// sample points inside set font pixels, so fractional scales come out anti-aliased. Coverage
    /// masks are computed once per scale and glyph and cached (the first frame allocates them).
    /// Returns the advance in pixels.
    /// </summary>
    public int DrawText(int x, int y, ReadOnlySpan<char> text, float scale, uint color)
    {
        var set = GlyphCache.For(scale);
        for (int i = 0; i < text.Length; i++)
        {
            // Each glyph starts at the rounded ideal position, so spacing errors never accumulate.
            int ox = x + (int)MathF.Round(i * BitmapFont.Advance * scale);
            char c = text[i];
            if (c != ' ') set.Draw(this, ox, y, c, color);
        }
        return (int)MathF.Round(text.Length * BitmapFont.Advance * scale);
    }

    /// <summary>Text centred horizontally in a box of width <paramref name="boxWidth"/> starting at x.</summary>
    public int DrawTextCentered(int x, int y, int boxWidth, ReadOnlySpan<char> text, float scale, uint color)
        => DrawText(x + (boxWidth - MeasureText(text.Length, scale)) / 2, y, text, scale, color);

    /// <summary>Text ending at x + boxWidth.</summary>
    public int DrawTextRight(int x, int y, int boxWidth, ReadOnlySpan<char> text, float scale, uint color)
        => DrawText(x + boxWidth - MeasureText(text.Length, scale), y, text, scale, color);

    /// <summary>Per-scale coverage masks of all 95 glyphs.</summary>
    private sealed class GlyphCache
    {
        private const int Sub = 4; // 4×4 supersampling per screen pixel
        private static GlyphCache[] caches = Array.Empty<GlyphCache>();

        private readonly float scale;
        private readonly int w, h;
        private readonly byte[] masks; // [glyph][h][w] coverage 0…255

        private GlyphCache(float scale)
        {
            this.scale = scale;
            w = (int)MathF.Ceiling(BitmapFont.GlyphWidth * scale);
            h = (int)MathF.Ceiling(BitmapFont.GlyphHeight * scale);
            int count = BitmapFont.Last - BitmapFont.First + 1;
            masks = new byte[count * w * h];
            for (int g = 0; g < count; g++)
            {
                char c = (char)(BitmapFont.First + g);
                for (int py = 0; py < h; py++)
                    for (int px = 0; px < w; px++)
                    {
                        int hits = 0;
                        for (int sy = 0; sy < Sub; sy++)
                        {
                            int row = (int)MathF.Floor((py + (sy + 0.5f) / Sub) / scale);
                            for (int sx = 0; sx < Sub; sx++)
                            {
                                int col = (int)MathF.Floor((px + (sx + 0.5f) / Sub) / scale);
                                if (BitmapFont.IsSet(c, col, row)) hits++;
                            }
                        }
                        masks[(g * h + py) * w + px] = (byte)((hits * 255 + Sub * Sub / 2) / (Sub * Sub));
                    }
            }
        }

        public static GlyphCache For(float scale)
        {
            var list = Volatile.Read(ref caches);
            foreach (var c in list) if (c.scale == scale) return c;
            // A new scale copies the small list once (first frame). Views may render on different
            // threads (two editors open, or a host's worker), so the list is swapped in with a
            // compare-and-swap: a concurrent addition is never lost and then rebuilt every frame.
            var made = new GlyphCache(scale);
            while (true)
            {
                foreach (var c in list) if (c.scale == scale) return c;
                var grown = new GlyphCache[list.Length + 1];
                list.CopyTo(grown, 0);
                grown[^1] = made;
                var seen = Interlocked.CompareExchange(ref caches, grown, list);
                if (ReferenceEquals(seen, list)) return made;
                list = seen;
            }
        }

        public void Draw(Canvas canvas, int x, int y, char c, uint color)
        {
            if (c < BitmapFont.First || c > BitmapFont.Last) c = '?';
            int g = c - BitmapFont.First;
            for (int py = 0; py < h; py++)
            {
                int baseIndex = (g * h + py) * w;
                for (int px = 0; px < w; px++)
                {
                    byte m = masks[baseIndex + px];
                    if (m != 0) canvas.Blend(x + px, y + py, color, m / 255f);
                }
            }
        }
    }
}
