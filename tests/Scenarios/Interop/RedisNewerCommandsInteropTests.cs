using AofSim.Scenarios.Cli;
using System.Globalization;
using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Text;
using AofSim.Sim;
using Xunit.Abstractions;

namespace AofSim.Scenarios.Interop;

/// <summary>
/// The commands Redis 7 writes to its AOF beyond the seed's (SETRANGE, SETBIT, UNLINK, COPY,
/// ZPOPMIN, SWAPDB, PFADD/PFCOUNT/PFMERGE, the stream commands) against a real redis-server
/// 7.0: the same commands give the same replies and the same bytes (HLLs), and the engine loads
/// Redis's own AOF directory, as written and after BGREWRITEAOF, to the dataset Redis holds.
/// </summary>
public sealed class RedisNewerCommandsInteropTests(ITestOutputHelper output)
{
    // ---------------------------------------------------------------- HLL bytes, command by command

    [RedisFact]
    public void HyperLogLogBytesAndRepliesMatchRedisAcrossTheDensePromotion()
    {
        using var dir = new TempDir();
        using RedisServer server = RedisServer.Start(dir.Path, "--save", string.Empty);
        using RespClient c = server.Connect();
        var engine = new EngineClient();

        var script = new List<string[]>();
        for (int i = 0; i < 3000; i += 7)
        {
            script.Add(["PFADD", "h", .. Enumerable.Range(i, 7).Select(n => "e" + n.ToString(CultureInfo.InvariantCulture))]);
            if (i % 70 == 0)
            {
                script.Add(["PFCOUNT", "h"]);
                script.Add(["PFADD", "small", "x" + i.ToString(CultureInfo.InvariantCulture)]);
                script.Add(["PFCOUNT", "small"]);
            }
        }

        script.Add(["PFADD", "h", "e5"]); // no change
        script.Add(["PFADD", "empty"]);
        script.Add(["PFCOUNT", "h", "small", "missing"]);
        script.Add(["PFMERGE", "m1", "small", "empty"]);
        script.Add(["PFMERGE", "m2", "small", "h"]);
        script.Add(["PFMERGE", "small", "m1"]);
        script.Add(["PFCOUNT", "m1"]);
        script.Add(["PFCOUNT", "m2"]);
        script.Add(["SET", "str", "not an hll"]);
        script.Add(["PFADD", "str", "a"]);
        script.Add(["PFCOUNT", "str"]);
        script.Add(["RPUSH", "list", "a"]);
        script.Add(["PFADD", "list", "a"]);

        bool sawSparse = false, sawDense = false;
        foreach (string[] cmd in script)
        {
            string redisReply = c.Call(cmd).ToString();
            string engineReply = engine.Call(cmd);
            Assert.True(redisReply == engineReply, $"{string.Join(' ', cmd)}: redis replied {redisReply}, the engine {engineReply}");
            foreach (string key in new[] { "h", "small", "m1", "m2", "empty" })
            {
                RespValue redisValue = c.Call("GET", key);
                if (redisValue.Kind != RespKind.Bulk)
                {
                    continue;
                }

                byte[] engineValue = engine.Get(key);
                Assert.True(redisValue.Bytes!.AsSpan().SequenceEqual(engineValue), $"after {string.Join(' ', cmd)}, {key}: redis holds {redisValue.Bytes!.Length} bytes, the engine {engineValue.Length}; first difference at {FirstDifference(redisValue.Bytes!, engineValue)}");
                sawSparse |= redisValue.Bytes![4] == 1;
                sawDense |= redisValue.Bytes![4] == 0;
            }
        }

        Assert.True(sawSparse && sawDense, "the script should have seen both encodings");
        output.WriteLine($"{script.Count} commands; every reply and every HLL byte equal");
    }

    // ---------------------------------------------------------------- AOF directories

