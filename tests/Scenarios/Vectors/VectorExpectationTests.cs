using System.Text;
using System.Text.Json.Nodes;
using static AofSim.Scenarios.Vectors.VectorFiles;

namespace AofSim.Scenarios.Vectors;

/// <summary>
/// A sample of every group checked against expectations written by hand here, from the seed's
/// aof.c and Redis's documented behaviour, not from the engine: the exported set cannot drift
/// into a wrong answer unseen. (The load and check vectors claiming Redis 7.0.15 are checked
/// against the real binaries too: RedisVectorInteropTests.)
/// </summary>
public sealed class VectorExpectationTests
{
    private const string Select0 = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";

    [Fact]
    public void EncodingIsTheCountThenALengthAndTheBytesOfEachArgument()
    {
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", S(Expected("encoding/set")["resp"]));
        Assert.Equal("*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$3\r\nx\0y\r\n", S(Expected("encoding/crlf-and-nul")["resp"]));
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", S(Expected("encoding/empty-argument")["resp"]));
    }

    [Fact]
    public void FeedSelectsTheDbAndMakesExpiriesAbsolute()
    {
        Assert.Equal(Select0 + R("SET", "k", "v"), S(Expected("feed/first-write-selects-fixed")["aof"]));
        Assert.Equal(R("SET", "k", "v"), S(Expected("feed/same-db-no-select-redis26")["aof"]));
        Assert.Equal("*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n" + R("SET", "k", "v"), S(Expected("feed/db-change-selects-fixed")["aof"]));

        // now_ms = 1700000000000: EXPIRE k 100 -> PEXPIREAT k 1700000100000.
        Assert.Equal(R("PEXPIREAT", "k", "1700000100000"), S(Expected("feed/expire-to-pexpireat-redis26")["aof"]));
        Assert.Equal(R("PEXPIREAT", "k", "4102444800000"), S(Expected("feed/expireat-to-pexpireat-fixed")["aof"]));
        Assert.Equal(R("DEL", "k"), S(Expected("feed/expire-in-the-past-is-del-fixed")["aof"]));
    }

    [Fact]
    public void FeedOfSetexAndSetExIsTheSeedsUnderRedis26AndOneAbsoluteSetUnderFixed()
    {
        Assert.Equal(Select0 + R("SET", "k", "v") + R("PEXPIREAT", "k", "1700000010000"), S(Expected("feed/setex-redis26")["aof"]));
        Assert.Equal(Select0 + R("SET", "k", "v", "PXAT", "1700000010000"), S(Expected("feed/setex-fixed")["aof"]));
        Assert.Equal(Select0 + R("SET", "k", "v", "EX", "10"), S(Expected("feed/set-ex-redis26")["aof"]));
        Assert.Equal(Select0 + R("SET", "k", "v", "PXAT", "1700000010000"), S(Expected("feed/set-ex-fixed")["aof"]));
        Assert.Equal(R("SET", "n", "2.5"), S(Expected("feed/incrbyfloat-as-set-redis26")["aof"]));
        Assert.Equal(R("SET", "n", "2.5", "KEEPTTL"), S(Expected("feed/incrbyfloat-as-set-fixed")["aof"]));
        Assert.Equal(R("SREM", "s", "m"), S(Expected("feed/spop-as-srem-fixed")["aof"]));
        Assert.Equal(string.Empty, S(Expected("feed/failed-command-not-written-fixed")["aof"]));
        Assert.Equal(R("MULTI") + R("SET", "b", "2") + R("INCR", "a") + R("EXEC"), S(Expected("feed/exec-writes-the-block-fixed")["aof"]));
    }

