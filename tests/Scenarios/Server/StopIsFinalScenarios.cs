using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Scenarios.Server;

/// <summary>
/// Where the seed calls exit(1) nothing of the process runs any more: a stopped core's cron does
/// nothing (no child reaped, no new AOF renamed into place, no clock cached), and a later exit
/// condition neither replaces the recorded stop nor logs its own last words.
/// </summary>
public sealed class StopIsFinalScenarios
{
    private const string AlwaysWriteError = "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...";

    [Fact]
    public void AStoppedServersCronNeitherReapsItsRewriteChildNorCachesTheClock()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Call("SET a 1");
        h.Call("BGREWRITEAOF");
        int pid = h.Core.AofChildPid;
        h.Children.Finish(pid); // exited, not reaped yet
        string aof = h.Aof;

        h.Storage.NextError["write"] = Errno.EIO;
        h.Call("SET b 2"); // the seed exits on the failed write
        Assert.NotNull(h.Core.Stopped);

        long second = h.Core.UnixTime;
        h.Storage.Calls.Clear();
        h.Clock.Advance(5000);
        h.Core.Cron();
        Assert.Empty(h.Storage.Calls);
        Assert.Equal(pid, h.Core.AofChildPid);
        Assert.Equal(second, h.Core.UnixTime);
        Assert.Equal(aof, h.Aof);
        Assert.True(h.Storage.Exists($"temp-rewriteaof-bg-{pid}.aof"));
    }

    [Fact]
    public void AStopKeepsItsFirstOutcomeWhenALaterExitConditionArises()
    {
        // Stopped on a write error under always (Redis 2.8); the rewrite's completion handled
        // afterwards hits the fsync error under always that would exit too (Redis 6.2): the
        // process is gone already, its exit code and last message stay the first ones.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Call("SET a 1");
        h.Call("BGREWRITEAOF");
        h.Children.Finish(h.Core.AofChildPid);

        h.Storage.FailWrites = Errno.ENOSPC;
        h.Call("SET b 2");
        var first = new StopOutcome(1, AlwaysWriteError);
        Assert.Equal(first, h.Core.Stopped);
        int logged = h.Messages.Count;

        h.Storage.FailWrites = null;
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        h.Core.BackgroundRewriteDoneHandler(0, 0);
        Assert.Contains("fdatasync appendonly.aof", h.Storage.Calls); // the failing fsync did happen
        Assert.Equal(first, h.Core.Stopped);
        Assert.DoesNotContain(h.Messages, m => m.StartsWith("Can't persist AOF for fsync error", StringComparison.Ordinal));
        Assert.True(h.Messages.Count > logged);
    }
}
