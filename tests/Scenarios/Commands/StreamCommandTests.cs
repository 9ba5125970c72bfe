using System.Text;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using AofSim.Engine.Text;

namespace AofSim.Scenarios.Commands;

/// <summary>
/// The stream commands: replies and errors as Redis 7.0 documents them (and words them in
/// t_stream.c), and above all what each logs: Redis 7 never logs a generated ID, an approximate
/// trim or an XREADGROUP, but the exact command that replays to the same stream.
/// </summary>
public sealed class StreamCommandTests
{
    private const string NoGroupG = "-NOGROUP No such consumer group 'g' for key name 's'\r\n";

    private readonly CommandHarness h = new();

    // ---------------------------------------------------------------- XADD

    [Fact]
    public void XAddWithAnExplicitIdRepliesItAndIsLoggedVerbatim()
    {
        Assert.Equal("$3\r\n1-1\r\n", h.Run("XADD s 1-1 f v"));
        Assert.Equal("$3\r\n1-2\r\n", h.Run("XADD s 1-2 a 1 b 2"));
        Assert.Equal(["0:XADD s 1-1 f v", "0:XADD s 1-2 a 1 b 2"], h.Sink.Commands);
        Assert.Equal(":2\r\n", h.Run("XLEN s"));
        Assert.Equal("+stream\r\n", h.Run("TYPE s"));
    }

    [Fact]
    public void XAddStarTakesTheClocksMillisecondAndIsLoggedWithTheIdItMade()
    {
        string id = $"{h.Now}-0";
        Assert.Equal($"${id.Length}\r\n{id}\r\n", h.Run("XADD s * f v"));
        string next = $"{h.Now}-1";
        Assert.Equal($"${next.Length}\r\n{next}\r\n", h.Run("XADD s * f w")); // same millisecond: the sequence goes on
        Assert.Equal([$"0:XADD s {id} f v", $"0:XADD s {next} f w"], h.Sink.Commands);
    }

    [Fact]
    public void XAddWithAnAutoSequenceContinuesTheLastIdsMillisecond()
    {
        Assert.Equal("$3\r\n5-0\r\n", h.Run("XADD s 5-* f v"));
        Assert.Equal("$3\r\n5-1\r\n", h.Run("XADD s 5-* f v"));
        Assert.Equal("$3\r\n6-0\r\n", h.Run("XADD s 6-* f v"));
        Assert.Equal(["0:XADD s 5-0 f v", "0:XADD s 5-1 f v", "0:XADD s 6-0 f v"], h.Sink.Commands);
    }

