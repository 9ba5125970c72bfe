namespace AofSim.Engine.Diagnostics;

/// <summary>
/// The coverage probes: named states of the AOF path that a test campaign should reach
/// (FoundationDB's CODE_PROBE, Antithesis's Sometimes/Reachable). Each is hit where the engine
/// is in that state; <see cref="Probes.All"/> describes them.
/// </summary>
/// <remarks>The values index arrays of hit counts: add new probes at the end.</remarks>
public enum ProbeId
{
    /// <summary>flushAppendOnlyFile postponed a write behind a background fsync still running (everysec).</summary>
    FlushPostponed,

    /// <summary>A postponed write waited its two seconds and was written anyway ("Asynchronous AOF fsync is taking too long").</summary>
    PostponeExpired,

    /// <summary>An everysec fsync was due while the last one still ran: none is queued.</summary>
    FsyncDueWhileRunning,

    /// <summary>Fix #7: an everysec fsync of the tail with an empty buffer.</summary>
    EverysecTailFsynced,

    /// <summary>Fix #16: a write that fell short was completed by a second write in aofWrite's loop.</summary>
    ShortWriteCompletedByLoop,

    /// <summary>A short write was removed from the AOF by ftruncate (PR #587).</summary>
    ShortWriteTruncated,

    /// <summary>The ftruncate that removes a short write failed: the cut bytes stay in the AOF.</summary>
    FtruncateFailed,

    /// <summary>The server stopped on an AOF write error or short write.</summary>
    WriteErrorExit,

    /// <summary>Fix #6: a write error made the server refuse writes (MISCONF) and retry.</summary>
    WriteErrorEntered,

    /// <summary>Fix #6: "AOF write error looks solved, Redis can write again."</summary>
    WriteErrorSolved,

    /// <summary>RewriteAfterFsyncError: an fsync error made the server refuse writes until a rewrite.</summary>
    FsyncErrorEntered,

    /// <summary>RewriteAfterFsyncError: under always, the cycle's replies were dropped after a failed fdatasync.</summary>
    FsyncErrorRepliesDropped,

    /// <summary>RewriteAfterFsyncError: a rewrite from memory made the AOF durable again; writes accepted.</summary>
    FsyncErrorCleared,

    /// <summary>serverCron started an automatic rewrite on the AOF's growth.</summary>
    AutomaticRewrite,

    /// <summary>The done handler switched to the rewritten AOF ("Background AOF rewrite finished successfully").</summary>
    RewriteSwitched,

    /// <summary>The rewrite child exited with an error ("Background AOF rewrite terminated with error").</summary>
    RewriteChildFailed,

    /// <summary>The rewrite child was killed by a signal, and its end handled by the done handler.</summary>
    RewriteChildKilled,

    /// <summary>Fix #10: after a failed or killed child, its first temp file was found and removed.</summary>
    RewriteTempFileRemoved,

    /// <summary>A running rewrite child was killed by CONFIG SET appendonly no or SHUTDOWN.</summary>
    RewriteChildKilledByServer,

    /// <summary>The parent could not open the child's file ("Unable to open the temporary AOF produced by the child").</summary>
    RewriteOpenFailed,

    /// <summary>The parent could not write its diff to the child's file.</summary>
    RewriteDiffWriteFailed,

    /// <summary>Fix #13: the rewritten file's fsync before the rename failed; the old AOF is kept.</summary>
    RewriteFsyncFailed,

    /// <summary>The parent's rename of the rewritten file over the AOF failed.</summary>
    RewriteRenameFailed,

    /// <summary>Fix #13: the directory fsync after the rename failed (the rename may not be durable).</summary>
    RewriteDirFsyncFailed,

    /// <summary>The parent's diff spanned more than one 10 MB block of the rewrite buffer when flushed.</summary>
    DiffBufferMultiBlock,

    /// <summary>A background fsync of the old AOF was pending when the rewrite switched descriptors (#12's window).</summary>
    FsyncPendingAtSwitch,

    /// <summary>CONFIG SET appendonly yes: the first rewrite ended and the AOF went from WAIT_REWRITE to ON.</summary>
    WaitRewriteSwitchedOn,

    /// <summary>CONFIG SET appendonly no dropped commands the forced flush could not write.</summary>
    StopDroppedBuffer,

    /// <summary>SHUTDOWN with commands still in the AOF buffer (#8: the seed fsyncs without writing them).</summary>
    ShutdownWithBuffer,

    /// <summary>A start loaded a file cut short up to its last whole command (aof-load-truncated).</summary>
    LoadTruncated,

    /// <summary>Truncated loading reverted a MULTI left open by the end of the file ("Revert incomplete MULTI/EXEC transaction").</summary>
    LoadMultiReverted,

    /// <summary>A start refused a file cut short ("Unexpected end of file reading the append only file").</summary>
    LoadUnexpectedEof,

    /// <summary>A start refused a damaged file ("Bad file format reading the append only file").</summary>
    LoadBadFormat,
}
