using System.Text;
using AofSim.Engine.Ports;
using AofSim.Faults;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Faults;

/// <summary>The injector's triggers (time, named steps) and actions (delay, power loss, fsync EIO the Linux way).</summary>
public sealed class FaultInjectorTests
{
    private static readonly byte[] Data = Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n");

    [Fact]
    public void TheNewTriggersAndActionsSurviveTheTripToJsonAndBack()
    {
        var plan = new FaultPlan(
        [
            new Fault(Trigger.At(RewriteStep.ParentRename), new PowerLoss(After: true), "powerstep"),
            new Fault(new Trigger(FaultOp.Fdatasync, 2, "appendonly.aof", 3, AtMs: 30_000), new Delay(2000), "fsyncdelay"),
            new Fault(Trigger.At(RewriteStep.ChildClose), new Fail(Errno.ENOSPC)),
        ]);
        string json = plan.ToJson();
        FaultPlan back = FaultPlan.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"step\": \"ParentRename\"", json, StringComparison.Ordinal);
        Assert.Contains("\"atMs\": 30000", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"power-loss\"", json, StringComparison.Ordinal);
        Assert.Contains("\"after\": true", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"delay\"", json, StringComparison.Ordinal);
        Assert.Equal(new Delay(2000), back.Faults[1].Action);
        Assert.Equal(RewriteStep.ParentRename, back.Faults[0].Trigger.Step);
        Assert.Equal("fsyncdelay", back.Faults[1].Kind);
    }

    [Fact]
    public void ANamedStepMatchesItsCallOnly()
    {
        // ChildRename is the child's rename of temp-rewriteaof-<pid>.aof, not the parent's of -bg-.
        var sim = new SimStorage(new SimStorageOptions());
        var storage = new FaultyStorage(sim, new FaultPlan([new Fault(Trigger.At(RewriteStep.ChildRename), new Fail(Errno.EIO))]));
        Create(storage, "temp-rewriteaof-bg-7.aof");
        Create(storage, "temp-rewriteaof-7.aof");
        Assert.Equal(Errno.None, storage.Rename("temp-rewriteaof-bg-7.aof", "appendonly.aof"));
        Assert.Equal(Errno.EIO, storage.Rename("temp-rewriteaof-7.aof", "temp-rewriteaof-bg-7.aof"));
        Assert.Equal(["appendonly.aof", "temp-rewriteaof-7.aof"], sim.Names);
    }

    [Fact]
    public void ATimeTriggerCountsOnlyCallsFromItsTimeOn()
    {
        long now = 0;
        var storage = new FaultyStorage(new SimStorage(new SimStorageOptions()), new FaultPlan([new Fault(new Trigger(FaultOp.Write, 1, null, 1, AtMs: 5000), new Fail(Errno.EIO))]))
        {
            Now = () => now,
        };
        int fd = Create(storage, "appendonly.aof");
        Assert.True(storage.Write(fd, Data).Ok);
        now = 4999;
        Assert.True(storage.Write(fd, Data).Ok);
        now = 5000;
        Assert.Equal(Errno.EIO, storage.Write(fd, Data).Error);
        Assert.True(storage.Write(fd, Data).Ok);
    }

    [Fact]
    public void ADelayPassesThroughTheGivenClockBeforeTheCall()
    {
        var slept = new List<long>();
        var storage = new FaultyStorage(new SimStorage(new SimStorageOptions()), new FaultPlan([new Fault(new Trigger(FaultOp.Fdatasync, 2, Count: 2), new Delay(2001))]))
        {
            Sleep = slept.Add,
        };
        int fd = Create(storage, "appendonly.aof");
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Errno.None, storage.Fdatasync(fd));
        }

        Assert.Equal([2001L, 2001L], slept);
    }

    [Fact]
    public void APowerLossAfterARenameHappensOnceTheRenameIsDone()
    {
        var sim = new SimStorage(new SimStorageOptions());
        var storage = new FaultyStorage(sim, new FaultPlan([new Fault(Trigger.At(RewriteStep.ParentRename), new PowerLoss(After: true))]));
        Create(storage, "temp-rewriteaof-bg-9.aof");
        Assert.Throws<PowerLossException>(() => storage.Rename("temp-rewriteaof-bg-9.aof", "appendonly.aof"));
        Assert.Equal(["appendonly.aof"], sim.Names);

        var before = new FaultyStorage(sim, new FaultPlan([new Fault(new Trigger(FaultOp.Unlink), new PowerLoss())]));
        Assert.Throws<PowerLossException>(() => before.Unlink("appendonly.aof"));
        Assert.Equal(["appendonly.aof"], sim.Names);
    }

    [Fact]
    public void AFailedFsyncMarksThePagesCleanSoTheNextSucceedsAndAPowerLossLosesThem()
    {
        // Linux after a writeback error: reads still see the data, the next fsync reports
        // success, and the data was never written.
        var sim = new SimStorage(new SimStorageOptions { Model = CrashModel.Ext4Ordered });
        var storage = new FaultyStorage(sim, new FaultPlan([new Fault(new Trigger(FaultOp.Fdatasync, 1), new Fail(Errno.EIO))]));
        int fd = Create(storage, "appendonly.aof");
        Assert.True(storage.Write(fd, Data).Ok);
        Assert.Equal(Errno.EIO, storage.Fdatasync(fd));
        Assert.Equal(Data, sim.ReadAll("appendonly.aof"));
        Assert.Equal(Errno.None, storage.Fdatasync(fd));

        byte[] more = Encoding.ASCII.GetBytes("*1\r\n$4\r\nQUIT\r\n");
        Assert.True(storage.Write(fd, more).Ok);
        Assert.Equal(Errno.None, storage.Fdatasync(fd));
        sim.Crash(_ => PendingFate.Dropped);

        // The first write's bytes are zeros on disk; the second's, fsynced, are there.
        byte[] expected = [.. new byte[Data.Length], .. more];
        Assert.Equal(expected, sim.ReadAll("appendonly.aof"));
    }

    [Fact]
    public void OnARealDiskAFailedFsyncOnlyReportsTheError()
    {
        var inner = new AofSim.Scenarios.Server.FakeStorage();
        var storage = new FaultyStorage(inner, new FaultPlan([new Fault(new Trigger(FaultOp.Fsync, 1), new Fail(Errno.EIO))]));
        int fd = Create(storage, "appendonly.aof");
        Assert.Equal(Errno.EIO, storage.Fsync(fd));
        Assert.Equal(Errno.None, storage.Fsync(fd));
    }

    private static int Create(IStorage storage, string name) =>
        (int)storage.Open(name, OpenFlags.WriteOnly | OpenFlags.Create).Value;
}
