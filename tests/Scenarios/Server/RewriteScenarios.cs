using AofSim.Engine.Aof;
using AofSim.Engine.Diagnostics;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using static AofSim.Scenarios.Server.ServerHarness;

namespace AofSim.Scenarios.Server;

/// <summary>rewriteAppendOnlyFileBackground, backgroundRewriteDoneHandler, start/stopAppendOnly.</summary>
public sealed class RewriteScenarios
{
    private static readonly string Select0 = Resp("SELECT", "0");

    [Fact]
    public void BgRewriteAofStartsAChildAndTheDoneHandlerSwitchesToItsFilePlusTheDiff()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Call("SET a 1");
        h.Call("RPUSH l x y");
        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
        int pid = h.Core.AofChildPid;
        Assert.Contains($"Background append only file rewriting started by pid {pid}", h.Messages);
        Assert.Equal("1", h.Info("aof_rewrite_in_progress"));

        // Written while the child runs: to the AOF, and to the rewrite buffer (with a SELECT,
        // since the fork reset the selected db).
        h.Call("SET b 2");
        Assert.Equal("50", h.Info("aof_rewrite_buffer_length"));
        Assert.Equal(Select0 + Resp("SET", "b", "2"), System.Text.Encoding.Latin1.GetString(h.Core.RewriteBuffer.ToArray()));

        Assert.Equal(0, h.Children.Finish(pid));
        Assert.True(h.Storage.Exists($"temp-rewriteaof-bg-{pid}.aof"));
        h.Tick(100);

        // The rewrite (the dataset at the fork) followed by the diff, once: the aof-race bug
        // wrote the diff twice.
        string rewritten = Select0 + Resp("SET", "a", "1") + Resp("RPUSH", "l", "x", "y");
        Assert.Equal(rewritten + Select0 + Resp("SET", "b", "2"), h.Aof);
        Assert.False(h.Storage.Exists($"temp-rewriteaof-bg-{pid}.aof"));
        Assert.Equal(-1, h.Core.AofChildPid);
        Assert.Equal("ok", h.Info("aof_last_bgrewrite_status"));
        Assert.Equal(
            ["Background AOF rewrite terminated with success",
             "Parent diff successfully flushed to the rewritten AOF (50 bytes)",
             "Background AOF rewrite finished successfully"],
            h.Messages.Where(m => m.StartsWith("Background AOF rewrite", StringComparison.Ordinal) || m.StartsWith("Parent diff", StringComparison.Ordinal)).Take(3));

