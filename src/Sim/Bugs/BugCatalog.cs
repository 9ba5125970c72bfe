namespace AofSim.Sim.Bugs;

/// <summary>
/// Every fix switch of the profile, marked findable by a blind default campaign or a known gap
/// with its reason (docs/bugs.md). A gap is listed, never hidden: <c>aofsim bugs</c> runs it too,
/// and reports it found if the campaign does find it.
/// </summary>
public static class BugCatalog
{
    /// <summary>The catalog, in the order of the table of historical bugs.</summary>
    public static IReadOnlyList<BugEntry> All { get; } =
    [
        new("TruncateShortWrite", "#1 PR #587", "a short write leaves half a command in the AOF, which no longer loads as it is", Findable: true),
        new("RewriteExpiryBeforeWrite", "#4 PR #1079", "the rewrite writes a key that is about to expire and skips its PEXPIREAT: the key becomes permanent", Findable: true),
        new("RewriteChecksFlushErrors", "#5 PR #1606", "the rewrite ignores fflush/fsync/fclose errors: a cut temp file is renamed over the good AOF", Findable: true),
        new("WriteErrorRefusesWrites", "#6 commit fadbbdd3f", "any AOF write error exits the server instead of refusing writes and retrying", Findable: true),
        new("FsyncEverysecTail", "#7 PRs #5985/#6053", "under everysec, once writes stop, the last writes are never fsynced", Findable: true),
        new("FlushBeforeShutdown", "#8 PR #4311", "SHUTDOWN fsyncs without first writing the AOF buffer: the last acknowledged writes are lost", Findable: true),
        new("SetExpiryAbsolute", "#9 PR #4068", "SET with EX/PX is logged verbatim: the TTL restarts on reload", Findable: true),
        new("RemoveBothTempNames", "#10 PR #5920", "a killed child leaks temp-rewriteaof-<pid>.aof", Findable: true),
        new(
            "FsyncErrorsHandled",
            "#11 PRs #8347/#8419",
            "fsync errors are ignored: acknowledged writes are lost at the next power loss",
            Findable: false,
            "subsumed: with RewriteAfterFsyncError on (as in fixed) every fsync error that can lose data takes that switch's path first (refused writes until a rewrite); what is left of this one loses nothing (a log line at SHUTDOWN, a stop when the switch's fsync of the already fsynced new AOF fails, MISCONF until the next fsync succeeds after the rewrite); fixed-RewriteAfterFsyncError shows the loss"),
        new("RewriteAfterFsyncError", "#11 beyond Redis 7", "after a failed fsync Linux marks the pages clean: resuming writes once an fsync succeeds loses acknowledged writes", Findable: true),
        new(
            "NoFsyncOnClosedFd",
            "#12 PR #8751",
            "the done handler closes the old AOF while a background fsync on it is pending: EBADF reported as an fsync error (-MISCONF), or an fsync of a reused descriptor",
            Findable: false,
            "the simulated bio swallows an fsync's EBADF, where ThreadedBackgroundJobs reports it; reporting it, the no-refusal-without-a-failure check finds the bug in 28 seeds, but also finds fixed's stopAppendOnly closing the AOF on the main thread with an fsync queued (the same race, not yet fixed: its close belongs on the AOF worker too). Coyote's real threads find #12 (docs/coyote.md)"),
        new("FsyncBeforeRenameAndDir", "#13 PR #10737", "no fsync of the new AOF before the rename nor of the directory after: a power loss brings back the old AOF", Findable: true),
        new("LoaderQueuesMulti", "#15 PR #5201", "truncated loading applies half a MULTI/EXEC cut by the end of the file", Findable: true),
        new(
            "WriteLoopsOnShortWrites",
            "#16 issues #4066/#4499",
            "a buffer larger than one write(2) takes is short-written every time: an endless short-write/ftruncate loop",
            Findable: false,
            "the writecap fault caps 1 to 5 writes in a row, so the retry of fix #6 completes the buffer; the contract counts a capped short write as a failing write, so even an endless retry would exempt what it holds; and no workload buffer is large (values are a few bytes). Needs a persistent cap, large values and a contract that tells a cap (progress) from a failure"),
        new(
            "MillisecondFsyncTiming",
            "#17 PRs #8612/#13041",
            "whole-second times skew the everysec fsync (1 ms to 2 s apart) and the 2 s postpone",
            Findable: false,
            "the window W = 2100 + 2000 + 100 + 2F is dominated by F = 3.5 s once slowfsync is on (every --faults all run): whole-second timing delays an fsync by at most about a second more than millisecond timing, well inside it. A tighter window needs F from the fsyncs that actually ran before the crash, not the longest the disk allows"),
        new(
            "LoaderShortBulkIsTruncation",
            "Redis 2.8 loader",
            "a bulk cut by the end of the file is \"Bad file format\" instead of a truncation",
            Findable: false,
            "unobservable by any start with truncated loading: the loader's truncated mode rescues the seed's fmterr for a cut bulk too (the redis26 x aof-load-truncated vector cut-inside-bulk-truncated), so the switch changes only a strict start's outcome, which the ladder then retries truncated. The new ext4 availability check (a torn tail must load without --fix) finds it in 44 seeds once truncated loading honours the switch (as Redis's aof-load-truncated acts at readerr only)"),
        new(
            "LoaderStrictHeaders",
            "this project (loader)",
            "a count or length line is parsed as fgets/atoi do: *3x, $ 1, a bare LF load",
            Findable: false,
            "belongs to the fuzzer and the load vectors: the simulated disk only tears what the server wrote, it never writes malformed headers"),
        new(
            "LoaderChecksBulkCrlf",
            "this project (loader)",
            "the two bytes after a bulk are discarded unread, so a damaged file may load garbage",
            Findable: false,
            "rare: found blind once in 15,317 seeds (29 s on 2 loaded cores), a torn tail with other bytes than CRLF after a whole bulk; not reliably within a 60 s budget, so the fuzzer and the load vectors remain its tests"),
        new("AtomicSetEx", "Redis 7 (SET … PXAT)", "SETEX logged as SET then PEXPIREAT: a power loss between the two keeps the value without its expiry", Findable: true),
        new("IncrByFloatKeepsTtl", "Redis 6.2 (SET … KEEPTTL)", "INCRBYFLOAT logged as a plain SET: a replay drops the key's expiry", Findable: true),
        new(
            "FsyncLoadedTailOnStart",
            "this project (Redis 7 too)",
            "a restarted server counts the AOF it loaded as fsynced: after a process crash the dead server's unfsynced tail is lost at a power loss seconds later",
            Findable: false,
            "rare: needs a process crash, then no write at all until a power loss; found blind once in 30,000 seeds (seed 27977)"),
        new(
            "ShutdownWaitsForInitialAof",
            "Redis 2.8 prepareForShutdown",
            "SHUTDOWN while appendonly yes waits for its first rewrite kills the child and exits: the AOF the restart loads lacks every write since",
            Findable: false,
            "found blind by the fixed gate under swarm testing (seed 662: CONFIG SET appendonly yes, SHUTDOWN during the initial rewrite); not yet measured by aofsim bugs"),
    ];

    /// <summary>The entry of <paramref name="name"/>, or null.</summary>
    public static BugEntry? Find(string name) => All.FirstOrDefault(b => b.Switch == name);
}
