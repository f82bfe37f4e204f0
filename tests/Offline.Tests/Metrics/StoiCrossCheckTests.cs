using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using PercepNetFx.Offline.Metrics;
using Xunit.Abstractions;

namespace PercepNetFx.Offline.Tests.Metrics;

/// <summary>
/// Compares <see cref="Stoi"/> with the independent numpy implementation in stoi_reference.py. Runs only
/// where /usr/bin/python3 has numpy and scipy (xunit 2 has no runtime skip: the test then passes after
/// logging that it was not run).
/// </summary>
public sealed class StoiCrossCheckTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    [Theory]
    [InlineData(10000, -5.0, 1e-9)] // same rate: only the algorithm differs → agreement to rounding
    [InlineData(48000, 0.0, 0.01)]  // reference resamples with scipy's Kaiser-β5 filter, not ours
    [InlineData(16000, 10.0, 0.01)]
    public void MatchesNumpyReference(int rate, double snrDb, double tolerance)
    {
        if (!PythonAvailable())
        {
            output.WriteLine($"skipped: {Python} with numpy and scipy not available");
            return;
        }
        var clean = TestSignals.SpeechLike(rate, 4, 41);
        var noisy = TestSignals.AddAtSnr(clean, TestSignals.WhiteNoise(clean.Length, 42), snrDb);
        string dir = Path.Combine(Path.GetTempPath(), "stoi-xcheck-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string cleanPath = Path.Combine(dir, "clean.f32"), noisyPath = Path.Combine(dir, "noisy.f32");
            WriteFloats(cleanPath, clean);
            WriteFloats(noisyPath, noisy);
            string text = Run(Script(), cleanPath, noisyPath, rate.ToString(CultureInfo.InvariantCulture));
            double reference = double.Parse(text.Trim(), CultureInfo.InvariantCulture);
            double ours = Stoi.Compute(clean, noisy, rate);
            output.WriteLine($"{rate} Hz, {snrDb} dB: C# {ours:F9}, numpy {reference:F9}, diff {ours - reference:E2}");
            Assert.Equal(reference, ours, tolerance);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Script([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "stoi_reference.py");

    private static void WriteFloats(string path, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException();
        File.WriteAllBytes(path, bytes);
    }

    private static bool PythonAvailable()
    {
        if (!File.Exists(Python)) return false;
        try
        {
            Run("-c", "import numpy, scipy.signal");
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Run(params string[] arguments)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("python did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException(stderr);
        return stdout.Result;
    }
}
