using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Scenarios.Server;

/// <summary>
/// SHUTDOWN's lines as Redis 2.6's prepareForShutdown says them, the AOF child it kills, and the
/// INFO persistence section's first lines.
/// </summary>
public sealed class ShutdownScenarios
{
    [Fact]
    public void ShutdownSaysItWasAskedForThenFsyncsAndExits()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Call("SET a 1");
        int before = h.Log.Lines.Count;
        h.Exec("SHUTDOWN");
        Assert.Equal(
            [
                (LogLevel.Warning, "User requested shutdown..."),
                (LogLevel.Notice, "Calling fsync() on the AOF file."),
            ],
            h.Log.Lines.Skip(before).Take(2));
        Assert.Equal(0, h.Core.Stopped!.ExitCode);
    }

    [Fact]
    public void ShutdownKillsARunningRewriteChildAndSaysSo()
    {
        // prepareForShutdown: the AOF we already have may be longer but holds the whole dataset.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Call("SET a 1");
        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
        int child = h.Core.AofChildPid;
        Assert.Contains(child, h.Children.Running);
        h.Exec("SHUTDOWN");
        Assert.Contains((LogLevel.Warning, "There is a child rewriting the AOF. Killing it!"), h.Log.Lines);
        Assert.DoesNotContain(child, h.Children.Running);
        Assert.Equal(1, h.Hits[Engine.Diagnostics.ProbeId.RewriteChildKilledByServer]);
        Assert.Equal(0, h.Core.Stopped!.ExitCode);
    }

    [Fact]
    public void ShutdownWithoutARewriteKillsNothing()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Exec("SHUTDOWN");
        Assert.DoesNotContain((LogLevel.Warning, "There is a child rewriting the AOF. Killing it!"), h.Log.Lines);
    }

    [Fact]
    public void AFailedFsyncAtShutdownIsLoggedWithRedis7sWordsWhenFsyncErrorsAreHandled()
    {
        var h = new ServerHarness(TestProfiles.Named("redis26+FsyncErrorsHandled"), AppendFsync.Everysec);
        h.Call("SET a 1");
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        h.Exec("SHUTDOWN");
        Assert.Contains((LogLevel.Warning, "Fail to fsync the AOF file: Input/output error."), h.Log.Lines);
    }

    [Fact]
    public void InfoPersistenceOpensWithItsHeaderAndLoading()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        Assert.StartsWith("# Persistence\r\nloading:0\r\naof_enabled:1\r\n", h.Core.InfoPersistence(), StringComparison.Ordinal);
    }
}
