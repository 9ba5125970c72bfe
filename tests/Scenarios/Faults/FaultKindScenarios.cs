using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using AofSim.Faults;
using AofSim.Sim.Simulating;
using static AofSim.Scenarios.Server.ServerHarness;

namespace AofSim.Scenarios.Faults;

/// <summary>
/// Every fault kind of the campaign (src/Sim/Simulating/FaultMix.cs), injected as data through
/// the fault plan, with the seed's reaction under <c>redis26</c> (its log lines, word for word from
/// aof.c; whether it exits; the bytes on disk; the INFO fields) and the reference reaction under
/// <c>fixed</c>. Expected values are written out by hand from the seed's code and the fixes.
/// </summary>
/// <remarks>
/// The server starts on an empty directory at a whole second (the seed's clock is in seconds).
/// Its first write is <c>SELECT 0</c> (23 bytes) and <c>SET a 1</c> (27 bytes): 50 bytes, so the
/// AOF's second write(2) is the 27 bytes of the next SET. The rewrite child is pid 4001.
/// </remarks>
public sealed class FaultKindScenarios
{
    private const string Aof = "appendonly.aof";
    private const string Bg = "temp-rewriteaof-bg-4001.aof";
    private const string ChildTemp = "temp-rewriteaof-4001.aof";
    private const string Delayed = "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.";
    private const string Started = "Background append only file rewriting started by pid 4001";
    private const string ChildDone = "SYNC append only file rewrite performed";
    private const string Success = "Background AOF rewrite terminated with success";
    private const string Finished = "Background AOF rewrite finished successfully";
    private const string HandlerTook = "Background AOF rewrite signal handler took 0us";
    private const string TerminatedWithError = "Background AOF rewrite terminated with error";

    private static readonly string Select0 = Resp("SELECT", "0");
    private static readonly string SetA = Resp("SET", "a", "1");
    private static readonly string SetB = Resp("SET", "b", "2");
    private static readonly string SetC = Resp("SET", "c", "3");

    // ---------------------------------------------------------------------------------------
    // writeerr: an AOF write fails (EIO, ENOSPC).

