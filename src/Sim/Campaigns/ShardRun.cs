using System.Collections.Concurrent;
using System.Diagnostics;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Campaigns;

/// <summary>
/// Runs this process's shard of a campaign (<see cref="CampaignSpec"/>) in parallel, each seed
/// deterministic on its own, and gathers the results in campaign order.
/// </summary>
public static class ShardRun
{
    /// <summary>
    /// Runs the shard's seeds until they are all run, the time budget is spent or (until-fail) a
    /// seed has failed. The workers take the shard's seeds in order, one at a time, and every seed
    /// taken is run to its end: the seeds run are always the shard's first M, with no hole, which is
    /// what lets <c>aofsim merge</c> tell a cut-short shard from a whole one.
    /// </summary>
    public static (IReadOnlyList<CampaignSeed> Seeds, TimeSpan Elapsed) Run(CampaignSpec spec, SimOptions options, int parallelism, Action<int>? progress = null)
    {
        long count = spec.Shard.CountOf(spec.Positions);
        var results = new ConcurrentDictionary<long, CampaignSeed>();
        long next = 0;
        int done = 0;
        int stop = 0;
        var clock = Stopwatch.StartNew();
        int workers = Math.Max(1, parallelism);
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            while (Volatile.Read(ref stop) == 0 && (spec.Duration is not TimeSpan budget || clock.Elapsed < budget))
            {
                long nth = Interlocked.Increment(ref next) - 1;
                if (nth >= count)
                {
                    return;
                }

                long position = spec.Shard.Position(nth);
                ulong seed = spec.SeedAt(position);
                bool recheck = DeterminismCheck.Sampled(seed, spec.Recheck);
                long started = Stopwatch.GetTimestamp();
                SeedResult r = Simulation.Run(seed, options, keepTrace: recheck);
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (recheck)
                {
                    DeterminismCheck.Recheck(r, options);
                }

                results[nth] = new CampaignSeed(position, r, seconds);
                if (spec.UntilFail && r.Violations.Count > 0)
                {
                    Volatile.Write(ref stop, 1);
                }

                progress?.Invoke(Interlocked.Increment(ref done));
            }
        });
        return ([.. results.OrderBy(kv => kv.Key).Select(kv => kv.Value)], clock.Elapsed);
    }
}
