using System.Runtime.CompilerServices;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The scheduler of a seeded run: draws the next step from its stream with the
/// <see cref="SchedulerWeights"/>, the commands from the workload's, and loses the power at the
/// events the crash plan chose. It sees the server only through what it was told: which child
/// runs (the process table), and what its own <c>CONFIG SET appendonly</c> commands were answered.
/// </summary>
internal sealed class Scheduler
{
    private readonly SimRandom random;
    private readonly Workload workload;
    private readonly SchedulerWeights weights;
    private readonly HashSet<int> crashEvents;
    private readonly bool killChildren;

    // Cumulative thresholds of the weights, in their order.
    private readonly int client, shortWait, longWait, childSteps, rewrite, toggle, save, kill, shutdown, total;

    /// <summary>A scheduler drawing from <paramref name="random"/> and <paramref name="workload"/>.</summary>
    public Scheduler(SimRandom random, Workload workload, SchedulerWeights weights, HashSet<int> crashEvents, bool killChildren)
    {
        this.random = random;
        this.workload = workload;
        this.weights = weights;
        this.crashEvents = crashEvents;
        this.killChildren = killChildren;
        client = weights.Client;
        shortWait = client + weights.ShortWait;
        longWait = shortWait + weights.LongWait;
        childSteps = longWait + weights.ChildSteps;
        rewrite = childSteps + weights.Rewrite;
        toggle = rewrite + weights.ToggleAppendOnly;
        save = toggle + weights.BackgroundSave;
        kill = save + weights.KillChild;
        shutdown = kill + weights.Shutdown;
        total = weights.Total;
    }

    /// <summary>What the server answered the last <c>CONFIG SET appendonly</c>: on (a new process starts with it on).</summary>
    public bool AppendOnlyOn { get; private set; } = true;

    /// <summary>The weights in use.</summary>
    public SchedulerWeights Weights => weights;

    /// <summary>A new server process: appendonly is on, as configured.</summary>
    public void Restarted() => AppendOnlyOn = true;

    /// <summary>An admin command was answered: a successful <c>CONFIG SET appendonly</c> changes what the scheduler knows.</summary>
    public void Answered(string[] argv, IReadOnlyList<string> replies)
    {
        if (argv is ["CONFIG", "SET", "appendonly", string value] && replies.Count > 0 && replies[0].StartsWith('+'))
        {
            AppendOnlyOn = value == "yes";
        }
    }

    /// <summary>The step at <paramref name="eventIndex"/>; <paramref name="childRunning"/>: a rewrite child runs.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ScriptStep Next(int eventIndex, bool childRunning)
    {
        if (crashEvents.Contains(eventIndex))
        {
            // Machines often lose power after a quiet spell: sometimes let time pass first, with
            // no writes, so that what the fsync policy does when writes stop is put to the test.
            long quiet = random.Chance(0.35) ? random.Range(1000, 12000) : 0;
            return new PowerLossStep(quiet, random.Range(0, 2000));
        }

        int roll = random.Next(total);
        if (roll < client)
        {
            return new ClientStep(workload.NextDb(), workload.NextBatch());
        }

        if (roll < shortWait)
        {
            return new AdvanceStep(random.Range(1, 150));
        }

        if (roll < longWait)
        {
            return new AdvanceStep(random.Chance(0.2) ? random.Range(5000, 16000) : random.Range(500, 4000));
        }

        if (roll < childSteps)
        {
            return childRunning ? new ChildStep(1 + random.Next(24)) : new AdvanceStep(random.Range(1, 100));
        }

        if (roll < rewrite)
        {
            return new AdminStep(["BGREWRITEAOF"]);
        }

        if (roll < toggle)
        {
            return new AdminStep(["CONFIG", "SET", "appendonly", AppendOnlyOn ? "no" : "yes"]);
        }

        if (roll < save)
        {
            return new AdminStep(["BGSAVE"]);
        }

        if (roll < kill)
        {
            return killChildren && childRunning ? new KillChildStep() : new AdvanceStep(random.Range(1, 50));
        }

        if (roll < shutdown)
        {
            return new AdminStep(["SHUTDOWN"]);
        }

        return new AdvanceStep(random.Range(1, 50));
    }
}
