namespace AofSim.Sim.Simulating;

/// <summary>
/// How often the scheduler draws each kind of step, as weights out of their sum (1,000 by
/// default, so that each weight reads per mille: SHUTDOWN needs a finer step than a percent). A kind whose step cannot happen (child
/// steps with no child running, a kill with none or with <c>kill</c> off) becomes a short wait.
/// </summary>
public sealed record SchedulerWeights
{
    /// <summary>A client batch of commands (550): most events are writes and reads.</summary>
    public int Client { get; init; } = 550;

    /// <summary>A short wait, 1–149 ms (200): crons, background fsyncs ending, the everysec second turning.</summary>
    public int ShortWait { get; init; } = 200;

    /// <summary>A long wait (50): 0.5–4 s, or 5–16 s one time in five (idle spells, postponed flushes forced).</summary>
    public int LongWait { get; init; } = 50;

    /// <summary>1–24 syscalls of the running rewrite child (110), or a wait of 1–99 ms when none runs.</summary>
    public int ChildSteps { get; init; } = 110;

    /// <summary>BGREWRITEAOF (30).</summary>
    public int Rewrite { get; init; } = 30;

    /// <summary><c>CONFIG SET appendonly</c> to the other value (10).</summary>
    public int ToggleAppendOnly { get; init; } = 10;

    /// <summary>BGSAVE (10): a child that keeps rewrites waiting.</summary>
    public int BackgroundSave { get; init; } = 10;

    /// <summary>The running rewrite child killed (20), with the <c>kill</c> fault on.</summary>
    public int KillChild { get; init; } = 20;

    /// <summary>
    /// SHUTDOWN (3), after which the process restarts on the page cache: an operator's restart,
    /// landing wherever the run is (a postponed flush, a rewrite running, a write error retried).
    /// Each is a restart (a load of the AOF and the recovery checks), the costliest step there is:
    /// three per mille give about three a seed, as many as power losses.
    /// </summary>
    public int Shutdown { get; init; } = 3;

    /// <summary>A tiny wait, 1–49 ms (17).</summary>
    public int TinyWait { get; init; } = 17;

    /// <summary>The sum of the weights.</summary>
    public int Total => Client + ShortWait + LongWait + ChildSteps + Rewrite + ToggleAppendOnly + BackgroundSave + KillChild + Shutdown + TinyWait;

    /// <summary>The defaults.</summary>
    public static SchedulerWeights Default { get; } = new();

    /// <summary>The weights in a line, in their order (the trace's swarm line).</summary>
    public string Describe() =>
        $"client:{Client},short:{ShortWait},long:{LongWait},child:{ChildSteps},rewrite:{Rewrite},toggle:{ToggleAppendOnly},bgsave:{BackgroundSave},kill:{KillChild},tiny:{TinyWait}";
}
