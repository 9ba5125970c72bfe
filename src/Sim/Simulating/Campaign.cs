using System.Collections.Concurrent;
using System.Diagnostics;

namespace AofSim.Sim.Simulating;

/// <summary>Runs many seeds in parallel (each one deterministic on its own) and gathers the results in seed order.</summary>
public static class Campaign
{
    /// <summary>
    /// Runs seeds <paramref name="first"/>..<paramref name="last"/>; <paramref name="completed"/>
    /// is given each result as it finishes (any thread, any order), then <paramref name="progress"/>
    /// the count done.
    /// </summary>
    public static (IReadOnlyList<SeedResult> Results, TimeSpan Elapsed) Run(ulong first, ulong last, SimOptions options, int parallelism, Action<int>? progress = null, Action<SeedResult>? completed = null)
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
                SeedResult result = results[seed] = Simulation.Run(seed, options);
                completed?.Invoke(result);
                progress?.Invoke(Interlocked.Increment(ref done));
            });
        return ([.. results.OrderBy(kv => kv.Key).Select(kv => kv.Value)], clock.Elapsed);
    }
}

/// <summary>The exhaustive crash-point search (in the spirit of ALICE and CrashMonkey).</summary>
public static class Exhaustive
{
    /// <summary>
    /// Runs <paramref name="seed"/>'s short workload once without faults to count its syscalls,
    /// then once per crash point (right after each syscall) and per crash state there (up to
    /// <paramref name="maxStates"/>), each recovered and checked. Both crash models when the
    /// options say mixed.
    /// </summary>
    public static (IReadOnlyList<SeedResult> Runs, int CrashPoints) Run(ulong seed, SimOptions options, int maxStates, int parallelism)
    {
        CrashModelOption[] models = options.Fs == CrashModelOption.Mixed ? [CrashModelOption.Posix, CrashModelOption.Ext4] : [options.Fs];
        var runs = new System.Collections.Concurrent.ConcurrentBag<(CrashModelOption Model, long Point, int Variant, SeedResult Result)>();
        int points = 0;
        foreach (CrashModelOption model in models)
        {
            SimOptions clean = options with { Fs = model, Faults = FaultSet.None, Plan = options.Plan };
            long calls = Simulation.Run(seed, clean).Syscalls;
            points += (int)calls;
            Parallel.For(1L, calls + 1, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, k =>
            {
                SeedResult first = Simulation.Run(seed, clean with { PowerLossAfterCall = k, CrashVariant = 0 });
                runs.Add((model, k, 0, first));
                CrashModel crashModel = model.Resolve(CrashModel.StrictPosix);
                int states = CrashVariants.Count(first.PendingAtCrash, crashModel, maxStates);
                for (int v = 1; v < states; v++)
                {
                    runs.Add((model, k, v, Simulation.Run(seed, clean with { PowerLossAfterCall = k, CrashVariant = v })));
                }
            });
        }

        return ([.. runs.OrderBy(r => r.Model.Name(), StringComparer.Ordinal).ThenBy(r => r.Point).ThenBy(r => r.Variant).Select(r => r.Result)], points);
    }
}
