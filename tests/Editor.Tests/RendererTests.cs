namespace PercepNetFx.Editor.Tests;

public class RendererTests
{
    private const uint Bg = 0xFF000000;

    [Fact]
    public void FontCoversAsciiWithDistinctNonEmptyGlyphs()
    {
        var seen = new Dictionary<string, char>();
        for (char c = '!'; c <= '~'; c++)
        {
            var key = string.Join(",", Enumerable.Range(0, BitmapFont.GlyphHeight).Select(r => BitmapFont.Row(c, r)));
            Assert.True(key.Split(',').Any(v => v != "0"), $"glyph '{c}' is empty");
            Assert.False(seen.ContainsKey(key), $"glyph '{c}' duplicates '{(seen.TryGetValue(key, out var o) ? o : ' ')}'");
            seen[key] = c;
        }
        // Descenders only where a glyph has one.
        foreach (char c in "gjpqy,_") Assert.True(BitmapFont.Row(c, 7) != 0, $"'{c}' should descend");
        foreach (char c in "AZaz09") Assert.Equal(0, BitmapFont.Row(c, 7) | BitmapFont.Row(c, 8));
    }

    [Fact]
    public void TextAtScaleOneIsTheBitmapExactly()
    {
        // At scale 1 every screen pixel is one font pixel: coverage is 0 or 1, so the pixels are the bitmap.
        var c = new Canvas(40, 12);
        c.Clear(Bg);
        c.DrawText(2, 1, "H4g", 1f, 0xFFFFFFFF);
        for (int i = 0; i < 3; i++)
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                {
                    bool on = BitmapFont.IsSet("H4g"[i], col, row);
                    Assert.Equal(on ? 0xFFFFFFFFu : Bg, c[2 + 6 * i + col, 1 + row]);
                }
    }

    [Theory]
    [InlineData(1.25f)]
    [InlineData(1.5f)]
    [InlineData(2.4f)]
    public void TextRendersInsideItsBoxAndNowhereElse(float scale)
    {
        const string s = "Gain -12.5 dB |qy_";
        var c = new Canvas(400, 60);
        c.Clear(Bg);
        int x = 17, y = 11;
        int advance = c.DrawText(x, y, s, scale, 0xFFFFFFFF);
        var box = new RectI(x, y, Canvas.MeasureText(s.Length, scale), Canvas.TextHeight(scale));
        Assert.Equal((int)MathF.Round(s.Length * BitmapFont.Advance * scale), advance);
        int inside = 0, partial = 0;
        for (int py = 0; py < c.Height; py++)
            for (int px = 0; px < c.Width; px++)
            {
                uint p = c[px, py];
                if (p == Bg) continue;
                Assert.True(box.Contains(px, py), $"ink at ({px},{py}) outside {box}");
                inside++;
                if ((p & 0xFF) is > 0 and < 255) partial++;
            }
        Assert.True(inside > s.Length * 6, "text drew too little");
        // Fractional scales must anti-alias (grey edge pixels); the ink must reach the box's edges.
        Assert.True(partial > 0, "no anti-aliased pixels");
        Assert.Contains(Enumerable.Range(box.Y, box.H), py => c[box.X, py] != Bg || c[box.X + 1, py] != Bg);
    }

    [Fact]
    public void GlyphMasksMadeOnManyThreadsAtOnceAreAllKept()
    {
        // Every thread asks for a scale nobody used before at the same moment; a cache that lost
        // one of them would rebuild its masks (an allocation) on the next draw at that scale.
        const int threads = 8;
        var scales = new float[threads];
        for (int t = 0; t < threads; t++) scales[t] = 3.03f + 0.11f * t;
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            float scale = scales[t];
            workers[t] = new Thread(() => { var c = new Canvas(64, 64); start.SignalAndWait(); c.DrawText(0, 0, "A", scale, 0xFFFFFFFF); });
            workers[t].Start();
        }
        foreach (var w in workers) w.Join();

        var canvas = new Canvas(64, 64);
        var rebuilt = new List<float>();
        foreach (float scale in scales)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            canvas.DrawText(0, 0, "A", scale, 0xFFFFFFFF);
            if (GC.GetAllocatedBytesForCurrentThread() != before) rebuilt.Add(scale);
        }
        Assert.Empty(rebuilt);
    }

    [Fact]
    public void AntiAliasedLineCoversItsLengthWithPartialEdges()
    {
        var c = new Canvas(64, 64);
        c.Clear(Bg);
        c.DrawLine(4.5f, 10.5f, 60.5f, 40.5f, 2f, 0xFFFFFFFF);
        // Every pixel centre on the ideal segment is fully covered (distance 0 ≤ half-width − 0.5).
        for (int i = 0; i <= 56; i++)
        {
            float t = i / 56f;
            int px = (int)(4.5f + 56 * t), py = (int)(10.5f + 30 * t);
            Assert.True((c[px, py] & 0xFF) > 128, $"gap at ({px},{py})");
        }
        // Far from the segment nothing is drawn; near its edge some pixels are partial.
        Assert.Equal(Bg, c[4, 40]);
        Assert.Equal(Bg, c[60, 10]);
        Assert.Contains(c.Pixels, p => (p & 0xFF) is > 10 and < 245);
    }

    [Fact]
    public void FillRectClipsAndBlends()
    {
        var c = new Canvas(10, 10);
        c.Clear(0xFF000000);
        c.FillRect(-5, -5, 8, 8, 0xFFFF0000);    // clipped to [0,3)²
        c.FillRect(5, 5, 100, 100, 0x80FFFFFF);  // 50 % white over black
        Assert.Equal(0xFFFF0000u, c[2, 2]);
        Assert.Equal(0xFF000000u, c[3, 3]);
        Assert.Equal(0xFF808080u, c[9, 9]);      // (255·128 + 0·127 + 127) / 255 = 128
    }
}
