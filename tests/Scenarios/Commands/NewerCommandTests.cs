using System.Text;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;

namespace AofSim.Scenarios.Commands;

/// <summary>
/// SETRANGE, GETRANGE, SETBIT, GETBIT, BITCOUNT (Redis 2.6) and UNLINK, COPY, ZPOPMIN, ZPOPMAX,
/// SWAPDB (Redis 4 to 6.2): replies, the dataset they leave and what they propagate. Expected
/// values are written from Redis's documentation and source (t_string.c, bitops.c, db.c,
/// t_zset.c of 7.0), not from the engine.
/// </summary>
public sealed class NewerCommandTests
{
    private readonly CommandHarness h = new();

    // ---------------------------------------------------------------- SETRANGE / GETRANGE

    [Fact]
    public void SetRangeOverwritesInPlaceAndRepliesTheNewLength()
    {
        h.Setup("SET k Hello_World");
        Assert.Equal(":11\r\n", h.Run("SETRANGE k 6 Redis"));
        Assert.Equal("$11\r\nHello_Redis\r\n", h.Run("GET k"));
        Assert.Equal(["0:SETRANGE k 6 Redis"], h.Sink.Commands);
    }

    [Fact]
    public void SetRangePastTheEndZeroPadsAndCreatesAMissingKey()
    {
        Assert.Equal(":8\r\n", h.Run("SETRANGE k 5 abc"));
        Assert.Equal("$8\r\n\0\0\0\0\0abc\r\n", h.Run("GET k"));
        h.Setup("SET s ab");
        Assert.Equal(":6\r\n", h.Run("SETRANGE s 4 z!"));
        Assert.Equal("$6\r\nab\0\0z!\r\n", h.Run("GET s"));
    }

    [Fact]
    public void SetRangeKeepsTheKeysExpiry()
    {
        h.Setup("SET k value PX 5000");
        Assert.Equal(":5\r\n", h.Run("SETRANGE k 0 V"));
        Assert.Equal(h.Now + 5000, h.Entry("k").ExpireAt);
    }