    [Fact]
    public void XAddErrors()
    {
        h.Setup("XADD s 5-0 f v");
        Assert.Equal("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", h.Run("XADD s 5-0 f v"));
        Assert.Equal("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", h.Run("XADD s 4-* f v"));
        Assert.Equal("-ERR The ID specified in XADD must be greater than 0-0\r\n", h.Run("XADD t 0-0 f v"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XADD s abc f v"));
        Assert.Equal("-ERR wrong number of arguments for 'xadd' command\r\n", h.Run("XADD s 9-0 f v g"));
        Assert.Equal("-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n", h.Run("XADD s MAXLEN 5 LIMIT 10 9-0 f v"));
        Assert.Equal("-ERR The MAXLEN argument must be >= 0.\r\n", h.Run("XADD s MAXLEN -1 9-0 f v"));
        Assert.Equal("-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n", h.Run("XADD s MAXLEN 1 MINID 2 9-0 f v"));
        h.Setup("SET str x");
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("XADD str 1-0 f v"));
        Assert.False(h.Exists("t"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XAddNoMkStreamOnAMissingKeyRepliesNilAndMakesNothing()
    {
        Assert.Equal("$-1\r\n", h.Run("XADD s NOMKSTREAM 1-0 f v"));
        Assert.False(h.Exists("s"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void AnExactMaxLenTrimsAtOnceAndIsLoggedVerbatim()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        Assert.Equal("$3\r\n4-0\r\n", h.Run("XADD s MAXLEN 2 4-0 n 4"));
        Assert.Equal(":2\r\n", h.Run("XLEN s"));
        Assert.Equal("*2\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nn\r\n$1\r\n3\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\nn\r\n$1\r\n4\r\n", h.Run("XRANGE s - +"));
        Assert.Equal(["0:XADD s MAXLEN 2 4-0 n 4"], h.Sink.Commands);
    }

    [Fact]
    public void AnApproximateTrimIsLoggedAsTheExactOneThatGivesTheSameStream()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        h.Run("XADD s MAXLEN ~ 1 4-0 n 4");
        long length = long.Parse(h.Run("XLEN s")[1..^2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([$"0:XADD s MAXLEN = {length} 4-0 n 4"], h.Sink.Commands);
        h.Sink.Commands.Clear();
        h.Run("XADD s MINID ~ 3 5-0 n 5");
        string first = ParseArrayOfIds(h.Run("XRANGE s - + COUNT 1"))[0];
        Assert.Equal([$"0:XADD s MINID = {first} 5-0 n 5"], h.Sink.Commands);
    }

    // ---------------------------------------------------------------- XTRIM, XDEL, XSETID

    [Fact]
    public void XTrimRepliesHowManyWentAndLogsOnlyARealTrim()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        Assert.Equal(":1\r\n", h.Run("XTRIM s MINID 2-0"));
        Assert.Equal(":0\r\n", h.Run("XTRIM s MAXLEN 5"));
        Assert.Equal(":1\r\n", h.Run("XTRIM s MAXLEN = 1"));
        Assert.Equal(":0\r\n", h.Run("XTRIM missing MAXLEN 1"));
        Assert.Equal(["0:XTRIM s MINID 2-0", "0:XTRIM s MAXLEN = 1"], h.Sink.Commands);
        Assert.Equal("-ERR syntax error, XTRIM must be called with a trimming strategy\r\n", h.Run("XTRIM s LIMIT 0"));
        Assert.Equal("-ERR wrong number of arguments for 'xtrim' command\r\n", h.Run("XTRIM s"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XTRIM s FOO 1"));
    }

    [Fact]
    public void XDelCountsWhatItFoundAndRemembersTheLargestDeletedId()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        Assert.Equal(":2\r\n", h.Run("XDEL s 2-0 1-0 9-0"));
        Assert.Equal(":0\r\n", h.Run("XDEL s 2-0"));
        var s = (RedisStream)h.Entry("s").Value;
        Assert.Equal(new StreamId(2, 0), s.MaxDeletedId);
        Assert.Equal(new StreamId(3, 0), s.LastId);
        Assert.Equal(3, s.EntriesAdded);
        Assert.Equal(["0:XDEL s 2-0 1-0 9-0"], h.Sink.Commands);
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XDEL s +"));
    }

    [Fact]
    public void XSetIdMovesTheCountersAndChecksThem()
    {
        h.Setup("XADD s 5-0 n 1");
        Assert.Equal("+OK\r\n", h.Run("XSETID s 10-0 ENTRIESADDED 7 MAXDELETEDID 4-0"));
        var s = (RedisStream)h.Entry("s").Value;
        Assert.Equal((new StreamId(10, 0), 7L, new StreamId(4, 0)), (s.LastId, s.EntriesAdded, s.MaxDeletedId));
        Assert.Equal("-ERR The ID specified in XSETID is smaller than the target stream top item\r\n", h.Run("XSETID s 4-0"));
        Assert.Equal("-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n", h.Run("XSETID s 11-0 ENTRIESADDED 0"));
        Assert.Equal("-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n", h.Run("XSETID s 11-0 MAXDELETEDID 12-0"));
        Assert.Equal("-ERR entries_added must be positive\r\n", h.Run("XSETID s 11-0 ENTRIESADDED -1"));
        Assert.Equal("-ERR no such key\r\n", h.Run("XSETID missing 1-0"));
        Assert.Equal(["0:XSETID s 10-0 ENTRIESADDED 7 MAXDELETEDID 4-0"], h.Sink.Commands);
    }

    // ---------------------------------------------------------------- groups

    [Fact]
    public void XGroupSubcommandsReplyAsDocumented()
    {
        Assert.Equal("-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n", h.Run("XGROUP CREATE s g $"));
        Assert.Equal("+OK\r\n", h.Run("XGROUP CREATE s g $ MKSTREAM"));
        Assert.Equal("-BUSYGROUP Consumer Group name already exists\r\n", h.Run("XGROUP CREATE s g 0"));
        Assert.Equal(":1\r\n", h.Run("XGROUP CREATECONSUMER s g alice"));
        Assert.Equal(":0\r\n", h.Run("XGROUP CREATECONSUMER s g alice"));
        Assert.Equal("-NOGROUP No such consumer group 'x' for key name 's'\r\n", h.Run("XGROUP CREATECONSUMER s x bob"));
        Assert.Equal("+OK\r\n", h.Run("XGROUP SETID s g 0 ENTRIESREAD 0"));
        Assert.Equal(":0\r\n", h.Run("XGROUP DELCONSUMER s g alice"));
        Assert.Equal(":1\r\n", h.Run("XGROUP DESTROY s g"));
        Assert.Equal(":0\r\n", h.Run("XGROUP DESTROY s g"));
        Assert.Equal(NoGroupG, h.Run("XGROUP SETID s g 0"));
        Assert.Equal("-ERR unknown subcommand 'FOO'. Try XGROUP HELP.\r\n", h.Run("XGROUP FOO s g"));
        Assert.Equal("-ERR wrong number of arguments for 'xgroup|destroy' command\r\n", h.Run("XGROUP DESTROY s"));
        Assert.Equal(
            ["0:XGROUP CREATE s g $ MKSTREAM", "0:XGROUP CREATECONSUMER s g alice", "0:XGROUP SETID s g 0 ENTRIESREAD 0", "0:XGROUP DELCONSUMER s g alice", "0:XGROUP DESTROY s g"],
            h.Sink.Commands);
    }

    [Fact]
    public void XReadGroupIsLoggedAsAnIdempotentXClaimPerEntry()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XGROUP CREATE s g 0");
        Assert.Equal(
            "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n",
            h.Run("XREADGROUP GROUP g alice STREAMS s >"));
        Assert.Equal(
            [
                "0:MULTI",
                $"0:XCLAIM s g alice 0 1-0 TIME {h.Now} RETRYCOUNT 1 FORCE JUSTID LASTID 1-0",
                $"0:XCLAIM s g alice 0 2-0 TIME {h.Now} RETRYCOUNT 1 FORCE JUSTID LASTID 2-0",
                "0:EXEC",
            ],
            h.Sink.Commands);
        Assert.Equal("*-1\r\n", h.Run("XREADGROUP GROUP g alice STREAMS s >")); // nothing new
        StreamGroup g = ((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")];
        Assert.Equal((new StreamId(2, 0), 2L, 2), (g.LastId, g.EntriesRead, g.Pel.Count));
    }

    [Fact]
    public void XReadGroupWithNoAckLogsTheGroupsNewLastIdAndTheConsumer()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0");
        h.Run("XREADGROUP GROUP g bob NOACK STREAMS s >");
        Assert.Equal(["0:MULTI", "0:XGROUP CREATECONSUMER s g bob", "0:XGROUP SETID s g 1-0 ENTRIESREAD 1", "0:EXEC"], h.Sink.Commands);
    }

    [Fact]
    public void XAckRemovesPendingEntriesAndCountsThem()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >");
        Assert.Equal(":1\r\n", h.Run("XACK s g 1-0 9-0"));
        Assert.Equal(":0\r\n", h.Run("XACK s g 1-0"));
        Assert.Equal(":0\r\n", h.Run("XACK s nogroup 2-0"));
        Assert.Equal(["0:XACK s g 1-0 9-0"], h.Sink.Commands);
    }

    [Fact]
    public void XClaimMovesAnEntryAndLogsTheClaimNotItself()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >");
        Assert.Equal("*1\r\n$3\r\n1-0\r\n", h.Run("XCLAIM s g bob 0 1-0 JUSTID"));
        Assert.Equal([$"0:XCLAIM s g bob 0 1-0 TIME {h.Now} RETRYCOUNT 1 FORCE JUSTID LASTID 1-0"], h.Sink.Commands);
        StreamGroup g = ((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")];
        Assert.Equal("bob", Encoding.ASCII.GetString(g.Pel[new StreamId(1, 0)].Consumer.Name));
        Assert.Equal("-NOGROUP No such key 's' or consumer group 'x'\r\n", h.Run("XCLAIM s x bob 0 1-0"));
        Assert.Equal("-ERR Unrecognized XCLAIM option 'FOO'\r\n", h.Run("XCLAIM s g bob 0 1-0 FOO"));
    }

    [Fact]
    public void XClaimOfADeletedEntryDropsItsPendingEntry()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "XDEL s 1-0");
        Assert.Equal("*0\r\n", h.Run("XCLAIM s g bob 0 1-0"));
        Assert.Empty(((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")].Pel);
        Assert.Equal([$"0:XCLAIM s g alice 0 1-0 TIME {h.Now} RETRYCOUNT 1 FORCE JUSTID LASTID 1-0"], h.Sink.Commands);
    }

    [Fact]
    public void InsideATransactionTheClaimsAreNotWrappedAgain()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >");
        h.Setup("MULTI");
        h.Run("XCLAIM s g bob 0 1-0 2-0 JUSTID");
        h.Run("EXEC");
        Assert.Equal(
            [
                "0:MULTI",
                $"0:XCLAIM s g bob 0 1-0 TIME {h.Now} RETRYCOUNT 1 FORCE JUSTID LASTID 2-0",
                $"0:XCLAIM s g bob 0 2-0 TIME {h.Now} RETRYCOUNT 1 FORCE JUSTID LASTID 2-0",
                "0:EXEC",
            ],
            h.Sink.Commands);
    }

    // ---------------------------------------------------------------- the rewrite

    [Fact]
    public void TheRewriteEmitsAStreamAsRedis7sRewriteStreamObjectDoes()
    {
        h.Setup("XADD s 1-0 f v", "XADD s 2-0 n 2", "XDEL s 2-0", "XGROUP CREATE s g 0 ENTRIESREAD 0", "XGROUP CREATECONSUMER s g idle");
        h.Setup("XREADGROUP GROUP g alice COUNT 1 STREAMS s >");
        string expected =
            Resp("XADD", "s", "1-0", "f", "v")
            + Resp("XSETID", "s", "2-0", "ENTRIESADDED", "2", "MAXDELETEDID", "2-0")
            // entries-read: reading 1-0 with a deleted 2-0 at or after it, Redis cannot count
            // (streamRangeHasTombstones), and its estimate gives up too: -1.
            + Resp("XGROUP", "CREATE", "s", "g", "1-0", "ENTRIESREAD", "-1")
            + Resp("XCLAIM", "s", "g", "alice", "0", "1-0", "TIME", h.Now.ToString(System.Globalization.CultureInfo.InvariantCulture), "RETRYCOUNT", "1", "JUSTID", "FORCE")
            + Resp("XGROUP", "CREATECONSUMER", "s", "g", "idle");
        var buffer = new ByteBuffer();
        Assert.True(AofRewriter.WriteObject(new BufferRio(buffer), Encoding.ASCII.GetBytes("s"), h.Entry("s").Value));
        Assert.Equal(expected, Encoding.Latin1.GetString(buffer.Span));
    }

    [Fact]
    public void TheRewriteOfAnEmptyStreamUsesTheMaxLenZeroTrickAndReloadsToTheSameStream()
    {
        h.Setup("XADD s 1-0 f v", "XDEL s 1-0");
        var buffer = new ByteBuffer();
        Assert.True(AofRewriter.WriteObject(new BufferRio(buffer), Encoding.ASCII.GetBytes("s"), h.Entry("s").Value));
        Assert.Equal(
            Resp("XADD", "s", "MAXLEN", "0", "0-1", "x", "y") + Resp("XSETID", "s", "1-0", "ENTRIESADDED", "1", "MAXDELETEDID", "1-0"),
            Encoding.Latin1.GetString(buffer.Span));
        var data = new Dataset();
        Assert.Equal(LoadOutcome.Loaded, AofLoader.Load(buffer.Span, data, Profile.Fixed, new LoadOptions { NowMs = h.Now }).Outcome);
        Assert.Equal(DatasetDump.Lines(h.Data, h.Now), DatasetDump.Lines(data, h.Now));
    }

    // ---------------------------------------------------------------- checked against redis-server 7.0.15

    [Fact]
    public void AnIdWhoseSequenceIsNotANumberIsInvalid()
    {
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XADD s 1-abc f v"));
        h.Setup("XADD s 1-0 n 1");
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XTRIM s MINID abc"));
        Assert.Equal(":1\r\n", h.Run("XLEN s"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void ALimitWithoutItsValueIsASyntaxError()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2");
        Assert.Equal("-ERR syntax error\r\n", h.Run("XTRIM s MAXLEN 1 LIMIT"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XTRIM s MAXLEN ~ 1 LIMIT"));
        Assert.Equal(":2\r\n", h.Run("XLEN s"));
    }

    [Fact]
    public void EveryChangeCountsOnceInTheDirtyCounter()
    {
        // rdb_changes_since_last_save: +1 for an XADD, +1 for an XSETID.
        long before = h.Processor.Context.Dirty;
        h.Run("XADD s 1-0 n 1");
        Assert.Equal(before + 1, h.Processor.Context.Dirty);
        h.Run("XSETID s 5-0");
        Assert.Equal(before + 2, h.Processor.Context.Dirty);
    }

    [Fact]
    public void XSetIdReportsABadOptionValueOnceAndChangesNothing()
    {
        h.Setup("XADD s 1-0 n 1");
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("XSETID s 10-0 ENTRIESADDED abc"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XSETID s 10-0 MAXDELETEDID abc"));
        Assert.Equal(new StreamId(1, 0), ((RedisStream)h.Entry("s").Value).LastId);
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XSetIdWithoutEntriesAddedKeepsTheCounter()
    {
        // XINFO STREAM after XADD 1-0, 2-0, 3-0 and XSETID s 10-0: entries-added 3.
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        Assert.Equal("+OK\r\n", h.Run("XSETID s 10-0"));
        var s = (RedisStream)h.Entry("s").Value;
        Assert.Equal((new StreamId(10, 0), 3L, StreamId.Zero), (s.LastId, s.EntriesAdded, s.MaxDeletedId));
    }

    [Fact]
    public void XGroupCreateAndSetIdNeedTheirId()
    {
        h.Setup("XADD s 1-0 n 1");
        Assert.Equal("-ERR wrong number of arguments for 'xgroup|create' command\r\n", h.Run("XGROUP CREATE s g"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("XGROUP CREATE s g 0 ENTRIESREAD abc"));
        Assert.False(((RedisStream)h.Entry("s").Value).Groups.ContainsKey(Encoding.ASCII.GetBytes("g")));
        h.Setup("XGROUP CREATE s g 0");
        Assert.Equal("-ERR wrong number of arguments for 'xgroup|setid' command\r\n", h.Run("XGROUP SETID s g"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XGroupOnAKeyOfAnotherTypeRepliesWrongTypeOnly()
    {
        h.Setup("SET str x");
        const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        Assert.Equal(WrongType, h.Run("XGROUP CREATE str g 0"));
        Assert.Equal(WrongType, h.Run("XGROUP CREATE str g 0 MKSTREAM"));
        Assert.Equal(WrongType, h.Run("XGROUP SETID str g 0"));
        Assert.Equal("$1\r\nx\r\n", h.Run("GET str"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XClaimOfAnEntryNeverDeliveredClaimsNothingWithoutForce()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0");
        Assert.Equal("*0\r\n", h.Run("XCLAIM s g bob 0 1-0"));
        Assert.Empty(((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")].Pel);
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XClaimRepliesTheEntriesAndCountsADeliveryUnlessJustId()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >");
        Assert.Equal("*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n", h.Run("XCLAIM s g bob 0 1-0 IDLE 5"));
        StreamNack nack = ((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")].Pel[new StreamId(1, 0)];
        Assert.Equal((2L, h.Now - 5), (nack.DeliveryCount, nack.DeliveryTime)); // XPENDING: bob, 2 deliveries
        Assert.Equal("-ERR Unrecognized XCLAIM option 'IDLE'\r\n", h.Run("XCLAIM s g bob 0 1-0 IDLE"));
    }

    [Fact]
    public void XReadGroupOptionErrors()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0");
        Assert.Equal("-ERR timeout is negative\r\n", h.Run("XREADGROUP GROUP g c BLOCK -1 STREAMS s >"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("XREADGROUP GROUP g c COUNT abc STREAMS s >"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XREADGROUP GROUP g c COUNT 1 NOACK"));
        Assert.Empty(((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")].Pel);
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XReadGroupWithBlockAnswersAtOnceWhenThereIsDataAndHonoursCount()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XGROUP CREATE s g 0");
        Assert.Equal(
            "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n",
            h.Run("XREADGROUP GROUP g c BLOCK 100 COUNT 1 STREAMS s >"));
        Assert.Equal(
            "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n",
            h.Run("XREADGROUP GROUP g c BLOCK 0 COUNT 1 STREAMS s >"));
    }

    [Fact]
    public void XReadGroupHistoryRedeliversPendingEntriesANilForADeletedOne()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "XDEL s 2-0");
        Assert.Equal(
            "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*-1\r\n",
            h.Run("XREADGROUP GROUP g alice STREAMS s 0"));
        StreamGroup g = ((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")];
        Assert.Equal(2L, g.Pel[new StreamId(1, 0)].DeliveryCount); // XPENDING: 2 deliveries, 1 for the deleted one
        Assert.Equal(1L, g.Pel[new StreamId(2, 0)].DeliveryCount);
    }

    [Fact]
    public void ReReadingAfterSetIdMovesThePendingEntryToTheNewConsumer()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "XGROUP SETID s g 0");
        h.Run("XREADGROUP GROUP g bob STREAMS s >");
        Assert.Equal("*1\r\n*2\r\n$1\r\ns\r\n*0\r\n", h.Run("XREADGROUP GROUP g alice STREAMS s 0")); // alice has nothing pending
        StreamGroup g = ((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")];
        Assert.Equal(("bob", 1L), (Encoding.ASCII.GetString(g.Pel[new StreamId(1, 0)].Consumer.Name), g.Pel[new StreamId(1, 0)].DeliveryCount));
    }

    [Fact]
    public void ReadingAnEntryAtTheLargestDeletedIdCannotCountEntriesRead()
    {
        // XSETID puts max-deleted-entry-id on the first entry itself: it may be a tombstone, so
        // XINFO GROUPS shows entries-read nil after reading 1-0 (and 2, by the estimate, after 2-0).
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XSETID s 2-0 MAXDELETEDID 1-0", "XGROUP CREATE s g 0 ENTRIESREAD 0");
        h.Setup("XREADGROUP GROUP g a COUNT 1 STREAMS s >");
        StreamGroup g = ((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")];
        Assert.Equal(StreamGroup.InvalidEntriesRead, g.EntriesRead);
        h.Setup("XREADGROUP GROUP g a COUNT 1 STREAMS s >");
        Assert.Equal(2L, g.EntriesRead);
    }

    [Fact]
    public void ReadingPastTheDeletedHeadCountsEntriesReadOnByOne()
    {
        // 1-0 deleted before the first entry 2-0: no tombstone from 2-0 on, so the group's
        // entries-read goes from 0 to 1 (XINFO GROUPS), not to the estimate 2.
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3", "XDEL s 1-0", "XGROUP CREATE s g 0 ENTRIESREAD 0");
        h.Setup("XREADGROUP GROUP g a COUNT 1 STREAMS s >");
        Assert.Equal(1L, ((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")].EntriesRead);
    }

    [Fact]
    public void XAutoClaimWalksThePelClaimsCountAndListsTheDeleted()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "XDEL s 2-0");
        Assert.Equal(
            "*3\r\n$3\r\n2-0\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n*0\r\n",
            h.Run("XAUTOCLAIM s g bob 0 0-0 COUNT 1"));
        StreamGroup g = ((RedisStream)h.Entry("s").Value).Groups[Encoding.ASCII.GetBytes("g")];
        Assert.Equal(2L, g.Pel[new StreamId(1, 0)].DeliveryCount);
        Assert.Equal(
            "*3\r\n$3\r\n0-0\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nn\r\n$1\r\n3\r\n*1\r\n$3\r\n2-0\r\n",
            h.Run("XAUTOCLAIM s g bob 0 0-0"));
        Assert.Equal((3L, 2L, 2), (g.Pel[new StreamId(1, 0)].DeliveryCount, g.Pel[new StreamId(3, 0)].DeliveryCount, g.Pel.Count));
    }

    [Fact]
    public void XRangeOfAMissingKeyIsAnEmptyArray()
    {
        Assert.Equal("*0\r\n", h.Run("XRANGE missing - +"));
        Assert.False(h.Exists("missing"));
    }

    [Fact]
    public void XRangeWithACountOfZeroOrLessOnAStreamIsTheNullArray()
    {
        // redis-server 7.0.15: XRANGE s - + COUNT 0 and COUNT -1 on an existing stream answer *-1;
        // on a missing key, *0.
        h.Run("XADD s 1-0 f v");
        Assert.Equal("*-1\r\n", h.Run("XRANGE s - + COUNT 0"));
        Assert.Equal("*-1\r\n", h.Run("XRANGE s - + COUNT -1"));
        Assert.Equal("*0\r\n", h.Run("XRANGE missing - + COUNT 0"));
        Assert.StartsWith("*1\r\n", h.Run("XRANGE s - + COUNT 1"), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- mutation survivors, against redis-server 7.0.15

    [Fact]
    public void XAddAndXTrimReportEachBadOptionAndChangeNothing()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3", "SET str x");
        Assert.Equal("-ERR The LIMIT argument must be >= 0.\r\n", h.Run("XTRIM s MAXLEN 1 LIMIT -1"));
        Assert.Equal("-ERR The LIMIT argument must be >= 0.\r\n", h.Run("XTRIM s MAXLEN ~ 1 LIMIT -1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("XTRIM s MAXLEN ~ 1 LIMIT abc"));
        Assert.Equal("-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n", h.Run("XTRIM s LIMIT 5"));
        Assert.Equal("-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n", h.Run("XTRIM s LIMIT 5 MAXLEN 1"));
        Assert.Equal("-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n", h.Run("XADD s LIMIT 5 * f v"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("XTRIM s MAXLEN abc"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XTRIM s MINID 1 MAXLEN")); // a MAXLEN without its value is no option
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XADD s NOMKSTREAM NOMKSTREAM MAXLEN"));
        Assert.Equal("-ERR wrong number of arguments for 'xadd' command\r\n", h.Run("XADD s MAXLEN 5 4-0")); // an ID and no field
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("XTRIM str MAXLEN 1"));
        Assert.Equal(":3\r\n", h.Run("XLEN s"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void AnApproximateTrimOfAStreamSmallerThanANodeDropsNothing()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        long before = h.Processor.Context.Dirty;
        Assert.Equal(":0\r\n", h.Run("XTRIM s MAXLEN ~ 1"));
        Assert.Equal(":0\r\n", h.Run("XTRIM s MAXLEN ~ 1 LIMIT 0"));
        Assert.Equal(":3\r\n", h.Run("XLEN s"));
        Assert.Equal(before, h.Processor.Context.Dirty);
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void AnIdOfUpTo127CharactersIsReadAndALongerOneIsInvalid()
    {
        string id127 = new string('0', 124) + "1-0";
        string id128 = new string('0', 125) + "1-0";
        Assert.Equal("$3\r\n1-0\r\n", h.Run($"XADD s {id127} f v"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run($"XADD t {id128} f v"));
        Assert.False(h.Exists("t"));
    }

    [Fact]
    public void OnlyXAddTakesAnAutoSequenceAndZeroStarIsZeroOne()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XDEL s 1-*"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XRANGE s 1-* +"));
        Assert.Equal("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", h.Run("XADD s 1-* f v"));
        Assert.Equal("$3\r\n0-1\r\n", h.Run("XADD z 0-* f v"));
        Assert.Equal(["0:XADD z 0-1 f v"], h.Sink.Commands);
    }

    [Fact]
    public void AnIdGivenWithoutItsSequenceIsLoggedAsGiven()
    {
        // appendonly.aof of redis-server 7.0.15: "XADD b 5 f v", "XADD b MAXLEN 5 6 f v", "XADD b 7-0 f v".
        Assert.Equal("$3\r\n5-0\r\n", h.Run("XADD b 5 f v"));
        Assert.Equal("$3\r\n6-0\r\n", h.Run("XADD b MAXLEN 5 6 f v"));
        Assert.Equal("$3\r\n7-0\r\n", h.Run("XADD b 7-* f v"));
        Assert.Equal(["0:XADD b 5 f v", "0:XADD b MAXLEN 5 6 f v", "0:XADD b 7-0 f v"], h.Sink.Commands);
    }

    [Fact]
    public void AStreamAtTheLargestIdTakesNoMoreEntries()
    {
        const string Max = "18446744073709551615-18446744073709551615";
        Assert.Equal($"$41\r\n{Max}\r\n", h.Run($"XADD m {Max} f v"));
        Assert.Equal("-ERR The stream has exhausted the last possible ID, unable to add more items\r\n", h.Run("XADD m * f v"));
        Assert.Equal("-ERR The stream has exhausted the last possible ID, unable to add more items\r\n", h.Run("XADD m 5-* f v"));
        Assert.Equal(":1\r\n", h.Run("XLEN m"));
        Assert.Equal([$"0:XADD m {Max} f v"], h.Sink.Commands);
    }

    [Fact]
    public void XTrimAndXDelDirtyOncePerEntryTheyDrop()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3", "XADD s 4-0 n 4", "XADD s 5-0 n 5", "SET str x");
        Assert.Equal(2, DirtyDelta("XTRIM s MAXLEN 3", ":2\r\n"));
        Assert.Equal(2, DirtyDelta("XDEL s 4-0 3-0 9-0", ":2\r\n"));
        Assert.Equal(0, DirtyDelta("XDEL s 4-0", ":0\r\n"));
        Assert.Equal(0, DirtyDelta("XDEL missing 1-0", ":0\r\n"));
        Assert.Equal(0, DirtyDelta("XDEL str 1-0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"));
        Assert.Equal(["0:XTRIM s MAXLEN 3", "0:XDEL s 4-0 3-0 9-0"], h.Sink.Commands);
    }

    [Fact]
    public void XSetIdOptionErrorsAndAnEntriesAddedEqualToTheLength()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "SET str x");
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XSETID s abc"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XSETID s 10-0 ENTRIESADDED"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XSETID s 10-0 MAXDELETEDID"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XSETID s 10-0 FOO 1-0"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("XSETID str 10-0"));
        Assert.Equal(new StreamId(2, 0), ((RedisStream)h.Entry("s").Value).LastId);
        Assert.Empty(h.Sink.Commands);
        Assert.Equal("-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n", h.Run("XSETID s 10-0 ENTRIESADDED 1"));
        Assert.Equal("+OK\r\n", h.Run("XSETID s 10-0 ENTRIESADDED 2"));
        Assert.Equal((new StreamId(10, 0), 2L), (((RedisStream)h.Entry("s").Value).LastId, ((RedisStream)h.Entry("s").Value).EntriesAdded));
    }

    [Fact]
    public void XGroupOptionErrorsAndTheIdsSetIdTakes()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n", h.Run("XGROUP CREATE s g 0 ENTRIESREAD"));
        Assert.Equal("-ERR value for ENTRIESREAD must be positive or -1\r\n", h.Run("XGROUP CREATE s g 0 ENTRIESREAD -2"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.\r\n", h.Run("XGROUP create s g 0 FOO"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XGROUP CREATE s k abc"));
        Assert.Empty(((RedisStream)h.Entry("s").Value).Groups);
        Assert.Equal("+OK\r\n", h.Run("XGROUP CREATE s g 0 ENTRIESREAD -1"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.\r\n", h.Run("XGROUP SETID s g 0 MKSTREAM"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XGROUP SETID s g abc"));
        Assert.Equal("-NOGROUP No such consumer group 'x' for key name 's'\r\n", h.Run("XGROUP DELCONSUMER s x c"));
        Assert.Equal("+OK\r\n", h.Run("XGROUP SETID s g 0 ENTRIESREAD 5"));
        Assert.Equal((StreamId.Zero, 5L), (Group("s").LastId, Group("s").EntriesRead));
        Assert.Equal("+OK\r\n", h.Run("XGROUP SETID s g +")); // XINFO GROUPS: last-delivered-id the largest ID, entries-read nil
        Assert.Equal((StreamId.Max, StreamGroup.InvalidEntriesRead), (Group("s").LastId, Group("s").EntriesRead));
        Assert.Equal("+OK\r\n", h.Run("XGROUP SETID s g -"));
        Assert.Equal(StreamId.Zero, Group("s").LastId);
        Assert.Equal("+OK\r\n", h.Run("XGROUP CREATE s h $")); // XINFO GROUPS: last-delivered-id 3-0, entries-read nil
        Assert.Equal((new StreamId(3, 0), StreamGroup.InvalidEntriesRead), (Group("s", "h").LastId, Group("s", "h").EntriesRead));
    }

    [Fact]
    public void XGroupHelpListsTheSubcommands()
    {
        Assert.Equal(
            "*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n",
            h.Run("XGROUP HELP"));
        Assert.Equal("-ERR wrong number of arguments for 'xgroup|help' command\r\n", h.Run("XGROUP HELP x"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void EveryXGroupChangeDirtiesOnce()
    {
        h.Setup("XADD s 1-0 n 1");
        Assert.Equal(1, DirtyDelta("XGROUP CREATE s g 0", "+OK\r\n"));
        Assert.Equal(1, DirtyDelta("XGROUP SETID s g 0", "+OK\r\n"));
        Assert.Equal(1, DirtyDelta("XGROUP CREATECONSUMER s g alice", ":1\r\n"));
        Assert.Equal(0, DirtyDelta("XGROUP CREATECONSUMER s g alice", ":0\r\n"));
        Assert.Equal(1, DirtyDelta("XGROUP DELCONSUMER s g alice", ":0\r\n"));
        Assert.Equal(0, DirtyDelta("XGROUP DELCONSUMER s g nobody", ":0\r\n"));
        Assert.Equal(0, DirtyDelta("XGROUP DESTROY s nope", ":0\r\n"));
        Assert.Equal(1, DirtyDelta("XGROUP DESTROY s g", ":1\r\n"));
    }

    [Fact]
    public void XGroupDelConsumerRepliesItsPendingCountAndDropsThemFromTheGroup()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 2-0 n 2", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >");
        Assert.Equal(":2\r\n", h.Run("XGROUP DELCONSUMER s g alice"));
        Assert.Empty(Group("s").Pel); // XINFO GROUPS: consumers 0, pending 0
        Assert.Empty(Group("s").Consumers);
        Assert.Equal(":1\r\n", h.Run("XGROUP CREATECONSUMER s g alice"));
    }

    [Fact]
    public void XClaimReportsEachBadArgument()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "SET str x");
        Assert.Equal("-ERR Invalid min-idle-time argument for XCLAIM\r\n", h.Run("XCLAIM s g bob abc 1-0"));
        Assert.Equal("-NOGROUP No such key 'missing' or consumer group 'g'\r\n", h.Run("XCLAIM missing g bob 0 1-0"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("XCLAIM str g bob 0 1-0"));
        Assert.Equal("-ERR Invalid IDLE option argument for XCLAIM\r\n", h.Run("XCLAIM s g bob 0 1-0 IDLE abc"));
        Assert.Equal("-ERR Invalid TIME option argument for XCLAIM\r\n", h.Run("XCLAIM s g bob 0 1-0 TIME abc"));
        Assert.Equal("-ERR Invalid RETRYCOUNT option argument for XCLAIM\r\n", h.Run("XCLAIM s g bob 0 1-0 RETRYCOUNT abc"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XCLAIM s g bob 0 1-0 LASTID abc"));
        Assert.Equal("-ERR Unrecognized XCLAIM option 'FOO'\r\n", h.Run("XCLAIM s g bob 0 1-0 FOO 5"));
        Assert.Equal("-ERR Unrecognized XCLAIM option 'TIME'\r\n", h.Run("XCLAIM s g bob 0 1-0 TIME"));
        Assert.Equal("alice", Encoding.ASCII.GetString(Group("s").Pel[new StreamId(1, 0)].Consumer.Name));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XClaimTakesOnlyEntriesIdleForTheMinIdleTime()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >");
        Assert.Equal("*0\r\n", h.Run("XCLAIM s g bob 3600000 1-0"));
        Assert.Equal("*1\r\n$3\r\n1-0\r\n", h.Run("XCLAIM s g bob -5 1-0 JUSTID")); // a negative min-idle-time is 0
        Assert.Equal("*1\r\n$3\r\n1-0\r\n", h.Run("XCLAIM s g carol 0 1-0 IDLE 5000 JUSTID"));
        Assert.Equal("*1\r\n$3\r\n1-0\r\n", h.Run("XCLAIM s g bob 3000 1-0 JUSTID"));
        Assert.Equal("*0\r\n", h.Run("XCLAIM s g dave 9000 1-0 JUSTID"));
        Assert.Equal("bob", Encoding.ASCII.GetString(Group("s").Pel[new StreamId(1, 0)].Consumer.Name));
    }

    [Fact]
    public void XClaimForceMakesAPendingEntryForAnEntryNeverDelivered()
    {
        h.Setup("XADD f 1-0 n 1", "XGROUP CREATE f g 0");
        Assert.Equal(2, DirtyDelta("XCLAIM f g bob 0 1-0 FORCE JUSTID", "*1\r\n$3\r\n1-0\r\n")); // the consumer and the claim
        Assert.Equal([$"0:XCLAIM f g bob 0 1-0 TIME {h.Now} RETRYCOUNT 1 FORCE JUSTID LASTID 0-0"], h.Sink.Commands);
        StreamNack nack = Group("f").Pel[new StreamId(1, 0)]; // XPENDING: bob, 1 delivery
        Assert.Equal(("bob", 1L), (Encoding.ASCII.GetString(nack.Consumer.Name), nack.DeliveryCount));
        Assert.Equal(1, DirtyDelta("XGROUP DELCONSUMER f g bob", ":1\r\n"));
    }

    [Fact]
    public void XClaimKeepsAGivenTimeAndRetryCountButTakesTheClockForATimeOutsideIt()
    {
        // redis-server 7.0.15's dirty counter and appendonly.aof for the same commands (its
        // clock's "now" is the harness's here).
        h.Setup("XADD a 1-0 n 1", "XADD a 2-0 n 2", "XADD a 3-0 n 3", "XGROUP CREATE a g 0", "XREADGROUP GROUP g alice STREAMS a >", "XGROUP CREATECONSUMER a g bob");
        Assert.Equal(2, DirtyDelta("XCLAIM a g bob 0 1-0 2-0 JUSTID", "*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n"));
        Assert.Equal(2, DirtyDelta("XCLAIM a g carol 0 1-0 TIME 1 RETRYCOUNT 0 JUSTID", "*1\r\n$3\r\n1-0\r\n"));
        Assert.Equal(1, DirtyDelta("XCLAIM a g carol 0 2-0 TIME 0 JUSTID", "*1\r\n$3\r\n2-0\r\n"));
        Assert.Equal(2, DirtyDelta("XCLAIM a g dave 0 3-0 TIME 99999999999999 JUSTID", "*1\r\n$3\r\n3-0\r\n"));
        Assert.Equal(1, DirtyDelta("XCLAIM a g dave 0 3-0 TIME -5 JUSTID", "*1\r\n$3\r\n3-0\r\n"));
        string tail = "FORCE JUSTID LASTID 3-0";
        Assert.Equal(
            [
                "0:MULTI",
                $"0:XCLAIM a g bob 0 1-0 TIME {h.Now} RETRYCOUNT 1 {tail}",
                $"0:XCLAIM a g bob 0 2-0 TIME {h.Now} RETRYCOUNT 1 {tail}",
                "0:EXEC",
                $"0:XCLAIM a g carol 0 1-0 TIME 1 RETRYCOUNT 0 {tail}",
                $"0:XCLAIM a g carol 0 2-0 TIME 0 RETRYCOUNT 1 {tail}",
                $"0:XCLAIM a g dave 0 3-0 TIME {h.Now} RETRYCOUNT 1 {tail}",
                $"0:XCLAIM a g dave 0 3-0 TIME {h.Now} RETRYCOUNT 1 {tail}",
            ],
            h.Sink.Commands);
        StreamGroup g = Group("a"); // XINFO CONSUMERS: alice 0 pending, bob 0, carol 2, dave 1
        Assert.Equal((0, 0, 2, 1), (g.Consumers[Encoding.ASCII.GetBytes("alice")].Pel.Count, g.Consumers[Encoding.ASCII.GetBytes("bob")].Pel.Count, g.Consumers[Encoding.ASCII.GetBytes("carol")].Pel.Count, g.Consumers[Encoding.ASCII.GetBytes("dave")].Pel.Count));
    }

    [Fact]
    public void XClaimOfADeletedEntryOrOnlyALastIdIsLoggedAndDirtiesOnce()
    {
        h.Setup("XADD a 1-0 n 1", "XADD a 2-0 n 2", "XADD a 3-0 n 3", "XGROUP CREATE a g 0", "XREADGROUP GROUP g alice STREAMS a >", "XDEL a 3-0");
        Assert.Equal(1, DirtyDelta("XCLAIM a g erin 0 3-0", "*0\r\n"));
        Assert.Equal(1, DirtyDelta("XCLAIM a g erin 0 9-0 LASTID 7-0", "*0\r\n"));
        Assert.Equal(
            [$"0:XCLAIM a g alice 0 3-0 TIME {h.Now} RETRYCOUNT 1 FORCE JUSTID LASTID 3-0", "0:XGROUP SETID a g 7-0 ENTRIESREAD 3"],
            h.Sink.Commands);
        StreamGroup g = Group("a"); // XINFO CONSUMERS: alice 2 pending, no erin
        Assert.Equal((2, 2, false), (g.Pel.Count, g.Consumers[Encoding.ASCII.GetBytes("alice")].Pel.Count, g.Consumers.ContainsKey(Encoding.ASCII.GetBytes("erin"))));
        Assert.Equal(new StreamId(7, 0), g.LastId);
    }

    [Fact]
    public void XAckErrorsAndItsCount()
    {
        h.Setup("XADD a 1-0 n 1", "XADD a 2-0 n 2", "XGROUP CREATE a g 0", "XREADGROUP GROUP g alice STREAMS a >", "SET str x");
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XACK a g abc"));
        Assert.Equal(":0\r\n", h.Run("XACK missing g 1-0"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("XACK str g 1-0"));
        Assert.Equal(2, DirtyDelta("XACK a g 1-0 2-0 9-0", ":2\r\n"));
        Assert.Empty(Group("a").Consumers[Encoding.ASCII.GetBytes("alice")].Pel); // XINFO CONSUMERS: alice 0 pending
        Assert.Equal(["0:XACK a g 1-0 2-0 9-0"], h.Sink.Commands);
    }

    [Fact]
    public void XLenOfAMissingKeyIsZero() => Assert.Equal(":0\r\n", h.Run("XLEN missing"));

    [Fact]
    public void XRangeBoundsExclusiveAndIncompleteAndItsOptions()
    {
        h.Setup("XADD s 1-0 f v", "XADD s 2-0 n 2", "XADD s 3-0 n 3");
        string e1 = "*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", e2 = "*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n";
        Assert.Equal("-ERR invalid start ID for the interval\r\n", h.Run("XRANGE s (18446744073709551615-18446744073709551615 +"));
        Assert.Equal("-ERR invalid end ID for the interval\r\n", h.Run("XRANGE s - (0-0"));
        Assert.Equal("*1\r\n" + e1, h.Run("XRANGE s - (2-0"));
        Assert.Equal("*2\r\n" + e1 + e2, h.Run("XRANGE s - (2-1"));
        Assert.Equal("*1\r\n" + e2, h.Run("XRANGE s (1-0 2-0"));
        Assert.Equal("*1\r\n" + e2, h.Run("XRANGE s 2-0 2-0"));
        Assert.Equal("*2\r\n" + e1 + e2, h.Run("XRANGE s - 2"));
        Assert.Equal("*2\r\n" + e1 + e2, h.Run("XRANGE s - + COUNT 2"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XRANGE s - + COUNT"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XRANGE s - + FOO 5"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XRANGE s abc +"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XRANGE s ( +"));
    }

    [Fact]
    public void XReadGroupReportsEachBadArgument()
    {
        h.Setup("XADD s 1-0 n 1", "XGROUP CREATE s g 0", "SET str x");
        Assert.Equal("-ERR syntax error\r\n", h.Run("XREADGROUP GROUP g c COUNT 1 BLOCK"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XREADGROUP GROUP g c BLOCK 1 COUNT"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XREADGROUP GROUP g c COUNT 1 STREAMS"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XREADGROUP COUNT 1 BLOCK 1 GROUP g"));
        Assert.Equal("-ERR timeout is not an integer or out of range\r\n", h.Run("XREADGROUP GROUP g c BLOCK abc STREAMS s >"));
        Assert.Equal("-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.\r\n", h.Run("XREADGROUP GROUP g c STREAMS s t >"));
        Assert.Equal("-ERR Missing GROUP option for XREADGROUP\r\n", h.Run("XREADGROUP COUNT 1 BLOCK 1 STREAMS s >"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("XREADGROUP GROUP g c STREAMS str >"));
        Assert.Equal("-NOGROUP No such key 'missing' or consumer group 'g' in XREADGROUP with GROUP option\r\n", h.Run("XREADGROUP GROUP g c STREAMS missing >"));
        Assert.Equal("-NOGROUP No such key 's' or consumer group 'x' in XREADGROUP with GROUP option\r\n", h.Run("XREADGROUP GROUP x c STREAMS s >"));
        Assert.Equal(
            "-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n",
            h.Run("XREADGROUP GROUP g c STREAMS s $"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XREADGROUP GROUP g c STREAMS s abc"));
        Assert.Empty(Group("s").Consumers);
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XReadGroupReadsEveryStreamFromRightAfterItsGroupsLastId()
    {
        h.Setup("XADD s 1-0 n 1", "XADD s 1-1 n 2", "XADD s 2-0 n 3", "XADD t 5-0 m 5", "XGROUP CREATE s g 1-0", "XGROUP CREATE t g 0");
        string s11 = "*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n", s20 = "*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nn\r\n$1\r\n3\r\n";
        string t50 = "*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nm\r\n$1\r\n5\r\n";
        Assert.Equal("*2\r\n*2\r\n$1\r\ns\r\n*2\r\n" + s11 + s20 + t50, h.Run("XREADGROUP GROUP g c STREAMS s t > >"));
        Assert.Equal("*2\r\n*2\r\n$1\r\ns\r\n*1\r\n" + s11 + t50, h.Run("XREADGROUP GROUP g c COUNT 1 STREAMS s t 0 0"));
        Assert.Equal("*1\r\n*2\r\n$1\r\ns\r\n*2\r\n" + s11 + s20, h.Run("XREADGROUP GROUP g c STREAMS s 1-0"));
        Assert.Equal("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + s11, h.Run("XREADGROUP GROUP g c COUNT 1 STREAMS s 1-0"));
    }

    [Fact]
    public void XReadGroupDirtiesOncePerStreamServedAndOnceForANewConsumer()
    {
        // redis-server 7.0.15: rdb_changes_since_last_save +2 for a read by a new consumer
        // (streamCreateConsumer, then the stream served), +1 by a known one, 0 for nothing new.
        h.Setup("XADD c 1-0 n 1", "XADD c 2-0 n 2", "XADD c 3-0 n 3", "XGROUP CREATE c g 0");
        string all = "*1\r\n*2\r\n$1\r\nc\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nn\r\n$1\r\n3\r\n";
        Assert.Equal(2, DirtyDelta("XREADGROUP GROUP g alice NOACK STREAMS c >", all));
        Assert.Equal(0, DirtyDelta("XREADGROUP GROUP g ghost STREAMS c >", "*-1\r\n"));
        Assert.Equal(1, DirtyDelta("XGROUP SETID c g 0", "+OK\r\n"));
        Assert.Equal(1, DirtyDelta("XREADGROUP GROUP g alice NOACK COUNT 2 STREAMS c >", "*1\r\n*2\r\n$1\r\nc\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n"));
        Assert.Equal(2, DirtyDelta("XREADGROUP GROUP g hist STREAMS c 0", "*1\r\n*2\r\n$1\r\nc\r\n*0\r\n"));
        Assert.Equal(1, DirtyDelta("XREADGROUP GROUP g hist STREAMS c 0", "*1\r\n*2\r\n$1\r\nc\r\n*0\r\n"));
        Assert.Equal(
            ["0:MULTI", "0:XGROUP CREATECONSUMER c g alice", "0:XGROUP SETID c g 3-0 ENTRIESREAD 3", "0:EXEC", "0:XGROUP SETID c g 0", "0:XGROUP SETID c g 2-0 ENTRIESREAD 2"],
            h.Sink.Commands);
        Assert.False(Group("c").Consumers.ContainsKey(Encoding.ASCII.GetBytes("ghost"))); // XINFO CONSUMERS: no ghost
    }

    [Fact]
    public void EntriesReadCountsOnFromAKnownValueAndIsEstimatedOnlyFromTheFirstEntry()
    {
        // XINFO GROUPS after one read each: g 6 (5 + 1), h 1 (the first entry), k nil (2-0 is
        // past the first entry: no estimate).
        h.Setup("XADD q 1-0 n 1", "XADD q 2-0 n 2", "XADD q 3-0 n 3", "XGROUP CREATE q g 0 ENTRIESREAD 5", "XGROUP CREATE q h 0", "XGROUP CREATE q k 1-0");
        h.Setup("XREADGROUP GROUP g a COUNT 1 STREAMS q >", "XREADGROUP GROUP h a COUNT 1 STREAMS q >", "XREADGROUP GROUP k a COUNT 1 STREAMS q >");
        Assert.Equal((6L, 1L, StreamGroup.InvalidEntriesRead), (Group("q", "g").EntriesRead, Group("q", "h").EntriesRead, Group("q", "k").EntriesRead));
    }

    [Fact]
    public void XAutoClaimReportsEachBadArgumentBeforeLookingTheKeyUp()
    {
        h.Setup("XADD p 1-0 n 1", "XGROUP CREATE p g 0", "XREADGROUP GROUP g alice STREAMS p >", "SET str x");
        Assert.Equal("-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n", h.Run("XAUTOCLAIM str g bob abc 0"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("XAUTOCLAIM str g bob 0 0"));
        Assert.Equal("-NOGROUP No such key 'missing' or consumer group 'g'\r\n", h.Run("XAUTOCLAIM missing g bob 0 0"));
        Assert.Equal("-NOGROUP No such key 'p' or consumer group 'x'\r\n", h.Run("XAUTOCLAIM p x bob 0 0"));
        Assert.Equal("-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n", h.Run("XAUTOCLAIM p nogroup bob abc 0"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XAUTOCLAIM p g bob 0 abc"));
        Assert.Equal("-ERR invalid start ID for the interval\r\n", h.Run("XAUTOCLAIM p g bob 0 (18446744073709551615-18446744073709551615"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XAUTOCLAIM p g bob 0 0 COUNT"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("XAUTOCLAIM p g bob 0 0 FOO 5"));
        Assert.Equal("-ERR COUNT must be > 0\r\n", h.Run("XAUTOCLAIM p g bob 0 0 COUNT 0"));
        Assert.Equal("-ERR COUNT must be > 0\r\n", h.Run("XAUTOCLAIM p g bob 0 0 COUNT 576460752303423488"));
        Assert.Equal("alice", Encoding.ASCII.GetString(Group("p").Pel[new StreamId(1, 0)].Consumer.Name));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XAutoClaimScansTenEntriesPerCountClaimsFromItsStartAndLogsEachChange()
    {
        h.Setup([.. Enumerable.Range(1, 12).Select(i => $"XADD p {i}-0 n {i}"), "XGROUP CREATE p g 0", "XREADGROUP GROUP g alice STREAMS p >"]);
        Assert.Equal(0, DirtyDelta("XAUTOCLAIM p g bob 3600000 0 COUNT 1", "*3\r\n$4\r\n11-0\r\n*0\r\n*0\r\n")); // 10 attempts for a COUNT of 1
        Assert.Equal(0, DirtyDelta("XAUTOCLAIM p g bob 3600000 0", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"));
        Assert.Equal(2, DirtyDelta("XAUTOCLAIM p g bob 0 12-0 COUNT 5 JUSTID", "*3\r\n$3\r\n0-0\r\n*1\r\n$4\r\n12-0\r\n*0\r\n"));
        Assert.Equal(1, DirtyDelta("XAUTOCLAIM p g bob 0 (10-0 COUNT 1 JUSTID", "*3\r\n$4\r\n12-0\r\n*1\r\n$4\r\n11-0\r\n*0\r\n"));
        h.Run("XDEL p 1-0 2-0");
        Assert.Equal(1, DirtyDelta("XAUTOCLAIM p g carol 0 0 COUNT 1 JUSTID", "*3\r\n$3\r\n2-0\r\n*0\r\n*1\r\n$3\r\n1-0\r\n")); // a deleted entry counts
        Assert.Equal(3, DirtyDelta("XAUTOCLAIM p g carol 0 0 COUNT 2", "*3\r\n$3\r\n4-0\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nn\r\n$1\r\n3\r\n*1\r\n$3\r\n2-0\r\n"));
        Assert.Equal(1, DirtyDelta("XAUTOCLAIM p g alice -5 3-0 COUNT 1", "*3\r\n$3\r\n4-0\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nn\r\n$1\r\n3\r\n*0\r\n"));
        string tail = "FORCE JUSTID LASTID 12-0";
        Assert.Equal(
            [
                $"0:XCLAIM p g bob 0 12-0 TIME {h.Now} RETRYCOUNT 1 {tail}",
                $"0:XCLAIM p g bob 0 11-0 TIME {h.Now} RETRYCOUNT 1 {tail}",
                "0:XDEL p 1-0 2-0",
                $"0:XCLAIM p g alice 0 1-0 TIME {h.Now} RETRYCOUNT 1 {tail}",
                "0:MULTI",
                $"0:XCLAIM p g alice 0 2-0 TIME {h.Now} RETRYCOUNT 1 {tail}",
                $"0:XCLAIM p g carol 0 3-0 TIME {h.Now} RETRYCOUNT 2 {tail}",
                "0:EXEC",
                $"0:XCLAIM p g alice 0 3-0 TIME {h.Now} RETRYCOUNT 3 {tail}",
            ],
            h.Sink.Commands);
        StreamGroup g = Group("p"); // XINFO CONSUMERS: alice 8 pending, bob 2, carol 0
        Assert.Equal((8, 2, 0), (g.Consumers[Encoding.ASCII.GetBytes("alice")].Pel.Count, g.Consumers[Encoding.ASCII.GetBytes("bob")].Pel.Count, g.Consumers[Encoding.ASCII.GetBytes("carol")].Pel.Count));
    }

    [Fact]
    public void AnUnknownXGroupOptionWithAValueAndAnOptionValueAfterAMillisecondOnlyIdAreErrors()
    {
        h.Setup("XADD u 1-0 n 1", "XADD u 2-0 n 2", "XGROUP CREATE u g 0", "XREADGROUP GROUP g alice STREAMS u >");
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n", h.Run("XGROUP CREATE u g2 0 FOO 5"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.\r\n", h.Run("XGROUP SETID u g 0 FOO 5"));
        Assert.Equal("-ERR Invalid TIME option argument for XCLAIM\r\n", h.Run("XCLAIM u g bob 0 1 TIME abc"));
        Assert.Equal("-ERR Invalid RETRYCOUNT option argument for XCLAIM\r\n", h.Run("XCLAIM u g bob 0 1 RETRYCOUNT abc"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", h.Run("XCLAIM u g bob 0 1 LASTID abc"));
        Assert.Single(((RedisStream)h.Entry("u").Value).Groups);
        Assert.Equal(new StreamId(2, 0), Group("u").LastId);
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void XAutoClaimTakesAnEntryIdleLongEnough()
    {
        h.Setup("XADD u 1-0 n 1", "XGROUP CREATE u g 0", "XREADGROUP GROUP g alice STREAMS u >", "XCLAIM u g carol 0 1-0 IDLE 5000 JUSTID");
        Assert.Equal(2, DirtyDelta("XAUTOCLAIM u g bob 3000 0 JUSTID", "*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n1-0\r\n*0\r\n"));
        Assert.Equal(0, DirtyDelta("XAUTOCLAIM u g dave 9000 0 JUSTID", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"));
    }

    [Fact]
    public void AnExclusiveEndWithASequenceStopsJustBeforeIt()
    {
        h.Setup("XADD u 1-0 n 1", "XADD u 2-0 n 2", "XADD u 2-1 n 3", "XADD u 3-0 n 4");
        string e10 = "*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n", e20 = "*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n", e21 = "*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nn\r\n$1\r\n3\r\n";
        Assert.Equal("*2\r\n" + e10 + e20, h.Run("XRANGE u - (2-1"));
        Assert.Equal("*3\r\n" + e10 + e20 + e21, h.Run("XRANGE u - (3-0"));
    }

    private long DirtyDelta(string command, string expectedReply)
    {
        long before = h.Processor.Context.Dirty;
        Assert.Equal(expectedReply, h.Run(command));
        return h.Processor.Context.Dirty - before;
    }

    private StreamGroup Group(string key, string name = "g") => ((RedisStream)h.Entry(key).Value).Groups[Encoding.ASCII.GetBytes(name)];

    private static string Resp(params string[] argv) =>
        $"*{argv.Length}\r\n" + string.Concat(argv.Select(a => $"${Encoding.Latin1.GetByteCount(a)}\r\n{a}\r\n"));

    private static List<string> ParseArrayOfIds(string reply) =>
        reply.Split("\r\n").Where(line => line.Contains('-', StringComparison.Ordinal) && !line.StartsWith('$') && !line.StartsWith('*')).ToList();
}
