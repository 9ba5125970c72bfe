using System.Collections.Concurrent;
using System.Diagnostics;

namespace AofSim.Sim.Simulation;

/// <summary>Runs many seeds in parallel (each one deterministic on its own) and gathers the results in seed order.</summary>
public static class Campaign
{
    /// <summary>Runs seeds <paramref name="first"/>..<paramref name="last"/>; <paramref name="progress"/> is told after each.</summary>
    public static (IReadOnlyList<SeedResult> Results, TimeSpan Elapsed) Run(ulong first, ulong last, SimOptions options, int parallelism, Action<int>? progress = null)
    {
        var results = new ConcurrentDictionary<ulong, SeedResult>();
        int done = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(
            0L,
            (long)(last - first + 1),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) },
            i =>
            {
                ulong seed = first + (ulong)i;
                results[seed] = Simulation.Run(seed, options);
                progress?.Invoke(Interlocked.Increment(ref done));
            });
        return ([.. results.OrderBy(kv => kv.Key).Select(kv => kv.Value)], clock.Elapsed);
    }
}
