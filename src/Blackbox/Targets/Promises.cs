using AofSim.Engine.Server;
using AofSim.Sim.Checking;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// The durability Redis's appendfsync policies promise (redis.conf and the persistence docs),
/// and Garnet's commit settings (its configuration and compatibility docs), as the window of
/// acknowledged writes a crash may lose.
/// </summary>
public static class Promises
{
    /// <summary>
    /// The slowest fsync the window allows for, in ms: the FUSE disk's fsync is a call into this
    /// process, and a loaded 2-core machine was seen to take up to a few hundred ms on one.
    /// </summary>
    public const int MaxFsyncMs = 500;

    /// <summary>
    /// Redis's promise: <c>always</c> loses no acknowledged write (the AOF is written and fsynced in
    /// beforeSleep, before the replies go out); <c>everysec</c> may lose what was acknowledged
    /// within <see cref="DurabilityContract.EverysecWindowMs"/> of a power loss (a flush postponed
    /// behind a running fsync for up to 2 s, then the next once-a-second fsync), and on a kill -9
    /// only the flush it postponed (2 s, checked every 100 ms); <c>no</c> promises nothing at a
    /// power loss (the kernel writes back when it likes), and everything written at a kill -9.
    /// </summary>
    public static long RedisLossWindowMs(AppendFsync policy, bool powerLoss) => (policy, powerLoss) switch
    {
        (AppendFsync.Always, _) => 0,
        (AppendFsync.Everysec, true) => DurabilityContract.EverysecWindowMs(MaxFsyncMs),
        (AppendFsync.Everysec, false) => 2100,
        (AppendFsync.No, true) => long.MaxValue,
        _ => 0,
    };

    /// <summary>
    /// The slowest AOF commit the Garnet window allows for, in ms: a commit is a write of the log's
    /// tail through the FUSE disk (as <see cref="MaxFsyncMs"/>) plus its scheduling on Garnet's
    /// thread pool on a loaded 2-core machine.
    /// </summary>
    public const int MaxGarnetCommitMs = 500;

    /// <summary>
    /// Garnet's promise per setting (see <c>GarnetTarget.CommitArguments</c>), from its docs:
    /// <c>always</c> (<c>--aof-commit-wait</c>, "Wait for AOF to flush the commit before returning
    /// results to client", website/docs/getting-started/configuration.md) loses no acknowledged
    /// write; <c>everysec</c> (<c>--aof-commit-freq 1000</c>, "commit issue frequency in
    /// milliseconds", replies not waiting: "by default the server does not wait for commit before
    /// returning success", website/docs/welcome/compatibility.md item 5) may lose what was
    /// acknowledged within one period plus two commits (StoreWrapper.CommitTaskAsync commits, then
    /// waits the period) — at a kill as at a power loss, since the uncommitted tail is in Garnet's
    /// own memory, not the page cache; <c>no</c> (the default: a commit issued per operation, not
    /// waited for) promises a prefix only, at a kill as at a power loss.
    /// </summary>
    public static long GarnetLossWindowMs(AppendFsync policy, bool powerLoss) => policy switch
    {
        AppendFsync.Always => 0,
        AppendFsync.Everysec => 1000 + (2 * MaxGarnetCommitMs) + 100,
        _ => long.MaxValue,
    };

    /// <summary>Garnet's promise in words.</summary>
    public static string GarnetPromise(AppendFsync policy) => policy switch
    {
        AppendFsync.Always => "always (--aof-commit-freq 0 --aof-commit-wait): no acknowledged write is lost, at a kill or a power loss",
        AppendFsync.Everysec => $"everysec (--aof-commit-freq 1000): a kill or a power loss loses at most the writes acknowledged in the last {GarnetLossWindowMs(policy, true)} ms",
        _ => "no (--aof-commit-freq 0, Garnet's default): a kill or a power loss keeps some prefix of the writes",
    };

    /// <summary>The promise in words.</summary>
    public static string RedisPromise(AppendFsync policy) => policy switch
    {
        AppendFsync.Always => "always: no acknowledged write is lost, at a kill or a power loss",
        AppendFsync.Everysec => $"everysec: a power loss loses at most the writes acknowledged in the last {DurabilityContract.EverysecWindowMs(MaxFsyncMs)} ms, a kill at most the last 2100 ms",
        _ => "no: a power loss keeps some prefix of the writes; a kill keeps every acknowledged write",
    };
}
