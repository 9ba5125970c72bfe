using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using AofSim.Engine.Adapters;
using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using AofSim.Faults;
using AofSim.Scenarios.Server;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Faults;

/// <summary>Fault plans as data, and the same plan run on the real storage adapter and on the simulated one.</summary>
public sealed class FaultPlanTests
{
    private static readonly FaultPlan Everything = new(
    [
        new Fault(new Trigger(FaultOp.Write, Nth: 3, Path: "appendonly.aof"), new ShortWrite(5)),
        new Fault(new Trigger(FaultOp.Write, Path: "temp-rewriteaof-*", Count: 0), new DiskFull(4096)),
        new Fault(new Trigger(FaultOp.Ftruncate), new Fail(Errno.EIO)),
        new Fault(new Trigger(FaultOp.Rename, Nth: 2), new Fail(Errno.ENOENT)),
        new Fault(new Trigger(FaultOp.Open, Path: "*.aof"), new Fail(Errno.EMFILE)),
    ]);

    [Fact]
    public void APlanSurvivesTheTripToJsonAndBack()
    {
        string json = Everything.ToJson();
        Assert.Equal(json, FaultPlan.FromJson(json).ToJson());
        Assert.Contains("\"kind\": \"short-write\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"disk-full\"", json, StringComparison.Ordinal);
        Assert.Contains("\"error\": \"EIO\"", json, StringComparison.Ordinal);
        Assert.Contains("\"op\": \"Ftruncate\"", json, StringComparison.Ordinal);
        Assert.Throws<System.Text.Json.JsonException>(() => FaultPlan.FromJson("{\"faults\": [{\"trigger\": {\"op\": \"Write\"}, \"action\": {\"kind\": \"meteor\"}}]}"));
    }

