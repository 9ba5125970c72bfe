namespace AofSim.Engine.Diagnostics;

/// <summary>The catalog of coverage probes, in <see cref="ProbeId"/> order.</summary>
public static class Probes
{
    /// <summary>How many probes there are.</summary>
    public static int Count { get; } = Enum.GetValues<ProbeId>().Length;

    /// <summary>Every probe, indexed by its id.</summary>
    public static IReadOnlyList<ProbeInfo> All { get; } =
    [
        new(ProbeId.FlushPostponed, "everysec write postponed behind a running background fsync", Required: true),
        new(ProbeId.PostponeExpired, "postponed write forced after 2 s (aof_delayed_fsync)", Required: true),
        new(ProbeId.FsyncDueWhileRunning, "everysec fsync due while the last one still runs: skipped", Required: true),
        new(ProbeId.EverysecTailFsynced, "everysec tail fsynced with an empty buffer (#7)", Required: true, "FsyncEverysecTail"),
        new(ProbeId.ShortWriteCompletedByLoop, "short write completed by aofWrite's loop (#16)", Required: true, "WriteLoopsOnShortWrites"),
        new(ProbeId.ShortWriteTruncated, "short write removed by ftruncate (#1)", Required: true),
        new(ProbeId.FtruncateFailed, "ftruncate of a short write failed", Required: true),
        new(ProbeId.WriteErrorExit, "server stopped on an AOF write error", Required: true),
        new(ProbeId.WriteErrorEntered, "write error: writes refused, retried (#6)", Required: true, "WriteErrorRefusesWrites"),
        new(ProbeId.WriteErrorSolved, "write error solved, writes accepted again (#6)", Required: true, "WriteErrorRefusesWrites"),
        new(ProbeId.FsyncErrorEntered, "fsync error: writes refused until a rewrite", Required: true, "RewriteAfterFsyncError"),
        new(ProbeId.FsyncErrorRepliesDropped, "fsync error under always: replies dropped", Required: true, "RewriteAfterFsyncError"),
        new(ProbeId.FsyncErrorCleared, "fsync error cleared by a rewrite from memory", Required: true, "RewriteAfterFsyncError"),
        new(ProbeId.AutomaticRewrite, "automatic rewrite on growth", Required: true),
        new(ProbeId.RewriteSwitched, "done handler switched to the rewritten AOF", Required: true),
        new(ProbeId.RewriteChildFailed, "rewrite child exited with an error", Required: true),
        new(ProbeId.RewriteChildKilled, "rewrite child killed by a signal", Required: true),
        new(ProbeId.RewriteTempFileRemoved, "killed or failed child's first temp file removed (#10)", Required: true, "RemoveBothTempNames"),
        new(ProbeId.RewriteChildKilledByServer, "running child killed by appendonly no or SHUTDOWN", Required: true),
        new(ProbeId.RewriteOpenFailed, "parent could not open the child's file", Required: true),
        new(ProbeId.RewriteDiffWriteFailed, "parent could not write its diff", Required: true),
        new(ProbeId.RewriteFsyncFailed, "rewritten file's fsync before the rename failed (#13)", Required: false, "FsyncBeforeRenameAndDir"),
        new(ProbeId.RewriteRenameFailed, "parent's rename over the AOF failed", Required: true),
        new(ProbeId.RewriteDirFsyncFailed, "directory fsync after the rename failed (#13)", Required: false, "FsyncBeforeRenameAndDir"),
        new(ProbeId.DiffBufferMultiBlock, "diff flushed across a 10 MB rewrite-buffer block", Required: false),
        new(ProbeId.FsyncPendingAtSwitch, "background fsync pending at the rewrite's switch (#12)", Required: true),
        new(ProbeId.WaitRewriteSwitchedOn, "appendonly yes: WAIT_REWRITE to ON", Required: true),
        new(ProbeId.StopDroppedBuffer, "appendonly no dropped an unwritable buffer", Required: false, "WriteErrorRefusesWrites"),
        new(ProbeId.ShutdownWithBuffer, "SHUTDOWN with commands in the AOF buffer (#8)", Required: true),
        new(ProbeId.LoadTruncated, "start loaded a truncated file (aof-load-truncated)", Required: true),
        new(ProbeId.LoadMultiReverted, "truncated load reverted an open MULTI (#15)", Required: true),
        new(ProbeId.LoadUnexpectedEof, "start refused a file cut short", Required: true),
        new(ProbeId.LoadBadFormat, "start refused a damaged file (bad format)", Required: true),
    ];
}