    [Theory]
    [InlineData(Errno.EIO, "Input/output error")]
    [InlineData(Errno.ENOSPC, "No space left on device")]
    public void AFailedAofWriteMakesTheSeedExitWithoutReplying(Errno errno, string text)
    {
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof), new Fail(errno))));
        Assert.Equal("+OK\r\n", rig.Call("SET a 1"));

        // aof.c:245: "Exiting on error writing to the append-only file", then exit(1).
        Assert.Equal(string.Empty, rig.Call("SET b 2"));
        Assert.Equal(new StopOutcome(1, $"Exiting on error writing to the append-only file: {text}"), rig.Core.Stopped);
        Assert.Equal([$"Exiting on error writing to the append-only file: {text}"], rig.Messages);
        Assert.Equal(Select0 + SetA, rig.Aof);

        // Redis 2.6 has no aof_last_write_status; nothing runs after the exit.
        Assert.Equal(["aof_last_bgrewrite_status:ok", "aof_delayed_fsync:0"], rig.Info("aof_last_write_status", "aof_last_bgrewrite_status", "aof_delayed_fsync"));
        Assert.Equal(string.Empty, rig.Call("GET a"));
    }

    [Theory]
    [InlineData(Errno.EIO, "Input/output error")]
    [InlineData(Errno.ENOSPC, "No space left on device")]
    public void AFailedAofWriteUnderFixedKeepsTheBufferRefusesWritesAndRecoversOnTheRetry(Errno errno, string text)
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof), new Fail(errno))));
        Assert.Equal("+OK\r\n", rig.Call("SET a 1"));

        // Everysec promises no more than a second or two: the reply goes out, the command stays
        // in the buffer, and writes are refused until it is written.
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Null(rig.Core.Stopped);
        Assert.Equal(Select0 + SetA, rig.Aof);
        Assert.Equal(["aof_last_write_status:err", "aof_buffer_length:27"], rig.Info("aof_last_write_status", "aof_buffer_length"));

        // The refusal, then the retry in that same beforeSleep: the fault was a single call.
        Assert.Equal($"-MISCONF Errors writing to the AOF file: {text}\r\n", rig.Call("SET c 3"));
        Assert.Equal("$1\r\n2\r\n", rig.Call("GET b"));
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
        Assert.Equal([$"Error writing to the AOF file: {text}", "AOF write error looks solved, Redis can write again."], rig.Messages);
        Assert.Equal(["aof_last_write_status:ok", "aof_buffer_length:0", "aof_current_size:77"], rig.Info("aof_last_write_status", "aof_buffer_length", "aof_current_size"));
        Assert.Equal("+OK\r\n", rig.Call("SET c 3"));
        Assert.Equal(Select0 + SetA + SetB + SetC, rig.Aof);
    }

    [Theory]
    [InlineData("redis26", "Exiting on error writing to the append-only file: Input/output error")]
    [InlineData("fixed", "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")]
    public void AFailedAofWriteUnderAlwaysStopsBothProfiles(string profile, string exitLine)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof), new Fail(Errno.EIO))));
        rig.Call("SET a 1");
        Assert.Equal(string.Empty, rig.Call("SET b 2"));
        Assert.Equal(new StopOutcome(1, exitLine), rig.Core.Stopped);
        Assert.Equal(exitLine, rig.Messages[^1]);
        Assert.Equal(Select0 + SetA, rig.Aof);
    }

    // ---------------------------------------------------------------------------------------
    // shortwrite: a write writes n of its m bytes, and reports n.

    [Fact]
    public void AShortAofWriteIsTruncatedAwayAndTheSeedExits()
    {
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Always, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof), new ShortWrite(5))));
        rig.Call("SET a 1");
        Assert.Equal(string.Empty, rig.Call("SET b 2"));

        // aof.c:247 (errno is stale after a short write: "Success" here), then ftruncate back to
        // aof_current_size (aof.c:254) and exit(1).
        const string line = "Exiting on short write while writing to the append-only file: Success (nwritten=5, expected=27)";
        Assert.Equal(new StopOutcome(1, line), rig.Core.Stopped);
        Assert.Equal([line], rig.Messages);
        Assert.Equal(["write appendonly.aof 27 =5", "ftruncate appendonly.aof 50 =0"], rig.Calls.TakeLast(2));
        Assert.Equal(Select0 + SetA, rig.Aof);
    }

    [Fact]
    public void AShortAofWriteUnderFixedIsCompletedByASecondWrite()
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Always, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof), new ShortWrite(5))));
        rig.Call("SET a 1");

        // aofWrite (fix #16) loops until every byte is written: nothing to report.
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Equal(["write appendonly.aof 27 =5", "write appendonly.aof 22 =22", "fdatasync appendonly.aof =0"], rig.Calls.TakeLast(3));
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
        Assert.Empty(rig.Messages);
        Assert.Equal(["aof_last_write_status:ok", "aof_current_size:77"], rig.Info("aof_last_write_status", "aof_current_size"));
    }

    // ---------------------------------------------------------------------------------------
    // diskfull: the AOF cannot grow past an offset; the rewrite's temp file is full (bug #5).

    [Fact]
    public void AFullDiskUnderTheAofMakesTheSeedTruncateItsShortWriteAndExit()
    {
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Write, 1, Aof, Count: 0), new DiskFull(60))));
        rig.Call("SET a 1");
        Assert.Equal(string.Empty, rig.Call("SET b 2"));
        const string line = "Exiting on short write while writing to the append-only file: Success (nwritten=10, expected=27)";
        Assert.Equal(new StopOutcome(1, line), rig.Core.Stopped);
        Assert.Equal([line], rig.Messages);
        Assert.Equal(Select0 + SetA, rig.Aof);
    }

    [Fact]
    public void AFullDiskUnderTheAofMakesFixedRefuseWritesAndRetryWithoutFillingTheLog()
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Write, 1, Aof, Count: 0), new DiskFull(60))));
        rig.Call("SET a 1");

        // The loop writes 10 bytes, then gets ENOSPC: the 10 bytes are truncated away and the
        // whole command stays in the buffer.
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Equal(["write appendonly.aof 27 =10", "write appendonly.aof 17 =ENOSPC", "ftruncate appendonly.aof 50 =0"], rig.Calls.TakeLast(3));
        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", rig.Call("SET c 3"));

        // Retried at every beforeSleep for five seconds; logged once (one line per 30 s at most).
        rig.Tick(5000);
        Assert.Null(rig.Core.Stopped);
        Assert.Equal(["Short write while writing to the AOF file: (nwritten=10, expected=27)"], rig.Messages);
        Assert.Equal(Select0 + SetA, rig.Aof);
        Assert.Equal(["aof_last_write_status:err", "aof_current_size:50", "aof_buffer_length:27"], rig.Info("aof_last_write_status", "aof_current_size", "aof_buffer_length"));
    }

    [Fact]
    public void AFullDiskUnderTheRewritesTempFileLetsTheSeedRenameACutFileOverTheAof()
    {
        // Bug #5: the last stdio buffer reaches the disk at fflush, whose failure the seed does
        // not check (aof.c:888-890); the child renames 30 bytes of its 50 and exits 0.
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ChildWrite, 1, count: 0), new DiskFull(30))));
        rig.Call("SET a 1");
        Assert.Equal("+Background append only file rewriting started\r\n", rig.Call("BGREWRITEAOF"));
        rig.Call("SET b 2");
        Assert.Equal(new ChildExit(4001, 0, 0), rig.FinishChild());
        rig.Tick(100);

        // The AOF is now the cut rewrite followed by the diff: a command broken in the middle.
        Assert.Equal((Select0 + SetA)[..30] + Select0 + SetB, rig.Aof);
        Assert.Equal([Aof], rig.Names);
        Assert.Equal([Started, ChildDone, Success, "Parent diff successfully flushed to the rewritten AOF (50 bytes)", Finished, HandlerTook], rig.Messages);
        Assert.Equal(["aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:ok", "aof_current_size:80", "aof_base_size:80"], rig.Info("aof_rewrite_in_progress", "aof_last_bgrewrite_status", "aof_current_size", "aof_base_size"));
    }

    [Fact]
    public void AFullDiskUnderTheRewritesTempFileFailsTheRewriteUnderFixedAndKeepsTheAof()
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ChildWrite, 1, count: 0), new DiskFull(30))));
        rig.Call("SET a 1");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET b 2");
        Assert.Equal(new ChildExit(4001, 1, 0), rig.FinishChild());
        rig.Tick(100);

        // Fix #5: the failed fflush is a write error; the temp file is removed.
        Assert.Equal(Select0 + SetA + Select0 + SetB, rig.Aof);
        Assert.Equal([Aof], rig.Names);
        Assert.Equal([Started, "Write error writing append only file on disk: No space left on device", TerminatedWithError], rig.Messages);
        Assert.Equal(["aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:err", "aof_current_size:100"], rig.Info("aof_rewrite_in_progress", "aof_last_bgrewrite_status", "aof_current_size"));
        Assert.Equal("+OK\r\n", rig.Call("SET c 3"));
    }

    // ---------------------------------------------------------------------------------------
    // ftruncate: a short write whose truncation then fails.

    [Fact]
    public void AShortWriteThatCannotBeTruncatedLeavesHalfACommandWhenTheSeedExits()
    {
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Always, Plan(
            new Fault(new Trigger(FaultOp.Write, 2, Aof), new ShortWrite(5)),
            new Fault(new Trigger(FaultOp.Ftruncate, 1, Aof), new Fail(Errno.EIO))));
        rig.Call("SET a 1");
        Assert.Equal(string.Empty, rig.Call("SET b 2"));

        // aof.c:247 then aof.c:255, then exit(1).
        const string couldNot = "Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: Input/output error";
        Assert.Equal(["Exiting on short write while writing to the append-only file: Success (nwritten=5, expected=27)", couldNot], rig.Messages);
        Assert.Equal(new StopOutcome(1, couldNot), rig.Core.Stopped);
        Assert.Equal(Select0 + SetA + "*3\r\n$", rig.Aof);
    }

    [Fact]
    public void AShortWriteUnderFixedIsCompletedSoTheFailingTruncationIsNeverCalled()
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Always, Plan(
            new Fault(new Trigger(FaultOp.Write, 2, Aof), new ShortWrite(5)),
            new Fault(new Trigger(FaultOp.Ftruncate, 1, Aof), new Fail(Errno.EIO))));
        rig.Call("SET a 1");
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Equal([1, 0], rig.Storage.Fired);
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
        Assert.Empty(rig.Messages);
    }

    [Fact]
    public void AShortWriteThatCannotBeTruncatedUnderFixedKeepsItsBytesAndWritesTheRestLater()
    {
        // The disk is full for two writes (10 bytes, then ENOSPC) and the truncation fails: Redis
        // 2.8's handling keeps the 10 bytes written and only the rest in the buffer.
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Everysec, Plan(
            new Fault(new Trigger(FaultOp.Write, 2, Aof, Count: 2), new DiskFull(60)),
            new Fault(new Trigger(FaultOp.Ftruncate, 1, Aof), new Fail(Errno.EIO))));
        rig.Call("SET a 1");
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Equal(Select0 + SetA + SetB[..10], rig.Aof);
        Assert.Equal(["aof_last_write_status:err", "aof_current_size:60", "aof_buffer_length:17"], rig.Info("aof_last_write_status", "aof_current_size", "aof_buffer_length"));

        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", rig.Call("SET c 3"));
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
        Assert.Equal(
            ["Short write while writing to the AOF file: (nwritten=10, expected=27)",
             "Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: Input/output error",
             "AOF write error looks solved, Redis can write again."],
            rig.Messages);
        Assert.Equal(["aof_last_write_status:ok", "aof_current_size:77", "aof_buffer_length:0"], rig.Info("aof_last_write_status", "aof_current_size", "aof_buffer_length"));
    }

    // ---------------------------------------------------------------------------------------
    // fsyncerr: fdatasync fails with EIO, and Linux marks the dirty pages clean (fsyncgate).

    [Fact]
    public void AFailedFsyncUnderAlwaysIsIgnoredByTheSeedAndTheAcknowledgedWriteIsLostAtAPowerLoss()
    {
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Always, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 2, Aof), new Fail(Errno.EIO))));
        rig.Call("SET a 1");

        // aof.c:284 ignores aof_fsync's result: the reply goes out.
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Equal("+OK\r\n", rig.Call("SET c 3"));
        Assert.Null(rig.Core.Stopped);
        Assert.Empty(rig.Messages);
        Assert.Equal(Select0 + SetA + SetB + SetC, rig.Aof);

        // The next fsync succeeded without writing SET b 2's clean pages: a hole of zeros.
        rig.PowerLoss();
        Assert.Equal(Select0 + SetA + new string('\0', 27) + SetC, rig.Aof);
    }

    [Fact]
    public void AFailedFsyncUnderAlwaysDropsTheRepliesUnderFixedAndRefusesWritesUntilARewrite()
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Always, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 2, Aof), new Fail(Errno.EIO))));
        rig.Call("SET a 1");

        // The reply was promised to be on disk: none is sent, the connection is closed.
        Assert.Equal(string.Empty, rig.Call("SET b 2"));
        Assert.True(rig.Conn.CloseAfterReply);
        Assert.Null(rig.Core.Stopped);
        Assert.Equal("-MISCONF Errors writing to the AOF file: Input/output error\r\n", rig.Call("SET c 3"));
        Assert.Equal(["aof_rewrite_in_progress:0", "aof_last_write_status:ok"], rig.Info("aof_rewrite_in_progress", "aof_last_write_status"));

        // Cron starts a rewrite from memory; once it is in place writes are accepted again.
        rig.Tick(100);
        Assert.Equal(["aof_rewrite_in_progress:1"], rig.Info("aof_rewrite_in_progress"));
        Assert.Equal(new ChildExit(4001, 0, 0), rig.FinishChild());
        rig.Tick(100);
        Assert.Equal("+OK\r\n", rig.Call("SET c 3"));
        Assert.Equal(
            ["Error syncing the AOF: Input/output error. Refusing writes until the AOF is rewritten.",
             Started, ChildDone, Success, "Parent diff successfully flushed to the rewritten AOF (0 bytes)", Finished,
             "The AOF was rewritten after an fsync error: writes are accepted again.", HandlerTook],
            rig.Messages);
        Assert.Equal(Select0 + SetA + SetB + Select0 + SetC, rig.Aof);
        Assert.Equal(["aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:ok"], rig.Info("aof_rewrite_in_progress", "aof_last_bgrewrite_status"));

        // Everything in the AOF is durable again: a power loss keeps it all.
        rig.PowerLoss();
        Assert.Equal(Select0 + SetA + SetB + Select0 + SetC, rig.Aof);
    }

    [Fact]
    public void AFailedFsyncUnderAlwaysStopsTheServerWithFsyncErrorsHandledAlone()
    {
        // Redis 6.2/7 (switch FsyncErrorsHandled without RewriteAfterFsyncError): exit.
        var rig = new FaultRig(Named("fixed-RewriteAfterFsyncError"), AppendFsync.Always, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 2, Aof), new Fail(Errno.EIO))));
        rig.Call("SET a 1");
        Assert.Equal(string.Empty, rig.Call("SET b 2"));
        const string line = "Can't persist AOF for fsync error when the AOF fsync policy is 'always': Input/output error. Exiting...";
        Assert.Equal(new StopOutcome(1, line), rig.Core.Stopped);
        Assert.Equal([line], rig.Messages);
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
    }

    [Fact]
    public void AFailedBackgroundFsyncUnderEverysecIsIgnoredByTheSeedAndItsWritesAreLostAtAPowerLoss()
    {
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 1, Aof), new Fail(Errno.EIO))));
        rig.Tick(1000);
        Assert.Equal("+OK\r\n", rig.Call("SET a 1")); // the failing background fsync is queued here
        Assert.Equal("+OK\r\n", rig.Call("SET b 2")); // it has failed by now; the seed never asks
        rig.Tick(1000);
        Assert.Equal("+OK\r\n", rig.Call("SET c 3")); // the next fsync succeeds
        rig.Tick(100);
        Assert.Empty(rig.Messages);
        Assert.Equal(Select0 + SetA + SetB + SetC, rig.Aof);
        Assert.Equal(["aof_pending_bio_fsync:0"], rig.Info("aof_pending_bio_fsync"));

        rig.PowerLoss();
        Assert.Equal(new string('\0', 50) + SetB + SetC, rig.Aof);
    }

    [Fact]
    public void AFailedBackgroundFsyncUnderEverysecMakesFixedRefuseWritesUntilARewrite()
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 1, Aof), new Fail(Errno.EIO))));
        rig.Tick(1000);
        Assert.Equal("+OK\r\n", rig.Call("SET a 1"));
        Assert.Equal("-MISCONF Errors writing to the AOF file: Input/output error\r\n", rig.Call("SET b 2"));
        rig.Tick(100);
        Assert.Equal(new ChildExit(4001, 0, 0), rig.FinishChild());
        rig.Tick(100);
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Equal(
            ["Error syncing the AOF: Input/output error. Refusing writes until the AOF is rewritten.",
             Started, ChildDone, Success, "Parent diff successfully flushed to the rewritten AOF (0 bytes)", Finished,
             "The AOF was rewritten after an fsync error: writes are accepted again.", HandlerTook],
            rig.Messages);
        Assert.Equal(Select0 + SetA + Select0 + SetB, rig.Aof);

        // The tail is fsynced within the second (fix #7): a power loss then keeps everything.
        rig.Tick(1000);
        rig.PowerLoss();
        Assert.Equal(Select0 + SetA + Select0 + SetB, rig.Aof);
    }

    // ---------------------------------------------------------------------------------------
    // fsyncdelay: a background fsync still pending when the next write comes (aof.c:209-228).

    [Theory]
    [InlineData("redis26", 1999, 1_700_000_001L)]
    [InlineData("fixed", 1999, 1_700_000_001_000L)]
    [InlineData("redis26", 2000, 1_700_000_001L)]
    [InlineData("fixed", 2000, 1_700_000_001_000L)]
    public void AFsyncThatEndsWithinTwoSecondsOnlyPostponesTheWriteAndLogsNothing(string profile, long fsyncMs, long postponedStart)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 1, Aof), new Delay(fsyncMs))));
        rig.Tick(1000);
        rig.Call("SET a 1"); // its fsync starts now, at +1000 ms

        // Postponed: the seed remembers the second (server.unixtime), fixed the millisecond.
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Equal(postponedStart, rig.Core.AofFlushPostponedStart);
        rig.Tick(1900);
        Assert.Equal(Select0 + SetA, rig.Aof);
        Assert.Equal(["aof_buffer_length:27", "aof_pending_bio_fsync:1", "aof_delayed_fsync:0"], rig.Info("aof_buffer_length", "aof_pending_bio_fsync", "aof_delayed_fsync"));

        // The fsync has ended by the cron at +3000 ms (one due at that very instant ends before
        // cron looks, in the simulator's order): the write goes through as an ordinary one.
        rig.Tick(100);
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
        Assert.Equal(["aof_buffer_length:0", "aof_delayed_fsync:0"], rig.Info("aof_buffer_length", "aof_delayed_fsync"));
        Assert.Empty(rig.Messages);
        Assert.Equal(0, rig.Core.AofFlushPostponedStart);
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void AFsyncStillPendingTwoSecondsAfterTheWriteWasPostponedForcesItWithTheSeedsLine(string profile)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 1, Aof), new Delay(2500))));
        rig.Tick(1000);
        rig.Call("SET a 1");
        rig.Call("SET b 2"); // postponed at +1000 ms, a whole second: both clocks agree
        rig.Tick(1900);
        Assert.Equal(Select0 + SetA, rig.Aof);
        Assert.Empty(rig.Messages);

        // At +3000 ms the fsync (until +3500) is still pending: written anyway (aof.c:224-227).
        rig.Tick(100);
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
        Assert.Equal([Delayed], rig.Messages);
        Assert.Equal(["aof_buffer_length:0", "aof_pending_bio_fsync:1", "aof_delayed_fsync:1"], rig.Info("aof_buffer_length", "aof_pending_bio_fsync", "aof_delayed_fsync"));
    }

    [Theory]
    [InlineData("redis26", 3000)]
    [InlineData("fixed", 3900)]
    public void TheSeedCountsTheTwoSecondsInWholeSecondsSoAWritePostponedLateInASecondIsForcedEarly(string profile, long forcedAt)
    {
        // Postponed at +1900 ms, with the fsync pending until +4500 ms. The seed compares cached
        // seconds (2 - 1 < 2 until the cron at +3000 ms reads second 3): forced after 1.1 s.
        // Fixed compares milliseconds: forced at exactly 2000 ms, not a cron earlier.
        var rig = new FaultRig(Named(profile), AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 1, Aof), new Delay(3500))));
        rig.Tick(1000);
        rig.Call("SET a 1");
        rig.Tick(900);
        rig.Call("SET b 2");
        while (rig.Aof.Length == 50 && rig.Elapsed < 4500)
        {
            rig.Tick(100);
        }

        Assert.Equal(forcedAt, rig.Elapsed);
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
        Assert.Equal([Delayed], rig.Messages);
        Assert.Equal(["aof_pending_bio_fsync:1", "aof_delayed_fsync:1"], rig.Info("aof_pending_bio_fsync", "aof_delayed_fsync"));
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void AFsyncStuckForSevenSecondsForcesAWriteEveryTwoSecondsUntilItEnds(string profile)
    {
        // Several forced writes in a row behind one slow fsync, a write every second.
        var rig = new FaultRig(Named(profile), AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 1, Aof), new Delay(7000))));
        rig.Tick(1000);
        rig.Call("SET a 1"); // the fsync runs from +1000 to +8000 ms
        var delayed = new List<string>();
        string expected = Select0 + SetA;
        for (int s = 2; s <= 7; s++)
        {
            rig.Tick(1000);
            delayed.Add(rig.Info("aof_delayed_fsync")[0]);
            Assert.Equal("+OK\r\n", rig.Call($"SET x{s} {s}"));
            expected += Resp("SET", $"x{s}", $"{s}");
        }

        rig.Tick(1000); // +8000 ms: the fsync has ended, the last postponed write is an ordinary one
        delayed.Add(rig.Info("aof_delayed_fsync")[0]);

        // Postponed at 2 s, forced at 4 s; postponed again at 4 s, forced at 6 s; at 8 s the fsync is over.
        Assert.Equal(["aof_delayed_fsync:0", "aof_delayed_fsync:0", "aof_delayed_fsync:1", "aof_delayed_fsync:1", "aof_delayed_fsync:2", "aof_delayed_fsync:2", "aof_delayed_fsync:2"], delayed);
        Assert.Equal([Delayed, Delayed], rig.Messages);
        Assert.Equal(expected, rig.Aof);
    }

    [Theory]
    [InlineData("redis26", new[] { 2050L, 2100L })]
    [InlineData("fixed", new[] { 2050L, 3100L })]
    public void TheSeedRecordsItsLastFsyncAsTheCachedSecondSoTheNextOneCanFollowAtOnce(string profile, long[] fsyncsAt)
    {
        // aof.c:289 sets aof_last_fsync to server.unixtime, the second cached by the last cron
        // (+1900 ms: second 1), although the clock reads +2050 ms: the cron at +2100 ms reads
        // second 2, which is later, so the next write is fsynced at once. Fixed waits 1000 ms.
        var rig = new FaultRig(Named(profile), AppendFsync.Everysec, Plan());
        var submitted = new List<long>();
        rig.Jobs.OnEvent = e =>
        {
            if (e.StartsWith("bio submit AofFsync", StringComparison.Ordinal))
            {
                submitted.Add(rig.Elapsed);
            }
        };
        rig.Tick(1900);
        rig.Clock.AdvanceTo(FaultRig.Start + 2050); // a client served between two crons
        rig.Call("SET a 1");
        rig.Tick(50);
        rig.Call("SET b 2");
        rig.Tick(1100);
        Assert.Equal(fsyncsAt, submitted);
    }

    // ---------------------------------------------------------------------------------------
    // open: the child cannot create its temp file; the parent cannot open the child's output.

    [Theory]
    [InlineData("redis26", new[] { "unlink temp-rewriteaof-bg-4001.aof =ENOENT" })]
    [InlineData("fixed", new[] { "unlink temp-rewriteaof-bg-4001.aof =ENOENT", "unlink temp-rewriteaof-4001.aof =ENOENT" })]
    public void AChildThatCannotOpenItsTempFileExitsWithErrorAndTheAofCarriesOn(string profile, string[] unlinks)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ChildOpen), new Fail(Errno.EMFILE))));
        rig.Call("SET a 1");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET b 2");
        Assert.Equal(new ChildExit(4001, 1, 0), rig.FinishChild());
        rig.Calls.Clear();
        rig.Tick(100);

        // aof.c:823 in the child, aof.c:1118 in the parent.
        Assert.Equal([Started, "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): Too many open files", TerminatedWithError], rig.Messages);
        Assert.Equal(unlinks, rig.Calls);
        Assert.Equal(Select0 + SetA + Select0 + SetB, rig.Aof);
        Assert.Equal([Aof], rig.Names);
        Assert.Equal(["aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:err", "aof_rewrite_buffer_length:0"], rig.Info("aof_rewrite_in_progress", "aof_last_bgrewrite_status", "aof_rewrite_buffer_length"));
        Assert.Equal("+OK\r\n", rig.Call("SET c 3"));
        Assert.Equal(Select0 + SetA + Select0 + SetB + SetC, rig.Aof);
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void AParentThatCannotOpenTheChildsFileAbandonsTheRewriteButStillReportsItOk(string profile)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ParentOpen), new Fail(Errno.ENOENT))));
        rig.Call("SET a 1");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET b 2");
        Assert.Equal(new ChildExit(4001, 0, 0), rig.FinishChild());
        Assert.Equal([Aof, Bg], rig.Names);
        rig.Tick(100);

        // aof.c:1017 then "goto cleanup", which removes the child's file but leaves
        // aof_lastbgrewrite_status as it was: ok. Fixed does the same (as Redis 6 still did).
        Assert.Equal([Started, ChildDone, Success, "Unable to open the temporary AOF produced by the child: No such file or directory"], rig.Messages);
        Assert.Equal([Aof], rig.Names);
        Assert.Equal(["aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:ok"], rig.Info("aof_rewrite_in_progress", "aof_last_bgrewrite_status"));
        Assert.Equal("+OK\r\n", rig.Call("SET c 3"));
        Assert.Equal(Select0 + SetA + Select0 + SetB + SetC, rig.Aof);
    }

    // ---------------------------------------------------------------------------------------
    // rename: the child's rename to the -bg- name, or the parent's rename over the AOF, fails.

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void AChildWhoseRenameFailsRemovesItsFileAndExitsWithError(string profile)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ChildRename), new Fail(Errno.EIO))));
        rig.Call("SET a 1");
        rig.Call("BGREWRITEAOF");
        Assert.Equal(new ChildExit(4001, 1, 0), rig.FinishChild());
        rig.Tick(100);

        // aof.c:895, then the parent's aof.c:1118.
        Assert.Equal([Started, "Error moving temp append only file on the final destination: Input/output error", TerminatedWithError], rig.Messages);
        Assert.Equal([Aof], rig.Names);
        Assert.Equal(Select0 + SetA, rig.Aof);
        Assert.Equal(["aof_last_bgrewrite_status:err"], rig.Info("aof_last_bgrewrite_status"));
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void AParentWhoseRenameOverTheAofFailsKeepsWritingTheOldAof(string profile)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ParentRename), new Fail(Errno.EIO))));
        rig.Call("SET a 1");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET b 2");
        rig.FinishChild();
        rig.Tick(100);

        // aof.c:1074, then cleanup: the -bg- file is removed; the status is left ok.
        Assert.Equal([Started, ChildDone, Success, "Parent diff successfully flushed to the rewritten AOF (50 bytes)", "Error trying to rename the temporary AOF file: Input/output error"], rig.Messages);
        Assert.Equal([Aof], rig.Names);
        Assert.Equal(["aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:ok", "aof_current_size:100"], rig.Info("aof_rewrite_in_progress", "aof_last_bgrewrite_status", "aof_current_size"));
        Assert.Equal("+OK\r\n", rig.Call("SET c 3"));
        Assert.Equal(Select0 + SetA + Select0 + SetB + SetC, rig.Aof);
    }

    // ---------------------------------------------------------------------------------------
    // unlink: removing a temp file fails. Both profiles ignore unlink's result; what stays behind
    // differs because fixed also removes the child's first name (switch RemoveBothTempNames).

    [Theory]
    [InlineData("redis26", new[] { Aof, ChildTemp })]
    [InlineData("fixed", new[] { Aof })]
    public void AChildWhoseFileCannotBeRemovedLeavesItBehindUnlessFixedRemovesItLater(string profile, string[] names)
    {
        // The child's rename fails and so does its unlink of its temp file (aof.c:896).
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(
            new Fault(Trigger.At(RewriteStep.ChildRename), new Fail(Errno.EIO)),
            new Fault(new Trigger(FaultOp.Unlink, 1, "temp-rewriteaof-*"), new Fail(Errno.EIO))));
        rig.Call("SET a 1");
        rig.Call("BGREWRITEAOF");
        Assert.Equal(new ChildExit(4001, 1, 0), rig.FinishChild());
        Assert.Equal([Aof, ChildTemp], rig.Names);
        rig.Tick(100);

        Assert.Equal([Started, "Error moving temp append only file on the final destination: Input/output error", TerminatedWithError], rig.Messages);
        Assert.Equal(names, rig.Names);
        Assert.Equal(Select0 + SetA, rig.Aof);
        Assert.Equal(["aof_last_bgrewrite_status:err"], rig.Info("aof_last_bgrewrite_status"));
    }

    // ---------------------------------------------------------------------------------------
    // tempfile: the rewrite's fsync or close fails (bug #5: unchecked in the seed).

    [Fact]
    public void AFailedFsyncOfTheRewriteIsIgnoredByTheSeedWhichThenLosesTheRewrittenDataAtAPowerLoss()
    {
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ChildFsync), new Fail(Errno.ENOSPC))));
        rig.Call("SET a 1");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET b 2");
        Assert.Equal(new ChildExit(4001, 0, 0), rig.FinishChild());
        rig.Tick(100);
        Assert.Equal([Started, ChildDone, Success, "Parent diff successfully flushed to the rewritten AOF (50 bytes)", Finished, HandlerTook], rig.Messages);
        Assert.Equal(Select0 + SetA + Select0 + SetB, rig.Aof);
        Assert.Equal(["aof_last_bgrewrite_status:ok"], rig.Info("aof_last_bgrewrite_status"));

        // The failed fsync marked the rewrite's pages clean; on the simulated ext4 the rename then
        // made the diff durable behind them: the acknowledged SET a 1 is now 50 zero bytes.
        rig.PowerLoss();
        Assert.Equal(new string('\0', 50) + Select0 + SetB, rig.Aof);
    }

    [Theory]
    [InlineData(RewriteStep.ChildFsync)]
    [InlineData(RewriteStep.ChildClose)]
    public void AFailedFsyncOrCloseOfTheRewriteFailsItUnderFixed(RewriteStep step)
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Always, Plan(new Fault(Trigger.At(step), new Fail(Errno.ENOSPC))));
        rig.Call("SET a 1");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET b 2");
        Assert.Equal(new ChildExit(4001, 1, 0), rig.FinishChild());
        rig.Tick(100);
        Assert.Equal([Started, "Write error writing append only file on disk: No space left on device", TerminatedWithError], rig.Messages);
        Assert.Equal([Aof], rig.Names);
        Assert.Equal(Select0 + SetA + Select0 + SetB, rig.Aof);
        Assert.Equal(["aof_last_bgrewrite_status:err"], rig.Info("aof_last_bgrewrite_status"));
        rig.PowerLoss();
        Assert.Equal(Select0 + SetA + Select0 + SetB, rig.Aof);
    }

    [Fact]
    public void AFullDiskFoundOnlyAtCloseIsIgnoredByTheSeed()
    {
        // fclose's result is not checked (aof.c:890): the file is complete here, so the rewrite
        // goes through and reports success.
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ChildClose), new Fail(Errno.ENOSPC))));
        rig.Call("SET a 1");
        rig.Call("SET a 2");
        rig.Call("BGREWRITEAOF");
        Assert.Equal(new ChildExit(4001, 0, 0), rig.FinishChild());
        rig.Tick(100);
        Assert.Equal([Started, ChildDone, Success, "Parent diff successfully flushed to the rewritten AOF (0 bytes)", Finished, HandlerTook], rig.Messages);
        Assert.Equal(Select0 + Resp("SET", "a", "2"), rig.Aof);
        Assert.Equal([1], rig.Storage.Fired);
        Assert.Equal(["aof_last_bgrewrite_status:ok"], rig.Info("aof_last_bgrewrite_status"));
    }

    // ---------------------------------------------------------------------------------------
    // writecap: one write(2) writes at most so many bytes (Linux: 2,147,479,552), bug #16.

    [Fact]
    public void ACappedWriteIsAShortWriteToTheSeedWhichExits()
    {
        var rig = new FaultRig(Profile.Redis26, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof, Count: 0), new WriteCap(20))));
        rig.Call("SET a 1");
        Assert.Equal(string.Empty, rig.Call("SET b 2"));
        const string line = "Exiting on short write while writing to the append-only file: Success (nwritten=20, expected=27)";
        Assert.Equal(new StopOutcome(1, line), rig.Core.Stopped);
        Assert.Equal([line], rig.Messages);
        Assert.Equal(Select0 + SetA, rig.Aof);
    }

    [Fact]
    public void ACappedWriteIsWrittenInSeveralUnderFixed()
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof, Count: 0), new WriteCap(20))));
        rig.Call("SET a 1");
        rig.Calls.Clear();
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        Assert.Equal(["write appendonly.aof 27 =20", "write appendonly.aof 7 =7"], rig.Calls);
        Assert.Equal(Select0 + SetA + SetB, rig.Aof);
        Assert.Empty(rig.Messages);
        Assert.Equal(["aof_last_write_status:ok", "aof_current_size:77"], rig.Info("aof_last_write_status", "aof_current_size"));
    }

    [Fact]
    public void ACappedWriteRetriedWithoutTheWriteLoopIsRefusedForever()
    {
        // Bug #16: fix #6's retry without fix #16's loop writes 20 bytes, truncates them, and
        // tries again, every time; writes stay refused.
        var rig = new FaultRig(Named("fixed-WriteLoopsOnShortWrites"), AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof, Count: 0), new WriteCap(20))));
        rig.Call("SET a 1");
        Assert.Equal("+OK\r\n", rig.Call("SET b 2"));
        rig.Tick(10_000);
        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", rig.Call("SET c 3"));
        Assert.Equal(Select0 + SetA, rig.Aof);
        Assert.Equal(["Short write while writing to the AOF file: (nwritten=20, expected=27)"], rig.Messages);
        Assert.Equal(["aof_last_write_status:err", "aof_buffer_length:27"], rig.Info("aof_last_write_status", "aof_buffer_length"));
    }

    // ---------------------------------------------------------------------------------------
    // killstep: the rewrite child killed (SIGKILL) at a named step.

    [Theory]
    [InlineData("redis26", RewriteStep.ChildOpen, 1, "none")]
    [InlineData("redis26", RewriteStep.ChildWrite, 2, "head")]
    [InlineData("redis26", RewriteStep.ChildRename, 1, "whole")]
    [InlineData("fixed", RewriteStep.ChildOpen, 1, "none")]
    [InlineData("fixed", RewriteStep.ChildWrite, 2, "none")]
    [InlineData("fixed", RewriteStep.ChildRename, 1, "none")]
    public void AChildKilledAtAStepLeavesItsTempFileBehindUnderTheSeedOnly(string profile, RewriteStep step, int nth, string left)
    {
        // A 4044-byte value ends the rewrite's first 4096 bytes exactly: the child's stdio buffer
        // goes out whole as its 1st write, and the final CRLF at fflush is its 2nd (glibc's fill,
        // flush, then buffer the rest, and the engine's rio agree on this split). Killed there,
        // the file holds the first 4096 bytes.
        string big = new('x', 4044);
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(new Fault(Trigger.At(step, nth), new Kill())));
        rig.Call($"SET big {big}");
        rig.Call("BGREWRITEAOF");
        Assert.Equal(new ChildExit(4001, 0, 9), rig.FinishChild());
        rig.Tick(100);

        // aof.c:1123; cleanup removes only the -bg- name in the seed (bug #10).
        Assert.Equal([Started, "Background AOF rewrite terminated by signal 9"], rig.Messages);
        string? expected = left switch
        {
            "head" => Select0 + "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$4044\r\n" + big,
            "whole" => Select0 + Resp("SET", "big", big),
            _ => null,
        };
        Assert.Equal(expected is null ? [Aof] : [Aof, ChildTemp], rig.Names);
        if (expected is not null)
        {
            Assert.Equal(expected, rig.File(ChildTemp));
        }

        Assert.Equal(Select0 + Resp("SET", "big", big), rig.Aof);
        Assert.Equal(["aof_rewrite_in_progress:0", "aof_last_bgrewrite_status:err"], rig.Info("aof_rewrite_in_progress", "aof_last_bgrewrite_status"));
    }

    // ---------------------------------------------------------------------------------------
    // killserver: kill -9 of the server at a syscall; the page cache survives.

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void AServerKilledAtItsAofWriteLeavesTheFileAsItWasAndRestartsWithoutTheWrite(string profile)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(new Fault(new Trigger(FaultOp.Write, 2, Aof), new Kill())));
        rig.Call("SET a 1");
        rig.Exec("SET b 2");
        Assert.Throws<ProcessKilledException>(() => rig.Sleep());
        Assert.Empty(rig.Messages);
        Assert.Equal(Select0 + SetA, rig.Aof);

        // SET b 2 was never acknowledged: gone after the restart, and nothing else is.
        FaultRig again = rig.Restart(Named(profile), AppendFsync.Always);
        Assert.Null(again.Core.Stopped);
        Assert.Equal("$1\r\n1\r\n", again.Call("GET a"));
        Assert.Equal("$-1\r\n", again.Call("GET b"));
        Assert.Equal(["DB loaded from append only file: 0.000 seconds"], again.Messages);
    }

    [Fact]
    public void AFailedFsyncOfTheLoadedAofOnStartRefusesWritesUntilARewriteUnderFixedAndStopsTheServerWithoutThatSwitch()
    {
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Everysec, Plan());
        Assert.Equal("+OK\r\n", rig.Call("SET a 1"));
        FaultPlan failFirstFsync = Plan(new Fault(new Trigger(FaultOp.Fdatasync, 1, Aof), new Fail(Errno.EIO)));

        // fixed: up, reads served, writes refused while the AOF is known not durable.
        var up = new FaultRig(Profile.Fixed, AppendFsync.Everysec, failFirstFsync, disk: rig.Disk, startMs: rig.Clock.NowMs);
        Assert.Null(up.Core.Stopped);
        Assert.True(up.Core.AofFsyncBroken);
        Assert.Contains("Error syncing the AOF: Input/output error. Refusing writes until the AOF is rewritten.", up.Messages);
        Assert.Equal("$1\r\n1\r\n", up.Call("GET a"));
        Assert.StartsWith("-", up.Call("SET b 2"), StringComparison.Ordinal);

        // Without RewriteAfterFsyncError there is no state to come up in: the server exits.
        Assert.True(Profile.TryGet("fixed-RewriteAfterFsyncError", out Profile noRewrite));
        var down = new FaultRig(noRewrite, AppendFsync.Everysec, Plan(new Fault(new Trigger(FaultOp.Fdatasync, 1, Aof), new Fail(Errno.EIO))), disk: rig.Disk, startMs: rig.Clock.NowMs);
        Assert.Equal(new StopOutcome(1, "Can't fsync the append only file on start: Input/output error"), down.Core.Stopped);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATruncatedAofIsCutBeforeItIsSaidToBeLoadedAnywayAndAFailedCutStopsTheServer(bool cutFails)
    {
        // SET a 1 whole, then 7 bytes of a command cut by a power loss.
        string torn = Select0 + SetA + "*3\r\n$3";
        SimStorage disk = FaultRig.DiskWithDurableAof(torn, CrashModel.Ext4Ordered);
        FaultPlan plan = cutFails ? Plan(new Fault(new Trigger(FaultOp.Ftruncate, 1, Aof), new Fail(Errno.EIO))) : Plan();
        var rig = new FaultRig(Profile.Fixed, AppendFsync.Always, plan, disk: disk, loadTruncated: true);
        string[] before =
        [
            "!!! Warning: short read while loading the AOF file appendonly.aof!!!",
            $"!!! Truncating the AOF appendonly.aof at offset {(Select0 + SetA).Length} !!!",
        ];
        if (cutFails)
        {
            Assert.Equal([.. before, "Error truncating the AOF file appendonly.aof: Input/output error"], rig.Messages);
            Assert.Equal(1, rig.Core.Stopped?.ExitCode);
            Assert.Equal(torn, rig.Aof);
        }
        else
        {
            Assert.Equal([.. before, "AOF appendonly.aof loaded anyway because aof-load-truncated is enabled", "DB loaded from append only file: 0.000 seconds"], rig.Messages);
            Assert.Null(rig.Core.Stopped);
            Assert.Equal(Select0 + SetA, rig.Aof);
        }
    }

    [Theory]
    [InlineData("redis26", "$-1\r\n")]
    [InlineData("fixed-FsyncLoadedTailOnStart", "$-1\r\n")]
    [InlineData("fixed", "$1\r\n1\r\n")]
    public void AWriteAcknowledgedUnderEverysecBeforeAKillSurvivesALaterPowerLossOnlyIfTheRestartFsyncsWhatItLoaded(string profile, string afterPowerLoss)
    {
        // SET a 1 is written and acknowledged, then the server is killed before its everysec
        // fsync: the write is only in the page cache, which the kill keeps.
        var rig = new FaultRig(Named(profile), AppendFsync.Everysec, Plan());
        Assert.Equal("+OK\r\n", rig.Call("SET a 1"));
        Assert.Equal(Select0 + SetA, rig.Aof);

        // The restart loads it; no write follows for ten seconds, so no everysec fsync either.
        FaultRig again = rig.Restart(Named(profile), AppendFsync.Everysec);
        Assert.Equal("$1\r\n1\r\n", again.Call("GET a"));
        again.Tick(10_000);
        again.PowerLoss();

        FaultRig last = again.Restart(Named(profile), AppendFsync.Everysec);
        Assert.Equal(afterPowerLoss, last.Call("GET a"));
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void AServerKilledAtItsRenameOverTheAofLeavesTheOldAofAndTheFinishedTempFile(string profile)
    {
        var rig = new FaultRig(Named(profile), AppendFsync.Always, Plan(new Fault(Trigger.At(RewriteStep.ParentRename), new Kill())));
        rig.Call("SET a 1");
        rig.Call("SET a 2");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET b 2");
        rig.FinishChild();
        Assert.Throws<ProcessKilledException>(() => rig.Tick(100));
        Assert.Equal([Started, ChildDone, Success, "Parent diff successfully flushed to the rewritten AOF (50 bytes)"], rig.Messages);
        Assert.Equal([Aof, Bg], rig.Names);
        Assert.Equal(Select0 + SetA + Resp("SET", "a", "2") + Select0 + SetB, rig.Aof);
        Assert.Equal(Select0 + Resp("SET", "a", "2") + Select0 + SetB, rig.File(Bg));

        // The restart loads the old AOF; nothing removes the stale temp file.
        FaultRig again = rig.Restart(Named(profile), AppendFsync.Always);
        Assert.Equal("$1\r\n2\r\n", again.Call("GET a"));
        Assert.Equal([Aof, Bg], again.Names);
    }

    // ---------------------------------------------------------------------------------------
    // powerstep: power lost at a named step of the rename dance, on a strictly POSIX disk (only
    // fsynced data and directory-fsynced names survive). The AOF held SET a 1, durably, before
    // the start; SET b 2 is written before the rewrite and SET c 3 during it, under always.

    [Theory]
    [InlineData("redis26", RewriteStep.ChildRename, 1, true, "old")]
    [InlineData("fixed", RewriteStep.ChildRename, 1, true, "old")]
    [InlineData("redis26", RewriteStep.ParentRename, 1, true, "old")]
    [InlineData("fixed", RewriteStep.ParentRename, 1, true, "old+bg")]
    [InlineData("fixed", RewriteStep.ParentDirFsync, 2, false, "old+bg")]
    [InlineData("fixed", RewriteStep.ParentDirFsync, 2, true, "new")]
    public void APowerLossAtAStepOfTheRenameDanceLeavesWhatTheProfileMadeDurable(string profile, RewriteStep step, int nth, bool after, string survives)
    {
        // The child's directory fsync (fixed) is the first FsyncDirectory, the parent's the 2nd.
        var rig = StartedOnDurableAof(Named(profile), Plan(new Fault(Trigger.At(step, nth), new PowerLoss(after))));
        rig.Call("SET b 2");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET c 3");
        Assert.Throws<PowerLossException>(() =>
        {
            rig.FinishChild();
            rig.Tick(100);
        });
        rig.PowerLoss();

        string old = Select0 + SetA + Select0 + SetB + Select0 + SetC;
        string rewritten = Select0 + SetA + SetB + Select0 + SetC;
        Assert.Equal(survives == "new" ? rewritten : old, rig.Aof);
        Assert.Equal(survives == "old+bg" ? [Aof, Bg] : [Aof], rig.Names);
        if (survives == "old+bg")
        {
            Assert.Equal(rewritten, rig.File(Bg));
        }
    }

    [Theory]
    [InlineData("redis26", false, 0)]
    [InlineData("fixed", true, 2)]
    public void AWriteAcknowledgedAfterTheSeedsUnsyncedRenameIsLostAtAPowerLossButNotUnderFixed(string profile, bool kept, int directoryFsyncs)
    {
        // Bug #13: the seed never fsyncs the directory, so its rename is not durable; the write
        // fsynced into the new file is lost with it, the old file coming back.
        var rig = StartedOnDurableAof(Named(profile), Plan());
        rig.Call("SET b 2");
        rig.Call("BGREWRITEAOF");
        rig.Call("SET c 3");
        rig.FinishChild();
        rig.Tick(100);
        Assert.Equal([Started, ChildDone, Success, "Parent diff successfully flushed to the rewritten AOF (50 bytes)", Finished, HandlerTook], rig.Messages.Skip(1));
        Assert.Equal(directoryFsyncs, rig.Calls.Count(c => c.StartsWith("fsyncdir", StringComparison.Ordinal)));
        Assert.Equal("+OK\r\n", rig.Call("SET d 4"));
        rig.PowerLoss();

        string old = Select0 + SetA + Select0 + SetB + Select0 + SetC;
        string rewritten = Select0 + SetA + SetB + Select0 + SetC + Select0 + Resp("SET", "d", "4");
        Assert.Equal(kept ? rewritten : old, rig.Aof);
        Assert.Equal([Aof], rig.Names);
    }

    private static FaultRig StartedOnDurableAof(Profile profile, FaultPlan plan)
    {
        SimStorage disk = FaultRig.DiskWithDurableAof(Select0 + SetA, CrashModel.StrictPosix);
        var rig = new FaultRig(profile, AppendFsync.Always, plan, disk: disk);
        Assert.Equal(["DB loaded from append only file: 0.000 seconds"], rig.Messages);
        return rig;
    }

    private static FaultPlan Plan(params Fault[] faults) => new(faults);

    private static Profile Named(string spec)
    {
        Assert.True(Profile.TryGet(spec, out Profile profile));
        return profile;
    }
}