    [Fact]
    public void SetRangeWithAnEmptyValueRepliesTheLengthAndChangesNothing()
    {
        Assert.Equal(":0\r\n", h.Run("SETRANGE", "k", "3", string.Empty));
        Assert.False(h.Exists("k"));
        h.Setup("SET s abc");
        Assert.Equal(":3\r\n", h.Run("SETRANGE", "s", "10", string.Empty));
        Assert.Equal("$3\r\nabc\r\n", h.Run("GET s"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void SetRangeErrorsAreRedisWords()
    {
        Assert.Equal("-ERR offset is out of range\r\n", h.Run("SETRANGE k -1 x"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("SETRANGE k x x"));
        Assert.Equal("-ERR string exceeds maximum allowed size (512MB)\r\n", h.Run("SETRANGE k 536870911 xy"));
        Assert.Equal("-ERR string exceeds maximum allowed size (512MB)\r\n", h.Run("SETRANGE k 9223372036854775807 x"));
        h.Setup("RPUSH l a");
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("SETRANGE l 0 x"));
        Assert.False(h.Exists("k"));
        Assert.Empty(h.Sink.Commands);
    }

    [Theory]
    [InlineData("0 3", "This")]
    [InlineData("-3 -1", "ing")]
    [InlineData("0 -1", "This is a string")]
    [InlineData("10 100", "string")]
    [InlineData("5 2", "")]
    [InlineData("-1 -5", "")]
    [InlineData("-100 2", "Thi")]
    public void GetRangeClampsLikeRedis(string range, string expected)
    {
        Assert.Equal("+OK\r\n", h.Run("SET", "k", "This is a string"));
        Assert.Equal($"${expected.Length}\r\n{expected}\r\n", h.Run("GETRANGE k " + range));
    }

    [Fact]
    public void GetRangeOfAMissingKeyIsTheEmptyBulk()
    {
        Assert.Equal("$0\r\n\r\n", h.Run("GETRANGE nope 0 -1"));
    }

    // ---------------------------------------------------------------- SETBIT / GETBIT / BITCOUNT

    [Fact]
    public void SetBitCountsBitsFromTheMostSignificantAndRepliesTheOldBit()
    {
        Assert.Equal(":0\r\n", h.Run("SETBIT k 7 1"));
        Assert.Equal("$1\r\n\u0001\r\n", h.Run("GET k"));
        Assert.Equal(":0\r\n", h.Run("SETBIT k 0 1"));
        Assert.Equal("$1\r\n\u0081\r\n", h.Run("GET k"));
        Assert.Equal(":1\r\n", h.Run("SETBIT k 7 0"));
        Assert.Equal("$1\r\n\u0080\r\n", h.Run("GET k"));
        Assert.Equal(":0\r\n", h.Run("SETBIT k 20 1"));
        Assert.Equal("$3\r\n\u0080\0\u0008\r\n", h.Run("GET k"));
        Assert.Equal(["0:SETBIT k 7 1", "0:SETBIT k 0 1", "0:SETBIT k 7 0", "0:SETBIT k 20 1"], h.Sink.Commands);
    }

    [Fact]
    public void SetBitOnAStringSetWholeChangesItInPlaceAndKeepsItsExpiry()
    {
        h.Setup("SET k a EX 100"); // 'a' = 0x61 = 0110 0001
        Assert.Equal(":1\r\n", h.Run("SETBIT k 1 0"));
        Assert.Equal("$1\r\n!\r\n", h.Run("GET k")); // 0x21
        Assert.Equal(h.Now + 100_000, h.Entry("k").ExpireAt);
    }

    [Fact]
    public void GetBitReadsBitsAndZeroPastTheEnd()
    {
        h.Setup("SET k a");
        Assert.Equal(":0\r\n", h.Run("GETBIT k 0"));
        Assert.Equal(":1\r\n", h.Run("GETBIT k 1"));
        Assert.Equal(":1\r\n", h.Run("GETBIT k 7"));
        Assert.Equal(":0\r\n", h.Run("GETBIT k 100"));
        Assert.Equal(":0\r\n", h.Run("GETBIT nope 3"));
    }

    [Fact]
    public void BitErrorsAreRedisWords()
    {
        const string badOffset = "-ERR bit offset is not an integer or out of range\r\n";
        const string badBit = "-ERR bit is not an integer or out of range\r\n";
        Assert.Equal(badOffset, h.Run("SETBIT k -1 1"));
        Assert.Equal(badOffset, h.Run("SETBIT k 4294967296 1")); // byte 512 MB: one past the last
        Assert.Equal(badOffset, h.Run("SETBIT k x 1"));
        Assert.Equal(badBit, h.Run("SETBIT k 0 2"));
        Assert.Equal(badBit, h.Run("SETBIT k 0 -1"));
        Assert.Equal(badBit, h.Run("SETBIT k 0 y"));
        Assert.Equal(badOffset, h.Run("GETBIT k -1"));
        h.Setup("SADD s a");
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("SETBIT s 0 1"));
        Assert.False(h.Exists("k"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void BitCountCountsBytesOrBitRanges()
    {
        h.Setup("SET mykey foobar");
        Assert.Equal(":26\r\n", h.Run("BITCOUNT mykey"));
        Assert.Equal(":4\r\n", h.Run("BITCOUNT mykey 0 0"));
        Assert.Equal(":6\r\n", h.Run("BITCOUNT mykey 1 1"));
        Assert.Equal(":6\r\n", h.Run("BITCOUNT mykey 1 1 BYTE"));
        Assert.Equal(":17\r\n", h.Run("BITCOUNT mykey 5 30 BIT"));
        Assert.Equal(":7\r\n", h.Run("BITCOUNT mykey -2 -1")); // "ar": 3 + 4 bits
        Assert.Equal(":0\r\n", h.Run("BITCOUNT mykey -1 -2"));
        Assert.Equal(":0\r\n", h.Run("BITCOUNT nope 0"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("BITCOUNT mykey 0"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("BITCOUNT mykey 0 1 WORD"));
    }

    // ---------------------------------------------------------------- UNLINK

    [Fact]
    public void UnlinkDeletesLikeDelAndIsLoggedAsUnlink()
    {
        h.Setup("SET a 1", "RPUSH b x");
        Assert.Equal(":2\r\n", h.Run("UNLINK a b c"));
        Assert.False(h.Exists("a"));
        Assert.False(h.Exists("b"));
        Assert.Equal(":0\r\n", h.Run("UNLINK a"));
        Assert.Equal(["0:UNLINK a b c"], h.Sink.Commands);
    }

    // ---------------------------------------------------------------- COPY

    [Fact]
    public void CopyMakesAnIndependentValueWithTheSourcesExpiry()
    {
        h.Setup("RPUSH src a b", "PEXPIRE src 9000");
        Assert.Equal(":1\r\n", h.Run("COPY src dst"));
        Assert.Equal(h.Now + 9000, h.Entry("dst").ExpireAt);
        h.Setup("RPUSH src c");
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\nb\r\n", h.Run("LRANGE dst 0 -1"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", h.Run("LRANGE src 0 -1"));
    }

    [Fact]
    public void CopyOfAGrownStringIsIndependentToo()
    {
        h.Setup("APPEND s abc");
        Assert.Equal(":1\r\n", h.Run("COPY s t"));
        h.Setup("APPEND s def", "SETRANGE t 0 X");
        Assert.Equal("$6\r\nabcdef\r\n", h.Run("GET s"));
        Assert.Equal("$3\r\nXbc\r\n", h.Run("GET t"));
    }

    [Fact]
    public void CopyToAnExistingKeyNeedsReplace()
    {
        h.Setup("SET src new", "SET dst old EX 50");
        Assert.Equal(":0\r\n", h.Run("COPY src dst"));
        Assert.Equal("$3\r\nold\r\n", h.Run("GET dst"));
        Assert.Empty(h.Sink.Commands);
        Assert.Equal(":1\r\n", h.Run("COPY src dst REPLACE"));
        Assert.Equal("$3\r\nnew\r\n", h.Run("GET dst"));
        Assert.Equal(DbEntry.NoExpiry, h.Entry("dst").ExpireAt);
        Assert.Equal(["0:COPY src dst REPLACE"], h.Sink.Commands);
    }

    [Fact]
    public void CopyToAnotherDb()
    {
        h.Setup("HSET h f v");
        Assert.Equal(":1\r\n", h.Run("COPY h h DB 5"));
        Assert.True(h.Exists("h", db: 5));
        Assert.True(h.Exists("h"));
        Assert.Equal(["0:COPY h h DB 5"], h.Sink.Commands);
    }

    [Fact]
    public void CopyErrorsAndMisses()
    {
        h.Setup("SET k v");
        Assert.Equal(":0\r\n", h.Run("COPY nope x"));
        Assert.Equal("-ERR source and destination objects are the same\r\n", h.Run("COPY k k"));
        Assert.Equal("-ERR source and destination objects are the same\r\n", h.Run("COPY k k DB 0"));
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("COPY k x DB 16"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("COPY k x DB one"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("COPY k x DB"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("COPY k x FORCE"));
        Assert.Empty(h.Sink.Commands);
    }

    // ---------------------------------------------------------------- ZPOPMIN / ZPOPMAX

    [Fact]
    public void ZPopMinPopsTheLowestAndIsLoggedVerbatim()
    {
        h.Setup("ZADD z 1 one 2 two 3 three");
        Assert.Equal("*2\r\n$3\r\none\r\n$1\r\n1\r\n", h.Run("ZPOPMIN z"));
        Assert.Equal("*4\r\n$3\r\ntwo\r\n$1\r\n2\r\n$5\r\nthree\r\n$1\r\n3\r\n", h.Run("ZPOPMIN z 5"));
        Assert.False(h.Exists("z"));
        Assert.Equal(["0:ZPOPMIN z", "0:ZPOPMIN z 5"], h.Sink.Commands);
    }

    [Fact]
    public void ZPopMaxPopsTheHighestAndTiesByMember()
    {
        h.Setup("ZADD z 1 a 5 b 5 c 2.5 d");
        Assert.Equal("*4\r\n$1\r\nc\r\n$1\r\n5\r\n$1\r\nb\r\n$1\r\n5\r\n", h.Run("ZPOPMAX z 2"));
        Assert.Equal("*2\r\n$1\r\nd\r\n$3\r\n2.5\r\n", h.Run("ZPOPMAX z"));
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\n1\r\n", h.Run("ZRANGE z 0 -1 WITHSCORES"));
    }

    [Fact]
    public void ZPopOfNothingRepliesAnEmptyArrayAndLogsNothing()
    {
        Assert.Equal("*0\r\n", h.Run("ZPOPMIN nope"));
        h.Setup("ZADD z 1 a");
        Assert.Equal("*0\r\n", h.Run("ZPOPMAX z 0"));
        Assert.Equal("-ERR value is out of range, must be positive\r\n", h.Run("ZPOPMIN z -1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("ZPOPMIN z x"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("ZPOPMIN z 1 2"));
        h.Setup("SET s v");
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("ZPOPMIN s"));
        Assert.Empty(h.Sink.Commands);
    }

    // ---------------------------------------------------------------- SWAPDB

    [Fact]
    public void SwapDbExchangesKeysAndExpiriesAndTheClientStaysInItsDb()
    {
        h.Setup("SET a zero", "SET t ttl PX 7000", "SELECT 1", "SET b one", "SELECT 0");
        Assert.Equal("+OK\r\n", h.Run("SWAPDB 0 1"));
        Assert.Equal("$3\r\none\r\n", h.Run("GET b"));
        Assert.Equal("$-1\r\n", h.Run("GET a"));
        Assert.True(h.Exists("a", db: 1));
        Assert.Equal(h.Now + 7000, h.Entry("t", db: 1).ExpireAt);
        Assert.False(h.Exists("t"));
        Assert.Equal(["0:SWAPDB 0 1"], h.Sink.Commands);
    }

    [Fact]
    public void SwapDbWithItselfIsOkAndErrorsAreRedisWords()
    {
        h.Setup("SET a v");
        Assert.Equal("+OK\r\n", h.Run("SWAPDB 0 0"));
        Assert.True(h.Exists("a"));
        Assert.Equal("-ERR invalid first DB index\r\n", h.Run("SWAPDB x 1"));
        Assert.Equal("-ERR invalid second DB index\r\n", h.Run("SWAPDB 1 y"));
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("SWAPDB 0 16"));
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("SWAPDB -1 0"));
    }

    [Fact]
    public void SwapDbAfterAForkLeavesTheSnapshotAsItWas()
    {
        h.Setup("SET a v", "SELECT 2", "SET b w", "SELECT 0");
        DatasetSnapshot snapshot = h.Data.Fork();
        h.Setup("SWAPDB 0 2", "SET c x");
        Assert.True(snapshot[0].ContainsKey(Encoding.Latin1.GetBytes("a")));
        Assert.False(snapshot[0].ContainsKey(Encoding.Latin1.GetBytes("c")));
        Assert.True(snapshot[2].ContainsKey(Encoding.Latin1.GetBytes("b")));
        Assert.True(h.Exists("b"));
        Assert.True(h.Exists("c"));
        Assert.True(h.Exists("a", db: 2));
    }

    // ---------------------------------------------------------------- the loader

    [Fact]
    public void TheLoaderReplaysEveryNewCommand()
    {
        string aof = Resp("SELECT", "0") + Resp("SETRANGE", "s", "2", "xy") + Resp("SETBIT", "b", "9", "1")
            + Resp("SET", "u", "1") + Resp("UNLINK", "u") + Resp("ZADD", "z", "1", "a", "2", "b", "3", "c")
            + Resp("ZPOPMIN", "z") + Resp("ZPOPMAX", "z", "1") + Resp("COPY", "z", "zc", "DB", "4")
            + Resp("SWAPDB", "0", "3");
        var data = new Dataset();
        LoadResult r = AofLoader.Load(Encoding.Latin1.GetBytes(aof), data, Profile.Fixed, new LoadOptions { NowMs = h.Now });
        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(0, data[0].Count);
        Assert.Equal(
            [
                "{\"db\":3,\"key\":\"b\",\"type\":\"string\",\"expireAt\":null,\"value\":\"\\u0000@\"}",
                "{\"db\":3,\"key\":\"s\",\"type\":\"string\",\"expireAt\":null,\"value\":\"\\u0000\\u0000xy\"}",
                "{\"db\":3,\"key\":\"z\",\"type\":\"zset\",\"expireAt\":null,\"value\":[[\"b\",\"2\"]]}",
                "{\"db\":4,\"key\":\"zc\",\"type\":\"zset\",\"expireAt\":null,\"value\":[[\"b\",\"2\"]]}",
            ],
            DatasetDump.Lines(data, h.Now));
    }

    private static string Resp(params string[] argv) =>
        $"*{argv.Length}\r\n" + string.Concat(argv.Select(a => $"${Encoding.Latin1.GetByteCount(a)}\r\n{a}\r\n"));
}
