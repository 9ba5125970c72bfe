using AofSim.Engine.Server;

namespace AofSim.Sim.Checking;

/// <summary>
/// The everysec policy's cost promise: "fsync only one time every second" (redis.conf). Two
/// background fsyncs of the AOF that the server asked for in its flushes are at least a second
/// apart, less one cron period (a server may read a clock it caches at every cron). The facts are
/// the background-job port's: when an AOF fsync was submitted, and when a rename replaced the AOF
/// (a finished rewrite fsyncs its new file once at once, outside the cadence). Never the server's
/// own timestamps (docs/durability.md).
/// </summary>
/// <remarks>
/// This is what whole-second timing breaks (#17, PR #13041: "over 1.5 seconds between fsyncs, and
/// in others less than 0.5"): the seed fsyncs when the second it cached at cron has moved on, which
/// can be a millisecond after the last. Durability cannot tell the two timings apart (the seed's is
/// the more eager), so the cadence is its own property.
/// </remarks>
/// <param name="policy">The run's appendfsync policy: only everysec has a cadence.</param>
/// <param name="log">Where a violation is reported.</param>
/// <param name="cronMs">The server's cron period (1000 / hz), in ms: how stale a cached clock may be.</param>
internal sealed class FsyncCadence(AppendFsync policy, ICheckLog log, int cronMs)
{
    /// <summary>Milliseconds: the shortest interval everysec allows between two of its fsyncs.</summary>
    public long MinIntervalMs => 1000 - cronMs;

    // The last fsync of the cadence this process submitted (null: none yet), and when a rename
    // last replaced the AOF (its one fsync of the new file is not of the cadence).
    private long? lastMs;
    private long? replacedAtMs;
    private bool violated;

    /// <summary>Fact: a rename replaced the AOF at <paramref name="nowMs"/> (a finished rewrite).</summary>
    public void Replaced(long nowMs) => replacedAtMs = nowMs;

    /// <summary>A new server process: its cadence starts afresh.</summary>
    public void Restarted()
    {
        lastMs = null;
        replacedAtMs = null;
    }

    /// <summary>Fact: the server submitted a background fsync of the AOF at <paramref name="nowMs"/>.</summary>
    public void Submitted(long nowMs)
    {
        if (policy != AppendFsync.Everysec)
        {
            return;
        }

        if (replacedAtMs == nowMs)
        {
            // The rewrite's switch fsyncs the file it just renamed in (once: the seed's
            // backgroundRewriteDoneHandler), whatever the time since the last flush's fsync.
            replacedAtMs = null;
            return;
        }

        if (lastMs is long last && nowMs - last < MinIntervalMs && !violated)
        {
            // Reported once per run: a server with this fault breaks the cadence every second.
            violated = true;
            log.Violate(Property.FsyncCadence, $"two everysec fsyncs {nowMs - last} ms apart (at least {MinIntervalMs} expected: once a second, less a cron period)", [$">= {MinIntervalMs} ms"], [$"{nowMs - last} ms"]);
        }

        lastMs = nowMs;
    }
}
