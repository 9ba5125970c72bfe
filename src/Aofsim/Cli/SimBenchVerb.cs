using System.CommandLine;
using System.Globalization;
using System.Runtime;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Cli;

/// <summary>
/// <c>aofsim bench sim</c>: the simulator's throughput, measured as a benchmark rather than read
/// off a campaign. Seeds are run first to warm the JIT up (not timed, as BenchmarkDotNet does),
/// then the same range of seeds is timed several times at each degree of parallelism. Each run
/// prints seeds/s, events/s, seeds/s per core and the bytes allocated per seed (the whole
/// process's, during the run); every run of the range must give the same
/// campaign hash, or the benchmark fails (exit 1): it doubles as a determinism check.
/// </summary>
internal static class SimBenchVerb
{
    public static Command Build(CliIo io)
    {
        var seeds = new Option<int>("--seeds") { Description = "Seeds timed in each run", DefaultValueFactory = _ => 2000 }.Within(1, int.MaxValue);
        var warmup = new Option<int>("--warmup") { Description = "Seeds run first, on every core, and not timed (the JIT's warm-up)", DefaultValueFactory = _ => 500 }.Within(0, int.MaxValue);
        var runs = new Option<int>("--runs") { Description = "Timed runs per degree of parallelism (the best and the median are reported)", DefaultValueFactory = _ => 3 }.Within(1, int.MaxValue);
        var jobs = new Option<string?>("--jobs") { Description = "Degrees of parallelism to time, a comma list (default: 1 and all cores)" };
        var opts = new SimulationOptions(defaultFaults: "crash", defaultSwarm: false);
        var cmd = new Command("sim", "Benchmark the simulator: seeds/s and events/s per core, after a warm-up") { seeds, warmup, runs, jobs };
        opts.AddTo(cmd);
        cmd.SetAction(r => Run(io, r.GetValue(seeds), r.GetValue(warmup), r.GetValue(runs), ParseJobs(r.GetValue(jobs)), opts.Resolve(r)));
        return cmd;
    }

    public static int Run(CliIo io, int seeds, int warmup, int runs, IReadOnlyList<int> jobs, SimOptions options)
    {
        if (seeds < 1 || warmup < 0 || runs < 1)
        {
            throw new UsageException("--seeds and --runs must be positive, --warmup at least 0");
        }

        TextWriter w = io.Out;
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"aofsim bench sim: seeds of {options.Ops} events, {options.Flags}"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC"));
        if (warmup > 0)
        {
            (_, TimeSpan warm) = Campaign.Run(1, (ulong)warmup, options, Environment.ProcessorCount);
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: seeds 1..{warmup} on {Environment.ProcessorCount} cores, not timed ({warm.TotalSeconds:F2} s)"));
        }

        ulong first = (ulong)warmup + 1, last = (ulong)warmup + (ulong)seeds;
        string? hash = null;
        foreach (int j in jobs)
        {
            var rates = new List<double>();
            for (int run = 1; run <= runs; run++)
            {
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                (IReadOnlyList<SeedResult> results, TimeSpan elapsed) = Campaign.Run(first, last, options, j);
                long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                double s = elapsed.TotalSeconds;
                long events = results.Sum(x => x.Events);
                int violations = results.Sum(x => x.Violations.Count);
                string h = RunVerb.CampaignHash(results);
                rates.Add(seeds / s);
                w.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"jobs {j}, run {run}: seeds {first}..{last} in {s:F2} s: {seeds / s:F0} seeds/s, {events / s:F0} events/s, {seeds / s / j:F0} seeds/s per core, {allocated / seeds:N0} bytes allocated per seed; {violations} violations, hash {h}"));
                if (hash is not null && h != hash)
                {
                    io.Err.WriteLine($"aofsim bench sim: seeds {first}..{last} gave hash {hash} and then {h}: the simulator is not deterministic");
                    return 1;
                }

                hash = h;
            }

            rates.Sort();
            double best = rates[^1], median = rates[rates.Count / 2];
            w.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"jobs {j}: best {best:F0} seeds/s ({best / j:F0} per core), median {median:F0} seeds/s ({median / j:F0} per core)"));
        }

        w.WriteLine($"every run of seeds {first}..{last} gave campaign hash {hash}");
        return 0;
    }

    private static int[] ParseJobs(string? list)
    {
        if (list is null)
        {
            return Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];
        }

        var jobs = new List<int>();
        foreach (string part in list.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int j) || j < 1 || j > RunVerb.MaxJobs)
            {
                throw new UsageException($"--jobs must be a comma list of numbers 1..1024, not '{list}'");
            }

            jobs.Add(j);
        }

        return [.. jobs];
    }
}
