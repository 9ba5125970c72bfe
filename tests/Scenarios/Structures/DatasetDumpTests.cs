using AofSim.Engine.Data;
using AofSim.Scenarios.Commands;

namespace AofSim.Scenarios.Structures;

/// <summary>
/// The <c>aofsim load --dump</c> lines, field by field as <see cref="DatasetDump"/>'s summary
/// documents them. The stream's figures (entries added, the largest deleted ID, each group's last
/// ID, entries read and pending entries with their consumers and delivery counts) are what
/// <c>XINFO STREAM s FULL</c> answered on redis-server 7.0.15 after the same commands.
/// </summary>
public sealed class DatasetDumpTests
{
    private readonly CommandHarness h = new();

    private string[] Dump() => DatasetDump.Lines(h.Data, h.Now).ToArray();

    [Fact]
    public void AStreamShowsItsEntriesItsGroupsTheirConsumersAndWhatIsPending()
    {
        h.Setup(
            "XADD s 1-1 f v a b",
            "XADD s 2-0 g y",
            "XADD s 3-0 h i",
            "XDEL s 2-0",
            "XGROUP CREATE s g1 0",
            "XGROUP CREATE s g0 $",
            "XREADGROUP GROUP g1 alice COUNT 1 STREAMS s >",
            "XREADGROUP GROUP g1 bob COUNT 5 STREAMS s >",
            "XREADGROUP GROUP g1 alice STREAMS s 0",
            "XGROUP CREATECONSUMER s g1 carol");

        Assert.Equal(
            [
                "{\"db\":0,\"key\":\"s\",\"type\":\"stream\",\"expireAt\":null,\"value\":{\"lastId\":\"3-0\",\"entriesAdded\":3,\"maxDeletedId\":\"2-0\","
                + "\"entries\":[[\"1-1\",[\"f\",\"v\",\"a\",\"b\"]],[\"3-0\",[\"h\",\"i\"]]],"
                + "\"groups\":[{\"name\":\"g0\",\"lastId\":\"3-0\",\"entriesRead\":null,\"consumers\":[],\"pending\":[]},"
                + "{\"name\":\"g1\",\"lastId\":\"3-0\",\"entriesRead\":3,\"consumers\":[\"alice\",\"bob\",\"carol\"],\"pending\":[[\"1-1\",\"alice\",2],[\"3-0\",\"bob\",1]]}]}}",
            ],
            Dump());
    }

    [Fact]
    public void AnEmptyStreamHasNoEntriesAndNoGroups()
    {
        h.Setup("XADD s 5-5 f v", "XDEL s 5-5");

        Assert.Equal(
            ["{\"db\":0,\"key\":\"s\",\"type\":\"stream\",\"expireAt\":null,\"value\":{\"lastId\":\"5-5\",\"entriesAdded\":1,\"maxDeletedId\":\"5-5\",\"entries\":[],\"groups\":[]}}"],
            Dump());
    }

    [Fact]
    public void EveryByteSurvivesAsTheCharacterOfItsCode()
    {
        // Quote, backslash, the three named controls, another control, DEL and a byte above 0x7F.
        h.Run("SET", "k\"\\", "\t\n\r\u0001\u007f\u00e9 ");

        Assert.Equal(["{\"db\":0,\"key\":\"k\\\"\\\\\",\"type\":\"string\",\"expireAt\":null,\"value\":\"\\t\\n\\r\\u0001\\u007f\u00e9 \"}"], Dump());
    }

    [Fact]
    public void KeysComeByDbThenByTheirBytesAndExpiredKeysAreLeftOut()
    {
        h.Setup("SET a 1", "SET B 2", "SELECT 1", "SET c 3", "SELECT 0");
        h.Run("SET", "\u00ff", "4");
        h.Setup("SET gone 5 PX 10", "SET later 6 PX 5000");
        h.Now += 10;
        Assert.Contains(Dump(), l => l.Contains("\"gone\"", StringComparison.Ordinal)); // at its expiry, still there
        h.Now += 1; // Redis's keyIsExpired: gone once the time is past the expiry

        Assert.Equal(
            [
                "{\"db\":0,\"key\":\"B\",\"type\":\"string\",\"expireAt\":null,\"value\":\"2\"}",
                "{\"db\":0,\"key\":\"a\",\"type\":\"string\",\"expireAt\":null,\"value\":\"1\"}",
                $"{{\"db\":0,\"key\":\"later\",\"type\":\"string\",\"expireAt\":{h.Now - 11 + 5000},\"value\":\"6\"}}",
                "{\"db\":0,\"key\":\"\u00ff\",\"type\":\"string\",\"expireAt\":null,\"value\":\"4\"}",
                "{\"db\":1,\"key\":\"c\",\"type\":\"string\",\"expireAt\":null,\"value\":\"3\"}",
            ],
            Dump());
    }

    [Fact]
    public void CollectionsAreInTheirDocumentedOrders()
    {
        h.Setup(
            "RPUSH l z a z",
            "SADD st b a C",
            "ZADD z 1.5 m 0.1 n inf o",
            "HSET hh y 1 x 2");

        Assert.Equal(
            [
                "{\"db\":0,\"key\":\"hh\",\"type\":\"hash\",\"expireAt\":null,\"value\":[[\"x\",\"2\"],[\"y\",\"1\"]]}",
                "{\"db\":0,\"key\":\"l\",\"type\":\"list\",\"expireAt\":null,\"value\":[\"z\",\"a\",\"z\"]}",
                "{\"db\":0,\"key\":\"st\",\"type\":\"set\",\"expireAt\":null,\"value\":[\"C\",\"a\",\"b\"]}",
                "{\"db\":0,\"key\":\"z\",\"type\":\"zset\",\"expireAt\":null,\"value\":[[\"n\",\"0.10000000000000001\"],[\"m\",\"1.5\"],[\"o\",\"inf\"]]}",
            ],
            Dump());
    }
}
