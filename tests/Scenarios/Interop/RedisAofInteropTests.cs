using System.Globalization;
using System.Text;
using AofSim.Scenarios.Cli;
using Xunit.Abstractions;

namespace AofSim.Scenarios.Interop;

/// <summary>
/// The engine against a real Redis 7.0 (redis-server and redis-check-aof from PATH). Every
/// expected value comes from the real Redis: the dataset it holds after a workload (read over
/// RESP), the dataset it loads from the engine's rewrite, and what redis-check-aof reports on
/// damaged files.
/// </summary>
public sealed class RedisAofInteropTests(ITestOutputHelper output)
{
    // Far-future times: nothing written by the workload can expire while the test runs.
    private const string FarExSeconds = "1000000000"; // ~31 years
    private const string FarPxMs = "900000000000"; // ~28 years
    private const string FarUnixSeconds = "4102444800"; // 2100-01-01
    private const string FarUnixMs = "4102444800123";

    private const string BinKey = "bin:\r\n\0key\u00ff";
    private const string BinValue = "v\r\n\0\u00ff\u0080\"\\\t\u007f end";

    // ---------------------------------------------------------------- (a)

    [RedisFact]
    public void EngineLoadsRedisAppendOnlyDirToTheDatasetRedisHolds()
    {
        using var dir = new TempDir();
        List<string> redisDump = RunWorkloadOnRedis(dir.Path);
        string aofDir = Path.Combine(dir.Path, "appendonlydir");
        Assert.True(Directory.Exists(aofDir), $"redis-server wrote no appendonlydir in {dir.Path}");

        (int exit, List<string> engineDump, string stderr) = EngineLoad(aofDir);
        Assert.True(exit == 0, $"aofsim load {aofDir} --dump exited {exit}: {stderr}\nfiles: {DescribeAofDir(aofDir)}");
        output.WriteLine($"redis-server: {redisDump.Count} keys; appendonlydir: {DescribeAofDir(aofDir)}; aofsim load: {engineDump.Count} keys");
        AssertSameDump(redisDump, "redis-server's dataset (over RESP)", engineDump, "aofsim load of its appendonlydir", aofDir);
    }

    // ---------------------------------------------------------------- (b)

    [RedisFact]
    public void RedisLoadsTheEngineRewriteOfItsAofToTheSameDataset()
    {
        using var dir = new TempDir();
        List<string> redisDump = RunWorkloadOnRedis(dir.Path);
        string aofDir = Path.Combine(dir.Path, "appendonlydir");
        (int loadExit, List<string> engineDump, string loadErr) = EngineLoad(aofDir);
        Assert.True(loadExit == 0, $"aofsim load {aofDir} --dump exited {loadExit}: {loadErr}");

        using var fresh = new TempDir("aofsim-interop-rewrite-");
        string rewritten = fresh.File("appendonly.aof");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = AofsimProcess.Run(["rewrite", aofDir, "-o", rewritten], stdout, stderr);
        Assert.True(exit == 0, $"aofsim rewrite exited {exit}: {stderr}");
        string[] entries = Directory.GetFileSystemEntries(fresh.Path).Select(f => Path.GetFileName(f)).ToArray();
        Assert.Equal<string>(["appendonly.aof"], entries);
        byte[] rewrittenBytes = File.ReadAllBytes(rewritten);

        // Redis 7 finds a legacy appendonly.aof in --dir, loads it and migrates it.
        List<string> reloaded;
        string log;
        using (RedisServer server = RedisServer.Start(
            fresh.Path, "--appendonly", "yes", "--appendfilename", "appendonly.aof", "--aof-use-rdb-preamble", "no", "--dir", fresh.Path))
        {
            using RespClient c = server.Connect();
            reloaded = RedisDatasetReader.Read(c);
            log = server.LogText;
        }

        output.WriteLine($"engine rewrite: {rewrittenBytes.Length} bytes; redis-server reloaded {reloaded.Count} keys (engine dump {engineDump.Count}, original {redisDump.Count})");
        AssertSameDump(engineDump, "the engine's dump of the original AOF", reloaded, "redis-server's dataset after loading the engine's rewrite", $"rewritten file ({rewrittenBytes.Length} bytes):\n{Escape(rewrittenBytes, 4000)}\nredis log:\n{log}");
        AssertSameDump(redisDump, "redis-server's original dataset", reloaded, "redis-server's dataset after loading the engine's rewrite", $"redis log:\n{log}");
    }

