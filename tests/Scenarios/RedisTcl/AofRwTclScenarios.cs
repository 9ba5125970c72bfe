using System.Globalization;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using AofSim.Scenarios.Server;

namespace AofSim.Scenarios.RedisTcl;

/// <summary>
/// Redis 2.6's tests/unit/aofrw.tcl (unchanged from 2.6.0 to 2.6.17), test by test, against the
/// engine in-process. The engine has no OBJECT ENCODING and no DEBUG DIGEST/LOADAOF: the
/// encodings are reached by size (the Tcl test's 10 and 1000 elements), the digest is the
/// dataset's dump, and DEBUG LOADAOF is a fresh start on the rewritten file.
/// </summary>
public sealed class AofRwTclScenarios
{
    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    [Trait("tcl", "aofrw.tcl: Turning off AOF kills the background writing child if any")]
    public void TurningOffAofKillsTheBackgroundWritingChildIfAny(string profile)
    {
        var h = new ServerHarness(P(profile), AppendFsync.Everysec, appendOnly: false);

        // CONFIG SET appendonly yes starts a rewrite; waitForBgrewriteaof.
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET appendonly yes"));
        Assert.NotEqual(-1, h.Core.AofChildPid);
        h.Children.Finish(h.Core.AofChildPid);
        h.Tick(100);
        Assert.Equal("0", h.Info("aof_rewrite_in_progress"));

        h.Exec("MULTI", "BGREWRITEAOF", "CONFIG SET appendonly no");
        h.Sleep();
        int pid = h.Core.AofChildPid;
        Assert.Equal(-1, pid); // queued, not run yet
        string replies = h.Call("EXEC");
        Assert.Contains("+Background append only file rewriting started", replies, StringComparison.Ordinal);

        // stopAppendOnly: "Killing running AOF rewrite child: %ld".
        string killed = Assert.Single(h.Messages, m => m.StartsWith("Killing running AOF rewrite child: ", StringComparison.Ordinal));
        int killedPid = int.Parse(killed["Killing running AOF rewrite child: ".Length..], CultureInfo.InvariantCulture);
        Assert.DoesNotContain(killedPid, h.Children.Running);
        Assert.Equal(-1, h.Core.AofChildPid);
        Assert.Equal("0", h.Info("aof_enabled"));
    }

    /// <summary>Every type × data kind × small and large encoding, as the Tcl loops.</summary>
    public static TheoryData<string, string, string> Rewrites()
    {
        var data = new TheoryData<string, string, string>();
        foreach ((string type, string small, string large) in new[]
        {
            ("list", "ziplist", "linkedlist"), ("set", "intset", "hashtable"),
            ("hash", "ziplist", "hashtable"), ("zset", "ziplist", "skiplist"),
        })
        {
            foreach (string d in new[] { "string", "int" })
            {
                data.Add(type, small, d);
                data.Add(type, large, d);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rewrites))]
    [Trait("tcl", "aofrw.tcl: AOF rewrite of {list,set,hash,zset} with $e encoding, $d data")]
    public void AofRewriteOfTypeWithEncodingAndData(string type, string encoding, string d)
    {
        // "AOF rewrite of <type> with <encoding> encoding, <d> data": 10 elements for the compact
        // encoding, 1000 for the other. Seeded, so a failure replays.
        int len = encoding is "ziplist" or "intset" ? 10 : 1000;
        var rng = new Random(HashCode.Combine(type.Length, encoding.Length, d.Length, len));
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Loop.Execute(h.Conn, CommandArgs.Of("FLUSHALL"));
        for (int j = 0; j < len; j++)
        {
            string value = d == "string" ? RandString(rng) : rng.NextInt64(4_000_000_000).ToString(CultureInfo.InvariantCulture);
            string[] argv = type switch
            {
                "list" => ["LPUSH", "key", value],
                "set" => ["SADD", "key", value],
                "hash" => ["HSET", "key", value, value],
                _ => ["ZADD", "key", rng.NextDouble().ToString("R", CultureInfo.InvariantCulture), value],
            };
            h.Loop.Execute(h.Conn, CommandArgs.Of(argv));
            h.Sleep();
        }

        string[] before = Digest(h);
        Assert.Contains("\"type\":\"" + type + "\"", before[0], StringComparison.Ordinal);

        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
        int pid = h.Core.AofChildPid;
        Assert.Equal(0, h.Children.Finish(pid));
        h.Tick(100);
        Assert.Equal("ok", h.Info("aof_last_bgrewrite_status"));
        Assert.Contains("Background AOF rewrite finished successfully", h.Messages);

        // DEBUG LOADAOF: the rewritten file alone must give the same dataset.
        var loaded = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, existingAof: h.Aof);
        Assert.Null(loaded.Core.Stopped);
        Assert.Equal(before, Digest(loaded));
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    [Trait("tcl", "aofrw.tcl: BGREWRITEAOF is delayed if BGSAVE is in progress")]
    public void BgrewriteaofIsDelayedIfBgsaveIsInProgress(string profile)
    {
        var h = new ServerHarness(P(profile), AppendFsync.Everysec);
        h.Exec("MULTI", "BGSAVE", "BGREWRITEAOF", "INFO persistence");
        h.Sleep();
        string res = h.Call("EXEC");

        Assert.Contains("+Background saving started\r\n", res, StringComparison.Ordinal);
        Assert.Contains("+Background append only file rewriting scheduled\r\n", res, StringComparison.Ordinal);
        Assert.Contains("aof_rewrite_scheduled:1", res, StringComparison.Ordinal);

        // When the BGSAVE ends, the cron starts the scheduled rewrite.
        h.Children.Finish(h.Core.RdbChildPid);
        h.Tick(1000);
        Assert.Equal("0", h.Info("aof_rewrite_scheduled"));
        Assert.NotEqual(-1, h.Core.AofChildPid);
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    [Trait("tcl", "aofrw.tcl: BGREWRITEAOF is refused if already in progress")]
    public void BgrewriteaofIsRefusedIfAlreadyInProgress(string profile)
    {
        var h = new ServerHarness(P(profile), AppendFsync.Everysec);
        h.Exec("MULTI", "BGREWRITEAOF", "BGREWRITEAOF");
        h.Sleep();
        string res = h.Call("EXEC");

        Assert.Contains("+Background append only file rewriting started\r\n", res, StringComparison.Ordinal);
        Assert.Contains("-ERR Background append only file rewriting already in progress\r\n", res, StringComparison.Ordinal);
    }

    private static Profile P(string name) => Profile.TryGet(name, out Profile p) ? p : throw new ArgumentException(name);

    private static string[] Digest(ServerHarness h) => [.. DatasetDump.Lines(h.Core.Data, h.Clock.NowMs)];

    // Tcl's randstring 0 16 alpha: 0 to 16 letters.
    private static string RandString(Random rng) =>
        new([.. Enumerable.Range(0, rng.Next(17)).Select(_ => (char)('a' + rng.Next(26)))]);
}
