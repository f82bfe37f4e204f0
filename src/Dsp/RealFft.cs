using System.Numerics;

namespace PercepNetFx.Dsp;

/// <summary>
/// 960-point real FFT through a 480-point complex FFT and the standard real-signal packing
/// (spec §2.2, default choice). Spectra hold bins 0 … 480 as separate re/im spans.
/// Forward is unnormalised; Inverse includes the 1/960 factor. Allocation-free.
/// </summary>
public sealed class RealFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Size = Constants.WindowSize;
    private const int Half = Size / 2;
    private readonly ComplexFft<T> fft = new(Half);
    private readonly T[] zRe = new T[Half];
    private readonly T[] zIm = new T[Half];
    private readonly T[] rotRe = new T[Half + 1]; // e^{−jπk/480}
    private readonly T[] rotIm = new T[Half + 1];

    private static readonly T HalfT = T.CreateChecked(0.5);

    public RealFft()
    {
        for (int k = 0; k <= Half; k++)
        {
            double angle = -Math.PI * k / Half;
            rotRe[k] = T.CreateChecked(Math.Cos(angle));
            rotIm[k] = T.CreateChecked(Math.Sin(angle));
        }
    }

    /// <summary>A(k) = Σ a(n)·e^{−j2πkn/960} for k = 0 … 480.</summary>
    public void Forward(ReadOnlySpan<T> time, Span<T> specRe, Span<T> specIm)
    {
        for (int n = 0; n < Half; n++)
        {
            zRe[n] = time[2 * n];
            zIm[n] = time[2 * n + 1];
        }
        fft.Forward(zRe, zIm);
        for (int k = 0; k <= Half; k++)
        {
            int k1 = k == Half ? 0 : k;
            int k2 = k == 0 ? 0 : Half - k;
            T zr = zRe[k1], zi = zIm[k1], cr = zRe[k2], ci = -zIm[k2];
            T er = HalfT * (zr + cr), ei = HalfT * (zi + ci);
            // O = (Z − conj Z')/(2j)
            T dr = HalfT * (zr - cr), di = HalfT * (zi - ci);
            T or = di, oi = -dr;
            specRe[k] = er + rotRe[k] * or - rotIm[k] * oi;
            specIm[k] = ei + rotRe[k] * oi + rotIm[k] * or;
        }
        specIm[0] = T.Zero;
        specIm[Half] = T.Zero;
    }

    /// <summary>a(n) = (1/960)·Σ A(k)·e^{+j2πkn/960}, using Hermitian symmetry; Im A(0), Im A(480) ignored.</summary>
    public void Inverse(ReadOnlySpan<T> specRe, ReadOnlySpan<T> specIm, Span<T> time)
    {
        for (int k = 0; k < Half; k++)
        {
            T ar = specRe[k], ai = k == 0 ? T.Zero : specIm[k];
            T br = specRe[Half - k], bi = k == 0 ? T.Zero : -specIm[Half - k];
            if (k == 0) bi = T.Zero; // A(480) is real
            T er = HalfT * (ar + br), ei = HalfT * (ai + bi);
            T dr = HalfT * (ar - br), di = HalfT * (ai - bi);
            // O = D·e^{+jπk/480} = D·conj(rot)
            T or = dr * rotRe[k] + di * rotIm[k];
            T oi = di * rotRe[k] - dr * rotIm[k];
            zRe[k] = er - oi;
            zIm[k] = ei + or;
        }
        fft.Inverse(zRe, zIm);
        for (int n = 0; n < Half; n++)
        {
            time[2 * n] = zRe[n];
            time[2 * n + 1] = zIm[n];
        }
    }
}