    [Fact]
    public void LoadDropsReplyErrorsAndReportsTruncationsAsTheSeedAndRedis2Point8Do()
    {
        JsonObject rpush = Expected("load/rpush-on-a-string-fixed");
        Assert.Equal("loaded", S(rpush["outcome"]));
        Assert.Equal(1, rpush["replay_errors"]!.GetValue<long>());
        Assert.Equal(["a", "k"], ((JsonArray)rpush["dataset"]!).Select(k => S(k!["key"])));

        Assert.Equal("bad-format", S(Expected("load/cut-inside-bulk-redis26")["outcome"]));
        Assert.Equal("unexpected-eof", S(Expected("load/cut-inside-bulk-fixed")["outcome"]));
        Assert.Equal("Unexpected end of file reading the append only file", S(Expected("load/cut-inside-bulk-fixed")["message"]));

        // SET k v is 27 bytes: a truncated load keeps it and cuts there.
        JsonObject truncated = Expected("load/cut-inside-bulk-truncated-fixed");
        Assert.Equal("truncated", S(truncated["outcome"]));
        Assert.Equal(27, truncated["valid_up_to"]!.GetValue<long>());

        // MULTI at 27: reverted whole under fixed; under redis26 SET a 1 has run already.
        Assert.Equal(27, Expected("load/multi-left-open-truncated-fixed")["valid_up_to"]!.GetValue<long>());
        Assert.Equal(["k"], ((JsonArray)Expected("load/multi-left-open-truncated-fixed")["dataset"]!).Select(k => S(k!["key"])));
        Assert.Equal(["a", "k"], ((JsonArray)Expected("load/multi-left-open-truncated-redis26")["dataset"]!).Select(k => S(k!["key"])));
        Assert.Equal("Unknown command 'FOO' reading the append only file", S(Expected("load/unknown-command-fixed")["message"]));
    }

    [Fact]
    public void CheckReportsAsRedisCheckAofPrints()
    {
        JsonObject cut = Expected("check/cut-inside-bulk");
        Assert.Equal(1, cut["exit"]!.GetValue<int>());
        Assert.Equal(27, cut["size_after_fix"]!.GetValue<long>());
        Assert.Contains("AOF analyzed: filename=appendonly.aof, size=54, ok_up_to=27, ok_up_to_line=14, diff=27", ((JsonArray)cut["report"]!).Select(l => S(l)));
        Assert.Equal(0, Expected("check/valid")["exit"]!.GetValue<int>());
    }

    [Fact]
    public void RewriteBatches64ItemsPrintsScoresAs17gAndWritesTheExpiryAfterTheKey()
    {
        var list = new StringBuilder(Select0);
        list.Append(R(["RPUSH", "l", .. Enumerable.Range(1, 64).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]));
        list.Append(R(["RPUSH", "l", .. Enumerable.Range(65, 6).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]));
        Assert.Equal(list.ToString(), S(Expected("rewrite/list-in-64-item-batches-fixed")["aof"]));

        Assert.Equal(Select0 + R("ZADD", "z", "0.10000000000000001", "a", "1.5", "b", "100", "c"), S(Expected("rewrite/zset-scores-17g-fixed")["aof"]));
        Assert.Equal(Select0 + R("SET", "k", "v") + R("PEXPIREAT", "k", "4102444800123"), S(Expected("rewrite/expiry-after-the-key-redis26")["aof"]));

        // #4: the seed writes the expired key and skips only its PEXPIREAT; the fix skips it whole
        // (db 0 is not empty when the rewrite starts, so its SELECT is written either way).
        string select1 = "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n";
        Assert.Equal(Select0 + R("SET", "gone", "v") + select1 + R("SET", "k", "v"), S(Expected("rewrite/expired-key-redis26")["aof"]));
        Assert.Equal(Select0 + select1 + R("SET", "k", "v"), S(Expected("rewrite/expired-key-fixed")["aof"]));
        Assert.Equal(Select0 + R("SET", "a", "1") + "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n" + R("SET", "k", "v") + "*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n" + R("SET", "z", "9"), S(Expected("rewrite/strings-per-db-fixed")["aof"]));
        Assert.Equal(Select0 + R("SADD", "s", "x"), S(Expected("rewrite/set-redis26")["aof"]));
        Assert.Equal(Select0 + R("HMSET", "h", "f", "v"), S(Expected("rewrite/hash-fixed")["aof"]));
    }

    [Fact]
    public void UnderAlwaysTheReplyComesOnlyAfterTheWriteAndTheFsync()
    {
        // Steps: SET k v, then beforeSleep: write(SELECT 0 + SET = 23 + 27 bytes), fdatasync, reply.
        JsonArray sleep = (JsonArray)((JsonArray)Expected("flush/always-write-fsync-then-reply-fixed")["steps"]!)[1]!;
        Assert.Equal(["write appendonly.aof 50", "fdatasync appendonly.aof", "reply +OK\r\n"], sleep.Select(l => S(l)));

        // A failed write under always: no reply ever, the server stops.
        JsonObject failed = Expected("flush/always-write-error-exits-fixed");
        Assert.DoesNotContain(((JsonArray)failed["steps"]!).SelectMany(s => (JsonArray)s!).Select(l => S(l)), l => l.StartsWith("reply ", StringComparison.Ordinal));
        Assert.NotNull(failed["state"]!["stopped"]);
    }

