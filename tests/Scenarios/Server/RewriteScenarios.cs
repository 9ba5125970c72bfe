using AofSim.Engine.Aof;
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
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Call("SET a 1");
        string before = h.Aof;
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Call("SET b 2");
        h.Children.Finish(pid);
        h.Storage.NextShortWrite = 3;
        h.Tick(100);
        Assert.Contains("Error trying to flush the parent diff to the rewritten AOF: Success", h.Messages);
        Assert.Equal(before + Select0 + Resp("SET", "b", "2"), h.Aof);
        Assert.False(h.Storage.Exists($"temp-rewriteaof-bg-{pid}.aof"));
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
}
