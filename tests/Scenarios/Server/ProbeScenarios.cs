using AofSim.Engine.Commands;
using AofSim.Engine.Diagnostics;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using AofSim.Sim.Coverage;
using static AofSim.Scenarios.Server.ServerHarness;

namespace AofSim.Scenarios.Server;

/// <summary>
/// Every required coverage probe, hit by a scenario aimed at its state on fake ports: the probe
/// is silent before the state and counts once the server is in it.
/// </summary>
public sealed class ProbeScenarios
{
    [Fact]
    public void AWriteBehindARunningFsyncIsPostponedThenForcedAndTheDueFsyncIsNotQueuedTwice()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1"); // queues a background fsync the test never runs
        Assert.Equal(0, h.Hits[ProbeId.FlushPostponed]);
        h.Call("SET b 2");
        Assert.Equal(1, h.Hits[ProbeId.FlushPostponed]);
        Assert.Equal(0, h.Hits[ProbeId.PostponeExpired]);
        Assert.Equal(0, h.Hits[ProbeId.FsyncDueWhileRunning]);
        h.Tick(2000);
        Assert.Equal(1, h.Hits[ProbeId.PostponeExpired]);
        Assert.Equal("1", h.Info("aof_delayed_fsync"));
        Assert.True(h.Hits[ProbeId.FsyncDueWhileRunning] >= 1);
        Assert.Equal(1, h.Jobs.Pending(BioJobType.AofFsync));
    }

    [Fact]
    public void AShutdownLandsOnAPostponedFlush()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1"); // queues a background fsync the test never runs
        h.Call("SET b 2"); // postponed: still in the buffer
        Assert.Equal(0, h.Hits[ProbeId.ShutdownWithBuffer]);
        h.Exec("SHUTDOWN");
        Assert.Equal(1, h.Hits[ProbeId.ShutdownWithBuffer]);
    }

    [Fact]
    public void TheEverysecTailIsFsyncedOnceWritesStop()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Call("SET a 1"); // written, not fsynced: less than a second since the start
        Assert.Empty(h.Jobs.Queued);
        h.Tick(1100);
        Assert.Equal(1, h.Hits[ProbeId.EverysecTailFsynced]);
        Assert.Equal([(BioJobType.AofFsync, 3)], h.Jobs.Queued);
    }

    [Fact]
    public void AShortWriteIsCompletedByTheWriteLoop()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Storage.NextShortWrite = 5;
        Assert.Equal("+OK\r\n", h.Call("SET k v"));
        Assert.Equal(1, h.Hits[ProbeId.ShortWriteCompletedByLoop]);
        Assert.Equal(0, h.Hits[ProbeId.ShortWriteTruncated]);
    }

    [Fact]
    public void TheSeedTruncatesAShortWriteAndExits()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Storage.NextShortWrite = 5;
        h.Call("SET k v");
        Assert.Equal(1, h.Hits[ProbeId.ShortWriteTruncated]);
        Assert.Equal(1, h.Hits[ProbeId.WriteErrorExit]);
        Assert.Equal(0, h.Hits[ProbeId.FtruncateFailed]);
        Assert.NotNull(h.Core.Stopped);
    }

    [Fact]
    public void AFailedFtruncateOfAShortWriteIsCounted()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Storage.NextShortWrite = 5;
        h.Storage.NextError["ftruncate"] = Errno.EIO;
        h.Call("SET k v");
        Assert.Equal(1, h.Hits[ProbeId.FtruncateFailed]);
        Assert.Equal(0, h.Hits[ProbeId.ShortWriteTruncated]);
    }

    [Fact]
    public void TheSeedExitsOnAFailedWrite()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Storage.NextError["write"] = Errno.EIO;
        h.Call("SET k v");
        Assert.Equal(1, h.Hits[ProbeId.WriteErrorExit]);
        Assert.Equal(0, h.Hits[ProbeId.WriteErrorEntered]);
    }

    [Fact]
    public void AWriteErrorIsEnteredOnceAndSolvedByTheRetry()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Storage.FailWrites = Errno.ENOSPC;
        h.Call("SET k v");
        Assert.Equal(1, h.Hits[ProbeId.WriteErrorEntered]);
        Assert.StartsWith("-MISCONF", h.Call("SET k2 v"), StringComparison.Ordinal);
        Assert.Equal(0, h.Hits[ProbeId.WriteErrorSolved]);
        h.Storage.FailWrites = null;
        h.Tick(1000);
        Assert.Equal(1, h.Hits[ProbeId.WriteErrorSolved]);
        Assert.Equal(1, h.Hits[ProbeId.WriteErrorEntered]);
        Assert.Equal(0, h.Hits[ProbeId.WriteErrorExit]);
    }

    [Fact]
    public void AnFsyncErrorUnderAlwaysDropsTheRepliesAndARewriteClearsIt()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        Assert.Equal(string.Empty, h.Call("SET k v"));
        Assert.Equal(1, h.Hits[ProbeId.FsyncErrorEntered]);
        Assert.Equal(1, h.Hits[ProbeId.FsyncErrorRepliesDropped]);
        Assert.Equal(0, h.Hits[ProbeId.FsyncErrorCleared]);

        h.Tick(100); // cron schedules and starts the rewrite from memory
        int pid = h.Core.AofChildPid;
        Assert.NotEqual(-1, pid);
        h.Children.Finish(pid);
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.FsyncErrorCleared]);
        Assert.Equal(1, h.Hits[ProbeId.RewriteSwitched]);
    }

    [Fact]
    public void TheAofGrowingPastItsMinimumStartsAnAutomaticRewrite()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET auto-aof-rewrite-percentage 100"));
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET auto-aof-rewrite-min-size 10"));
        h.Tick(100);
        Assert.Equal(0, h.Hits[ProbeId.AutomaticRewrite]);
        h.Call("SET key some-value");
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.AutomaticRewrite]);
        Assert.NotEqual(-1, h.Core.AofChildPid);
    }

    [Fact]
    public void ARewriteThatEndsWellSwitchesFiles()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        int pid = BgRewrite(h);
        h.Children.Finish(pid);
        Assert.Equal(0, h.Hits[ProbeId.RewriteSwitched]);
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteSwitched]);
    }

    [Fact]
    public void AChildThatFailsIsCounted()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        int pid = BgRewrite(h);
        h.Storage.NextError["open"] = Errno.EMFILE;
        Assert.Equal(1, h.Children.Finish(pid));
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteChildFailed]);
        Assert.Equal(0, h.Hits[ProbeId.RewriteSwitched]);
    }

    [Fact]
    public void AChildKilledMidRewriteIsCountedAndItsTempFileRemoved()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        int pid = BgRewrite(h);
        h.Storage.Put($"temp-rewriteaof-{pid}.aof", "*2\r\n$6\r\nSELECT"); // what it wrote before the kill
        h.Children.Kill(pid);
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteChildKilled]);
        Assert.Equal(1, h.Hits[ProbeId.RewriteTempFileRemoved]);
        Assert.False(h.Storage.Exists($"temp-rewriteaof-{pid}.aof"));
    }

    [Fact]
    public void AChildKilledBeforeItsOpenLeavesNoTempFileToRemove()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        int pid = BgRewrite(h);
        h.Children.Kill(pid);
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteChildKilled]);
        Assert.Equal(0, h.Hits[ProbeId.RewriteTempFileRemoved]);
    }

    [Fact]
    public void TurningTheAofOffKillsARunningChild()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        BgRewrite(h);
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly no"));
        Assert.Equal(1, h.Hits[ProbeId.RewriteChildKilledByServer]);
    }

    [Fact]
    public void TheParentFailingToOpenTheChildsFileIsCounted()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        int pid = BgRewrite(h);
        h.Children.Finish(pid);
        h.Storage.NextError["open"] = Errno.ENOENT;
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteOpenFailed]);
        Assert.Equal(0, h.Hits[ProbeId.RewriteSwitched]);
    }

    [Fact]
    public void TheParentFailingToWriteItsDiffIsCounted()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        int pid = BgRewrite(h);
        h.Call("SET during rewrite"); // the diff
        h.Children.Finish(pid);
        h.Storage.NextError["write"] = Errno.ENOSPC;
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteDiffWriteFailed]);
        Assert.Equal(0, h.Hits[ProbeId.RewriteSwitched]);
    }

    [Fact]
    public void TheParentsFailedRenameIsCounted()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        int pid = BgRewrite(h);
        h.Children.Finish(pid);
        h.Storage.NextError["rename"] = Errno.EIO;
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteRenameFailed]);
        Assert.Equal(0, h.Hits[ProbeId.RewriteSwitched]);
    }

    [Fact]
    public void ABackgroundFsyncPendingAtTheSwitchIsCounted()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1"); // queues a background fsync the test never runs
        int pid = BgRewrite(h);
        h.Children.Finish(pid);
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteSwitched]);
        Assert.Equal(1, h.Hits[ProbeId.FsyncPendingAtSwitch]);
    }

    [Fact]
    public void NoFsyncPendingAtTheSwitchIsNotCounted()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        int pid = BgRewrite(h);
        h.Children.Finish(pid);
        h.Tick(100);
        Assert.Equal(1, h.Hits[ProbeId.RewriteSwitched]);
        Assert.Equal(0, h.Hits[ProbeId.FsyncPendingAtSwitch]);
    }

    [Fact]
    public void TurningTheAofOnSwitchesItOnWhenTheFirstRewriteEnds()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always, appendOnly: false);
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.Equal(AofState.WaitRewrite, h.Core.State);
        h.Children.Finish(h.Core.AofChildPid);
        h.Tick(100);
        Assert.Equal(AofState.On, h.Core.State);
        Assert.Equal(1, h.Hits[ProbeId.WaitRewriteSwitchedOn]);
    }

    [Fact]
    public void AFileCutShortLoadsTruncatedOnlyWithTruncatedLoading()
    {
        string cut = Resp("SELECT", "0") + Resp("SET", "a", "1") + "*3\r\n$3\r\nSET\r\n$1\r\nb";
        ProbeCounts strict = Start(cut, loadTruncated: false);
        Assert.Equal(1, strict[ProbeId.LoadUnexpectedEof]);
        Assert.Equal(0, strict[ProbeId.LoadTruncated]);
        ProbeCounts truncated = Start(cut, loadTruncated: true);
        Assert.Equal(1, truncated[ProbeId.LoadTruncated]);
        Assert.Equal(0, truncated[ProbeId.LoadMultiReverted]);
        Assert.Equal(0, truncated[ProbeId.LoadUnexpectedEof]);
    }

    [Fact]
    public void TruncatedLoadingRevertsAMultiLeftOpen()
    {
        string cut = Resp("SELECT", "0") + Resp("MULTI") + Resp("SET", "a", "1") + Resp("SET", "b", "2");
        ProbeCounts hits = Start(cut, loadTruncated: true);
        Assert.Equal(1, hits[ProbeId.LoadTruncated]);
        Assert.Equal(1, hits[ProbeId.LoadMultiReverted]);
    }

    [Fact]
    public void ADamagedFileIsABadFormat()
    {
        ProbeCounts hits = Start(Resp("SELECT", "0") + "garbage\r\n", loadTruncated: true);
        Assert.Equal(1, hits[ProbeId.LoadBadFormat]);
        Assert.Equal(0, hits[ProbeId.LoadTruncated]);
    }

    [Fact]
    public void WithoutASinkTheServerRunsTheSame()
    {
        // The default sink: nothing is counted and nothing changes (the same calls, the same file).
        var counted = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        var storage = new FakeStorage();
        var clock = new ManualClock(ServerHarness.Start);
        var core = new ServerCore(
            new ServerConfig { AppendFsync = AppendFsync.Everysec, AutoAofRewritePercentage = 0 },
            new ServerPorts(storage, clock, new ManualJobs(storage), new ManualChildren(storage), new MemoryLog(), new SplitMix64(1)));
        core.Start();
        var loop = new EventLoop(core, clock.NowMs);
        var conn = new Connection();
        counted.Tick(1000);
        counted.Call("SET a 1");
        counted.Call("SET b 2");
        clock.NowMs += 1000;
        loop.Execute(conn, CommandArgs.Parse("SET a 1"));
        loop.BeforeSleep();
        loop.Execute(conn, CommandArgs.Parse("SET b 2"));
        loop.BeforeSleep();
        Assert.Equal(1, counted.Hits[ProbeId.FlushPostponed]);
        Assert.Equal(counted.Aof, storage.Text("appendonly.aof"));
    }

    private static int BgRewrite(ServerHarness h)
    {
        h.Call("SET k v");
        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
        return h.Core.AofChildPid;
    }

    private static ProbeCounts Start(string aof, bool loadTruncated)
    {
        var storage = new FakeStorage();
        storage.Put("appendonly.aof", aof);
        var hits = new ProbeCounts();
        var core = new ServerCore(
            new ServerConfig { AofLoadTruncated = loadTruncated, Profile = Profile.Fixed },
            new ServerPorts(storage, new ManualClock(ServerHarness.Start), new ManualJobs(storage), new ManualChildren(storage), new MemoryLog(), new SplitMix64(1), hits));
        core.Start();
        return hits;
    }

    [Fact]
    public void TheCatalogSaysWhatTheDocumentedTableSaysOfEachProbe()
    {
        // docs/simulator.md's probe table is the reference a reader and the CI gate go by: each
        // probe is there once, required as the catalog says, and the catalog describes it.
        string doc = File.ReadAllText(Path.Combine(Vectors.VectorFiles.Root, "docs", "simulator.md"));
        var rows = doc.Split('\n')
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Where(c => c.Length > 4 && c[1].StartsWith('`') && Enum.TryParse<ProbeId>(c[1].Trim('`'), out _))
            .ToDictionary(c => Enum.Parse<ProbeId>(c[1].Trim('`')), c => c[3]);
        Assert.Equal(Probes.All.Select(p => p.Id).Order(), rows.Keys.Order());
        Assert.All(Probes.All, p => Assert.Equal(rows[p.Id] == "yes", p.Required));
        Assert.All(Probes.All, p => Assert.True(p.Description.Length > 10, $"{p.Id}: '{p.Description}'"));
        Assert.Equal(Probes.All.Count, Probes.All.Select(p => p.Description).Distinct().Count());
        Assert.All(Probes.All.Where(p => p.FixSwitch is not null), p => Assert.Contains(p.FixSwitch!, Profile.SwitchNames));
    }
}