    [Fact]
    public void UnderEverysecAPendingFsyncPostponesTheWriteForTwoSecondsWhileTheReplyGoesOut()
    {
        // Steps: SET k v, sleep, +1 s, SET a 1, sleep (written, fsync submitted and left pending),
        // SET b 2, sleep (postponed), +1 s, sleep (still postponed), +1.1 s, sleep (written anyway).
        JsonObject e = Expected("flush/everysec-postpone-then-delayed-write-fixed");
        JsonArray steps = (JsonArray)e["steps"]!;
        string[] Step(int i) => [.. ((JsonArray)steps[i]!).Select(l => S(l))];

        Assert.Equal(["write appendonly.aof 27", "bio submit fsync 3", "reply +OK\r\n"], Step(4));

        // Everysec promises at most about two seconds of loss, not a write before the reply: the
        // seed's event loop sends the reply while the write waits behind the pending fsync.
        Assert.Equal(["reply +OK\r\n"], Step(6));
        Assert.Empty(Step(8));
        Assert.Equal(
            ["log notice: Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.", "write appendonly.aof 27"],
            Step(10));
        Assert.Equal(1, e["state"]!["aof_delayed_fsync"]!.GetValue<long>());
    }

    [Fact]
    public void AKilledRewriteRemovesOneTempNameInTheSeedAndBothUnderTheFix()
    {
        string[] seed = [.. ((JsonArray)Expected("rewrite-done/child-killed-redis26")["steps"]!).SelectMany(s => (JsonArray)s!).Select(l => S(l))];
        string[] fix = [.. ((JsonArray)Expected("rewrite-done/child-killed-fixed")["steps"]!).SelectMany(s => (JsonArray)s!).Select(l => S(l))];

        Assert.Contains("unlink temp-rewriteaof-bg-4001.aof", seed);
        Assert.DoesNotContain("unlink temp-rewriteaof-4001.aof", seed);
        Assert.Contains("unlink temp-rewriteaof-bg-4001.aof", fix);
        Assert.Contains("unlink temp-rewriteaof-4001.aof", fix);
        Assert.Contains("log warning: Background AOF rewrite terminated by signal 9", fix);
    }

    [Fact]
    public void ASuccessfulRewriteFsyncsTheNewFileBeforeTheRenameAndTheDirectoryAfterUnderTheFix()
    {
        string[] fix = [.. ((JsonArray)Expected("rewrite-done/success-fixed")["steps"]!).SelectMany(s => (JsonArray)s!).Select(l => S(l))];
        string[] seed = [.. ((JsonArray)Expected("rewrite-done/success-redis26")["steps"]!).SelectMany(s => (JsonArray)s!).Select(l => S(l))];

        int fsync = Array.IndexOf(fix, "fsync temp-rewriteaof-bg-4001.aof");
        int rename = Array.IndexOf(fix, "rename temp-rewriteaof-bg-4001.aof appendonly.aof");
        int dir = Array.LastIndexOf(fix, "fsyncdir .");
        Assert.True(fsync >= 0 && rename > fsync && dir > rename, string.Join(" | ", fix));
        Assert.DoesNotContain("fsync temp-rewriteaof-bg-4001.aof", seed);
        Assert.Contains("rename temp-rewriteaof-bg-4001.aof appendonly.aof", seed);

        // The file is the rewrite (SELECT 0, SET k v) then the diff (SET a 1, its own SELECT 0).
        Assert.Equal(Select0 + R("SET", "k", "v") + Select0 + R("SET", "a", "1"), S(Expected("rewrite-done/success-fixed")["files"]!["appendonly.aof"]));
    }

    // The RESP of a command, written here independently of the engine's encoder.
    private static string R(params string[] argv) =>
        $"*{argv.Length}\r\n" + string.Concat(argv.Select(a => $"${Encoding.Latin1.GetByteCount(a)}\r\n{a}\r\n"));
}
