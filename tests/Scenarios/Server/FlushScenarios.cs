using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using static AofSim.Scenarios.Server.ServerHarness;

namespace AofSim.Scenarios.Server;

/// <summary>flushAppendOnlyFile, branch by branch, on fake ports.</summary>
public sealed class FlushScenarios
{
    private static readonly string Select0 = Resp("SELECT", "0");

    [Fact]
    public void UnderAlwaysTheWriteAndTheFsyncComeBeforeTheReplyIsReleased()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Storage.Calls.Clear();
        h.Exec("SET k v");
        Assert.Equal(string.Empty, h.Aof);
        Assert.Equal("+OK\r\n", h.Sleep());
        Assert.Equal(Select0 + Resp("SET", "k", "v"), h.Aof);
        Assert.Equal(["write appendonly.aof 50", "fdatasync appendonly.aof"], h.Storage.Calls);
    }

    [Fact]
    public void ACommandThatChangesNothingWritesNothing()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Storage.Calls.Clear();
        Assert.Equal("$-1\r\n", h.Call("GET nope"));
        Assert.Equal(":0\r\n", h.Call("DEL nope"));
        Assert.Empty(h.Storage.Calls);
    }

    [Fact]
    public void EverysecFsyncsInTheBackgroundOncePerSecond()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Call("SET a 1");
        Assert.Empty(h.Jobs.Queued); // less than a second since the last fsync
        h.Tick(1000);
        h.Call("SET b 2");
        Assert.Equal([(BioJobType.AofFsync, 3)], h.Jobs.Queued);
        h.Jobs.RunAll();
        h.Call("SET c 3");
        Assert.Empty(h.Jobs.Queued);
        Assert.DoesNotContain(h.Storage.Calls, c => c.StartsWith("fdatasync", StringComparison.Ordinal) && h.Jobs.Queued.Count > 0);
    }

    [Fact]
    public void NoNeverFsyncs()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.No);
        h.Call("SET a 1");
        h.Tick(3000);
        h.Call("SET b 2");
        Assert.Empty(h.Jobs.Queued);
        Assert.DoesNotContain(h.Storage.Calls, c => c.StartsWith("fdatasync", StringComparison.Ordinal) || c.StartsWith("fsync ", StringComparison.Ordinal));
        Assert.EndsWith(Resp("SET", "b", "2"), h.Aof, StringComparison.Ordinal);
    }

    [Fact]
    public void WhileAnFsyncIsPendingTheWriteIsPostponedForTwoSecondsThenWrittenAnyway()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1"); // submits a background fsync that the test never lets finish
        Assert.Equal(1, h.Jobs.Pending(BioJobType.AofFsync));
        string before = h.Aof;

        // Postponed at 0 s: the reply is released (everysec promises at most ~2 s of loss).
        Assert.Equal("+OK\r\n", h.Call("SET b 2"));
        Assert.Equal(before, h.Aof);
        Assert.NotEqual(0, h.Core.AofFlushPostponedStart);

        h.Tick(1900); // still postponed at 1.9 s
        Assert.Equal(before, h.Aof);
        Assert.Equal("0", h.Info("aof_delayed_fsync"));

        h.Tick(100); // written at 2 s
        Assert.Equal(before + Resp("SET", "b", "2"), h.Aof);
        Assert.Equal("1", h.Info("aof_delayed_fsync"));
        Assert.Contains("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.", h.Messages);
        Assert.Equal(0, h.Core.AofFlushPostponedStart);
    }

    [Fact]
    public void TheSeedTimesThePostponeInWholeSecondsSoItCanWriteAfterLittleMoreThanOneSecond()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1");
        Assert.Equal(1, h.Jobs.Pending(BioJobType.AofFsync));
        h.Tick(900); // 0.9 s into the second: the cached unixtime is still the same second
        string before = h.Aof;
        h.Call("SET b 2"); // postponed, start = this second
        h.Tick(1100);      // 1.1 s later the cached second is start + 2
        Assert.Equal(before + Resp("SET", "b", "2"), h.Aof);
        Assert.Equal("1", h.Info("aof_delayed_fsync"));
    }

    [Fact]
    public void AForcedFlushIgnoresThePendingFsync()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1");
        string before = h.Aof;
        h.Exec("SET b 2");
        h.Core.FlushAppendOnlyFile(force: true);
        Assert.Equal(before + Resp("SET", "b", "2"), h.Aof);
        Assert.Equal("0", h.Info("aof_delayed_fsync"));
    }

    [Fact]
    public void NoAppendFsyncOnRewriteSkipsTheFsyncWhileAChildRuns()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Call("CONFIG SET no-appendfsync-on-rewrite yes");
        h.Call("BGREWRITEAOF");
        h.Storage.Calls.Clear();
        h.Call("SET a 1");
        Assert.Equal(["write appendonly.aof 50"], h.Storage.Calls); // SELECT again: the rewrite reset the selected db
    }

    [Fact]
    public void UnderTheSeedAShortWriteIsTruncatedAwayAndTheServerExits()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Always);
        h.Call("SET a 1");
        string good = h.Aof;
        h.Storage.NextShortWrite = 5;
        h.Exec("SET b 2");
        Assert.Equal(string.Empty, h.Sleep()); // nothing acknowledged
        Assert.Equal(new StopOutcome(1, "Exiting on short write while writing to the append-only file: Success (nwritten=5, expected=27)"), h.Core.Stopped);
        Assert.Contains($"ftruncate appendonly.aof {good.Length}", h.Storage.Calls);
        Assert.Equal(good, h.Aof);
    }

    [Fact]
    public void UnderTheSeedAShortWriteThatCannotBeTruncatedSaysSo()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Always);
        h.Call("SET a 1");
        string good = h.Aof;
        h.Storage.NextShortWrite = 5;
        h.Storage.NextError["ftruncate"] = Errno.EIO;
        h.Exec("SET b 2");
        h.Sleep();
        Assert.Equal(
            ["Exiting on short write while writing to the append-only file: Success (nwritten=5, expected=27)",
             "Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: Input/output error"],
            h.Messages.TakeLast(2));
        Assert.Equal(1, h.Core.Stopped!.ExitCode);
        Assert.Equal(good + "*3\r\n$", h.Aof);
    }

    [Fact]
    public void UnderTheSeedAWriteErrorExits()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Storage.NextError["write"] = Errno.EIO;
        h.Exec("SET a 1");
        Assert.Equal(string.Empty, h.Sleep());
        Assert.Equal(new StopOutcome(1, "Exiting on error writing to the append-only file: Input/output error"), h.Core.Stopped);
        Assert.Equal(string.Empty, h.Call("GET a"));
    }

    [Fact]
    public void FixedRefusesWritesAfterAWriteErrorAndRetriesEverySecond()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Storage.FailWrites = Errno.ENOSPC; // every beforeSleep retries the buffer; the disk stays full
        Assert.Equal("+OK\r\n", h.Call("SET a 1"));
        Assert.Null(h.Core.Stopped);
        Assert.Contains("Error writing to the AOF file: No space left on device", h.Messages);
        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", h.Call("SET b 2"));
        Assert.Equal("$1\r\n1\r\n", h.Call("GET a"));
        Assert.Equal("err", h.Info("aof_last_write_status"));

        h.Storage.FailWrites = null;
        h.Tick(1000); // the retry goes through: the buffer still held SET a 1
        Assert.Equal(Select0 + Resp("SET", "a", "1"), h.Aof);
        Assert.Contains("AOF write error looks solved, Redis can write again.", h.Messages);
        Assert.Equal("+OK\r\n", h.Call("SET b 2"));
        Assert.Equal("ok", h.Info("aof_last_write_status"));
    }

    [Fact]
    public void FixedStopsOnAWriteErrorUnderAlways()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Storage.NextError["write"] = Errno.EIO;
        h.Exec("SET a 1");
        Assert.Equal(string.Empty, h.Sleep());
        Assert.Equal(new StopOutcome(1, "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting..."), h.Core.Stopped);
    }

    [Fact]
    public void AnFsyncErrorUnderAlwaysIsIgnoredByTheSeedAndStopsRedis7()
    {
        var seed = new ServerHarness(Profile.Redis26, AppendFsync.Always);
        seed.Storage.NextError["fdatasync"] = Errno.EIO;
        Assert.Equal("+OK\r\n", seed.Call("SET a 1"));
        Assert.Null(seed.Core.Stopped);

        // Redis 7 (fix #11 without the rewrite): the reply is never sent, the server exits.
        Assert.True(Profile.TryGet("fixed-RewriteAfterFsyncError", out Profile redis7));
        var fix = new ServerHarness(redis7, AppendFsync.Always);
        fix.Storage.NextError["fdatasync"] = Errno.EIO;
        Assert.Equal(string.Empty, fix.Call("SET a 1"));
        Assert.Equal(new StopOutcome(1, "Can't persist AOF for fsync error when the AOF fsync policy is 'always': Input/output error. Exiting..."), fix.Core.Stopped);
    }

    [Fact]
    public void AnFsyncErrorUnderAlwaysDropsTheRepliesAndRefusesWritesUntilTheFixedServerHasRewrittenTheAof()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        Assert.Equal(string.Empty, h.Call("SET a 1"));
        Assert.Null(h.Core.Stopped);
        Assert.True(h.Core.AofFsyncBroken);
        Assert.Contains("Error syncing the AOF: Input/output error. Refusing writes until the AOF is rewritten.", h.Messages);
        Assert.Equal("-MISCONF Errors writing to the AOF file: Input/output error\r\n", h.Call("SET b 2"));
        Assert.Equal("$1\r\n1\r\n", h.Call("GET a"));

        // Cron schedules the rewrite; once it is done, writes are accepted again.
        h.Tick(100);
        Assert.NotEqual(-1, h.Core.AofChildPid);
        Assert.Equal(0, h.Children.Finish(h.Core.AofChildPid));
        h.Tick(100);
        Assert.False(h.Core.AofFsyncBroken);
        Assert.Contains("The AOF was rewritten after an fsync error: writes are accepted again.", h.Messages);
        Assert.Equal("+OK\r\n", h.Call("SET b 2"));
    }

    [Fact]
    public void ARewriteAfterAnFsyncErrorThatKeepsFailingIsRetriedWithABackoff()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        h.Call("SET a 1");

        // First attempt at the first cron; the child dies at once; the next attempts start 1 s, then
        // 2 s, after the one before.
        var started = new List<long>();
        for (int tick = 0; tick < 50; tick++)
        {
            h.Tick(100);
            if (h.Core.AofChildPid != -1)
            {
                started.Add(h.Clock.NowMs - ServerHarness.Start);
                Assert.True(h.Children.Kill(h.Core.AofChildPid));
            }
        }

        Assert.Equal([100L, 1100L, 3100L], started.Take(3));
        Assert.True(h.Core.AofFsyncBroken);
        Assert.StartsWith("-MISCONF", h.Call("SET b 2"), StringComparison.Ordinal);
    }

    [Fact]
    public void AFailedBackgroundFsyncRefusesWritesUnderFixedOnly()
    {
        foreach ((Profile profile, string expected) in new[] { (Profile.Fixed, "-MISCONF Errors writing to the AOF file: Input/output error\r\n"), (Profile.Redis26, "+OK\r\n") })
        {
            var h = new ServerHarness(profile, AppendFsync.Everysec);
            h.Tick(1000);
            h.Call("SET a 1");
            h.Storage.NextError["fdatasync"] = Errno.EIO;
            h.Jobs.RunAll();
            Assert.Equal(expected, h.Call("SET b 2"));
        }
    }

    [Fact]
    public void FixedFsyncsTheEverysecTailWhenWritesStopButTheSeedNever()
    {
        foreach ((Profile profile, int fsyncs) in new[] { (Profile.Fixed, 1), (Profile.Redis26, 0) })
        {
            var h = new ServerHarness(profile, AppendFsync.Everysec);
            h.Tick(1000);
            h.Call("SET a 1");
            h.Jobs.RunAll();
            h.Tick(100);
            h.Call("SET b 2"); // written, but within the same second: no fsync yet
            Assert.Empty(h.Jobs.Queued);
            h.Tick(3000); // no more writes
            Assert.Equal(fsyncs, h.Jobs.Queued.Count(j => j.Type == BioJobType.AofFsync));
        }
    }

    [Fact]
    public void ShutdownWritesTheBufferFirstUnderFixedButNotUnderTheSeed()
    {
        foreach ((Profile profile, bool kept) in new[] { (Profile.Fixed, true), (Profile.Redis26, false) })
        {
            var h = new ServerHarness(profile, AppendFsync.Everysec);
            h.Tick(1000);
            h.Call("SET a 1"); // a background fsync stays pending
            h.Call("SET b 2"); // postponed: still in the buffer
            h.Exec("SHUTDOWN");
            Assert.Equal(string.Empty, h.Sleep());
            Assert.Equal(0, h.Core.Stopped!.ExitCode);
            Assert.Equal(kept, h.Aof.EndsWith(Resp("SET", "b", "2"), StringComparison.Ordinal));
            Assert.Contains("Calling fsync() on the AOF file.", h.Messages);
            Assert.Equal("Redis is now ready to exit, bye bye...", h.Messages[^1]);
        }
    }

    [Theory]
    [InlineData("fixed", false)]
    [InlineData("redis26", true)]
    public void ShutdownWhileTheFirstRewriteAfterAppendOnlyYesRunsRefusesUnderFixedOnly(string profile, bool exits)
    {
        // Found by the simulator's gate under swarm testing (seed 662): the seed kills the child
        // and exits, and the AOF the restart loads lacks the writes acknowledged since.
        Assert.True(Profile.TryGet(profile, out Profile p));
        var h = new ServerHarness(p, AppendFsync.Always, appendOnly: false);
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.Equal(AofState.WaitRewrite, h.Core.State);
        Assert.Equal("+OK\r\n", h.Call("SET a 1")); // only in the rewrite's diff buffer
        string reply = h.Call("SHUTDOWN");
        Assert.Equal(exits, h.Core.Stopped is not null);
        Assert.Equal(!exits, h.Messages.Contains("Writing initial AOF, can't exit."));
        if (!exits)
        {
            Assert.Equal("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", reply);
            Assert.Equal(AofState.WaitRewrite, h.Core.State);
        }
    }

    [Fact]
    public void ShutdownUnderFixedRefusesToExitWhenItsFlushOfTheBufferFails()
    {
        // Found by the simulator once it sent SHUTDOWN (docs/findings.md): exiting after the
        // failed write dropped writes already acknowledged under everysec.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1"); // a background fsync stays pending
        Assert.Equal("+OK\r\n", h.Call("SET b 2")); // postponed, acknowledged
        h.Storage.NextError["write"] = Errno.EIO;
        Assert.Equal("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", h.Call("SHUTDOWN"));
        Assert.Null(h.Core.Stopped);
        Assert.Contains("Error trying to write the AOF buffer, can't exit.", h.Messages);

        // Once the disk takes the write, SHUTDOWN exits with the write in the AOF.
        h.Jobs.RunAll();
        h.Exec("SHUTDOWN");
        Assert.Equal(0, h.Core.Stopped!.ExitCode);
        Assert.EndsWith(Resp("SET", "b", "2"), h.Aof, StringComparison.Ordinal);
    }

    [Fact]
    public void ShutdownUnderFixedRefusesToExitWhileTheAofIsNotDurableSinceAnFsyncError()
    {
        // Found by the simulator: a restarted server cannot learn of the fsync error, and the
        // pages Linux dropped are lost at the next power loss (fsyncgate).
        foreach (bool turnedOff in new[] { false, true })
        {
            var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
            h.Tick(1000);
            h.Call("SET a 1");
            h.Storage.NextError["fdatasync"] = Errno.EIO;
            h.Jobs.RunAll();
            if (turnedOff)
            {
                h.Call("CONFIG SET appendonly no");
            }

            Assert.Equal("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", h.Call("SHUTDOWN"));
            Assert.Null(h.Core.Stopped);
            Assert.Contains("The AOF is not durable since an fsync error and is not rewritten yet, can't exit.", h.Messages);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ShutdownUnderFixedRefusesUntilARewriteEvenWhenTheAofNotDurableIsTurnedOnAgain(bool offAgain)
    {
        // Found by the swarm gate (seeds 1579, 2788, 2834): the AOF turned off after an fsync
        // error, then on again, lost that memory, either in WAIT_REWRITE with no child running
        // (the killed child's retry had not started yet) or when turned off again (the new fsync
        // succeeded over the pages Linux dropped); SHUTDOWN exited, and after a later power loss
        // the hole those pages left cut off every write acknowledged after the restart.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1");
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        h.Jobs.RunAll();
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly no"));
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.True(h.Children.Kill(h.Core.AofChildPid));
        h.Children.FailFork = Errno.EAGAIN; // the retry cron schedules cannot start yet
        h.Tick(200);
        Assert.Equal(-1, h.Core.AofChildPid);
        Assert.Equal(AofState.WaitRewrite, h.Core.State);
        if (offAgain)
        {
            Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly no"));
        }

        Assert.Equal("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", h.Call("SHUTDOWN"));
        Assert.Null(h.Core.Stopped);
        Assert.Contains("The AOF is not durable since an fsync error and is not rewritten yet, can't exit.", h.Messages);

        // A rewrite from memory replaces the file; then SHUTDOWN exits.
        h.Children.FailFork = null;
        if (offAgain)
        {
            h.Call("BGREWRITEAOF");
        }

        h.Tick(200);
        Assert.Equal(0, h.Children.Finish(h.Core.AofChildPid));
        h.Tick(200);
        Assert.Contains("Background AOF rewrite finished successfully", h.Messages);
        h.Exec("SHUTDOWN");
        Assert.Equal(0, h.Core.Stopped!.ExitCode);
    }

    [Fact]
    public void InfoReportsTheBufferAndPendingFsyncs()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1");
        h.Exec("SET b 2");
        Assert.Equal("1", h.Info("aof_enabled"));
        Assert.Equal("27", h.Info("aof_buffer_length"));
        Assert.Equal("1", h.Info("aof_pending_bio_fsync"));
        Assert.Equal("50", h.Info("aof_current_size"));
        Assert.Equal("0", h.Info("aof_base_size"));
        Assert.Equal("-1", h.Info("aof_last_rewrite_time_sec"));
    }

    [Fact]
    public void StartLoadsTheExistingAofAndAppendsAfterIt()
    {
        string existing = Select0 + Resp("SET", "a", "1");
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always, existingAof: existing);
        Assert.Equal("$1\r\n1\r\n", h.Call("GET a"));
        h.Call("SET b 2");
        Assert.Equal(existing + Select0 + Resp("SET", "b", "2"), h.Aof);
        Assert.Equal(existing.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), h.Info("aof_base_size"));
        Assert.Contains(h.Messages, m => m.StartsWith("DB loaded from append only file: ", StringComparison.Ordinal));
    }

    [Fact]
    public void ANewAofsNameIsMadeDurableUnderFixedOnly()
    {
        foreach ((Profile profile, bool synced) in new[] { (Profile.Fixed, true), (Profile.Redis26, false) })
        {
            var created = new ServerHarness(profile, AppendFsync.Always);
            Assert.Equal(synced, created.Storage.Calls.SkipWhile(c => c != "open appendonly.aof").Contains("fsyncdir ."));

            var existing = new ServerHarness(profile, AppendFsync.Always, existingAof: string.Empty);
            Assert.DoesNotContain("fsyncdir .", existing.Storage.Calls);
        }
    }

    [Fact]
    public void StartStopsWithTheLoadersMessageOnABadAof()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always, existingAof: "hello\r\n");
        Assert.Equal(new StopOutcome(1, "Bad file format reading the append only file: make a backup of your AOF file, then use ./redis-check-aof --fix <filename>"), h.Core.Stopped);
        Assert.Equal(string.Empty, h.Call("SET a 1"));
    }
}