    // ---------------------------------------------------------------- (c)

    public static TheoryData<string> CheckCaseNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in CheckCases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    public static TheoryData<string> FixCaseNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in FixCases)
        {
            data.Add(name);
        }

        return data;
    }

    [RedisTheory]
    [MemberData(nameof(CheckCaseNames))]
    public void CheckReportsWhatRedisCheckAofReports(string name)
    {
        (_, int redisExit, List<string> redisLines, int engineExit, List<string> engineLines, string context) = RunBothCheckers(name);

        string? redisAnalyzed = redisLines.FirstOrDefault(l => l.StartsWith("AOF analyzed: ", StringComparison.Ordinal));
        string? engineAnalyzed = engineLines.FirstOrDefault(l => l.StartsWith("AOF analyzed: ", StringComparison.Ordinal));
        Assert.True(redisAnalyzed == engineAnalyzed, $"the 'AOF analyzed' lines differ\n{context}");
        Assert.True(Verdict(redisLines) == Verdict(engineLines), $"validity differs: redis-check-aof says '{Verdict(redisLines)}', aofsim check says '{Verdict(engineLines)}'\n{context}");
        Assert.True(redisExit == engineExit, $"exit codes differ\n{context}");
    }

    // CheckResult.Report promises the exact lines redis-check-aof prints: the error line too.
    [RedisTheory]
    [MemberData(nameof(CheckCaseNames))]
    public void CheckPrintsEveryLineRedisCheckAofPrints(string name)
    {
        (_, int redisExit, List<string> redisLines, int engineExit, List<string> engineLines, string context) = RunBothCheckers(name);
        Assert.True(redisLines.SequenceEqual(engineLines), $"the outputs differ\n{context}");
        Assert.True(redisExit == engineExit, $"exit codes differ\n{context}");
    }

    private (byte[] Input, int RedisExit, List<string> RedisLines, int EngineExit, List<string> EngineLines, string Context) RunBothCheckers(string name)
    {
        byte[] input = CheckCases[name];
        using var dir = new TempDir("aofsim-interop-check-");
        string file = dir.File("case.aof");
        File.WriteAllBytes(file, input);

        (int redisExit, string redisOut, string redisErr) = ToolRunner.Run(RedisBinaries.CheckAof!, [file]);
        Assert.Equal(input, File.ReadAllBytes(file)); // checking without --fix leaves the file alone
        var engineOut = new StringWriter();
        var engineErr = new StringWriter();
        int engineExit = AofsimProcess.Run(["check", file], engineOut, engineErr);

        List<string> redisLines = Lines(redisOut);
        List<string> engineLines = Lines(engineOut.ToString());
        string context = $"case '{name}', input ({input.Length} bytes): {Escape(input, 2000)}\n" +
            $"redis-check-aof (exit {redisExit}):\n  {string.Join("\n  ", redisLines)}\n  stderr: {redisErr}\n" +
            $"aofsim check (exit {engineExit}):\n  {string.Join("\n  ", engineLines)}\n  stderr: {engineErr}";
        output.WriteLine(context);
        return (input, redisExit, redisLines, engineExit, engineLines, context);
    }

    [RedisTheory]
    [MemberData(nameof(FixCaseNames))]
    public void FixTruncatesToTheSizeRedisCheckAofFixLeaves(string name)
    {
        byte[] input = CheckCases[name];
        using var dir = new TempDir("aofsim-interop-fix-");
        string redisCopy = dir.File("redis.aof");
        string engineCopy = dir.File("engine.aof");
        File.WriteAllBytes(redisCopy, input);
        File.WriteAllBytes(engineCopy, input);

        (int redisExit, string redisOut, string redisErr) = ToolRunner.Run(RedisBinaries.CheckAof!, ["--fix", redisCopy], stdin: "y\n");
        var engineOut = new StringWriter();
        var engineErr = new StringWriter();
        int engineExit = AofsimProcess.Run(["check", engineCopy, "--fix"], engineOut, engineErr);

        byte[] redisFixed = File.ReadAllBytes(redisCopy);
        byte[] engineFixed = File.ReadAllBytes(engineCopy);
        string context = $"case '{name}', input ({input.Length} bytes): {Escape(input, 2000)}\n" +
            $"redis-check-aof --fix (exit {redisExit}) left {redisFixed.Length} bytes:\n{redisOut}{redisErr}\n" +
            $"aofsim check --fix (exit {engineExit}) left {engineFixed.Length} bytes:\n{engineOut}{engineErr}";
        Assert.True(redisFixed.Length < input.Length, $"redis-check-aof --fix did not shrink the file: not a fix case\n{context}");
        Assert.True(redisFixed.Length == engineFixed.Length, $"sizes after --fix differ\n{context}");
        Assert.True(redisFixed.AsSpan().SequenceEqual(engineFixed), $"contents after --fix differ\n{context}");
        Assert.True(redisExit == engineExit, $"exit codes of --fix differ\n{context}");

        // What both left is valid to redis-check-aof.
        (int recheck, string recheckOut, _) = ToolRunner.Run(RedisBinaries.CheckAof!, [engineCopy]);
        Assert.True(recheck == 0, $"redis-check-aof rejects the engine's fixed file:\n{recheckOut}\n{context}");
    }

    // ---------------------------------------------------------------- the workload

    // Starts redis-server in dir with a multi-part, RESP-only, always-fsynced AOF; runs the
    // workload; reads the dataset back; kills the server. The AOF stays in dir/appendonlydir.
    private static List<string> RunWorkloadOnRedis(string dir)
    {
        using RedisServer server = RedisServer.Start(
            dir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always", "--save", string.Empty);
        using RespClient c = server.Connect();
        RunWorkload(c);
        List<string> dump = RedisDatasetReader.Read(c);

        // The workload reached both dbs and every type; an empty or tiny dump would prove nothing.
        Assert.True(dump.Count >= 60, $"the workload left only {dump.Count} keys:\n{string.Join('\n', dump)}");
        foreach (string type in new[] { "string", "list", "set", "zset", "hash" })
        {
            Assert.Contains(dump, l => l.StartsWith("{\"db\":3,", StringComparison.Ordinal) && l.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal));
            Assert.Contains(dump, l => l.StartsWith("{\"db\":0,", StringComparison.Ordinal) && l.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal));
        }

        Assert.Contains(dump, l => !l.Contains("\"expireAt\":null", StringComparison.Ordinal));
        return dump;
    }

    private static void RunWorkload(RespClient c)
    {
        foreach (int db in new[] { 0, 3 })
        {
            string p = db == 0 ? string.Empty : "d3:";
            string dbText = db.ToString(CultureInfo.InvariantCulture);
            string other = db == 0 ? "3" : "0";
            Run(c, ["SELECT", dbText]);

            // Strings.
            Run(c, ["SET", p + "s:plain", "hello"]);
            Run(c, ["SET", p + "s:ex", "v", "EX", FarExSeconds]);
            Run(c, ["SET", p + "s:px", "v", "PX", FarPxMs]);
            Run(c, ["SET", p + "s:nx", "first", "NX"]);
            Run(c, ["SET", p + "s:nx", "second", "NX"]); // no-op
            Run(c, ["SET", p + "s:plain", "world", "XX"]);
            Run(c, ["SET", p + "s:xx", "v", "XX"]); // no-op
            Run(c, ["SET", p + "s:ex", "kept", "KEEPTTL"]);
            Run(c, ["SET", p + "s:exat", "v", "EXAT", FarUnixSeconds]);
            Run(c, ["SET", p + "s:pxat", "v", "PXAT", FarUnixMs]);
            Run(c, ["SET", p + "s:pxat2", "v", "PXAT", FarUnixMs, "GET"]);
            Run(c, ["SETEX", p + "s:setex", FarExSeconds, "v"]);
            Run(c, ["PSETEX", p + "s:psetex", FarPxMs, "v"]);
            Run(c, ["SETNX", p + "s:setnx", "a"]);
            Run(c, ["SETNX", p + "s:setnx", "b"]); // no-op
            Run(c, ["APPEND", p + "s:app", "abc"]);
            Run(c, ["APPEND", p + "s:app", "def"]);
            Run(c, ["INCR", p + "n:1"]);
            Run(c, ["INCRBY", p + "n:1", "41"]);
            Run(c, ["DECR", p + "n:2"]);
            Run(c, ["DECRBY", p + "n:2", "10"]);
            Run(c, ["INCRBYFLOAT", p + "n:f", "3.25"]);
            Run(c, ["INCRBYFLOAT", p + "n:f", "0.1"]);
            Run(c, ["SET", p + "n:ft", "10", "EX", FarExSeconds]);
            Run(c, ["INCRBYFLOAT", p + "n:ft", "1.5"]); // keeps the TTL
            Run(c, ["MSET", p + "m:1", "a", p + "m:2", "b", p + "m:3", "c"]);
            Run(c, ["MSETNX", p + "m:4", "d", p + "m:5", "e"]);
            Run(c, ["MSETNX", p + "m:5", "x", p + "m:6", "y"]); // no-op
            Run(c, ["GETSET", p + "m:1", "aa"]);
            Run(c, ["DEL", p + "m:2", p + "nonexistent"]);
            Run(c, ["EXPIRE", p + "m:3", FarExSeconds]);
            Run(c, ["PEXPIRE", p + "m:4", FarPxMs]);
            Run(c, ["EXPIREAT", p + "m:5", FarUnixSeconds]);
            Run(c, ["PEXPIREAT", p + "m:1", FarUnixMs]);
            Run(c, ["SET", p + "persist", "v", "EX", FarExSeconds]);
            Run(c, ["PERSIST", p + "persist"]);
            Run(c, ["PERSIST", p + "m:4"]);
            Run(c, ["SET", p + "e:neg", "v"]);
            Run(c, ["EXPIRE", p + "e:neg", "-1"]); // deletes
            Run(c, ["RENAME", p + "m:5", p + "r:renamed"]); // carries the TTL
            Run(c, ["RENAMENX", p + "m:3", p + "r:nx"]);
            Run(c, ["SET", p + "r:exists", "x"]);
            Run(c, ["RENAMENX", p + "r:nx", p + "r:exists"]); // no-op
            Run(c, ["SET", p + "mv:out", "moved from " + dbText, "PX", FarPxMs]);
            Run(c, ["MOVE", p + "mv:out", other]);
            Run(c, ["SET", p + BinKey, BinValue]);
            Run(c, ["SET", p + "empty", string.Empty]);

            // Lists.
            Run(c, ["LPUSH", p + "l:1", "a", "b", "c"]);
            Run(c, ["RPUSH", p + "l:1", "d", "e", "f"]);
            Run(c, ["LPUSHX", p + "l:1", "z"]);
            Run(c, ["LPUSHX", p + "l:none", "z"]); // no-op
            Run(c, ["RPUSHX", p + "l:1", "y"]);
            Run(c, ["RPUSHX", p + "l:none", "y"]); // no-op
            Run(c, ["LPOP", p + "l:1"]);
            Run(c, ["RPOP", p + "l:1"]);
            Run(c, ["LSET", p + "l:1", "0", "first"]);
            Run(c, ["RPUSH", p + "l:1", "dup", "x", "dup", "dup"]);
            Run(c, ["LREM", p + "l:1", "2", "dup"]);
            Run(c, ["LINSERT", p + "l:1", "BEFORE", "x", "ins"]);
            Run(c, ["LINSERT", p + "l:1", "AFTER", "x", "ins2"]);
            Run(c, ["RPUSH", p + "l:t", "1", "2", "3", "4", "5", "6", "7"]);
            Run(c, ["LTRIM", p + "l:t", "1", "-2"]);
            Run(c, ["RPOPLPUSH", p + "l:t", p + "l:dst"]);
            Run(c, ["RPOPLPUSH", p + "l:t", p + "l:t"]); // rotate
            Run(c, ["RPUSH", p + "l:bin", "a\r\nb", "\0", BinValue]);
            Run(c, ["RPUSH", p + "l:gone", "only"]);
            Run(c, ["LPOP", p + "l:gone"]); // empties and deletes the key
            Run(c, ["RPUSH", p + "l:big", .. Enumerable.Range(0, 150).Select(i => "item" + i.ToString(CultureInfo.InvariantCulture))]);
            Run(c, ["EXPIRE", p + "l:1", FarExSeconds]);

            // Sets.
            Run(c, ["SADD", p + "st:1", "a", "b", "c", "d", "e", "f", "g"]);
            Run(c, ["SREM", p + "st:1", "g", "nope"]);
            Run(c, ["SPOP", p + "st:1"]); // random member: logged as SREM
            Run(c, ["SADD", p + "st:2", "x", "y", "z"]);
            Run(c, ["SMOVE", p + "st:2", p + "st:1", "x"]);
            Run(c, ["SADD", p + "st:3", "a", "b", "x", "q"]);
            Run(c, ["SINTERSTORE", p + "st:i", p + "st:1", p + "st:3"]);
            Run(c, ["SUNIONSTORE", p + "st:u", p + "st:1", p + "st:3"]);
            Run(c, ["SDIFFSTORE", p + "st:d", p + "st:1", p + "st:3"]);
            Run(c, ["SADD", p + "st:int", "3", "1", "2", "10", "-5"]);
            Run(c, ["SADD", p + "st:bin", "\0\r\n", "\u00ff", "\u0080x"]);
            Run(c, ["SADD", p + "st:big", .. Enumerable.Range(0, 130).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture))]);
            Run(c, ["PEXPIREAT", p + "st:2", FarUnixMs]);

            // Sorted sets.
            Run(c, ["ZADD", p + "z:1", "0.1", "a", "inf", "b", "-inf", "c", "1", "d", "2", "e", "3", "f", "1e20", "g", "1.5e-7", "h"]);
            Run(c, ["ZADD", p + "z:1", "1", "tie1", "1", "tie0", "-0.5", "neg"]);
            Run(c, ["ZREM", p + "z:1", "e", "nope"]);
            Run(c, ["ZINCRBY", p + "z:1", "2.5", "d"]);
            Run(c, ["ZINCRBY", p + "z:1", "1", "new"]);
            Run(c, ["ZADD", p + "z:2", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"]);
            Run(c, ["ZREMRANGEBYSCORE", p + "z:2", "2", "3"]);
            Run(c, ["ZREMRANGEBYRANK", p + "z:2", "0", "0"]);
            Run(c, ["ZUNIONSTORE", p + "z:u", "2", p + "z:1", p + "z:2", "WEIGHTS", "1", "2"]);
            Run(c, ["ZINTERSTORE", p + "z:i", "2", p + "z:1", p + "z:2", "AGGREGATE", "MAX"]);
            Run(c, ["ZADD", p + "z:bin", "1", "\0\r\n", "2", BinValue]);
            Run(c, ["ZADD", p + "z:big", .. Enumerable.Range(0, 100).SelectMany(i => new[] { (i * 0.3).ToString("R", CultureInfo.InvariantCulture), "zm" + i.ToString(CultureInfo.InvariantCulture) })]);
            Run(c, ["EXPIREAT", p + "z:2", FarUnixSeconds]);

            // Hashes.
            Run(c, ["HSET", p + "h:1", "f1", "v1", "f2", "v2"]);
            Run(c, ["HSETNX", p + "h:1", "f1", "x"]); // no-op
            Run(c, ["HSETNX", p + "h:1", "f3", "v3"]);
            Run(c, ["HMSET", p + "h:1", "f4", "v4", "f5", "v5"]);
            Run(c, ["HDEL", p + "h:1", "f2", "nope"]);
            Run(c, ["HINCRBY", p + "h:1", "cnt", "5"]);
            Run(c, ["HINCRBY", p + "h:1", "cnt", "-2"]);
            Run(c, ["HINCRBYFLOAT", p + "h:1", "fl", "1.5"]);
            Run(c, ["HINCRBYFLOAT", p + "h:1", "fl", "0.1"]);
            Run(c, ["HSET", p + "h:bin", "f\r\n\0", "v\0\r\n", BinKey, BinValue]);
            Run(c, ["HSET", p + "h:big", .. Enumerable.Range(0, 100).SelectMany(i => new[] { "hf" + i.ToString(CultureInfo.InvariantCulture), "hv" + i.ToString(CultureInfo.InvariantCulture) })]);
            Run(c, ["PEXPIRE", p + "h:1", FarPxMs]);

            // A transaction.
            Run(c, ["MULTI"]);
            Run(c, ["SET", p + "tx:s", "a"]);
            Run(c, ["INCR", p + "tx:n"]);
            Run(c, ["RPUSH", p + "tx:l", "a", "b"]);
            Run(c, ["SADD", p + "tx:set", "m"]);
            Run(c, ["ZADD", p + "tx:z", "1", "m"]);
            Run(c, ["HSET", p + "tx:h", "f", "v"]);
            Run(c, ["EXPIRE", p + "tx:s", FarExSeconds]);
            Run(c, ["DEL", p + "s:plain"]);
            Run(c, ["EXEC"]);
        }
    }

    private static void Run(RespClient c, string[] args) => c.Must(args);

    // ---------------------------------------------------------------- engine side

    private static (int Exit, List<string> Dump, string Stderr) EngineLoad(string path)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = AofsimProcess.Run(["load", path, "--dump"], stdout, stderr);
        return (exit, Lines(stdout.ToString()), stderr.ToString());
    }

    // ---------------------------------------------------------------- damaged files

    private static readonly string[] FixCases =
    [
        "truncated mid-bulk",
        "truncated after *3",
        "cut inside a $ line",
        "cut after a lone $",
        "missing final CRLF",
        "MULTI without EXEC at EOF",
    ];

    private static readonly Dictionary<string, byte[]> CheckCases = BuildCheckCases();

    private static Dictionary<string, byte[]> BuildCheckCases()
    {
        byte[] select = Cmd("SELECT", "0");
        byte[] setK1 = Cmd("SET", "k1", "v1");
        byte[] rest = Concat(
            Cmd("RPUSH", "list", "a", "b", "c"),
            Cmd("MULTI"),
            Cmd("SET", "k2", "hello"),
            Cmd("INCR", "counter"),
            Cmd("EXEC"),
            Cmd("SADD", "set", "x", "y"),
            Cmd("SET", "k3", "value-with-some-length"));
        byte[] valid = Concat(select, setK1, rest);
        byte[] Insert(string what) => Concat(select, setK1, Bytes(what), rest);
        byte[] Append(string what) => Concat(valid, Bytes(what));

        byte[] xy = Concat(select, setK1[..^2], Bytes("XY"), rest);
        byte[] highBytes = Concat(select, setK1[..^2], Bytes("\u00ff\u0080"), rest);
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["valid"] = valid,
            ["empty file"] = [],
            ["truncated mid-bulk"] = valid[..^10],
            ["truncated after *3"] = Append("*3\r\n"),
            ["cut inside a $ line"] = Append("*3\r\n$3\r\nSET\r\n$1"),
            ["cut after a lone $"] = Append("*3\r\n$3\r\nSET\r\n$"),
            ["missing final CRLF"] = valid[..^2],
            ["XY instead of CRLF"] = xy,
            ["high bytes instead of CRLF"] = highBytes,
            ["garbage line"] = Insert("garbage\r\n"),
            ["empty line"] = Insert("\r\n"),
            ["MULTI without EXEC at EOF"] = Concat(valid, Cmd("MULTI"), Cmd("SET", "k4", "v4")),
            ["MULTI without EXEC, more commands to EOF"] = Concat(select, setK1, Cmd("MULTI"), Cmd("SET", "k4", "v4"), Cmd("RPUSH", "list", "a"), Cmd("SET", "k5", "v5")),
            ["EXEC without MULTI"] = Insert(Text(Cmd("EXEC"))),
            ["nested MULTI"] = Insert(Text(Concat(Cmd("MULTI"), Cmd("SET", "a", "b"), Cmd("MULTI"), Cmd("SET", "c", "d"), Cmd("EXEC"), Cmd("EXEC")))),
            ["lowercase multi/exec"] = Insert(Text(Concat(Cmd("multi"), Cmd("set", "a", "b"), Cmd("exec")))),
            ["*0"] = Insert("*0\r\n"),
            ["$-1"] = Insert("*3\r\n$3\r\nSET\r\n$2\r\nkx\r\n$-1\r\n"),
            ["non-numeric count"] = Insert("*x\r\n$3\r\nSET\r\n"),
            ["bulk length past EOF"] = Append("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$99999999999\r\nabc\r\n"),
            ["#TS: annotation lines"] = Concat(Bytes("#TS:1700000000\r\n"), select, Bytes("#TS:1700000001\r\n"), setK1, rest, Bytes("#TS:1700000002\r\n")),
        };
    }

    private static byte[] Cmd(params string[] argv)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(argv.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (string a in argv)
        {
            sb.Append('$').Append(Encoding.Latin1.GetByteCount(a).ToString(CultureInfo.InvariantCulture)).Append("\r\n").Append(a).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    private static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    private static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(x => x).ToArray();

    // ---------------------------------------------------------------- helpers

    private static List<string> Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Where(l => l.Length > 0).ToList();

    private static string Verdict(List<string> lines) =>
        lines.Count == 0 ? "(no output)"
        : lines[^1].EndsWith(" is valid", StringComparison.Ordinal) ? "valid"
        : lines[^1].EndsWith(" is empty", StringComparison.Ordinal) ? "empty"
        : lines[^1].Contains(" is not valid", StringComparison.Ordinal) ? "not valid"
        : $"other: {lines[^1]}";

    private static void AssertSameDump(List<string> expected, string expectedName, List<string> actual, string actualName, string context)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{actualName} ({actual.Count} keys) differs from {expectedName} ({expected.Count} keys).\n");
        sb.Append(CultureInfo.InvariantCulture, $"Only in {expectedName} ({missing.Count}):\n");
        foreach (string l in missing)
        {
            sb.Append("  ").Append(l).Append('\n');
        }

        sb.Append(CultureInfo.InvariantCulture, $"Only in {actualName} ({extra.Count}):\n");
        foreach (string l in extra)
        {
            sb.Append("  ").Append(l).Append('\n');
        }

        if (missing.Count == 0 && extra.Count == 0)
        {
            sb.Append("(same lines, different order)\n");
        }

        sb.Append(context);
        Assert.Fail(sb.ToString());
    }

    private static string DescribeAofDir(string dir) =>
        string.Join(", ", Directory.GetFiles(dir).Select(f => $"{Path.GetFileName(f)} ({new FileInfo(f).Length} bytes)"));

    /// <summary>Bytes as a C string literal, cut at <paramref name="max"/> bytes.</summary>
    private static string Escape(byte[] bytes, int max)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in bytes.Take(max))
        {
            sb.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\\' => "\\\\",
                (byte)'"' => "\\\"",
                < 0x20 or >= 0x7F => $"\\x{b:x2}",
                _ => ((char)b).ToString(),
            });
        }

        sb.Append('"');
        if (bytes.Length > max)
        {
            sb.Append(CultureInfo.InvariantCulture, $"... ({bytes.Length - max} more bytes)");
        }

        return sb.ToString();
    }
}
