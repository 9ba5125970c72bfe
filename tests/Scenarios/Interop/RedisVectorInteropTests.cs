using AofSim.Scenarios.Cli;
using AofSim.Scenarios.Vectors;
using AofSim.Sim;

namespace AofSim.Scenarios.Interop;

/// <summary>
/// Real Redis 7.0.15 behind the vector contract: every load vector claiming Redis 7.0.15's
/// behaviour passes against redis-server, and every check vector against redis-check-aof, run by
/// the Python adapters in vectors/adapters.
/// </summary>
public sealed class RedisVectorInteropTests
{
    [RedisTheory]
    [InlineData("load", "redis_server_load.py")]
    [InlineData("check", "redis_check_aof.py")]
    public void EveryVectorClaimingRedis7PassesAgainstTheRealBinary(string group, string adapter)
    {
        // python3 runs the adapters; it is as much a prerequisite here as the Redis binaries.
        string python = RedisBinaries.Find("python3") ?? throw new InvalidOperationException("python3 is not on PATH: the Redis adapters are Python scripts");
        string script = Path.Combine(VectorFiles.Root, "vectors", "adapters", adapter);
        int claims = VectorFiles.All.Values.Count(v => VectorFiles.S(v["id"]).StartsWith(group + "/", StringComparison.Ordinal)
            && ((System.Text.Json.Nodes.JsonArray)v["flags"]!["redis"]!).Any(r => VectorFiles.S(r) == "7.0.15"));

        var stdout = new StringWriter();
        int exit = AofsimProcess.Run(["vectors", "verify", "--impl", $"'{python}' '{script}'", "--group", group, "--claims", "7.0.15", "--vectors", VectorFiles.Dir], stdout, new StringWriter());

        Assert.True(exit == 0, stdout.ToString());
        Assert.True(claims >= 10, $"only {claims} {group} vectors claim Redis 7.0.15");
        Assert.Contains($"{claims} passed, 0 failed", stdout.ToString(), StringComparison.Ordinal);
    }
}