    [RedisFact]
    public void EngineLoadsRedisAofWithTheNewerCommandsToTheDatasetRedisReloads()
    {
        using var dir = new TempDir();
        using (RedisServer server = StartAof(dir.Path))
        {
            using RespClient c = server.Connect();
            RunWorkload(c, "a:");
            RunWorkload(c, "b:");
        }

        string aofDir = Path.Combine(dir.Path, "appendonlydir");
        List<string> reloaded = ReloadOnRedis(dir.Path);
        AssertCoversEverything(reloaded);
        List<string> engine = EngineLoad(aofDir);
        output.WriteLine($"redis reloaded {reloaded.Count} keys; appendonlydir: {Describe(aofDir)}");
        AssertSameDump(reloaded, "redis-server after loading its appendonlydir", engine, "aofsim load of the appendonlydir");

        // The engine's own rewrite of that AOF loads on redis-server to the same dataset.
        using var fresh = new TempDir("aofsim-interop-rewrite-");
        string rewritten = fresh.File("appendonly.aof");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.True(AofsimProcess.Run(["rewrite", aofDir, "-o", rewritten], stdout, stderr) == 0, $"aofsim rewrite failed: {stderr}");
        List<string> fromRewrite;
        using (RedisServer server = RedisServer.Start(fresh.Path, "--appendonly", "yes", "--appendfilename", "appendonly.aof", "--aof-use-rdb-preamble", "no", "--dir", fresh.Path))
        {
            using RespClient c = server.Connect();
            fromRewrite = RedisDatasetReader.Read(c);
        }

        // Not quite the dataset before the rewrite: a rewrite logs a pending entry whose stream
        // entry was deleted as an XCLAIM that finds nothing to claim, so the entry (and a consumer
        // that held only it) is gone after a reload. Redis's own BGREWRITEAOF does the same,
        // which is what this compares with.
        List<string> redisRewrite;
        using (RedisServer server = StartAof(dir.Path))
        {
            using RespClient c = server.Connect();
            c.Must("BGREWRITEAOF");
            WaitForRewrite(c);
        }

        redisRewrite = ReloadOnRedis(dir.Path);
        Assert.NotEqual(reloaded, redisRewrite); // the workload has such a pending entry
        AssertSameDump(redisRewrite, "redis-server after its own BGREWRITEAOF and a reload", fromRewrite, "redis-server after loading the engine's rewrite");
    }

    [RedisFact]
    public void EngineLoadsRedisAofAfterBgRewriteAofToTheDatasetRedisReloads()
    {
        using var dir = new TempDir();
        using (RedisServer server = StartAof(dir.Path))
        {
            using RespClient c = server.Connect();
            RunWorkload(c, "a:");
            c.Must("BGREWRITEAOF");
            WaitForRewrite(c);
            RunWorkload(c, "b:");
        }

        string aofDir = Path.Combine(dir.Path, "appendonlydir");
        string manifest = File.ReadAllText(Directory.GetFiles(aofDir, "*.manifest").Single());
        Assert.Contains("seq 2 type b", manifest, StringComparison.Ordinal); // the rewritten base
        List<string> reloaded = ReloadOnRedis(dir.Path);
        AssertCoversEverything(reloaded);
        List<string> engine = EngineLoad(aofDir);
        output.WriteLine($"redis reloaded {reloaded.Count} keys; appendonlydir: {Describe(aofDir)}");
        AssertSameDump(reloaded, "redis-server after loading its rewritten appendonlydir", engine, "aofsim load of it");
    }

    // ---------------------------------------------------------------- serve's replies

    [RedisFact]
    public void TheEngineRepliesAsRedisDoesAndEndsWithTheSameDataset()
    {
        using var dir = new TempDir();
        using RedisServer server = RedisServer.Start(dir.Path, "--save", string.Empty);
        using RespClient c = server.Connect();
        var engine = new EngineClient();
        int compared = 0;
        foreach (string prefix in new[] { "a:", "b:" })
        {
            // XADD * takes the clock's millisecond, which the two sides do not share.
            foreach (string[] cmd in Workload(prefix).Where(w => !(w[0] == "XADD" && w[2] == "*")))
            {
                string redisReply = c.Call(cmd).ToString();
                string engineReply = engine.Call(cmd);
                Assert.True(redisReply == engineReply, $"{string.Join(' ', cmd)}: redis replied {redisReply}, the engine {engineReply}");
                compared++;
            }
        }

        List<string> redisDump = RedisDatasetReader.Read(c);
        AssertSameDump(redisDump, "redis-server's dataset", engine.Dump(), "the engine's dataset");
        output.WriteLine($"{compared} replies equal; {redisDump.Count} keys equal");
    }