    [Theory]
    [InlineData("temp-rewriteaof-[0-9]*", "temp-rewriteaof-101.aof", true)]
    [InlineData("temp-rewriteaof-[0-9]*", "temp-rewriteaof-bg-101.aof", false)]
    [InlineData("temp-rewriteaof-[!b]*", "temp-rewriteaof-bg-101.aof", false)]
    [InlineData("*.aof", "appendonly.aof", true)]
    [InlineData("append?nly.aof", "appendonly.aof", true)]
    [InlineData("appendonly.aof", "appendonly.aof.1", false)]
    public void PathGlobsKnowStarsQuestionMarksAndClasses(string glob, string name, bool matches)
    {
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Unlink, Path: glob), new Fail(Errno.EIO))]);
        var storage = new FaultyStorage(new SimStorage(new SimStorageOptions()), plan);
        Assert.Equal(matches ? Errno.EIO : Errno.ENOENT, storage.Unlink(name));
    }

    [Fact]
    public void AKillActionKillsTheCallerBeforeTheCall()
    {
        var sim = new SimStorage(new SimStorageOptions());
        var storage = new FaultyStorage(sim, FaultPlan.FromJson("""{ "faults": [ { "trigger": { "op": "Open", "nth": 1, "path": null, "count": 1 }, "action": { "kind": "kill" } } ] }"""));
        Assert.Throws<ProcessKilledException>(() => storage.Open("a.aof", OpenFlags.WriteOnly | OpenFlags.Create));
        Assert.Empty(sim.Names);
        Assert.True(storage.Open("a.aof", OpenFlags.WriteOnly | OpenFlags.Create).Ok);
    }

    [Fact]
    public void TriggersCountMatchingCallsPerPathFromTheNthOn()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/d");
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Write, Nth: 2, Path: "a.*", Count: 2), new Fail(Errno.EIO))]);
        var storage = new FaultyStorage(new FileSystemStorage(fs, "/d"), plan);
        int a = (int)storage.Open("a.aof", OpenFlags.WriteOnly | OpenFlags.Create).Value;
        int b = (int)storage.Open("b.aof", OpenFlags.WriteOnly | OpenFlags.Create).Value;

        Errno[] results =
        [
            storage.Write(a, "1"u8).Error, // 1st matching call: passes
            storage.Write(b, "x"u8).Error, // another path: not counted
            storage.Write(a, "2"u8).Error, // 2nd: fails
            storage.Write(a, "3"u8).Error, // 3rd: fails
            storage.Write(a, "4"u8).Error, // 4th: past the count, passes
        ];

        Assert.Equal([Errno.None, Errno.None, Errno.EIO, Errno.EIO, Errno.None], results);
        Assert.Equal([2], storage.Fired);
        storage.Close(a);
        Assert.Equal("14", fs.File.ReadAllText("/d/a.aof"));
    }

    [Fact]
    public void AShortWriteWhoseTruncationFailsEndsTheSameOnTheRealDiskAndInTheSimulator()
    {
        var plan = new FaultPlan(
        [
            new Fault(new Trigger(FaultOp.Write, Nth: 2, Path: "appendonly.aof"), new ShortWrite(5)),
            new Fault(new Trigger(FaultOp.Ftruncate), new Fail(Errno.EIO)),
        ]);

        var (realStop, realBytes, realLog) = RunOnRealDisk(plan, Profile.Redis26, AppendFsync.Always, "SET a 1", "SET b 2");
        var (simStop, simBytes, simLog) = RunOnSimulatedDisk(plan, Profile.Redis26, AppendFsync.Always, "SET a 1", "SET b 2");

        Assert.Equal(new StopOutcome(1, "Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: Input/output error"), realStop);
        Assert.Equal(realStop, simStop);
        Assert.Equal(realBytes, simBytes);
        Assert.Equal(50 + 5, realBytes.Length); // the first command, then 5 bytes of the second
        Assert.Equal(realLog, simLog);
    }

    [Fact]
    public void AShortWriteTruncatedBackEndsTheSameOnTheRealDiskAndInTheSimulator()
    {
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Write, Nth: 2, Path: "appendonly.aof"), new ShortWrite(5))]);

        var (realStop, realBytes, _) = RunOnRealDisk(plan, Profile.Redis26, AppendFsync.Always, "SET a 1", "SET b 2");
        var (simStop, simBytes, _) = RunOnSimulatedDisk(plan, Profile.Redis26, AppendFsync.Always, "SET a 1", "SET b 2");

        Assert.Equal(new StopOutcome(1, "Exiting on short write while writing to the append-only file: Success (nwritten=5, expected=27)"), realStop);
        Assert.Equal(realStop, simStop);
        Assert.Equal(50, realBytes.Length);
        Assert.Equal(realBytes, simBytes);
    }

    [Fact]
    public void AFullDiskEndsTheSameOnTheRealDiskAndInTheSimulator()
    {
        // The disk fills 60 bytes in: under fixed/everysec writes are refused, and the buffer is
        // kept for a retry that cannot succeed.
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Write, Path: "appendonly.aof", Count: 0), new DiskFull(60))]);

        var (realStop, realBytes, realLog) = RunOnRealDisk(plan, Profile.Fixed, AppendFsync.Everysec, "SET a 1", "SET b 2", "SET c 3");
        var (simStop, simBytes, simLog) = RunOnSimulatedDisk(plan, Profile.Fixed, AppendFsync.Everysec, "SET a 1", "SET b 2", "SET c 3");

        Assert.Null(realStop);
        Assert.Null(simStop);
        Assert.Equal(50, realBytes.Length); // the short write was truncated back
        Assert.Equal(realBytes, simBytes);
        Assert.Contains("Short write while writing to the AOF file: (nwritten=10, expected=27)", realLog);
        Assert.Equal(realLog, simLog);
    }

    // Runs commands (each followed by beforeSleep) on a ServerCore over the real disk with the plan.
    private static (StopOutcome? Stop, byte[] Aof, List<string> Log) RunOnRealDisk(FaultPlan plan, Profile profile, AppendFsync fsync, params string[] commands)
    {
        string dir = Directory.CreateTempSubdirectory("aofsim-faults-").FullName;
        try
        {
            using var real = new FileSystemStorage(new FileSystem(), dir);
            var result = Run(new FaultyStorage(real, plan), profile, fsync, commands);
            real.Dispose();
            return (result.Stop, File.ReadAllBytes(Path.Combine(dir, "appendonly.aof")), result.Log);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (StopOutcome? Stop, byte[] Aof, List<string> Log) RunOnSimulatedDisk(FaultPlan plan, Profile profile, AppendFsync fsync, params string[] commands)
    {
        var sim = new SimStorage(new SimStorageOptions());
        var result = Run(new FaultyStorage(sim, plan), profile, fsync, commands);
        return (result.Stop, sim.ReadAll("appendonly.aof")!, result.Log);
    }

    private static (StopOutcome? Stop, List<string> Log) Run(IStorage storage, Profile profile, AppendFsync fsync, string[] commands)
    {
        var log = new MemoryLog();
        var core = new ServerCore(
            new ServerConfig { AppendFsync = fsync, Profile = profile, AutoAofRewritePercentage = 0 },
            new ServerPorts(storage, new ManualClock(ServerHarness.Start), new ManualJobs(storage), new ManualChildren(storage), log, new SplitMix64(1)));
        core.Start();
        var conn = new Connection();
        foreach (string line in commands)
        {
            core.Execute(conn, CommandArgs.Parse(line));
            core.BeforeSleep();
        }

        return (core.Stopped, [.. log.Messages]);
    }
}
