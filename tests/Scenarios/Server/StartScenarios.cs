using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using static AofSim.Scenarios.Server.ServerHarness;

namespace AofSim.Scenarios.Server;

/// <summary>
/// What a server is before and right after initServer: the cached second, the AOF state of a
/// server started with the AOF off (no descriptor, no rewrite, nothing loaded), and the two
/// failures of opening the AOF at start: the open itself (exit) and the new name's directory
/// fsync (fix #13: logged only).
/// </summary>
public sealed class StartScenarios
{
    private static ServerCore Unstarted(FakeStorage storage, ManualClock clock, Profile profile, AppendFsync fsync) =>
        new(
            new ServerConfig { AppendOnly = true, AppendFsync = fsync, Profile = profile, AutoAofRewritePercentage = 0 },
            new ServerPorts(storage, clock, new ManualJobs(storage), new ManualChildren(storage), new MemoryLog(), new SplitMix64(1)));

    [Fact]
    public void TheCachedSecondIsTheClocksAtConstructionAndIsReadAgainAtStart()
    {
        // server.unixtime is the clock in whole seconds; Start (initServer) refreshes it, so
        // time spent between building and starting the server is not lost.
        var clock = new ManualClock(Start + 999);
        ServerCore core = Unstarted(new FakeStorage(), clock, Profile.Redis26, AppendFsync.Everysec);
        Assert.Equal(Start / 1000, core.UnixTime);

        clock.Advance(1001);
        core.Start();
        Assert.Equal((Start / 1000) + 2, core.UnixTime);
    }

    [Fact]
    public void UnderTheSeedsTimingAWriteInTheSecondTheServerStartedInIsNotFsyncedYet()
    {
        // aof_last_fsync is the start's second and the flush fsyncs only once server.unixtime
        // has moved past it: the first write, in that same second, queues no background fsync.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Clock.Advance(999);
        Assert.Equal("+OK\r\n", h.Call("SET a 1"));
        Assert.Empty(h.Jobs.Queued);

        // The first cron of the next second moves server.unixtime on, and the next write fsyncs.
        h.Tick(100);
        Assert.Equal("+OK\r\n", h.Call("SET b 2"));
        Assert.Equal([(BioJobType.AofFsync, h.Core.AofFd)], h.Jobs.Queued);
    }

    [Fact]
    public void AServerStartedWithTheAofOffNeitherLoadsNorOpensTheAof()
    {
        // loadDataFromDisk reads the AOF only when appendonly is yes; initServer opens it only
        // then too: aof_fd and aof_rewrite_time_start keep initServerConfig's -1.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, appendOnly: false, existingAof: Resp("SELECT", "0") + Resp("SET", "a", "1"));
        Assert.Empty(h.Storage.Calls);
        Assert.Equal(-1, h.Core.AofFd);
        Assert.Equal(-1, h.Core.AofRewriteTimeStart);
        Assert.Equal("$-1\r\n", h.Call("GET a"));
        Assert.Equal("0", h.Info("aof_enabled"));
    }

    [Fact]
    public void ARewriteFinishedWhileTheAofIsOffClosesTheNewFileAndKeepsNoDescriptor()
    {
        // backgroundRewriteDoneHandler with aof_fd == -1 ("AOF disabled"): the old file is opened
        // only to be closed in the background (here there is none), the rewritten one is renamed
        // into place and closed at once; no descriptor is adopted and nothing is fsynced.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, appendOnly: false);
        h.Call("SET a 1");
        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
        int pid = h.Core.AofChildPid;
        h.Children.Finish(pid);
        h.Storage.Calls.Clear();
        h.Tick(100);

        Assert.Equal(-1, h.Core.AofChildPid);
        Assert.Equal(-1, h.Core.AofFd);
        Assert.Empty(h.Jobs.Queued);
        Assert.Equal(
            [$"open temp-rewriteaof-bg-{pid}.aof", "open appendonly.aof", $"rename temp-rewriteaof-bg-{pid}.aof appendonly.aof", "close appendonly.aof", $"unlink temp-rewriteaof-bg-{pid}.aof"],
            h.Storage.Calls);
        Assert.Equal(Resp("SET", "a", "1"), h.Aof[Resp("SELECT", "0").Length..]);
    }

    [Fact]
    public void AnAofThatCannotBeOpenedAtStartStopsTheServerWithTheSeedsMessage()
    {
        // initServer: "Can't open the append-only file: %s", then exit(1).
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, beforeStart: s => s.NextError["open"] = Errno.EACCES);
        Assert.Equal(new StopOutcome(1, "Can't open the append-only file: Permission denied"), h.Core.Stopped);
        Assert.Equal(["Can't open the append-only file: Permission denied"], h.Messages);
        Assert.Equal(-1, h.Core.AofFd);
        h.Exec("SET a 1");
        Assert.Equal(string.Empty, h.Sleep());
    }

    [Fact]
    public void AFailedFsyncOfANewAofsDirectoryIsLoggedAndTheServerStartsAnyway()
    {
        // Fix #13 (PR #10737): the new AOF's name is fsynced into its directory; a failure there
        // is logged as a warning, not fatal: the AOF is open and takes writes.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always, beforeStart: s => s.NextError["fsyncdir"] = Errno.EIO);
        Assert.Contains("fsyncdir .", h.Storage.Calls);
        Assert.Equal(["Error fsyncing the directory of the new append only file: Input/output error"], h.Messages);
        Assert.Null(h.Core.Stopped);
        Assert.Equal("+OK\r\n", h.Call("SET a 1"));
        Assert.Equal(Resp("SELECT", "0") + Resp("SET", "a", "1"), h.Aof);
    }
}
