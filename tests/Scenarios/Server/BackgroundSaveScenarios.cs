using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Scenarios.Server;

/// <summary>
/// BGSAVE as modelled: a child that only keeps the server busy. Its fork failure and the lines
/// its done handler logs are Redis 2.6's rdbSaveBackground and backgroundSaveDoneHandler.
/// </summary>
public sealed class BackgroundSaveScenarios
{
    [Fact]
    public void ABgSaveWhoseForkFailsLogsTheErrorAndLeavesNoChildBehind()
    {
        // rdbSaveBackground: "Can't save in background: fork: %s", REDIS_ERR, no rdb_child_pid.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Children.FailFork = Errno.EAGAIN;
        // bgsaveCommand answers shared.err, a bare -ERR, when rdbSaveBackground fails.
        Assert.Equal("-ERR\r\n", h.Call("BGSAVE"));
        Assert.Equal((LogLevel.Warning, "Can't save in background: fork: Resource temporarily unavailable"), h.Log.Lines[^1]);
        Assert.Equal(-1, h.Core.RdbChildPid);

        // With no RDB child, a BGREWRITEAOF starts at once instead of being scheduled.
        h.Children.FailFork = null;
        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
    }

    [Fact]
    public void ABgSaveThatEndsWellIsLoggedAsTerminatedWithSuccess()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Call("BGSAVE");
        int pid = h.Core.RdbChildPid;
        Assert.Equal((LogLevel.Notice, $"Background saving started by pid {pid}"), h.Log.Lines[^1]);
        h.Children.Finish(pid);
        h.Tick(100);
        Assert.Equal((LogLevel.Notice, "Background saving terminated with success"), h.Log.Lines[^1]);
        Assert.Equal(-1, h.Core.RdbChildPid);
    }

    [Fact]
    public void AKilledBgSaveIsLoggedWithItsSignal()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Call("BGSAVE");
        h.Children.Kill(h.Core.RdbChildPid);
        h.Tick(100);
        Assert.Equal((LogLevel.Warning, "Background saving terminated by signal 9"), h.Log.Lines[^1]);
        Assert.Equal(-1, h.Core.RdbChildPid);
    }

    [Fact]
    public void ABgSaveThatExitsWithAnErrorIsLoggedAsABackgroundSavingError()
    {
        // backgroundSaveDoneHandler: not by signal, exit code not 0: "Background saving error".
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Call("BGSAVE");
        h.Children.Exit(h.Core.RdbChildPid, 1);
        h.Tick(100);
        Assert.Equal((LogLevel.Warning, "Background saving error"), h.Log.Lines[^1]);
        Assert.Equal(-1, h.Core.RdbChildPid);
    }

    [Fact]
    public void ASecondBgSaveIsRefusedWhileTheFirstRuns()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        Assert.Equal("+Background saving started\r\n", h.Call("BGSAVE"));
        int pid = h.Core.RdbChildPid;
        Assert.Equal("-ERR Background save already in progress\r\n", h.Call("BGSAVE"));
        Assert.Equal(pid, h.Core.RdbChildPid);
    }

    [Fact]
    public void ABgSaveIsRefusedWhileAnAofRewriteRunsWithTheSeedsWords()
    {
        // bgsaveCommand's second answer: an AOF child is running, no fork is tried.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
        int forks = h.Children.Forks;
        Assert.Equal("-ERR Can't BGSAVE while AOF log rewriting is in progress\r\n", h.Call("BGSAVE"));
        Assert.Equal(-1, h.Core.RdbChildPid);
        Assert.Equal(forks, h.Children.Forks);
    }
}
