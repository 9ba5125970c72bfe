using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using Microsoft.Coyote.Specifications;

namespace AofSim.Coyote;

/// <summary>
/// The real threaded adapters under Coyote: the main loop (the test body), the two bio workers
/// and the rewrite child, in every interleaving Coyote's scheduler picks within the budget.
/// </summary>
public sealed class AdapterInterleavingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // The seed's post-rewrite race (PR #8751): the old AOF is closed on the close worker while an
    // fsync of it may still wait on the fsync worker.
    private static Func<Task> OldAofClosedWhileFsyncPending(Profile profile) => async () =>
    {
        using var rig = new Rig(profile, AppendFsync.Everysec);
        rig.Tick(1000);
        rig.Call("SET a 1"); // a background fsync of the old AOF is queued
        rig.Call("BGREWRITEAOF");
        await rig.UntilRewriteDone();
        rig.Jobs.Dispose();
        Specification.Assert(rig.Storage.BadFsyncs == 0, $"an fsync reached a closed descriptor ({rig.Storage.BadFsyncs} EBADF)");
    };

    [Fact]
    public void UnderTheSeedCoyoteFindsTheFsyncOnAClosedDescriptor()
    {
        var (report, trace, where) = Explorer.Run("redis26-fsync-closed-fd", Explorer.Iterations(200), 11, OldAofClosedWhileFsyncPending(Profile.Redis26));
        Assert.True(report.NumOfFoundBugs > 0, "Coyote did not find the race within the budget");
        Assert.Contains("EBADF", string.Join(' ', report.BugReports), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(trace), $"no trace was produced ({where})");
        output.WriteLine($"bug: {string.Join(' ', report.BugReports)}");
        output.WriteLine($"report and trace: {where}");
    }

    [Fact]
    public void TheSavedTraceOfThatBugReplaysIt()
    {
        string trace = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Traces", "redis26-fsync-closed-fd.trace.json"));
        var report = Explorer.Replay(trace, OldAofClosedWhileFsyncPending(Profile.Redis26));
        Assert.Equal(1, report.NumOfFoundBugs);
    }

    [Fact]
    public void UnderFixedNoFsyncEverReachesAClosedDescriptor()
    {
        var (report, _, where) = Explorer.Run("fixed-fsync-closed-fd", Explorer.Iterations(200), 11, OldAofClosedWhileFsyncPending(Profile.Fixed));
        Assert.True(report.NumOfFoundBugs == 0, $"{string.Join(' ', report.BugReports)} (reports: {where})");
    }

    [Fact]
    public void PendingJobCountersNeverDrift()
    {
        var (report, _, where) = Explorer.Run("pending-counters", Explorer.Iterations(200), 3, async () =>
        {
            using var rig = new Rig(Profile.Fixed, AppendFsync.Everysec);
            int fd = rig.Core.AofFd;
            var submitters = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                for (int i = 0; i < 3; i++)
                {
                    rig.Jobs.Submit(BioJobType.AofFsync, fd);
                    await Task.Yield();
                    long p = rig.Jobs.Pending(BioJobType.AofFsync);
                    Specification.Assert(p >= 0 && p <= 6, $"pending fsyncs out of range: {p}");
                }
            })).ToArray();
            await Task.WhenAll(new Task[] { submitters[0], submitters[1] });
            rig.Jobs.Dispose();
            Specification.Assert(rig.Jobs.Pending(BioJobType.AofFsync) == 0, $"{rig.Jobs.Pending(BioJobType.AofFsync)} fsyncs still pending after the workers finished");
            Specification.Assert(rig.Jobs.Pending(BioJobType.CloseFile) == 0, "closes still pending");
        });
        Assert.True(report.NumOfFoundBugs == 0, $"{string.Join(' ', report.BugReports)} (reports: {where})");
    }

    [Fact]
    public void ThePostponeAgainstAConcurrentlyFinishingFsyncLosesAndDuplicatesNothing()
    {
        var (report, _, where) = Explorer.Run("everysec-postpone", Explorer.Iterations(200), 5, async () =>
        {
            using var rig = new Rig(Profile.Fixed, AppendFsync.Everysec);
            rig.Tick(1000);
            rig.Call("SET a 1"); // an fsync starts on the worker
            await Task.Yield();
            rig.Call("INCR n");  // written or postponed, depending on whether that fsync is done
            for (int i = 0; i < 30 && rig.Core.AofBuffer.Length > 0; i++)
            {
                rig.Tick(100);
                await Task.Yield();
            }

            rig.Jobs.Dispose();
            Specification.Assert(rig.Core.AofBuffer.Length == 0, "the postponed write was never written");
            var data = new Dataset();
            LoadResult r = AofLoader.Load(rig.Files.File.ReadAllBytes("/data/appendonly.aof"), data, Profile.Fixed, new LoadOptions());
            Specification.Assert(r.Outcome == LoadOutcome.Loaded, $"the AOF does not load: {r.Message}");
            Specification.Assert(data[0].TryGet("n"u8, out DbEntry n) && ((byte[])n.Value).AsSpan().SequenceEqual("1"u8), "INCR n lost or applied twice");
        });
        Assert.True(report.NumOfFoundBugs == 0, $"{string.Join(' ', report.BugReports)} (reports: {where})");
    }

    [Fact]
    public void TheDiffWrittenWhileTheChildRunsAppearsOnceAfterTheSwitch()
    {
        var (report, _, where) = Explorer.Run("diff-vs-child-exit", Explorer.Iterations(150), 7, async () =>
        {
            using var rig = new Rig(Profile.Fixed, AppendFsync.Always);
            rig.Call("SET a 1");
            rig.Call("BGREWRITEAOF");
            for (int i = 0; i < 4; i++)
            {
                rig.Call("INCR n"); // racing the child: before or after it ends
                await Task.Yield();
            }

            await rig.UntilRewriteDone();
            rig.Jobs.Dispose();
            var data = new Dataset();
            LoadResult r = AofLoader.Load(rig.Files.File.ReadAllBytes("/data/appendonly.aof"), data, Profile.Fixed, new LoadOptions());
            Specification.Assert(r.Outcome == LoadOutcome.Loaded, $"the AOF does not load: {r.Message}");
            Specification.Assert(
                DatasetDump.Lines(data, 0).SequenceEqual(DatasetDump.Lines(rig.Core.Data, 0)),
                "the AOF after the switch does not rebuild the live dataset (a diff lost or written twice)");
        });
        Assert.True(report.NumOfFoundBugs == 0, $"{string.Join(' ', report.BugReports)} (reports: {where})");
    }

    [Fact]
    public void StopAppendOnlyRacingAFinishingChildLeavesNoTempFile()
    {
        var (report, _, where) = Explorer.Run("stop-vs-child", Explorer.Iterations(150), 9, async () =>
        {
            using var rig = new Rig(Profile.Fixed, AppendFsync.Everysec);
            rig.Call("SET a 1");
            rig.Call("BGREWRITEAOF");
            await Task.Yield(); // the child may be anywhere: not started, writing, renaming, done
            rig.Call("CONFIG SET appendonly no");
            rig.Tick(100);
            rig.Jobs.Dispose();
            string[] temps = [.. rig.Files.Directory.GetFiles("/data").Where(f => f.Contains("temp-rewriteaof", StringComparison.Ordinal))];
            Specification.Assert(temps.Length == 0, $"left behind: {string.Join(", ", temps)}");
            Specification.Assert(rig.Core.State == AofState.Off && rig.Core.AofChildPid == -1, "the AOF is not off, or a child is still recorded");
        });
        Assert.True(report.NumOfFoundBugs == 0, $"{string.Join(' ', report.BugReports)} (reports: {where})");
    }

    [Fact]
    public void ShutdownRacingAPendingFsyncKeepsTheBufferedWrite()
    {
        var (report, _, where) = Explorer.Run("shutdown-vs-fsync", Explorer.Iterations(200), 13, async () =>
        {
            using var rig = new Rig(Profile.Fixed, AppendFsync.Everysec);
            rig.Tick(1000);
            rig.Call("SET a 1");  // an fsync is queued
            rig.Core.Execute(rig.Conn, Engine.Commands.CommandArgs.Parse("SET b 2"));
            await Task.Yield();
            rig.Core.Execute(rig.Conn, Engine.Commands.CommandArgs.Parse("SHUTDOWN"));
            rig.Jobs.Dispose();
            Specification.Assert(rig.Core.Stopped?.ExitCode == 0, "SHUTDOWN did not stop the server with code 0");
            Specification.Assert(rig.Storage.BadFsyncs == 0, "an fsync reached a closed descriptor");
            string aof = System.Text.Encoding.Latin1.GetString(rig.Files.File.ReadAllBytes("/data/appendonly.aof"));
            Specification.Assert(aof.EndsWith("$1\r\nb\r\n$1\r\n2\r\n", StringComparison.Ordinal), "the write buffered at SHUTDOWN is not in the AOF");
        });
        Assert.True(report.NumOfFoundBugs == 0, $"{string.Join(' ', report.BugReports)} (reports: {where})");
    }
}
