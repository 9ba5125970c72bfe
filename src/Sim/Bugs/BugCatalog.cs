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
            "subsumed: with RewriteAfterFsyncError on (as in fixed) every fsync error that can lose data takes that switch's path first (refused writes until a rewrite); what is left of this one loses nothing (a log line at SHUTDOWN, a stop when the switch's fsync of the already fsynced new AOF fails, MISCONF until the next fsync succeeds after the rewrite). fixed-RewriteAfterFsyncError shows the loss blind (BugCaseTests, case RewriteAfterFsyncError); this switch alone (Redis 7's exit under always) is FaultKindScenarios.AFailedFsyncUnderAlwaysStopsTheServerWithFsyncErrorsHandledAlone"),
        new("RewriteAfterFsyncError", "#11 beyond Redis 7", "after a failed fsync Linux marks the pages clean: resuming writes once an fsync succeeds loses acknowledged writes", Findable: true),
        new(
            "NoFsyncOnClosedFd",
            "#12 PR #8751",
            "the done handler closes the old AOF while a background fsync on it is pending: EBADF reported as an fsync error (-MISCONF), or an fsync of a reused descriptor",
            Findable: false,
            "a real-thread race: the simulated bio ignores an fsync's EBADF, as Redis's own fix for #12 does (PR #8751: bio.c skips EBADF and EINVAL), so fixed-NoFsyncOnClosedFd's early close loses nothing here; the simulator models no thread timing. Coyote runs ThreadedBackgroundJobs' real threads: AdapterInterleavingTests.UnderTheSeedCoyoteFindsTheFsyncOnAClosedDescriptor finds it, UnderFixedNoFsyncEverReachesAClosedDescriptor holds (docs/coyote.md)"),
        new("FsyncBeforeRenameAndDir", "#13 PR #10737", "no fsync of the new AOF before the rename nor of the directory after: a power loss brings back the old AOF", Findable: true),
        new("LoaderQueuesMulti", "#15 PR #5201", "truncated loading applies half a MULTI/EXEC cut by the end of the file", Findable: true),
        new("WriteLoopsOnShortWrites", "#16 issues #4066/#4499", "a buffer larger than one write(2) takes is short-written every time: an endless short-write/ftruncate loop", Findable: true),
        new("MillisecondFsyncTiming", "#17 PRs #8612/#13041", "whole-second times skew the everysec fsync (1 ms to 2 s apart) and the 2 s postpone", Findable: true),
        new("LoaderShortBulkIsTruncation", "Redis 2.8 loader", "a bulk cut by the end of the file is \"Bad file format\" instead of a truncation: aof-load-truncated (acting at readerr only) does not rescue it, and a torn tail needs redis-check-aof --fix", Findable: true),
        new(
            "LoaderStrictHeaders",
            "this project (loader)",
            "a count or length line is parsed as fgets/atoi do: *3x, $ 1, a bare LF load",
            Findable: false,
            "belongs to the fuzzer and the load vectors: the simulated disk only tears what the server wrote, it never writes malformed headers. ContractTests.ABrokenPortFailsTheVectorsThatNameItsSwitchAndOnlyThose (load/headers-atoi-strtol-*) finds it"),
        new(
            "LoaderChecksBulkCrlf",
            "this project (loader)",
            "the two bytes after a bulk are discarded unread, so a damaged file may load garbage",
            Findable: false,
            "rare: found blind once in 15,317 seeds (29 s on 2 loaded cores), a torn tail with other bytes than CRLF after a whole bulk; not reliably within a 60 s budget. its tests are the load vectors load/bulk-not-followed-by-crlf-* (ContractTests) and LoaderScenarios.UnderRedis26ABulkNotFollowedByCrLfSkipsTwoBytesUnreadAsTheSeedAndRedis7Do; BugCaseTests keeps the blind case"),
        new("AtomicSetEx", "Redis 7 (SET … PXAT)", "SETEX logged as SET then PEXPIREAT: a power loss between the two keeps the value without its expiry", Findable: true),
        new("IncrByFloatKeepsTtl", "Redis 6.2 (SET … KEEPTTL)", "INCRBYFLOAT logged as a plain SET: a replay drops the key's expiry", Findable: true),
        new(
            "FsyncLoadedTailOnStart",
            "this project (Redis 7 too)",
            "a restarted server counts the AOF it loaded as fsynced: after a process crash the dead server's unfsynced tail is lost at a power loss seconds later",
            Findable: false,
            "rare: needs a kill of the server under everysec, then no write at all for the everysec window until a power loss; found blind once in 30,000 seeds (seed 27977 of the mix before SHUTDOWN went per mille; none in 30,000 of today's), its shrunk case kept in BugCaseTests; FaultKindScenarios.AWriteAcknowledgedUnderEverysecBeforeAKillSurvivesALaterPowerLossOnlyIfTheRestartFsyncsWhatItLoaded finds it"),
        new(
            "ShutdownWaitsForInitialAof",
            "Redis 2.8 prepareForShutdown",
            "SHUTDOWN while appendonly yes waits for its first rewrite kills the child and exits: the AOF the restart loads lacks every write since",
            Findable: false,
            "nothing promised is lost: the contract promises no write acknowledged while the AOF waits for its first rewrite (on again only when a rename replaced it), so a SHUTDOWN that exits then loses only unpromised writes. Seed 662, first credited to it, was an fsync error's hole (fixed in RewriteAfterFsyncError's SHUTDOWN refusal); FlushScenarios.ShutdownWhileTheFirstRewriteAfterAppendOnlyYesRunsRefusesUnderFixedOnly tests it"),
    ];

    /// <summary>The entry of <paramref name="name"/>, or null.</summary>
    public static BugEntry? Find(string name) => All.FirstOrDefault(b => b.Switch == name);
}
