using PercepNetFx.Dsp.Network;
using PercepNetFx.Offline;

namespace PercepNetFx.Cli;

/// <summary>`percepnetfx bench`: the chain's real-time cost.</summary>
public static partial class Commands
{
    public static int Bench(ParsedArgs a)
    {
        a.NoOthers("seconds", "stages", "model", "network", "config", "runs");
        if (a.Positional.Count != 0) throw a.WrongPositionals($"bench takes no file arguments, got {Arguments(a.Positional)}");
        double seconds = a.Number("seconds", 20, 1, 3600);
        double runsAsked = a.Number("runs", 1, 1, 99);
        int runs = (int)runsAsked;
        if (runs != runsAsked) throw new UsageException($"--runs must be a whole number, got {runsAsked.ToString(Inv)}");
        // Every option is checked, and the model loaded, before the first measurement: a mistake fails at once.
        string? config = a.Optional("config");
        if (config is not null && a.Optional("model") is not null) throw new UsageException("--config and --model exclude each other");
        if (config is not null && !RandomModel.Configs.ContainsKey(config))
            throw new UsageException($"--config must be one of {string.Join(", ", RandomModel.Configs.Keys)}, got '{config}'");
        var model = !a.Switch("network", true) ? null : config is null ? LoadModel(a.Optional("model")) : RandomModel.Create(config);
        if (a.Switch("stages", false))
        {
            foreach (var (stage, us) in Benchmark.Stages()) Console.Out.WriteLine(string.Create(Inv, $"{stage,-28} {us,8:F2} µs"));
        }
        void Line(string label, Func<BenchmarkResult> measure)
        {
            var (r, min, max) = Benchmark.Repeat(runs, measure);
            string spread = runs == 1 ? "" : string.Create(Inv, $", median of {runs} runs, range {min:F1}–{max:F1} µs");
            Console.Out.WriteLine(string.Create(Inv,
                $"{label,-34} {r.MicrosecondsPerHop,7:F1} µs per 10 ms hop = {100 * r.RealTimeShare:F3} % of one core (p99.9 {r.P999Microseconds:F1} µs{spread})"));
        }
        foreach (int channels in new[] { 1, 2 })
            Line($"chain without network, {(channels == 1 ? "mono" : "stereo")}", () => Benchmark.Chain(channels, seconds));
        if (model is null) return 0;
        long weights = model.WeightCount;
        Console.Out.WriteLine(string.Create(Inv,
            $"model {model.Name} {model.Version}: D={model.D} C={model.C} H={model.H} R={model.R}, {weights / 1e6:F3} M weights"));
        foreach (var precision in new[] { NetworkPrecision.Float32, NetworkPrecision.Int8 })
        {
            string p = precision == NetworkPrecision.Int8 ? "int8" : "float";
            Line($"network alone, {p}", () => Benchmark.Network(new NetworkRunner(model, precision), seconds));
            Line($"chain with network {p}, mono", () => Benchmark.Chain(1, seconds, new OverloadGuard(new NetworkRunner(model, precision))));
        }
        Line("chain with network int8, stereo", () => Benchmark.Chain(2, seconds, new OverloadGuard(new NetworkRunner(model, NetworkPrecision.Int8))));
        Line("chain int8, mono, 0 dBFS overload", () => Benchmark.Chain(1, seconds, new OverloadGuard(new NetworkRunner(model, NetworkPrecision.Int8)), overload: true));
        return 0;
    }
}
