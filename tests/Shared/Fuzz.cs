using System.Globalization;

namespace PercepNetFx.Tests.Shared;

/// <summary>
/// Fuzzing budget: CI runs each test's default number of inputs with a fixed seed; PERCEPNETFX_FUZZ=N runs N inputs
/// (the long local mode, e.g. 2 000 000) and PERCEPNETFX_FUZZ_SEED picks another seed.
/// </summary>
public static class Fuzz
{
    public static int Iterations(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("PERCEPNETFX_FUZZ"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : ciDefault;

    public static int Seed(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("PERCEPNETFX_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : fallback;

    /// <summary>One mutation of <paramref name="valid"/>: truncation, bit flips, byte runs, 32/64-bit
    /// size fields set to extremes, insertions and deletions; <paramref name="hot"/> bytes get most hits.</summary>
    public static byte[] Mutate(byte[] valid, Random rng, int hot)
    {
        byte[] b = (byte[])valid.Clone();
        int Pos(int len) => rng.Next(4) != 0 && hot > 0 ? rng.Next(Math.Min(hot, len)) : rng.Next(len);
        int kind = rng.Next(8);
        switch (kind)
        {
            case 0: // truncation
                return b[..rng.Next(b.Length)];
            case 1: // a few bit flips
                for (int i = 0, n = 1 + rng.Next(4); i < n && b.Length > 0; i++) b[Pos(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 2: // a random byte run
            {
                int p = Pos(b.Length), n = Math.Min(b.Length - p, 1 + rng.Next(8));
                for (int i = 0; i < n; i++) b[p + i] = (byte)rng.Next(256);
                return b;
            }
            case 3: // a 32-bit field set to an extreme (huge sizes, negative counts)
            case 4: // a 64-bit field set to an extreme
            {
                int width = kind == 3 ? 4 : 8;
                if (b.Length < width) return b;
                int p = Math.Min(Pos(b.Length), b.Length - width);
                ulong[] extremes = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, (ulong)rng.NextInt64()];
                ulong v = extremes[rng.Next(extremes.Length)];
                for (int i = 0; i < width; i++) b[p + i] = (byte)(v >> (8 * i));
                return b;
            }
            case 5: // insertion
            {
                int p = Pos(b.Length + 1);
                var ins = new byte[1 + rng.Next(16)];
                rng.NextBytes(ins);
                return [.. b[..p], .. ins, .. b[p..]];
            }
            case 6: // deletion
            {
                if (b.Length == 0) return b;
                int p = Pos(b.Length), n = Math.Min(b.Length - p, 1 + rng.Next(16));
                return [.. b[..p], .. b[(p + n)..]];
            }
            default: // random garbage of a random length
            {
                var g = new byte[rng.Next(64)];
                rng.NextBytes(g);
                return g;
            }
        }
    }
}
