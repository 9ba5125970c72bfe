using AofSim.Engine.Server;
using AofSim.Sim.Checking;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// The durability Redis's appendfsync policies promise (redis.conf and the persistence docs),
/// as the window of acknowledged writes a crash may lose.
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

    /// <summary>The promise in words.</summary>
    public static string RedisPromise(AppendFsync policy) => policy switch
    {
        AppendFsync.Always => "always: no acknowledged write is lost, at a kill or a power loss",
        AppendFsync.Everysec => $"everysec: a power loss loses at most the writes acknowledged in the last {DurabilityContract.EverysecWindowMs(MaxFsyncMs)} ms, a kill at most the last 2100 ms",
        _ => "no: a power loss keeps some prefix of the writes; a kill keeps every acknowledged write",
    };
}
