using AofSim.Scenarios.Cli;
using System.Text;
using AofSim.Sim;

namespace AofSim.Scenarios.Interop;

/// <summary>
/// What redis-server 7.0.15 really does with files the engine once refused: commands that reply
/// an error while replaying, a bulk not followed by CRLF, headers that only atoi/strtol accept.
/// Each file is written by hand; the keys expected are written by hand too, and the test asserts
/// that Redis and the engine (under the profile that claims Redis's behaviour) both hold them.
/// </summary>
public sealed class RedisReplayFidelityTests
{
    private static readonly string[] RedisArgs = ["--appendonly", "yes", "--appendfilename", "appendonly.aof", "--aof-use-rdb-preamble", "no"];

    public static TheoryData<string, string, string, string> Cases() => new()
    {
        // name, AOF, the profiles under which the engine must load it as Redis does, the keys (k=v;…).
        { "RPUSH on a string", C("SET", "k", "v") + C("RPUSH", "k", "x") + C("SET", "a", "1"), "redis26,fixed", "a=1;k=v" },
        { "EXEC without MULTI", C("SET", "a", "1") + C("EXEC") + C("SET", "b", "2"), "redis26,fixed", "a=1;b=2" },
        { "DISCARD without MULTI", C("DISCARD") + C("SET", "a", "1"), "redis26,fixed", "a=1" },
        { "nested MULTI", C("MULTI") + C("SET", "a", "1") + C("MULTI") + C("SET", "b", "2") + C("EXEC") + C("SET", "c", "3"), "redis26,fixed", "a=1;b=2;c=3" },
        { "WRONGTYPE inside a transaction", C("SET", "s", "x") + C("MULTI") + C("RPUSH", "s", "y") + C("SET", "t", "1") + C("EXEC"), "redis26,fixed", "s=x;t=1" },
        { "bulk not followed by CRLF", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nvXY" + C("SET", "a", "1"), "redis26", "a=1;k=v" },
        { "headers atoi and strtol accept", "*3x\r\n$3\r\nSET\r\n$ 1\r\nk\r\n$1z\r\nv\r\n*3\n$3\nSET\r\n$1\na\r\n$1\n1\r\n", "redis26", "a=1;k=v" },
    };

    [RedisTheory]
    [MemberData(nameof(Cases))]
    public void RedisLoadsTheFileAndTheEngineLoadsItTheSame(string name, string aof, string profiles, string keys)
    {
        using var dir = new TempDir("aofsim-fidelity-");
        string file = dir.File("appendonly.aof");
        File.WriteAllBytes(file, Encoding.Latin1.GetBytes(aof));
        List<string> expected = [.. keys.Split(';').Select(kv => kv.Split('=')).Select(p => $"{{\"db\":0,\"key\":\"{p[0]}\",\"type\":\"string\",\"expireAt\":null,\"value\":\"{p[1]}\"}}")];

        foreach (string profile in profiles.Split(','))
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = AofsimProcess.Run(["load", file, "--dump", "--profile", profile], stdout, stderr);
            Assert.True(exit == 0, $"{name}: aofsim load --profile {profile} exited {exit}: {stderr}");
            Assert.Equal(expected, stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        // Redis 7 migrates the legacy file into appendonlydir and loads it: same keys.
        using RedisServer server = RedisServer.Start(dir.Path, RedisArgs);
        using RespClient c = server.Connect();
        List<string> redis = RedisDatasetReader.Read(c);
        Assert.True(expected.SequenceEqual(redis), $"{name}: redis-server holds [{string.Join(", ", redis)}]; log:\n{server.LogText}");
    }

    [RedisFact]
    public void RedisLogsEachReplyErrorAsCriticalAndGoesOn()
    {
        using var dir = new TempDir("aofsim-fidelity-");
        File.WriteAllBytes(dir.File("appendonly.aof"), Encoding.Latin1.GetBytes(C("SET", "k", "v") + C("RPUSH", "k", "x")));

        using RedisServer server = RedisServer.Start(dir.Path, RedisArgs);

        Assert.Contains("This server is sending an error to its AOF-loading-client: '-WRONGTYPE Operation against a key holding the wrong kind of value' after processing the command 'rpush'", server.LogText, StringComparison.Ordinal);
    }

    [RedisFact]
    public void RedisCrashesOnANegativeLengthWhichTheEngineRefusesUnderBothProfiles()
    {
        using var dir = new TempDir("aofsim-fidelity-");
        string file = dir.File("appendonly.aof");
        File.WriteAllBytes(file, Encoding.Latin1.GetBytes("*1\r\n$-1\r\n"));

        foreach (string profile in new[] { "redis26", "fixed" })
        {
            var stderr = new StringWriter();
            Assert.Equal(1, AofsimProcess.Run(["load", file, "--profile", profile], new StringWriter(), stderr));
            Assert.StartsWith("Bad file format reading the append only file", stderr.ToString(), StringComparison.Ordinal);
        }

        // redis-server dies while loading: sdsnewlen's length assertion (SIGABRT), logged as a crash.
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => RedisServer.Start(dir.Path, RedisArgs).Dispose());
        Assert.Contains("crashed by signal", e.Message, StringComparison.Ordinal);
    }

    private static string C(params string[] argv)
    {
        var sb = new StringBuilder().Append('*').Append(argv.Length).Append("\r\n");
        foreach (string a in argv)
        {
            sb.Append('$').Append(a.Length).Append("\r\n").Append(a).Append("\r\n");
        }

        return sb.ToString();
    }
}
