using NAudio.Wave;
using NAudio.Wave.SampleProviders;
using PercepNetFx.NAudio;

// Denoises IN.wav into OUT.wav through the packed PercepNetFx.NAudio, with the lines its README shows.
// Given REFERENCE.wav (the CLI's `percepnetfx denoise IN.wav REFERENCE.wav --format f32`), it then checks
// that both files hold the same samples: the package runs the CLI's chain and model, latency removed.
if (args.Length is not (2 or 3))
{
    Console.Error.WriteLine("usage: PercepNetFx.NAudio.Consumer IN.wav OUT.wav [REFERENCE.wav]");
    return 2;
}

using (var reader = new WaveFileReader(args[0]))
{
    var denoiser = new PercepNetSampleProvider(reader.ToSampleProvider());
    var aligned = new OffsetSampleProvider(denoiser) { SkipOverSamples = denoiser.LatencySamples * denoiser.WaveFormat.Channels };
    WaveFileWriter.CreateWaveFile(args[1], aligned.ToWaveProvider());
    Console.WriteLine($"model {denoiser.Model.Name} {denoiser.Model.Version}, latency {denoiser.LatencySamples} samples");
}
if (args.Length == 2) return 0;

float[] package = Samples(args[1]), cli = Samples(args[2]);
int differing = package.Length == cli.Length ? package.Where((v, i) => v != cli[i]).Count() : -1;
if (differing != 0)
{
    Console.Error.WriteLine(differing < 0
        ? $"{args[1]} has {package.Length} samples, {args[2]} {cli.Length}"
        : $"{differing} of {package.Length} samples differ between {args[1]} and {args[2]}");
    return 1;
}
Console.WriteLine($"{package.Length} samples, identical to {args[2]}");
return 0;

static float[] Samples(string path)
{
    using var reader = new WaveFileReader(path);
    ISampleProvider samples = reader.ToSampleProvider();
    var all = new List<float>();
    var buffer = new float[4096 * samples.WaveFormat.Channels];
    for (int n; (n = samples.Read(buffer)) > 0;) all.AddRange(buffer.AsSpan(0, n));
    return all.ToArray();
}
