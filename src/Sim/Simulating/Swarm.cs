namespace AofSim.Sim.Simulating;

// Swarm testing (Groce et al., ISSTA 2012; TigerBeetle's swarm mode, FoundationDB's BUGGIFY).
//
// A campaign where every seed may use every feature tends to explore the average of all of them:
// a fault kind that masks another (a crash that restarts the server before a write error is
// retried), a command family that crowds out another, a setting that hides a timing. Each seed
// of a swarm run therefore switches a random subset of the fault kinds and command families off
// (each kept with probability one half, all off allowed) and draws the engine's knobs and the
// scheduler's weights. The choices come from the seed's own stream, "swarm", taken by label like
// every other stream: they disturb no other stream, and a run with --swarm false draws nothing
// from it (it is the run it was before swarm testing, byte for byte).

/// <summary>Draws a seed's swarm choices (see the file's header).</summary>
public static class Swarm
{
    private const int TenMegabytes = 10 * 1024 * 1024;

    /// <summary>
    /// The options seed <paramref name="seed"/> runs with: <paramref name="options"/> as they are
    /// when <see cref="SimOptions.Swarm"/> is off; otherwise with the seed's subset of the fault
    /// kinds and command families on, its knobs and its scheduler weights, made explicit (the
    /// result has <see cref="SimOptions.Swarm"/> off: applying it again changes nothing).
    /// </summary>
    public static SimOptions Apply(ulong seed, SimOptions options)
    {
        if (!options.Swarm)
        {
            return options;
        }

        SimRandom r = SimRandom.Stream(seed, "swarm");
        var kinds = new List<string>();
        foreach (string kind in options.Faults.On)
        {
            if (r.Chance(0.5))
            {
                kinds.Add(kind);
            }
        }

        var families = new List<string>();
        foreach (string family in Workload.Families)
        {
            if (r.Chance(0.5))
            {
                families.Add(family);
            }
        }

        var knobs = new EngineKnobs
        {
            // Down to 1 (a cron a second: postponed writes retried late), up to 20.
            Hz = r.Pick(new[] { 1, 2, 5, 10, 10, 20 }),
            AutoRewritePercentage = r.Pick(new[] { 0, 25, 100, 100, 400 }),
            AutoRewriteMinSize = r.Pick(new[] { 256L, 1024, 4096, 16384, 65536 }),
            // Small blocks make the diff span blocks, a path 10 MB blocks never take here.
            RewriteBufferBlockSize = r.Pick(new[] { TenMegabytes, TenMegabytes, 4096, 256, 16 }),
            FsyncMaxMs = r.Pick(new[] { 1, 10, 30, 100, 400 }),
            SlowFsyncChance = r.Pick(new[] { 0.01, 0.08, 0.25 }),
            // Slow fsyncs ending below, around and above the 2-second postpone.
            SlowFsyncMaxMs = r.Pick(new[] { 900, 1999, 2100, 3500 }),
            CloseMs = r.Pick(new[] { 1, 1, 50, 500 }),
        };

        SchedulerWeights w = options.Scheduler;
        var weights = new SchedulerWeights
        {
            // No family on: no client step (nothing to send), the run is time, rewrites and faults.
            Client = families.Any(f => f != Workload.Multi) ? Scale(r, w.Client) : 0,
            ShortWait = Scale(r, w.ShortWait),
            LongWait = Scale(r, w.LongWait),
            ChildSteps = Scale(r, w.ChildSteps),
            Rewrite = Scale(r, w.Rewrite),
            ToggleAppendOnly = Scale(r, w.ToggleAppendOnly),
            BackgroundSave = Scale(r, w.BackgroundSave),
            KillChild = Scale(r, w.KillChild),
            TinyWait = Math.Max(1, w.TinyWait),
        };

        return options with
        {
            Swarm = false,
            Faults = new FaultSet(kinds),
            Families = new FamilySet(families),
            Knobs = knobs,
            Scheduler = weights,
        };
    }

    /// <summary>The line the trace's header shows for these (explicit) choices.</summary>
    public static string Describe(SimOptions chosen) =>
        $"swarm faults={chosen.Faults} families={chosen.Families} {chosen.Knobs.Describe()}"
        + (chosen.Scheduler == SchedulerWeights.Default ? string.Empty : $" weights={chosen.Scheduler.Describe()}");

    // A weight off, halved, kept, doubled or quadrupled.
    private static int Scale(SimRandom r, int weight) => r.Next(5) switch
    {
        0 => 0,
        1 => weight / 2,
        2 => weight,
        3 => weight * 2,
        _ => weight * 4,
    };
}
