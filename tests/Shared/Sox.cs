using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace PercepNetFx.Tests.Shared;

/// <summary>
/// Runs the sox command line tool, the independent writer and reader of audio files in the tests.
/// CI installs it (`apt-get install -y sox`); without it the tests fail with a message saying so.
/// Linked into every test project that needs it.
/// </summary>
internal static class Sox
{
    public static (byte[] Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("sox") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException("sox did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("sox is not on PATH; install it with `apt-get install -y sox`.", e);
        }
        using (p)
        {
            // Read both pipes concurrently so a chatty stderr cannot deadlock a large stdout.
            var stdout = new MemoryStream();
            Task copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
            Task<string> err = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            copy.Wait();
            string stderr = err.Result;
            if (p.ExitCode != 0)
                throw new InvalidOperationException($"sox {string.Join(' ', args)} exited {p.ExitCode}: {stderr}");
            return (stdout.ToArray(), stderr);
        }
    }

    /// <summary>sox's own decode of a file to interleaved 32-bit float.</summary>
    public static float[] DecodeToF32(string path, out string stderr)
    {
        (byte[] raw, stderr) = Run("-D", path, "-t", "f32", "-e", "floating-point", "-");
        var samples = new float[raw.Length / 4];
        Buffer.BlockCopy(raw, 0, samples, 0, samples.Length * 4);
        return samples;
    }

    /// <summary>One field of `sox --i` (-r rate, -c channels, -s samples per channel, -b bits, -e encoding).</summary>
    public static string Info(string flag, string path) =>
        System.Text.Encoding.UTF8.GetString(Run("--i", flag, path).Stdout).Trim();

    public static long Frames(string path) => long.Parse(Info("-s", path), CultureInfo.InvariantCulture);
    public static int Rate(string path) => int.Parse(Info("-r", path), CultureInfo.InvariantCulture);
    public static int Channels(string path) => int.Parse(Info("-c", path), CultureInfo.InvariantCulture);
}
