using System.Text.RegularExpressions;
using AofSim.Engine.Server;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// A server under test, as a small adapter: how to start it on a directory and a port, the log
/// line that says it is ready, its fsync policies and what each promises, and its repair tool.
/// </summary>
public abstract class BlackboxTarget
{
    /// <summary>The name given to <c>--target</c>.</summary>
    public abstract string Name { get; }

    /// <summary>One line for reports: the target and the options it runs with.</summary>
    public abstract string Describe { get; }

    /// <summary>A line of the target's output that says it accepts connections.</summary>
    public abstract Regex Ready { get; }

    /// <summary>How many dbs SELECT reaches (the workload's four dbs per connection need 4 x connections).</summary>
    public virtual int Databases => 16;

    /// <summary>
    /// Whether set keys are compared with the model (false: left out, for a target whose AOF
    /// replays SPOP at random, so that a set's recovered members depend on the replay).
    /// </summary>
    public virtual bool ComparesSets => true;

    /// <summary>Whether the target honours <paramref name="policy"/> at all.</summary>
    public virtual bool Supports(AppendFsync policy) => true;

    /// <summary>The command that starts the target on <paramref name="dir"/> and <paramref name="port"/> under <paramref name="policy"/>.</summary>
    public abstract TargetLaunch Launch(string dir, int port, AppendFsync policy);

    /// <summary>
    /// What the target promises under <paramref name="policy"/>: the acknowledged writes a crash may
    /// lose, as a window before the crash (0: none; <see cref="long.MaxValue"/>: any suffix).
    /// </summary>
    /// <param name="policy">The fsync policy.</param>
    /// <param name="powerLoss">A power loss (true) or a process crash (false: the page cache survives).</param>
    public virtual long LossWindowMs(AppendFsync policy, bool powerLoss) => Promises.RedisLossWindowMs(policy, powerLoss);

    /// <summary>One sentence: the promise of <paramref name="policy"/>, for docs and reports.</summary>
    public virtual string Promise(AppendFsync policy) => Promises.RedisPromise(policy);

    /// <summary>
    /// When the target refused to start, runs its repair tool on <paramref name="dir"/> if it has
    /// one and the log asks for it; null when there is nothing to run.
    /// </summary>
    public virtual RepairResult? Repair(string dir, IReadOnlyList<string> log) => null;

    /// <summary>Whether the log says the target started from an AOF cut short (and truncated or ignored the tail).</summary>
    public virtual bool LoadedTruncated(IReadOnlyList<string> log) => false;

    /// <summary>
    /// The durable AOF of <paramref name="dir"/> as one file the engine's loader can read, or null
    /// with the reason (a base in RDB form, no AOF yet) when that is not feasible.
    /// </summary>
    public virtual (byte[]? Aof, string? Why) SingleAof(string dir) => (null, "the target's AOF layout is unknown");
}