    private static RedisServer StartAof(string dir) =>
        RedisServer.Start(dir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always", "--save", string.Empty);

    // Restarts redis-server on the directory: what it holds after loading its own AOF.
    private static List<string> ReloadOnRedis(string dir)
    {
        using RedisServer server = StartAof(dir);
        using RespClient c = server.Connect();
        return RedisDatasetReader.Read(c);
    }

    private static void WaitForRewrite(RespClient c)
    {
        // Polls the condition itself (no fixed sleep standing in for it), up to 30 s.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            string info = c.Must("INFO", "persistence").Text;
            if (info.Contains("aof_rewrite_in_progress:0", StringComparison.Ordinal) && info.Contains("aof_rewrite_scheduled:0", StringComparison.Ordinal)
                && info.Contains("aof_last_bgrewrite_status:ok", StringComparison.Ordinal) && info.Contains("aof_rewrites:1", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException("BGREWRITEAOF did not finish within 30 s");
    }

    private static void AssertCoversEverything(List<string> dump)
    {
        foreach (string type in new[] { "string", "zset", "stream" })
        {
            Assert.Contains(dump, l => l.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal));
        }

        Assert.Contains(dump, l => l.Contains("\"value\":\"HYLL\\u0000", StringComparison.Ordinal)); // a dense HLL
        Assert.Contains(dump, l => l.Contains("\"value\":\"HYLL\\u0001", StringComparison.Ordinal)); // a sparse one
        Assert.Contains(dump, l => l.Contains("\"pending\":[[", StringComparison.Ordinal)); // a PEL
        Assert.Contains(dump, l => l.StartsWith("{\"db\":5,", StringComparison.Ordinal)); // SWAPDB's target
    }

    // Every newer command, with the forms Redis rewrites before logging (XADD *, MAXLEN ~, MINID
    // ~, XREADGROUP as XCLAIM, XAUTOCLAIM, XCLAIM of a deleted entry).
    private static void RunWorkload(RespClient c, string p)
    {
        foreach (string[] cmd in Workload(p))
        {
            c.Must(cmd);
        }
    }

    private static IEnumerable<string[]> Workload(string p)
    {
        const string Far = "4102444800123";
        foreach (string db in new[] { "0", "3" })
        {
            yield return ["SELECT", db];
            yield return ["SET", p + "s", "Hello World"];
            yield return ["SETRANGE", p + "s", "6", "Redis"];
            yield return ["SETRANGE", p + "pad", "10", "x"];
            yield return ["SETBIT", p + "bits", "7", "1"];
            yield return ["SETBIT", p + "bits", "100", "1"];
            yield return ["SETBIT", p + "bits", "7", "0"];
            yield return ["SET", p + "u1", "v"];
            yield return ["UNLINK", p + "u1", p + "none"];
            yield return ["ZADD", p + "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"];
            yield return ["ZPOPMIN", p + "z"];
            yield return ["ZPOPMAX", p + "z", "2"];
            yield return ["ZADD", p + "zgone", "1", "x"];
            yield return ["ZPOPMIN", p + "zgone", "5"];
            yield return ["RPUSH", p + "l", "a", "b"];
            yield return ["PEXPIREAT", p + "l", Far];
            yield return ["COPY", p + "l", p + "lcopy"];
            yield return ["COPY", p + "z", p + "zcopy", "DB", "7"];
            yield return ["SET", p + "dst", "old"];
            yield return ["COPY", p + "s", p + "dst", "REPLACE"];
            yield return ["PFADD", p + "hll", "a", "b", "c"];
            yield return ["PFCOUNT", p + "hll"];
            for (int i = 0; i < 3000; i += 100)
            {
                yield return ["PFADD", p + "dense", .. Enumerable.Range(i, 100).Select(n => "m" + n.ToString(CultureInfo.InvariantCulture))];
            }

            yield return ["PFCOUNT", p + "dense"];
            yield return ["PFMERGE", p + "merged", p + "hll", p + "dense"];
            yield return ["PFCOUNT", p + "hll", p + "dense"];

            // Streams.
            string st = p + "st";
            yield return ["XADD", st, "0-*", "f", "v1"];
            yield return ["XADD", st, "1-1", "a", "1", "b", "2"];
            yield return ["XADD", st, "1-*", "a", "3"];
            for (int i = 2; i < 12; i++)
            {
                yield return ["XADD", st, i.ToString(CultureInfo.InvariantCulture) + "-0", "n", i.ToString(CultureInfo.InvariantCulture)];
            }

            yield return ["XADD", st, "MAXLEN", "=", "10", "12-0", "n", "12"];
            yield return ["XADD", st, "MAXLEN", "~", "2", "13-0", "n", "13"];
            yield return ["XTRIM", st, "MAXLEN", "9"];
            yield return ["XTRIM", st, "MINID", "~", "5-0"];
            yield return ["XADD", st, "MINID", "6", "14-0", "n", "14"];
            yield return ["XDEL", st, "7-0", "99-0"];
            yield return ["XGROUP", "CREATE", st, "g1", "0"];
            yield return ["XGROUP", "CREATE", st, "g2", "$", "ENTRIESREAD", "3"];
            yield return ["XGROUP", "CREATE", st, "g3", "0"];
            yield return ["XGROUP", "CREATECONSUMER", st, "g1", "idle"];
            yield return ["XGROUP", "CREATECONSUMER", st, "g1", "gone"];
            yield return ["XGROUP", "DELCONSUMER", st, "g1", "gone"];
            yield return ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", st, ">"];
            yield return ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", st, ">"];
            yield return ["XREADGROUP", "GROUP", "g3", "carol", "NOACK", "COUNT", "2", "STREAMS", st, ">"];
            yield return ["XACK", st, "g1", "6-0"];
            yield return ["XCLAIM", st, "g1", "bob", "0", "8-0", "JUSTID"];
            yield return ["XCLAIM", st, "g1", "dave", "0", "9-0", "RETRYCOUNT", "7"];
            yield return ["XDEL", st, "10-0"];
            yield return ["XAUTOCLAIM", st, "g1", "erin", "0", "0", "COUNT", "1"];
            yield return ["XGROUP", "SETID", st, "g2", "5-0"];
            yield return ["XGROUP", "CREATE", st, "g4", "0"];
            yield return ["XGROUP", "DESTROY", st, "g4"];
            yield return ["XSETID", st, "100-5", "ENTRIESADDED", "50", "MAXDELETEDID", "90-0"];
            yield return ["XADD", p + "empty", "1-0", "f", "v"];
            yield return ["XDEL", p + "empty", "1-0"];
            yield return ["XGROUP", "CREATE", p + "mk", "g", "$", "MKSTREAM"];
            yield return ["MULTI"];
            yield return ["XADD", st, "*", "tx", "1"];
            yield return ["XCLAIM", st, "g1", "alice", "0", "9-0", "11-0"];
            yield return ["EXEC"];
        }

        yield return ["SWAPDB", "3", "5"];
    }

    private List<string> EngineLoad(string path)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = AofsimProcess.Run(["load", path, "--dump"], stdout, stderr);
        Assert.True(exit == 0, $"aofsim load {path} --dump exited {exit}: {stderr}\nfiles: {Describe(path)}");
        return stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static string Describe(string dir) =>
        string.Join(", ", Directory.GetFiles(dir).Select(f => $"{Path.GetFileName(f)} ({new FileInfo(f).Length} bytes)"));

    private static void AssertSameDump(List<string> expected, string expectedName, List<string> actual, string actualName)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{actualName} ({actual.Count} keys) differs from {expectedName} ({expected.Count} keys).\nOnly in {expectedName}:\n");
        foreach (string l in expected.Except(actual))
        {
            sb.Append("  ").Append(l.Length > 3000 ? l[..3000] + "..." : l).Append('\n');
        }

        sb.Append(CultureInfo.InvariantCulture, $"Only in {actualName}:\n");
        foreach (string l in actual.Except(expected))
        {
            sb.Append("  ").Append(l.Length > 3000 ? l[..3000] + "..." : l).Append('\n');
        }

        Assert.Fail(sb.ToString());
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return n;
    }

    // The engine's command processor as a client replying RESP2, for reply comparison in Redis's
    // own rendering (RespValue.ToString of the parsed bytes).
    private sealed class EngineClient
    {
        private readonly Dataset data = new();
        private readonly CommandProcessor processor;
        private readonly Client client = new();

        public EngineClient() => processor = new CommandProcessor(data, Profile.Fixed, new SplitMix64(3));

        public string Call(string[] argv)
        {
            var output = new ByteBuffer();
            processor.Execute(client, CommandArgs.Of(argv), new ReplyWriter(output), 1_700_000_000_000);
            return RespClient.Parse(output.Span.ToArray()).ToString();
        }

        public List<string> Dump() => DatasetDump.Lines(data, 1_700_000_000_000).ToList();

        public byte[] Get(string key) =>
            data[client.Db].TryGet(Encoding.Latin1.GetBytes(key), out DbEntry e) ? CommandContext.StringBytes(e.Value).ToArray() : [];
    }
}