        // The next write goes to the new file, after a fresh SELECT.
        h.Call("SET c 3");
        Assert.EndsWith(Select0 + Resp("SET", "c", "3"), h.Aof, StringComparison.Ordinal);
        Assert.Equal(h.Aof.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), h.Info("aof_current_size"));
    }

    [Fact]
    public void TheDiffIsInTheNewFileExactlyOnceEvenWithWritesBufferedAtTheSwitch()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Call("SET a 1");
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Tick(1000);
        h.Call("INCR n"); // a background fsync is now pending, so the next write is postponed
        h.Call("INCR n");
        Assert.NotEqual(0, h.Core.AofFlushPostponedStart);
        h.Children.Finish(pid);
        h.Tick(100); // the done handler runs with INCR n still in aof_buf
        h.Tick(3000);
        string text = h.Aof;
        Assert.Equal(2, CountOf(text, Resp("INCR", "n")));
        var data = new Engine.Data.Dataset();
        Assert.Equal(LoadOutcome.Loaded, AofLoader.Load(h.Storage.Bytes("appendonly.aof"), data, Profile.Fixed, new LoadOptions()).Outcome);
        Assert.True(data[0].TryGet("n"u8, out var n));
        Assert.Equal("2"u8.ToArray(), (byte[])n.Value);
    }

    [Fact]
    public void BgRewriteAofWhileOneRunsIsRefused()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Call("BGREWRITEAOF");
        Assert.Equal("-ERR Background append only file rewriting already in progress\r\n", h.Call("BGREWRITEAOF"));
    }

    [Fact]
    public void BgRewriteAofDuringAnRdbChildIsScheduledAndStartsWhenItEnds()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        Assert.Equal("+Background saving started\r\n", h.Call("BGSAVE"));
        int rdb = h.Core.RdbChildPid;
        Assert.Equal("+Background append only file rewriting scheduled\r\n", h.Call("BGREWRITEAOF"));
        Assert.Equal("1", h.Info("aof_rewrite_scheduled"));
        h.Tick(300);
        Assert.Equal(-1, h.Core.AofChildPid); // still waiting for the RDB child
        h.Children.Finish(rdb);
        h.Tick(200); // one cron reaps the RDB child, the next starts the rewrite
        Assert.NotEqual(-1, h.Core.AofChildPid);
        Assert.Equal("0", h.Info("aof_rewrite_scheduled"));
    }

    [Fact]
    public void AForkFailureIsReportedWithTheBareError()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Children.FailFork = Errno.EAGAIN;
        Assert.Equal("-ERR\r\n", h.Call("BGREWRITEAOF"));
        Assert.Contains("Can't rewrite append only file in background: fork: Resource temporarily unavailable", h.Messages);
    }

    [Fact]
    public void AKilledChildLeavesTheOldAofInChargeAndRecordsTheError()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Call("SET a 1");
        string before = h.Aof;
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Children.Kill(pid);
        h.Tick(100);
        Assert.Contains("Background AOF rewrite terminated by signal 9", h.Messages);
        Assert.Equal("err", h.Info("aof_last_bgrewrite_status"));
        Assert.Equal("0", h.Info("aof_rewrite_buffer_length"));
        h.Call("SET b 2");
        Assert.Equal(before + Select0 + Resp("SET", "b", "2"), h.Aof); // the fork reset the selected db
    }

    [Fact]
    public void AChildThatFailsIsReportedAsTerminatedWithError()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Call("SET a 1");
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Storage.NextError["open"] = Errno.EACCES; // the child cannot create its temp file
        Assert.Equal(1, h.Children.Finish(pid));
        h.Tick(100);
        Assert.Contains("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): Permission denied", h.Messages);
        Assert.Contains("Background AOF rewrite terminated with error", h.Messages);
        Assert.Equal("err", h.Info("aof_last_bgrewrite_status"));
    }

    [Fact]
    public void AKilledChildLeaksItsFirstTempFileUnderTheSeedButNotUnderFixed()
    {
        foreach ((Profile profile, bool leaked) in new[] { (Profile.Redis26, true), (Profile.Fixed, false) })
        {
            var h = new ServerHarness(profile, AppendFsync.Always);
            h.Call("BGREWRITEAOF");
            int pid = h.Core.AofChildPid;
            h.Storage.Put($"temp-rewriteaof-{pid}.aof", "*2\r\n$6\r\nSEL"); // killed mid-file
            h.Children.Kill(pid);
            h.Tick(100);
            Assert.Equal(leaked, h.Storage.Exists($"temp-rewriteaof-{pid}.aof"));
        }
    }

    [Fact]
    public void TheOldAofIsClosedOnTheCloseWorkerUnderTheSeedAndAfterPendingFsyncsUnderFixed()
    {
        foreach ((Profile profile, BioJobType close) in new[] { (Profile.Redis26, BioJobType.CloseFile), (Profile.Fixed, BioJobType.CloseAof) })
        {
            var h = new ServerHarness(profile, AppendFsync.Everysec);
            h.Call("BGREWRITEAOF");
            int oldFd = h.Core.AofFd;
            h.Children.Finish(h.Core.AofChildPid);
            h.Tick(100);
            Assert.Contains((close, oldFd), h.Jobs.Queued);
        }
    }

    [Fact]
    public void UnderTheSeedAnFsyncQueuedForTheOldAofCanRunAfterItWasClosedButNotUnderFixed()
    {
        // The seed: the close worker can close the old AOF before the fsync worker gets to the
        // fsync queued for it (PR #8751): the fsync hits a closed descriptor (or a reused one).
        var seed = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        seed.Tick(1000);
        seed.Call("SET a 1"); // an fsync of the old AOF is queued
        int oldFd = seed.Core.AofFd;
        seed.Call("BGREWRITEAOF");
        seed.Children.Finish(seed.Core.AofChildPid);
        seed.Tick(100);
        seed.Storage.Calls.Clear();
        seed.Jobs.RunNext(BioJobType.CloseFile);
        seed.Jobs.RunNext(BioJobType.AofFsync);
        Assert.Equal(["close (deleted appendonly.aof)", $"fdatasync {oldFd} EBADF"], seed.Storage.Calls.Take(2));

        // Fixed: the close is queued behind the fsync on the same worker.
        var fix = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        fix.Tick(1000);
        fix.Call("SET a 1");
        fix.Call("BGREWRITEAOF");
        fix.Children.Finish(fix.Core.AofChildPid);
        fix.Tick(100);
        fix.Storage.Calls.Clear();
        fix.Jobs.RunAll();
        Assert.Equal(
            ["fdatasync (deleted appendonly.aof)", "fdatasync appendonly.aof", "fdatasync (deleted appendonly.aof)", "close (deleted appendonly.aof)"],
            fix.Storage.Calls.Take(4));
    }

    [Fact]
    public void FixedFsyncsTheNewFileBeforeTheRenameAndTheDirectoryAfterIt()
    {
        foreach ((Profile profile, bool synced) in new[] { (Profile.Fixed, true), (Profile.Redis26, false) })
        {
            var h = new ServerHarness(profile, AppendFsync.No);
            h.Call("SET a 1");
            h.Call("BGREWRITEAOF");
            int pid = h.Core.AofChildPid;
            h.Children.Finish(pid);
            h.Storage.Calls.Clear();
            h.Tick(100);
            List<string> calls = h.Storage.Calls;
            int rename = calls.IndexOf($"rename temp-rewriteaof-bg-{pid}.aof appendonly.aof");
            Assert.True(rename >= 0);
            Assert.Equal(synced, calls.Take(rename).Contains($"fsync temp-rewriteaof-bg-{pid}.aof"));
            Assert.Equal(synced, calls.Skip(rename).Contains("fsyncdir ."));
        }
    }

    [Fact]
    public void StopAppendOnlyDuringARewriteKillsTheChildAndRemovesItsTempFile()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Call("SET a 1");
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Storage.Put($"temp-rewriteaof-bg-{pid}.aof", "partial");
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly no"));
        Assert.Contains($"Killing running AOF rewrite child: {pid}", h.Messages);
        Assert.Equal(AofState.Off, h.Core.State);
        Assert.Equal(-1, h.Core.AofChildPid);
        Assert.Equal(-1, h.Core.AofFd);
        Assert.False(h.Storage.Exists($"temp-rewriteaof-bg-{pid}.aof"));
        Assert.DoesNotContain(pid, h.Children.Running);
        Assert.Equal("0", h.Info("aof_enabled"));
        string before = h.Aof;
        h.Call("SET b 2");
        Assert.Equal(before, h.Aof);
    }

    [Fact]
    public void StartAppendOnlyWaitsForTheRewriteBeforeWritingTheAof()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always, appendOnly: false);
        h.Call("SET a 1");
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.Equal(AofState.WaitRewrite, h.Core.State);
        h.Call("SET b 2");
        Assert.Equal("0", h.Info("aof_buffer_length"));
        Assert.Equal(string.Empty, h.Aof);
        h.Children.Finish(h.Core.AofChildPid);
        h.Tick(100);
        Assert.Equal(AofState.On, h.Core.State);
        Assert.Equal(Select0 + Resp("SET", "a", "1") + Select0 + Resp("SET", "b", "2"), h.Aof);
        h.Call("SET c 3");
        Assert.EndsWith(Resp("SET", "c", "3"), h.Aof, StringComparison.Ordinal);
    }

    [Fact]
    public void AutomaticRewriteStartsOnGrowthPastTheMinimumSize()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.No);
        h.Call("CONFIG SET auto-aof-rewrite-percentage 100");
        h.Call("CONFIG SET auto-aof-rewrite-min-size 100");
        for (int i = 0; i < 5; i++)
        {
            h.Call($"SET key{i} value{i}");
        }

        h.Tick(100);
        Assert.NotEqual(-1, h.Core.AofChildPid);
        Assert.Contains(h.Messages, m => m.StartsWith("Starting automatic rewriting of AOF on ", StringComparison.Ordinal) && m.EndsWith("% growth", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigGetAndSetCoverTheAofSettings()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        Assert.Equal("*2\r\n$11\r\nappendfsync\r\n$8\r\neverysec\r\n", h.Call("CONFIG GET appendfsync"));
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendfsync always"));
        Assert.Equal(AppendFsync.Always, h.Core.AppendFsync);
        Assert.Equal("-ERR Invalid argument 'sometimes' for CONFIG SET 'appendfsync'\r\n", h.Call("CONFIG SET appendfsync sometimes"));
        Assert.Equal("-ERR Unsupported CONFIG parameter: maxmemory\r\n", h.Call("CONFIG SET maxmemory 1"));
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET auto-aof-rewrite-min-size 1mb"));
        Assert.Equal(1L << 20, h.Core.AutoAofRewriteMinSize);
    }

    [Fact]
    public void TheRewriteBufferIsAListOfTenMegabyteBlocks()
    {
        var log = new MemoryLog();
        var buffer = new AofRewriteBuffer(log);
        byte[] chunk = new byte[3 * 1024 * 1024];
        chunk.AsSpan().Fill((byte)'x');
        for (int i = 0; i < 27; i++)
        {
            buffer.Append(chunk); // 81 MB
        }

        Assert.Equal(9, buffer.BlockCount);
        Assert.Equal(81L * 1024 * 1024, buffer.Size);

        // The seed logs when the count of blocks plus one crosses a multiple of ten: at 9 blocks,
        // with 8 full ones behind the new block.
        Assert.Equal([(LogLevel.Notice, "Background AOF buffer size: 80 MB")], log.Lines);
    }

    [Fact]
    public void AppendingChunksAcrossBlockBoundariesKeepsTheirConcatenation()
    {
        var buffer = new AofRewriteBuffer(NullLog.Instance);
        var expected = new List<byte>();
        var rng = new Random(3);
        while (expected.Count < AofRewriteBuffer.BlockSize + (AofRewriteBuffer.BlockSize / 2))
        {
            byte[] chunk = new byte[rng.Next(1, 3_000_000)];
            rng.NextBytes(chunk);
            buffer.Append(chunk);
            expected.AddRange(chunk);
        }

        Assert.Equal(2, buffer.BlockCount);
        Assert.Equal(expected.Count, buffer.Size);
        Assert.True(buffer.ToArray().AsSpan().SequenceEqual(expected.ToArray()));
    }

    [Fact]
    public void AShortWriteOfTheDiffAbandonsTheRewrite()
    {
        (ServerHarness h, string before, int pid) = FinishedRewriteWithADiff(Profile.Fixed, AppendFsync.Always);
        h.Storage.NextShortWrite = 3;
        h.Tick(100);
        Assert.Contains("Error trying to flush the parent diff to the rewritten AOF: Success", h.Messages);
        Assert.Equal(before + Select0 + Resp("SET", "b", "2"), h.Aof);
        Assert.False(h.Storage.Exists($"temp-rewriteaof-bg-{pid}.aof"));
    }

    [Fact]
    public void TheInfoFieldsTimeTheRunningAndTheLastRewriteInWholeSeconds()
    {
        // aof_rewrite_time_start = time(NULL) at the fork; INFO's aof_current_rewrite_time_sec is
        // time(NULL) minus it, and aof_rewrite_time_last the same difference at the done handler.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.No);
        Assert.Equal("-1", h.Info("aof_last_rewrite_time_sec"));
        h.Call("BGREWRITEAOF"); // at a whole second
        h.Tick(2500);
        Assert.Equal("2", h.Info("aof_current_rewrite_time_sec"));
        h.Children.Finish(h.Core.AofChildPid);
        h.Tick(1000); // reaped at the next cron, 2.6 s after the fork
        Assert.Equal("2", h.Info("aof_last_rewrite_time_sec"));
        Assert.Equal("-1", h.Info("aof_current_rewrite_time_sec"));
    }

    [Fact]
    public void AppendOnlyYesWhileABgRewriteAofRunsIsRefusedAndClosesTheFileItOpened()
    {
        // startAppendOnly: rewriteAppendOnlyFileBackground returns REDIS_ERR while a child runs, so
        // the AOF just opened is closed again, the line logged, and CONFIG SET replies the error.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, appendOnly: false);
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Storage.Calls.Clear();
        Assert.Equal("-ERR Unable to turn on AOF. Check server logs.\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.Equal(["open appendonly.aof", "close appendonly.aof"], h.Storage.Calls);
        Assert.Equal(
            (LogLevel.Warning, "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error."),
            h.Log.Lines[^1]);
        Assert.Equal(AofState.Off, h.Core.State);
        Assert.Equal("0", h.Info("aof_enabled"));
        Assert.Equal(pid, h.Core.AofChildPid); // the running rewrite goes on
    }

    [Fact]
    public void AppendOnlyYesWhenForkFailsLogsTheForkErrorThenTheRefusal()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, appendOnly: false);
        h.Children.FailFork = Errno.EAGAIN;
        Assert.Equal("-ERR Unable to turn on AOF. Check server logs.\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.Equal(
            [(LogLevel.Warning, "Can't rewrite append only file in background: fork: Resource temporarily unavailable"),
             (LogLevel.Warning, "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.")],
            h.Log.Lines.TakeLast(2));
        Assert.Equal(AofState.Off, h.Core.State);
    }

    [Fact]
    public void AppendOnlyYesWhenTheAofCannotBeOpenedIsRefusedWithoutARewrite()
    {
        // startAppendOnly: open(2) fails, the strerror is logged and REDIS_ERR returned before any
        // fork.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, appendOnly: false);
        h.Storage.NextError["open"] = Errno.EACCES;
        Assert.Equal("-ERR Unable to turn on AOF. Check server logs.\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.Equal((LogLevel.Warning, "Redis needs to enable the AOF but can't open the append only file: Permission denied"), h.Log.Lines[^1]);
        Assert.Equal(-1, h.Core.AofChildPid);
        Assert.Empty(h.Children.Running);
        Assert.Equal(AofState.Off, h.Core.State);
    }

    [Fact]
    public void AppendOnlyYesCreatingTheAofFsyncsItsDirectoryUnderFixedOnly()
    {
        // Fix #13 (PR #10737): a newly created AOF's name is durable only once its directory is
        // fsynced; the seed's startAppendOnly just opens it. An AOF that exists needs no fsync.
        foreach ((Profile profile, string[] calls) in new[]
        {
            (Profile.Fixed, new[] { "open appendonly.aof", "fsyncdir ." }),
            (Profile.Redis26, ["open appendonly.aof"]),
        })
        {
            var h = new ServerHarness(profile, AppendFsync.Everysec, appendOnly: false);
            h.Storage.Calls.Clear();
            Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly yes"));
            Assert.Equal(calls, h.Storage.Calls);
        }

        var existing = new ServerHarness(Profile.Fixed, AppendFsync.Everysec, appendOnly: false, existingAof: Select0);
        existing.Storage.Calls.Clear();
        existing.Call("CONFIG SET appendonly yes");
        Assert.Equal(["open appendonly.aof"], existing.Storage.Calls);

        // The fix logs a failed directory fsync and goes on: the rewrite still starts.
        var failing = new ServerHarness(Profile.Fixed, AppendFsync.Everysec, appendOnly: false);
        failing.Storage.NextError["fsyncdir"] = Errno.EIO;
        Assert.Equal("+OK\r\n", failing.Call("CONFIG SET appendonly yes"));
        Assert.Contains("Error fsyncing the directory of the new append only file: Input/output error", failing.Messages);
        Assert.Equal(AofState.WaitRewrite, failing.Core.State);
    }

    [Fact]
    public void AppendOnlyNoWhoseFlushExitsTheServerDoesNothingAfterIt()
    {
        // The seed's stopAppendOnly calls flushAppendOnlyFile(1), which exit(1)s on a write error:
        // no fsync, no close, nothing after it runs.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Exec("SET a 1"); // in aof_buf, not yet written
        int fd = h.Core.AofFd;
        h.Storage.NextError["write"] = Errno.EIO;
        h.Storage.Calls.Clear();
        h.Exec("CONFIG SET appendonly no");
        Assert.Equal(new StopOutcome(1, "Exiting on error writing to the append-only file: Input/output error"), h.Core.Stopped);
        Assert.Equal(["write appendonly.aof 50"], h.Storage.Calls);
        Assert.Equal(AofState.On, h.Core.State);
        Assert.Equal(fd, h.Core.AofFd);
    }

    [Fact]
    public void AppendOnlyNoDropsABufferItCouldNotWriteAndOnlyThen()
    {
        // Once write errors no longer exit (fix #6), the forced flush of stopAppendOnly can leave
        // the buffer unwritten; Redis 7's stopAppendOnly drops it rather than write it later,
        // without its SELECT, into the next AOF.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Storage.FailWrites = Errno.ENOSPC;
        h.Call("SET a 1");
        Assert.Equal("50", h.Info("aof_buffer_length"));
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly no"));
        Assert.Equal(50, h.Core.DroppedAtStop);
        Assert.Equal(1, h.Hits[ProbeId.StopDroppedBuffer]);
        Assert.Equal(0, h.Core.AofBuffer.Length);

        // Turned on again with the disk back: nothing of the dropped buffer reaches the file.
        h.Storage.FailWrites = null;
        h.Storage.Calls.Clear();
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.Equal("0", h.Info("aof_buffer_length"));
        Assert.DoesNotContain(h.Storage.Calls, c => c.StartsWith("write ", StringComparison.Ordinal));

        // A stop that wrote everything drops nothing.
        var clean = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        clean.Call("SET a 1");
        clean.Call("CONFIG SET appendonly no");
        Assert.Equal(0, clean.Core.DroppedAtStop);
        Assert.Equal(0, clean.Hits[ProbeId.StopDroppedBuffer]);
    }

    [Fact]
    public void AutomaticRewriteStartsWhenTheGrowthOverTheBaseSizeReachesThePercentageExactly()
    {
        // serverCron: growth = (aof_current_size*100/aof_rewrite_base_size) - 100, and a rewrite
        // when growth >= auto-aof-rewrite-percentage. The loaded AOF (50 bytes) is the base; one
        // more SELECT + SET (50 bytes) makes it 100 bytes: 100% growth, the threshold itself.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.No, existingAof: Select0 + Resp("SET", "a", "1"));
        h.Call("CONFIG SET auto-aof-rewrite-percentage 100");
        h.Call("CONFIG SET auto-aof-rewrite-min-size 1");
        h.Tick(100);
        Assert.Equal(-1, h.Core.AofChildPid); // 0% growth
        h.Call("SET b 2");
        Assert.Equal("100", h.Info("aof_current_size"));
        Assert.Equal("50", h.Info("aof_base_size"));
        h.Tick(100);
        Assert.NotEqual(-1, h.Core.AofChildPid);
        Assert.Equal((LogLevel.Notice, "Starting automatic rewriting of AOF on 100% growth"), h.Log.Lines.Single(l => l.Message.StartsWith("Starting automatic", StringComparison.Ordinal)));
    }

    [Fact]
    public void AutomaticRewriteIsOffWhenThePercentageIsZeroWhateverTheSize()
    {
        // serverCron tests aof_rewrite_perc before anything else: 0 disables automatic rewrites.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.No);
        h.Call("CONFIG SET auto-aof-rewrite-percentage 0");
        h.Call("CONFIG SET auto-aof-rewrite-min-size 1");
        h.Call("SET a 1");
        h.Tick(1000);
        Assert.Equal(-1, h.Core.AofChildPid);
        Assert.DoesNotContain(h.Messages, m => m.StartsWith("Starting automatic", StringComparison.Ordinal));
    }

    [Fact]
    public void ADiffLargerThanOneBlockIsAppendedWholeFromSeveralBlocks()
    {
        // aof_rewrite_buf_blocks: 10 MB blocks; a diff past one block is written block by block.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.No, appendOnly: false);
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        string big = new('v', (int)AofRewriteBuffer.BlockSize + 1000);
        h.Call("SET big " + big);
        Assert.Equal(0, h.Hits[ProbeId.DiffBufferMultiBlock]);
        h.Children.Finish(pid);
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.DiffBufferMultiBlock]);
        Assert.Equal(Select0 + Resp("SET", "big", big), h.Aof);
    }

    [Fact]
    public void AFailedDiffWriteClosesTheTempFileAndLeavesTheOldAofInPlace()
    {
        // backgroundRewriteDoneHandler: close(newfd); goto cleanup; no rename, and no
        // "Parent diff successfully flushed" line. The seed has no fsync to stop it either.
        (ServerHarness h, string before, int pid) = FinishedRewriteWithADiff(Profile.Redis26, AppendFsync.Always);
        h.Storage.NextShortWrite = 3;
        h.Storage.Calls.Clear();
        int logged = h.Log.Lines.Count;
        h.Tick(100);
        string tmp = $"temp-rewriteaof-bg-{pid}.aof";
        Assert.Equal([$"open {tmp}", $"write {tmp} 50", $"close {tmp}", $"unlink {tmp}"], h.Storage.Calls);
        Assert.Equal(
            [(LogLevel.Notice, "Background AOF rewrite terminated with success"),
             (LogLevel.Warning, "Error trying to flush the parent diff to the rewritten AOF: Success")],
            h.Log.Lines.Skip(logged));
        Assert.Equal(before + Select0 + Resp("SET", "b", "2"), h.Aof);
    }

    [Fact]
    public void AFailedFsyncOfTheRewrittenAofAbandonsItBeforeTheRename()
    {
        // Fix #13: the new file must be durable before it replaces the old one; when its fsync
        // fails it is closed and removed, and the old AOF stays.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.No);
        h.Call("SET a 1");
        string before = h.Aof;
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Children.Finish(pid);
        h.Storage.NextError["fsync"] = Errno.EIO;
        h.Storage.Calls.Clear();
        h.Tick(100);
        string tmp = $"temp-rewriteaof-bg-{pid}.aof";
        Assert.Equal([$"open {tmp}", $"fsync {tmp}", $"close {tmp}", $"unlink {tmp}", $"unlink temp-rewriteaof-{pid}.aof"], h.Storage.Calls);
        Assert.Contains((LogLevel.Warning, "Error trying to fsync the rewritten AOF: Input/output error"), h.Log.Lines);
        Assert.Equal(1, h.Hits[ProbeId.RewriteFsyncFailed]);
        Assert.DoesNotContain("Background AOF rewrite finished successfully", h.Messages);
        Assert.Equal(before, h.Aof);
        Assert.False(h.Storage.Exists(tmp));
    }

    [Fact]
    public void AFailedDirectoryFsyncAfterTheRenameRecordsTheRewriteAsAnError()
    {
        // Fix #13: the rename cannot be undone, so the new AOF is in charge; but it is durable only
        // once the directory is fsynced, so aof_last_bgrewrite_status says err.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.No);
        h.Call("SET a 1");
        h.Call("BGREWRITEAOF");
        h.Children.Finish(h.Core.AofChildPid);
        h.Storage.NextError["fsyncdir"] = Errno.EIO;
        h.Tick(100);
        Assert.Contains((LogLevel.Warning, "Error trying to fsync the directory of the AOF after the rename: Input/output error"), h.Log.Lines);
        Assert.Equal(1, h.Hits[ProbeId.RewriteDirFsyncFailed]);
        Assert.Equal("err", h.Info("aof_last_bgrewrite_status"));
        Assert.Equal(Select0 + Resp("SET", "a", "1"), h.Aof);
    }

    [Fact]
    public void ARewriteWithTheAofOffAndNoOldFileQueuesNoClose()
    {
        // With the AOF off the old file is opened only to be closed in the background; when there
        // is none, open fails, oldfd is -1, and no close job is created.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.No, appendOnly: false);
        Assert.False(h.Storage.Exists("appendonly.aof"));
        h.Call("SET a 1");
        h.Call("BGREWRITEAOF");
        h.Children.Finish(h.Core.AofChildPid);
        h.Tick(100);
        Assert.Equal(Select0 + Resp("SET", "a", "1"), h.Aof);
        Assert.Empty(h.Jobs.Queued);
    }

    [Fact]
    public void AFailedRenameWithTheAofOffClosesBothTheNewFileAndTheOldOne()
    {
        // The rename error path: close(newfd); if (oldfd != -1) close(oldfd); goto cleanup.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.No, appendOnly: false, existingAof: Select0);
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Children.Finish(pid);
        h.Storage.NextError["rename"] = Errno.EACCES;
        h.Storage.Calls.Clear();
        h.Tick(100);
        string tmp = $"temp-rewriteaof-bg-{pid}.aof";
        Assert.Equal(
            [$"open {tmp}", "open appendonly.aof", $"rename {tmp} appendonly.aof", $"close {tmp}", "close appendonly.aof", $"unlink {tmp}"],
            h.Storage.Calls);
        Assert.Contains((LogLevel.Warning, "Error trying to rename the temporary AOF file: Permission denied"), h.Log.Lines);
        Assert.Equal(Select0, h.Aof);
        Assert.Empty(h.Jobs.Queued);
    }

    [Fact]
    public void UnderAlwaysAFailedFsyncOfTheSwitchedAofExitsUnderFixedAndIsIgnoredByTheSeed()
    {
        // The seed calls aof_fsync(newfd) and ignores its result; the fix (FsyncErrorsHandled)
        // exits as Redis 7's flush does under appendfsync always.
        var fix = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        fix.Call("BGREWRITEAOF");
        fix.Children.Finish(fix.Core.AofChildPid);
        fix.Storage.NextError["fdatasync"] = Errno.EIO;
        fix.Tick(100);
        const string Reason = "Can't persist AOF for fsync error when the AOF fsync policy is 'always': Input/output error. Exiting...";
        Assert.Equal(new StopOutcome(1, Reason), fix.Core.Stopped);
        Assert.Contains((LogLevel.Warning, Reason), fix.Log.Lines);

        var seed = new ServerHarness(Profile.Redis26, AppendFsync.Always);
        seed.Call("BGREWRITEAOF");
        seed.Children.Finish(seed.Core.AofChildPid);
        seed.Storage.NextError["fdatasync"] = Errno.EIO;
        seed.Tick(100);
        Assert.Null(seed.Core.Stopped);
        Assert.Contains("Background AOF rewrite finished successfully", seed.Messages);
    }

    private static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    // SET a 1, a BGREWRITEAOF, SET b 2 in its diff, and its child finished: the done handler runs
    // at the next tick. Returns the AOF as it was before the rewrite and the child's pid.
    private static (ServerHarness H, string Before, int Pid) FinishedRewriteWithADiff(Profile profile, AppendFsync policy)
    {
        var h = new ServerHarness(profile, policy);
        h.Call("SET a 1");
        string before = h.Aof;
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Call("SET b 2");
        h.Children.Finish(pid);
        return (h, before, pid);
    }
}
