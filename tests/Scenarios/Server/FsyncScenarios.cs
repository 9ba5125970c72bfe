using AofSim.Engine.Diagnostics;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using static AofSim.Scenarios.Server.ServerHarness;
using static AofSim.Scenarios.TestProfiles;

namespace AofSim.Scenarios.Server;

/// <summary>
/// When the flush fsyncs, and what an fsync error leaves behind: the seed ignores it, Redis 6.2/7
/// refuse writes (or exit under always), the fixed profile refuses them until a rewrite.
/// </summary>
public sealed class FsyncScenarios
{

    [Fact]
    public void WithTheAofTurnedOffTheFlushNeverFsyncsTheClosedDescriptor()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Call("SET a 1"); // written; its fsync is not due yet
        Assert.NotEqual(h.Core.AofCurrentSize, h.Core.AofFsyncOffset);
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly no"));
        Assert.Equal(-1, h.Core.AofFd);
        h.Tick(2000); // every beforeSleep flushes
        Assert.Empty(h.Jobs.Queued);
    }

    [Fact]
    public void NoAppendFsyncOnRewriteStillFsyncsWhenNoChildRuns()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET no-appendfsync-on-rewrite yes"));
        h.Storage.Calls.Clear();
        h.Call("SET a 1");
        Assert.Equal(["write appendonly.aof 50", "fdatasync appendonly.aof"], h.Storage.Calls);

        // A BGSAVE child is I/O in the background too.
        Assert.Equal("+Background saving started\r\n", h.Call("BGSAVE"));
        h.Storage.Calls.Clear();
        h.Call("SET b 2");
        Assert.Equal(["write appendonly.aof 27"], h.Storage.Calls);
    }

    [Fact]
    public void Redis7ExitsOnAnFsyncErrorUnderAlwaysWithoutRecordingTheFsync()
    {
        var h = new ServerHarness(Named("fixed-RewriteAfterFsyncError"), AppendFsync.Always);
        h.Tick(500);
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        h.Exec("SET a 1");
        Assert.Equal(string.Empty, h.Sleep());
        Assert.Equal(1, h.Core.Stopped!.ExitCode);
        Assert.Equal(50, h.Core.AofCurrentSize); // written, never fsynced
        Assert.Equal(0, h.Core.AofFsyncOffset);
        Assert.Equal(Start, h.Core.AofLastFsyncMs);
    }

    [Fact]
    public void TheSeedTimesTheEverysecFsyncByTheSecondCachedAtCron()
    {
        // 1.5 s pass in one blocked call: the clock moved, but no cron has cached the new second.
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Clock.Advance(1500);
        Assert.Equal("+OK\r\n", h.Call("SET a 1"));
        Assert.Empty(h.Jobs.Queued);

        h.Tick(100); // the late crons cache the second
        Assert.Equal("+OK\r\n", h.Call("SET b 2"));
        Assert.Equal([(BioJobType.AofFsync, 3)], h.Jobs.Queued);
    }

    [Fact]
    public void Redis7RefusesWritesAfterAFailedBackgroundFsyncNamingItsError()
    {
        // Redis 6.2/7 (fix #11 without the rewrite): writes are refused while the last background
        // fsync has failed.
        var h = new ServerHarness(Named("fixed-RewriteAfterFsyncError"), AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1");
        h.Storage.NextError["fdatasync"] = Errno.ENOSPC;
        h.Jobs.RunAll();
        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", h.Call("SET b 2"));
        Assert.Equal("$1\r\n1\r\n", h.Call("GET a"));
        Assert.False(h.Core.AofFsyncBroken);
    }

    [Fact]
    public void TheFixedServerRefusesWritesNamingTheBackgroundFsyncsErrno()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1");
        h.Storage.NextError["fdatasync"] = Errno.ENOSPC;
        h.Jobs.RunAll();
        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", h.Call("SET b 2"));
        Assert.Contains("Error syncing the AOF: No space left on device. Refusing writes until the AOF is rewritten.", h.Messages);
    }

    [Fact]
    public void ABackgroundFsyncErrorHiddenByALaterSuccessIsStillCountedAndReportedAsEio()
    {
        // After a rewrite the new AOF's fsync and the old one's close (with its fsync, fix #12)
        // are queued together: the first fails, the second succeeds and clears the last error.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Call("SET a 1");
        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
        Assert.Equal(0, h.Children.Finish(h.Core.AofChildPid));
        h.Tick(100);
        Assert.Equal([BioJobType.AofFsync, BioJobType.CloseAof], h.Jobs.Queued.Select(j => j.Type));
        h.Storage.NextError["fdatasync"] = Errno.ENOSPC;
        h.Jobs.RunNext(BioJobType.AofFsync);
        h.Jobs.RunNext(BioJobType.CloseAof);
        Assert.Equal(Errno.None, h.Jobs.LastFsyncError);
        Assert.Equal(1, h.Jobs.FsyncErrors);

        Assert.Equal("-MISCONF Errors writing to the AOF file: Input/output error\r\n", h.Call("SET b 2"));
        Assert.True(h.Core.AofFsyncBroken);
    }

    [Fact]
    public void ASecondFsyncErrorWhileTheAofAwaitsItsRewriteIsNotEnteredAgain()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(1000);
        h.Call("SET a 1"); // its background fsync is queued
        h.Call("SET b 2"); // postponed behind it
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        h.Jobs.RunAll();
        h.Tick(100); // cron learns of the error and starts the rewrite; the postponed SET b is written
        Assert.True(h.Core.AofFsyncBroken);
        int child = h.Core.AofChildPid;
        Assert.NotEqual(-1, child);
        Assert.Equal(1, h.Hits[ProbeId.FsyncErrorEntered]);

        h.Tick(900); // a second on, the tail with SET b is fsynced: that fails too
        Assert.Equal([(BioJobType.AofFsync, 3)], h.Jobs.Queued);
        h.Storage.NextError["fdatasync"] = Errno.ENOSPC;
        h.Jobs.RunAll();
        h.Tick(100);

        Assert.Equal(child, h.Core.AofChildPid); // the same rewrite still runs
        Assert.Equal(1, h.Hits[ProbeId.FsyncErrorEntered]);
        Assert.Single(h.Messages, m => m.StartsWith("Error syncing the AOF:", StringComparison.Ordinal));
        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", h.Call("SET c 3"));
    }

    [Fact]
    public void AFailedFstatAfterARewriteIsLoggedAndLeavesTheAofSizeAsItWas()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Always);
        h.Call("SET a 1");
        h.Call("SET a 2");
        Assert.Equal("77", h.Info("aof_current_size"));
        h.Call("BGREWRITEAOF");
        Assert.Equal(0, h.Children.Finish(h.Core.AofChildPid));
        h.Storage.NextError["fstat"] = Errno.EIO;
        h.Tick(100);
        Assert.Contains("Background AOF rewrite finished successfully", h.Messages);
        Assert.Contains("Unable to obtain the AOF file length. stat: Input/output error", h.Messages);
        Assert.NotEqual(77, h.Storage.Bytes("appendonly.aof").Length); // the rewritten file
        Assert.Equal("77", h.Info("aof_current_size"));
    }
}
