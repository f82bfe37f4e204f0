using System.Numerics;
using MathNet.Numerics.IntegralTransforms;
using PercepNetFx.Dsp;

namespace PercepNetFx.Dsp.Tests;

public class FftTests
{
    [Theory]
    [InlineData(480)]
    [InlineData(960)]
    [InlineData(120)]
    [InlineData(75)]
    [InlineData(64)]
    public void ComplexFftMatchesMathNetWithin1e5Relative(int size)
    {
        var rng = new Random(size);
        var re = new float[size];
        var im = new float[size];
        var reference = new Complex[size];
        for (int i = 0; i < size; i++)
        {
            re[i] = (float)(rng.NextDouble() * 2 - 1);
            im[i] = (float)(rng.NextDouble() * 2 - 1);
            reference[i] = new Complex(re[i], im[i]);
        }
        Fourier.Forward(reference, FourierOptions.NoScaling);
        new ComplexFft<float>(size).Forward(re, im);
        AssertClose(reference, re, im, 1e-5);
    }

    [Theory]
    [InlineData(480)]
    [InlineData(960)]
    [InlineData(300)]
    public void DoublePrecisionFftMatchesMathNetWithin1e9Relative(int size)
    {
        // The same Stockham code instantiated in double: holds the algorithm itself to 1e-9.
        var rng = new Random(size + 1);
        var x = new Complex[size];
        for (int i = 0; i < size; i++) x[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        var mathNet = (Complex[])x.Clone();
        Fourier.Forward(mathNet, FourierOptions.NoScaling);
        var re = x.Select(c => c.Real).ToArray();
        var im = x.Select(c => c.Imaginary).ToArray();
        new ComplexFft<double>(size).Forward(re, im);
        double maxRef = mathNet.Max(c => c.Magnitude);
        for (int k = 0; k < size; k++)
            Assert.True((new Complex(re[k], im[k]) - mathNet[k]).Magnitude <= 1e-9 * maxRef, $"bin {k}");
    }

    [Fact]
    public void DoublePrecisionRealFftMatchesMathNetWithin1e9Relative()
    {
        var rng = new Random(11);
        var time = new double[960];
        for (int i = 0; i < time.Length; i++) time[i] = rng.NextDouble() * 2 - 1;
        var reference = time.Select(v => new Complex(v, 0)).ToArray();
        Fourier.Forward(reference, FourierOptions.NoScaling);
        var re = new double[481];
        var im = new double[481];
        var fft = new RealFft<double>();
        fft.Forward(time, re, im);
        double maxRef = reference.Max(c => c.Magnitude);
        for (int k = 0; k <= 480; k++)
            Assert.True((new Complex(re[k], im[k]) - reference[k]).Magnitude <= 1e-9 * maxRef, $"bin {k}");
        var back = new double[960];
        fft.Inverse(re, im, back);
        for (int n = 0; n < 960; n++) Assert.True(Math.Abs(back[n] - time[n]) < 1e-12, $"n={n}");
    }

    [Fact]
    public void FloatFftMatchesNaiveDft()
    {
        var rng = new Random(7);
        var x = new Complex[480];
        for (int i = 0; i < x.Length; i++) x[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        var naive = NaiveDft(x);
        var re = x.Select(c => (float)c.Real).ToArray();
        var im = x.Select(c => (float)c.Imaginary).ToArray();
        new ComplexFft<float>(480).Forward(re, im);
        AssertClose(naive, re, im, 1e-5);
    }

    [Fact]
    public void RealFftMatchesMathNetAndNaiveDft()
    {
        var rng = new Random(1);
        var time = new float[960];
        for (int i = 0; i < time.Length; i++) time[i] = (float)(rng.NextDouble() * 2 - 1);
        var reference = time.Select(v => new Complex(v, 0)).ToArray();
        Fourier.Forward(reference, FourierOptions.NoScaling);
        var re = new float[481];
        var im = new float[481];
        new RealFft<float>().Forward(time, re, im);
        AssertClose(reference.Take(481).ToArray(), re, im, 1e-5);
        Assert.Equal(0f, im[0]);
        Assert.Equal(0f, im[480]);
    }

    [Fact]
    public void RealFftForwardInverseReconstructsWithin1e5()
    {
        var rng = new Random(2);
        var time = new float[960];
        for (int i = 0; i < time.Length; i++) time[i] = (float)(rng.NextDouble() * 2 - 1);
        var re = new float[481];
        var im = new float[481];
        var back = new float[960];
        var fft = new RealFft<float>();
        fft.Forward(time, re, im);
        fft.Inverse(re, im, back);
        for (int i = 0; i < time.Length; i++) Assert.True(Math.Abs(back[i] - time[i]) < 1e-5, $"sample {i}: {back[i]} vs {time[i]}");
    }

    [Fact]
    public void RealInverseMatchesMathNetInverseOfHermitianSpectrum()
    {
        var rng = new Random(3);
        var re = new float[481];
        var im = new float[481];
        var full = new Complex[960];
        for (int k = 0; k <= 480; k++)
        {
            re[k] = (float)(rng.NextDouble() - 0.5);
            im[k] = k == 0 || k == 480 ? 0f : (float)(rng.NextDouble() - 0.5);
            full[k] = new Complex(re[k], im[k]);
            if (k > 0 && k < 480) full[960 - k] = Complex.Conjugate(full[k]);
        }
        Fourier.Inverse(full, FourierOptions.NoScaling);
        var time = new float[960];
        new RealFft<float>().Inverse(re, im, time);
        for (int n = 0; n < 960; n++)
        {
            double expected = full[n].Real / 960.0;
            Assert.True(Math.Abs(time[n] - expected) < 1e-6, $"n={n}: {time[n]} vs {expected}");
        }
    }

    [Fact]
    public void FftAllocatesNothingAfterConstruction()
    {
        var fft = new RealFft<float>();
        var time = new float[960];
        var re = new float[481];
        var im = new float[481];
        // Time-based warm-up: tiered JIT compilation settles before the allocation counter is read.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500) { fft.Forward(time, re, im); fft.Inverse(re, im, time); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) { fft.Forward(time, re, im); fft.Inverse(re, im, time); }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static Complex[] NaiveDft(Complex[] x)
    {
        int n = x.Length;
        var y = new Complex[n];
        for (int k = 0; k < n; k++)
        {
            Complex s = 0;
            for (int i = 0; i < n; i++) s += x[i] * Complex.FromPolarCoordinates(1, -2 * Math.PI * ((long)k * i % n) / n);
            y[k] = s;
        }
        return y;
    }

    private static void AssertClose(Complex[] reference, float[] re, float[] im, double relTol)
    {
        double maxRef = reference.Max(c => c.Magnitude);
        for (int k = 0; k < reference.Length; k++)
        {
            double err = (new Complex(re[k], im[k]) - reference[k]).Magnitude;
            Assert.True(err <= relTol * maxRef, $"bin {k}: error {err:E3} vs tolerance {relTol * maxRef:E3}");
        }
    }
}
