using AofSim.Blackbox.Benchmarks;
using AofSim.Blackbox.Disks;
using AofSim.Blackbox.Targets;
using AofSim.Engine.Server;
using AofSim.Scenarios.Interop;

namespace AofSim.Scenarios.Blackbox;

/// <summary>The black-box speed figures measure what they say (small sizes: these check the plumbing, not the speed).</summary>
public sealed class BlackboxBenchTests
{
    [BlackboxRedisFact]
    public void Process_crash_cycles_of_redis_on_a_plain_directory_are_counted_and_timed()
    {
        var redis = new RedisTarget(RedisBinaries.Server ?? "redis-server", RedisBinaries.CheckAof, preamble: false);

        CycleRate c = BlackboxBench.Cycles(redis, AppendFsync.Always, powerLoss: false, cycles: 3, maxBatches: 20, seed: 5);

        Assert.Null(c.StartFailure);
        Assert.Equal(3, c.Cycles);
        Assert.Equal(0, c.Violations);
        Assert.True(c.Seconds > 0);
        Assert.Equal(c.Cycles * 60 / c.Seconds, c.PerMinute, 6);
    }

    [BlackboxRedisFact]
    public void SET_throughput_comes_from_redis_benchmark_against_a_server_on_the_disk()
    {
        // Debian's redis-server depends on redis-tools, which has redis-benchmark.
        string benchmark = TargetSpec.FindOnPath("redis-benchmark") ?? "redis-benchmark";
        var redis = new RedisTarget(RedisBinaries.Server ?? "redis-server", null, preamble: false);
        string? dir = null;

        SetThroughput s = BlackboxBench.Set(redis, benchmark, AppendFsync.No, "plain", () =>
        {
            var d = new PlainDirectoryDisk();
            dir = d.Directory;
            return d;
        }, requests: 2000, clients: 4);

        Assert.True(s.RequestsPerSecond > 0);
        Assert.Equal(2000, s.Requests);
        Assert.NotNull(dir);
        Assert.False(Directory.Exists(dir)); // the disk was disposed (and the server with it)
    }
}
