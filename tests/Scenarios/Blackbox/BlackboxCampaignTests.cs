using AofSim.Blackbox.Campaigns;
using AofSim.Blackbox.Disks;
using AofSim.Blackbox.Targets;
using AofSim.Engine.Server;
using AofSim.Scenarios.Interop;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Blackbox;

/// <summary>A short real campaign: redis-server 7 on a plain directory, killed and restarted.</summary>
public sealed class BlackboxCampaignTests
{
    [BlackboxRedisFact]
    public void Redis_on_a_plain_directory_keeps_every_promise_through_kills()
    {
        var options = new BlackboxOptions
        {
            Target = new RedisTarget(RedisBinaries.Server ?? "redis-server", RedisBinaries.CheckAof, preamble: false),
            Policy = PolicyOption.Always,
            Crash = CrashKind.Kill,
            Cycles = 3,
            MaxBatches = 120,
            Disk = _ => new PlainDirectoryDisk(),
        };

        RunResult r = BlackboxRunner.Run(7, options);

        Assert.Null(r.StartFailure);
        Assert.Equal(AppendFsync.Always, r.Policy);
        Assert.Equal(3, r.Cycles.Count);
        Assert.Empty(r.Violations);
        Assert.All(r.Cycles, c => Assert.Equal(Availability.Started, c.Availability));
        Assert.All(r.Cycles, c => Assert.Equal(0, c.AckedWritesLost));
        Assert.All(r.Cycles, c => Assert.Equal("agrees", c.Loader));
        Assert.True(r.Cycles.Sum(c => c.AckedWrites) > 0);
    }

    [BlackboxRedisFact]
    public void The_same_seed_draws_the_same_schedule()
    {
        var options = new BlackboxOptions { Target = new RedisTarget("redis-server", null, false), Cycles = 5 };

        (AppendFsync p1, List<CycleStep> s1) = BlackboxRunner.Schedule(42, options);
        (AppendFsync p2, List<CycleStep> s2) = BlackboxRunner.Schedule(42, options);
        (_, List<CycleStep> other) = BlackboxRunner.Schedule(43, options);

        Assert.Equal(p1, p2);
        Assert.Equal(s1, s2);
        Assert.NotEqual(s1, other);
    }
}
