using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using static AofSim.Scenarios.Server.ServerHarness;

namespace AofSim.Scenarios.Server;

/// <summary>
/// How often a buffer that could not be written is tried again under Redis 2.8's retry (fix #6):
/// every beforeSleep flushes it, as any flush; serverCron adds one flushAppendOnlyFile(0) once
/// a second (run_with_period(1000)) only while the last write failed, and one at every tick only
/// while a flush is postponed. Counted as write(2) calls on the disk.
/// </summary>
public sealed class WriteRetryCadenceScenarios
{
    private static int Writes(ServerHarness h) => h.Storage.Calls.Count(c => c.StartsWith("write ", StringComparison.Ordinal));

    [Fact]
    public void OnAFailingDiskTheBufferIsTriedAtEveryBeforeSleepAndOnceMoreInEachSecondsCron()
    {
        // Ten crons a second (hz 10): ten beforeSleep flushes, plus the cron's own retry once in
        // the second. No background fsync is pending, so no flush is postponed.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Storage.FailWrites = Errno.ENOSPC;
        h.Call("SET a 1");
        Assert.False(h.Core.AofLastWriteOk);
        Assert.Equal(0, h.Core.AofFlushPostponedStart);

        h.Storage.Calls.Clear();
        h.Tick(1000);
        Assert.Equal(11, Writes(h));
        h.Storage.Calls.Clear();
        h.Tick(1000);
        Assert.Equal(11, Writes(h));

        // Once the disk takes it, the buffer is written once and nothing is retried.
        h.Storage.FailWrites = null;
        h.Storage.Calls.Clear();
        h.Tick(1000);
        Assert.Equal(1, Writes(h));
        Assert.True(h.Core.AofLastWriteOk);
        Assert.Equal(Resp("SELECT", "0") + Resp("SET", "a", "1"), h.Aof);
    }

    [Fact]
    public void TheCronOfASecondRetriesNothingWhileNoWriteHasFailedYet()
    {
        // A command run just before the cron of a second leaves its buffer to the beforeSleep
        // after that cron: aof_last_write_status is still ok, so the cron does not flush, and the
        // failing disk sees one write, not two.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Tick(900); // nine crons: the next one is the tenth
        h.Exec("SET a 1");
        h.Storage.FailWrites = Errno.ENOSPC;
        h.Storage.Calls.Clear();
        h.Tick(100);
        Assert.Equal(1, Writes(h));
        Assert.False(h.Core.AofLastWriteOk);
    }

    [Fact]
    public void WhileABackgroundFsyncHangsTheRetryOfAFailedWriteWaitsBehindItAsAnyFlush()
    {
        // The cron's retry is flushAppendOnlyFile(0), not a forced one: with an fsync still
        // pending it is postponed like the others, and the write is tried only when the two
        // seconds of postponement run out, once every two seconds.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Call("SET a 1");
        h.Tick(1000); // the tail fsync (fix #7) is queued, and the fake bio never runs it
        Assert.Equal(1, h.Jobs.Pending(BioJobType.AofFsync));

        h.Storage.FailWrites = Errno.ENOSPC;
        long postponedAt = h.Clock.NowMs;
        Assert.Equal("+OK\r\n", h.Call("SET b 2")); // postponed, acknowledged under everysec
        Assert.Equal(postponedAt, h.Core.AofFlushPostponedStart);
        h.Storage.Calls.Clear();

        h.Tick(2000); // the postponement runs out at its last tick: one write, which fails
        Assert.Equal(1, Writes(h));
        Assert.False(h.Core.AofLastWriteOk);
        Assert.Equal(postponedAt + 2000, h.Core.AofFlushPostponedStart); // the retry postponed again

        h.Storage.Calls.Clear();
        h.Tick(2000);
        Assert.Equal(1, Writes(h));
        Assert.Equal(postponedAt + 4000, h.Core.AofFlushPostponedStart);
    }
}
