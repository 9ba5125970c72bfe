using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Text;
using Xunit;

namespace AofSim.Scenarios.Commands;

/// <summary>
/// The list, set, sorted-set and hash commands driven through the command processor: the RESP
/// reply bytes, the dataset they leave, and what they propagate to the AOF. Every expected value
/// is written from Redis 7's documented behaviour.
/// </summary>
public sealed class CollectionCommandTests
{
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    private const string Syntax = "-ERR syntax error\r\n";

    private readonly Dataset data = new();
    private readonly RecordingSink sink = new();
    private readonly Client client = new();
    private readonly CommandProcessor processor;
    private long now = 1_700_000_000_000;

    public CollectionCommandTests() : this(new SplitMix64(1))
    {
    }

    private CollectionCommandTests(IRandomSource random)
    {
        processor = new CommandProcessor(data, Profile.Fixed, random);
        processor.Context.Sink = sink;
    }

    // ---------------------------------------------------------------- lists

    [Fact]
    public void LPushPrependsEachElementInTurnAndRepliesTheLength()
    {
        Assert.Equal(":3\r\n", Run("LPUSH l a b c"));
        Assert.Equal("*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", Run("LRANGE l 0 -1"));
        Assert.Equal(["LPUSH l a b c"], sink.Commands);
    }

    [Fact]
    public void RPushAppendsInOrder()
    {
        Assert.Equal(":2\r\n", Run("RPUSH l a b"));
        Assert.Equal(":3\r\n", Run("RPUSH l c"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("LRANGE l 0 -1"));
    }

    [Fact]
    public void PushXOnAMissingKeyDoesNothingAndIsNotPropagated()
    {
        Assert.Equal(":0\r\n", Run("LPUSHX l a b"));
        Assert.Equal(":0\r\n", Run("RPUSHX l a"));
        Assert.False(Exists("l"));
        Assert.Empty(sink.Commands);

        Setup("RPUSH l a");
        Assert.Equal(":3\r\n", Run("RPUSHX l b c"));
        Assert.Equal(":4\r\n", Run("LPUSHX l z"));
        Assert.Equal("*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("LRANGE l 0 -1"));
        Assert.Equal(["RPUSHX l b c", "LPUSHX l z"], sink.Commands);
    }

    [Fact]
    public void PopOfAMissingKeyIsANullBulkOrANullArrayWithACount()
    {
        Assert.Equal("$-1\r\n", Run("LPOP l"));
        Assert.Equal("$-1\r\n", Run("RPOP l"));
        Assert.Equal("*-1\r\n", Run("LPOP l 2"));
        Assert.Equal("*-1\r\n", Run("RPOP l 2"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void PopWithACountTakesAtMostTheListAndDeletesItWhenEmptied()
    {
        Setup("RPUSH l a b c");
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\nb\r\n", Run("LPOP l 2"));
        Assert.Equal("*1\r\n$1\r\nc\r\n", Run("RPOP l 1000000"));
        Assert.False(Exists("l"));
        Assert.Equal(["LPOP l 2", "RPOP l 1000000"], sink.Commands);
    }

    [Fact]
    public void RPopWithACountRepliesFromTheTail()
    {
        Setup("RPUSH l a b c d");
        Assert.Equal("*2\r\n$1\r\nd\r\n$1\r\nc\r\n", Run("RPOP l 2"));
        Assert.Equal("$1\r\na\r\n", Run("LPOP l"));
        Assert.Equal("*1\r\n$1\r\nb\r\n", Run("LRANGE l 0 -1"));
    }

    [Fact]
    public void PopCountErrorsAndZero()
    {
        Setup("RPUSH l a");
        Assert.Equal("*0\r\n", Run("LPOP l 0"));
        Assert.Equal("-ERR value is out of range, must be positive\r\n", Run("LPOP l -1"));
        Assert.Equal("-ERR value is out of range, must be positive\r\n", Run("RPOP l x"));
        Assert.Equal("-ERR wrong number of arguments for 'lpop' command\r\n", Run("LPOP l 1 2"));
        Assert.Equal("*1\r\n$1\r\na\r\n", Run("LRANGE l 0 -1"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void PoppingTheLastElementDeletesTheKey()
    {
        Setup("RPUSH l only");
        Assert.Equal("$4\r\nonly\r\n", Run("RPOP l"));
        Assert.False(Exists("l"));
        Assert.Equal(":0\r\n", Run("LLEN l"));
        Assert.Equal(["RPOP l"], sink.Commands);
    }

    [Fact]
    public void LSetReplacesByIndexAndRefusesMissingKeysAndBadIndexes()
    {
        Assert.Equal("-ERR no such key\r\n", Run("LSET l 0 x"));
        Setup("RPUSH l a b c");
        Assert.Equal("-ERR index out of range\r\n", Run("LSET l 3 x"));
        Assert.Equal("-ERR index out of range\r\n", Run("LSET l -4 x"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", Run("LSET l one x"));
        Assert.Equal("+OK\r\n", Run("LSET l -1 z"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nz\r\n", Run("LRANGE l 0 -1"));
        Assert.Equal(["LSET l -1 z"], sink.Commands);
    }

    [Fact]
    public void LRemRemovesFromTheHeadTheTailOrEverywhere()
    {
        Setup("RPUSH l a b a c a");
        Assert.Equal(":2\r\n", Run("LREM l 2 a"));
        Assert.Equal("*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n", Run("LRANGE l 0 -1"));

        Setup("DEL l", "RPUSH l a b a c a");
        Assert.Equal(":1\r\n", Run("LREM l -1 a"));
        Assert.Equal("*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n", Run("LRANGE l 0 -1"));
        Assert.Equal(":2\r\n", Run("LREM l 0 a"));
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("LRANGE l 0 -1"));
        Assert.Equal(["LREM l -1 a", "LREM l 0 a"], sink.Commands);
    }

    [Fact]
    public void LRemOfNothingIsNotPropagatedAndRemovingAllDeletesTheKey()
    {
        Setup("RPUSH l a a");
        Assert.Equal(":0\r\n", Run("LREM l 0 zzz"));
        Assert.Equal(":0\r\n", Run("LREM missing 0 a"));
        Assert.Empty(sink.Commands);
        Assert.Equal(":2\r\n", Run("LREM l 0 a"));
        Assert.False(Exists("l"));
        Assert.Equal(["LREM l 0 a"], sink.Commands);
    }

    [Fact]
    public void LTrimKeepsTheRangeAndOnlyPropagatesWhenItDropsSomething()
    {
        Setup("RPUSH l a b c d");
        Assert.Equal("+OK\r\n", Run("LTRIM l 0 -1"));
        Assert.Equal("+OK\r\n", Run("LTRIM missing 0 1"));
        Assert.Empty(sink.Commands);

        Assert.Equal("+OK\r\n", Run("LTRIM l 1 2"));
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("LRANGE l 0 -1"));
        Assert.Equal("+OK\r\n", Run("LTRIM l 5 10"));
        Assert.False(Exists("l"));
        Assert.Equal(["LTRIM l 1 2", "LTRIM l 5 10"], sink.Commands);
    }

    [Fact]
    public void LInsertBeforeAndAfterThePivot()
    {
        Setup("RPUSH l a c");
        Assert.Equal(":3\r\n", Run("LINSERT l BEFORE c b"));
        Assert.Equal(":4\r\n", Run("linsert l after c d"));
        Assert.Equal("*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", Run("LRANGE l 0 -1"));
        Assert.Equal(":-1\r\n", Run("LINSERT l BEFORE zz x"));
        Assert.Equal(":0\r\n", Run("LINSERT missing BEFORE a x"));
        Assert.Equal(Syntax, Run("LINSERT l MIDDLE a x"));
        Assert.False(Exists("missing"));
        Assert.Equal(["LINSERT l BEFORE c b", "linsert l after c d"], sink.Commands);
    }

    [Fact]
    public void RPopLPushMovesTheTailToTheHeadAndDeletesAnEmptiedSource()
    {
        Setup("RPUSH src a b", "RPUSH dst x");
        Assert.Equal("$1\r\nb\r\n", Run("RPOPLPUSH src dst"));
        Assert.Equal("$1\r\na\r\n", Run("RPOPLPUSH src dst"));
        Assert.False(Exists("src"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n", Run("LRANGE dst 0 -1"));
        Assert.Equal("$-1\r\n", Run("RPOPLPUSH src dst"));
        Assert.Equal(["RPOPLPUSH src dst", "RPOPLPUSH src dst"], sink.Commands);
    }

    [Fact]
    public void RPopLPushOnOneKeyRotatesTheList()
    {
        Setup("RPUSH l a b c");
        Assert.Equal("$1\r\nc\r\n", Run("RPOPLPUSH l l"));
        Assert.Equal("*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", Run("LRANGE l 0 -1"));

        Setup("DEL one", "RPUSH one x");
        Assert.Equal("$1\r\nx\r\n", Run("LMOVE one one LEFT RIGHT"));
        Assert.Equal("*1\r\n$1\r\nx\r\n", Run("LRANGE one 0 -1"));
    }

    [Fact]
    public void LMoveTakesAndPutsAtTheSidesGiven()
    {
        Setup("RPUSH src a b c", "RPUSH dst x");
        Assert.Equal("$1\r\na\r\n", Run("LMOVE src dst LEFT RIGHT"));
        Assert.Equal("$1\r\nc\r\n", Run("lmove src newlist right left"));
        Assert.Equal("*2\r\n$1\r\nx\r\n$1\r\na\r\n", Run("LRANGE dst 0 -1"));
        Assert.Equal("*1\r\n$1\r\nc\r\n", Run("LRANGE newlist 0 -1"));
        Assert.Equal(Syntax, Run("LMOVE src dst UP LEFT"));
        Assert.Equal(["LMOVE src dst LEFT RIGHT", "lmove src newlist right left"], sink.Commands);
    }

    [Fact]
    public void MoveToADestinationOfTheWrongTypePopsNothing()
    {
        Setup("RPUSH src a b", "SET str v");
        Assert.Equal(WrongType, Run("RPOPLPUSH src str"));
        Assert.Equal(WrongType, Run("LMOVE src str LEFT LEFT"));
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\nb\r\n", Run("LRANGE src 0 -1"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void LIndexLRangeAndLLenRead()
    {
        Setup("RPUSH l a b c");
        Assert.Equal("$1\r\na\r\n", Run("LINDEX l 0"));
        Assert.Equal("$1\r\nc\r\n", Run("LINDEX l -1"));
        Assert.Equal("$-1\r\n", Run("LINDEX l 3"));
        Assert.Equal("$-1\r\n", Run("LINDEX missing 0"));
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("LRANGE l -2 100"));
        Assert.Equal("*0\r\n", Run("LRANGE l 2 1"));
        Assert.Equal("*0\r\n", Run("LRANGE missing 0 -1"));
        Assert.Equal(":3\r\n", Run("LLEN l"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void ListCommandsOnAnotherTypeAreWrongType()
    {
        Setup("SET s v");
        Assert.Equal(WrongType, Run("LPUSH s a"));
        Assert.Equal(WrongType, Run("LPOP s"));
        Assert.Equal(WrongType, Run("LLEN s"));
        Assert.Equal(WrongType, Run("LRANGE s 0 -1"));
        Assert.Equal("$1\r\nv\r\n", Run("GET s"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void AnExpiredListIsGoneAndItsDeletionIsPropagated()
    {
        Setup("RPUSH l a", "PEXPIRE l 100");
        now += 1000;
        Assert.Equal(":0\r\n", Run("LPUSHX l b"));
        Assert.False(Exists("l"));
        Assert.Equal(["DEL l"], sink.Commands);
    }

    [Fact]
    public void LRangeEndingExactlyAtTheLengthReturnsEveryElement()
    {
        Setup("RPUSH l a b c");
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("LRANGE l 0 3"));
    }

    [Fact]
    public void LTrimToAnEmptyRangeInsideTheListDeletesIt()
    {
        Setup("RPUSH l a b c");
        Assert.Equal("+OK\r\n", Run("LTRIM l 2 1"));
        Assert.False(Exists("l"));
        Assert.Equal(["LTRIM l 2 1"], sink.Commands);
    }

    // ----------------------------------------------------------------- sets

    [Fact]
    public void SAddCountsOnlyNewMembers()
    {
        Assert.Equal(":2\r\n", Run("SADD s a b a"));
        Assert.Equal(":0\r\n", Run("SADD s a b"));
        Assert.Equal(":1\r\n", Run("SADD s a c"));
        Assert.Equal(":3\r\n", Run("SCARD s"));
        Assert.Equal(["SADD s a b a", "SADD s a c"], sink.Commands);
    }

    [Fact]
    public void SRemOfAbsentMembersIsNotPropagatedAndEmptyingDeletesTheKey()
    {
        Setup("SADD s a b");
        Assert.Equal(":0\r\n", Run("SREM s x y"));
        Assert.Equal(":0\r\n", Run("SREM missing a"));
        Assert.Empty(sink.Commands);
        Assert.Equal(":1\r\n", Run("SREM s a x"));
        Assert.Equal(":1\r\n", Run("SREM s b"));
        Assert.False(Exists("s"));
        Assert.Equal(["SREM s a x", "SREM s b"], sink.Commands);
    }

    [Fact]
    public void SPopOfTheOnlyMemberIsPropagatedAsSRemAndDeletesTheKey()
    {
        Setup("SADD s x");
        Assert.Equal("$1\r\nx\r\n", Run("SPOP s"));
        Assert.False(Exists("s"));
        Assert.Equal(["SREM s x"], sink.Commands);
    }

    [Fact]
    public void SPopIsPropagatedAsSRemOfWhatItPopped()
    {
        Setup("SADD s a b c");
        string reply = Run("SPOP s");
        string popped = ParseBulk(reply);
        Assert.Contains(popped, new[] { "a", "b", "c" });
        Assert.Equal(":0\r\n", Run($"SISMEMBER s {popped}"));
        Assert.Equal(":2\r\n", Run("SCARD s"));
        Assert.Equal([$"SREM s {popped}"], sink.Commands);
    }

    [Fact]
    public void SPopWithACountPicksEachMemberAmongThoseLeft()
    {
        var random = new ScriptedRandom();
        var t = new CollectionCommandTests(random);
        t.Setup("SADD s a b c");
        List<string> popped = ParseArray(t.Run("SPOP s 2"));

        Assert.Equal([3, 2], random.Bounds);
        Assert.Equal(2, popped.Distinct().Count());
        Assert.All(popped, m => Assert.Contains(m, new[] { "a", "b", "c" }));
        Assert.Equal(":1\r\n", t.Run("SCARD s"));
        Assert.Equal(["SREM s " + string.Join(' ', popped)], t.sink.Commands);
    }

    [Fact]
    public void SPopWithACountFromABigSetPopsDistinctMembersAndLogsExactlyThem()
    {
        string[] all = [.. Enumerable.Range(0, 50).Select(i => $"m{i}")];
        Setup("SADD s " + string.Join(' ', all));
        List<string> popped = ParseArray(Run("SPOP s 20"));

        Assert.Equal(20, popped.Distinct().Count());
        Assert.All(popped, m => Assert.Contains(m, all));
        Assert.Equal(":30\r\n", Run("SCARD s"));
        Assert.All(popped, m => Assert.Equal(":0\r\n", Run($"SISMEMBER s {m}")));
        Assert.Equal(["SREM s " + string.Join(' ', popped)], sink.Commands);
    }

    [Fact]
    public void SPopOfTheWholeSetIsPropagatedAsDel()
    {
        Setup("SADD s a b c");
        List<string> popped = ParseArray(Run("SPOP s 10"));
        Assert.Equal(["a", "b", "c"], popped.Order(StringComparer.Ordinal));
        Assert.False(Exists("s"));
        Assert.Equal(["DEL s"], sink.Commands);
    }

    [Fact]
    public void SPopOfExactlyTheSetsSizeIsTheWholeSetAndDirtiesOncePerMember()
    {
        // redis-server 7.0.15: SPOP s 3 of a 3-member set answered all three and
        // rdb_changes_since_last_save grew by 3.
        Setup("SADD s a b c");
        long before = processor.Context.Dirty;
        List<string> popped = ParseArray(Run("SPOP s 3"));
        Assert.Equal(["a", "b", "c"], popped.Order(StringComparer.Ordinal));
        Assert.Equal(before + 3, processor.Context.Dirty);
        Assert.Equal(["DEL s"], sink.Commands);
    }

    [Fact]
    public void SPopEdgeCases()
    {
        Assert.Equal("$-1\r\n", Run("SPOP s"));
        Assert.Equal("*0\r\n", Run("SPOP s 2"));
        Setup("SADD s a");
        Assert.Equal("*0\r\n", Run("SPOP s 0"));
        Assert.Equal("-ERR value is out of range, must be positive\r\n", Run("SPOP s -1"));
        Assert.Equal(Syntax, Run("SPOP s 1 2"));
        Assert.Equal(":1\r\n", Run("SCARD s"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void SRandMemberReadsWithoutChangingOrPropagating()
    {
        Setup("SADD s a b c");
        Assert.Contains(ParseBulk(Run("SRANDMEMBER s")), new[] { "a", "b", "c" });
        Assert.Equal(["a", "b", "c"], ParseArray(Run("SRANDMEMBER s 5")).Order(StringComparer.Ordinal));

        List<string> two = ParseArray(Run("SRANDMEMBER s 2"));
        Assert.Equal(2, two.Distinct().Count());

        List<string> repeated = ParseArray(Run("SRANDMEMBER s -7"));
        Assert.Equal(7, repeated.Count);
        Assert.All(repeated, m => Assert.Contains(m, new[] { "a", "b", "c" }));

        Assert.Equal("*0\r\n", Run("SRANDMEMBER s 0"));
        Assert.Equal("$-1\r\n", Run("SRANDMEMBER missing"));
        Assert.Equal("*0\r\n", Run("SRANDMEMBER missing 3"));
        Assert.Equal(":3\r\n", Run("SCARD s"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void SMoveMovesAMemberCreatingTheDestinationAndDeletingAnEmptySource()
    {
        Setup("SADD src a");
        Assert.Equal(":1\r\n", Run("SMOVE src dst a"));
        Assert.False(Exists("src"));
        Assert.Equal("*1\r\n$1\r\na\r\n", Run("SMEMBERS dst"));
        Assert.Equal(":0\r\n", Run("SMOVE src dst a"));
        Assert.Equal(["SMOVE src dst a"], sink.Commands);
    }

    [Fact]
    public void SMoveThatChangesNothingIsNotPropagated()
    {
        Setup("SADD src a b", "SET str v");
        Assert.Equal(":0\r\n", Run("SMOVE src dst zz"));
        Assert.Equal(":1\r\n", Run("SMOVE src src a"));
        Assert.Equal(":0\r\n", Run("SMOVE missing str a"));
        Assert.Equal(WrongType, Run("SMOVE src str a"));
        Assert.Equal(":2\r\n", Run("SCARD src"));
        Assert.False(Exists("dst"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void SInterStoreStoresAndOverwritesADestinationOfAnyType()
    {
        Setup("SADD a x y z", "SADD b y z w", "RPUSH dst old");
        Assert.Equal(":2\r\n", Run("SINTERSTORE dst a b"));
        Assert.Equal(["y", "z"], ParseArray(Run("SMEMBERS dst")).Order(StringComparer.Ordinal));
        Assert.Equal(["SINTERSTORE dst a b"], sink.Commands);
    }

    [Fact]
    public void AnEmptyStoreResultDeletesTheDestinationAndIsPropagatedOnlyIfItExisted()
    {
        Setup("SADD a x", "SADD b y", "SADD dst old");
        Assert.Equal(":0\r\n", Run("SINTERSTORE dst a b"));
        Assert.False(Exists("dst"));
        Assert.Equal(":0\r\n", Run("SDIFFSTORE dst a a"));
        Assert.Equal(":0\r\n", Run("SUNIONSTORE dst nothing none"));
        Assert.Equal(["SINTERSTORE dst a b"], sink.Commands);
    }

    [Fact]
    public void SUnionStoreAndSDiffStore()
    {
        Setup("SADD a x y", "SADD b y z");
        Assert.Equal(":3\r\n", Run("SUNIONSTORE u a b missing"));
        Assert.Equal(["x", "y", "z"], ParseArray(Run("SMEMBERS u")).Order(StringComparer.Ordinal));
        Assert.Equal(":1\r\n", Run("SDIFFSTORE d a b"));
        Assert.Equal("*1\r\n$1\r\nx\r\n", Run("SMEMBERS d"));
        Assert.Equal(["SUNIONSTORE u a b missing", "SDIFFSTORE d a b"], sink.Commands);
    }

    [Fact]
    public void SetAlgebraReadsTreatMissingKeysAsEmptyAndCheckEveryType()
    {
        Setup("SADD a x y", "SADD b y", "SET str v");
        Assert.Equal("*1\r\n$1\r\ny\r\n", Run("SINTER a b"));
        Assert.Equal("*0\r\n", Run("SINTER a missing"));
        Assert.Equal(WrongType, Run("SINTER missing str"));
        Assert.Equal(WrongType, Run("SUNION a str"));
        Assert.Equal(WrongType, Run("SINTERSTORE dst a str"));
        Assert.Equal("*1\r\n$1\r\nx\r\n", Run("SDIFF a b missing"));
        Assert.Equal("*0\r\n", Run("SDIFF missing a"));
        Assert.Equal(["x", "y"], ParseArray(Run("SUNION a b")).Order(StringComparer.Ordinal));
        Assert.False(Exists("dst"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void SMembersSCardSIsMember()
    {
        Setup("SADD s a");
        Assert.Equal("*1\r\n$1\r\na\r\n", Run("SMEMBERS s"));
        Assert.Equal("*0\r\n", Run("SMEMBERS missing"));
        Assert.Equal(":1\r\n", Run("SISMEMBER s a"));
        Assert.Equal(":0\r\n", Run("SISMEMBER s b"));
        Assert.Equal(":0\r\n", Run("SISMEMBER missing a"));
        Assert.Equal(":0\r\n", Run("SCARD missing"));
        Setup("RPUSH l a");
        Assert.Equal(WrongType, Run("SADD l a"));
        Assert.Equal(WrongType, Run("SMEMBERS l"));
    }

    // ---------------------------------------------------------- sorted sets

    [Fact]
    public void ZAddAddsAndZRangeRepliesInScoreOrderWithScores()
    {
        Assert.Equal(":3\r\n", Run("ZADD z 2 b 1 a 1.5 c"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n", Run("ZRANGE z 0 -1"));
        Assert.Equal(
            "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n",
            Run("ZRANGE z 0 -1 WITHSCORES"));
        Assert.Equal(["ZADD z 2 b 1 a 1.5 c"], sink.Commands);
    }

    [Fact]
    public void ZAddWithEqualScoresOrdersMembersLexicographically()
    {
        Setup("ZADD z 1 b 1 a 1 ab 0 z");
        Assert.Equal("*4\r\n$1\r\nz\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n", Run("ZRANGE z 0 -1"));
    }

    [Fact]
    public void ZAddThatChangesNothingIsNotPropagated()
    {
        Setup("ZADD z 1 a");
        Assert.Equal(":0\r\n", Run("ZADD z 1 a"));
        Assert.Equal(":0\r\n", Run("ZADD z CH 1 a"));
        Assert.Empty(sink.Commands);
        Assert.Equal(":0\r\n", Run("ZADD z 2 a"));
        Assert.Equal(":2\r\n", Run("ZADD z CH 3 a 4 b"));
        Assert.Equal(["ZADD z 2 a", "ZADD z CH 3 a 4 b"], sink.Commands);
    }

    [Fact]
    public void ZAddNxXxGtLt()
    {
        Setup("ZADD z 5 a");
        Assert.Equal(":0\r\n", Run("ZADD z XX 1 new"));
        Assert.Equal(":0\r\n", Run("ZADD z NX 1 a"));
        Assert.Equal(":0\r\n", Run("ZADD z GT CH 4 a"));
        Assert.Equal(":0\r\n", Run("ZADD z LT CH 6 a"));
        Assert.Equal("$1\r\n5\r\n", Run("ZSCORE z a"));
        Assert.Equal("$-1\r\n", Run("ZSCORE z new"));
        Assert.Empty(sink.Commands);

        Assert.Equal(":1\r\n", Run("ZADD z GT CH 7 a"));
        Assert.Equal(":1\r\n", Run("ZADD z LT CH 2 a"));
        Assert.Equal(":1\r\n", Run("ZADD z GT 1 b"));
        Assert.Equal(":1\r\n", Run("ZADD z XX CH 3 a"));
        Assert.Equal("$1\r\n3\r\n", Run("ZSCORE z a"));
        Assert.Equal(4, sink.Commands.Count);
    }

    [Fact]
    public void ZAddXxOnAMissingKeyCreatesNothing()
    {
        Assert.Equal(":0\r\n", Run("ZADD z XX 1 a"));
        Assert.Equal("$-1\r\n", Run("ZADD z XX INCR 1 a"));
        Assert.False(Exists("z"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void ZAddOptionAndScoreErrors()
    {
        Assert.Equal("-ERR XX and NX options at the same time are not compatible\r\n", Run("ZADD z NX XX 1 a"));
        Assert.Equal("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", Run("ZADD z GT LT 1 a"));
        Assert.Equal("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", Run("ZADD z NX GT 1 a"));
        Assert.Equal("-ERR INCR option supports a single increment-element pair\r\n", Run("ZADD z INCR 1 a 2 b"));
        Assert.Equal("-ERR value is not a valid float\r\n", Run("ZADD z 1 a x b"));
        Assert.Equal("-ERR value is not a valid float\r\n", Run("ZADD z nan a"));
        Assert.Equal(Syntax, Run("ZADD z 1 a 2"));
        Assert.Equal(Syntax, Run("ZADD z NX CH"));
        Assert.False(Exists("z"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void ZIncrByAndZAddIncrReplyTheNewScore()
    {
        Assert.Equal("$3\r\n2.5\r\n", Run("ZINCRBY z 2.5 a"));
        Assert.Equal("$1\r\n5\r\n", Run("ZINCRBY z 2.5 a"));
        Assert.Equal("$2\r\n-1\r\n", Run("ZADD z INCR -6 a"));
        Assert.Equal("$-1\r\n", Run("ZADD z NX INCR 1 a"));
        Assert.Equal("$-1\r\n", Run("ZADD z GT INCR -1 a"));
        Assert.Equal("$2\r\n-1\r\n", Run("ZSCORE z a"));
        Assert.Equal("-ERR value is not a valid float\r\n", Run("ZINCRBY z abc a"));
        Assert.Equal(["ZINCRBY z 2.5 a", "ZINCRBY z 2.5 a", "ZADD z INCR -6 a"], sink.Commands);
    }

    [Fact]
    public void AnIncrementToNaNIsRefusedAndNotPropagated()
    {
        Setup("ZADD z inf a");
        Assert.Equal("-ERR resulting score is not a number (NaN)\r\n", Run("ZINCRBY z -inf a"));
        Assert.Equal("-ERR resulting score is not a number (NaN)\r\n", Run("ZADD z INCR -inf a"));
        Assert.Equal("$3\r\ninf\r\n", Run("ZSCORE z a"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void ZRemDeletesTheKeyWhenEmptiedAndIgnoresAbsentMembers()
    {
        Setup("ZADD z 1 a 2 b");
        Assert.Equal(":0\r\n", Run("ZREM z x"));
        Assert.Equal(":0\r\n", Run("ZREM missing a"));
        Assert.Empty(sink.Commands);
        Assert.Equal(":2\r\n", Run("ZREM z a b x"));
        Assert.False(Exists("z"));
        Assert.Equal(["ZREM z a b x"], sink.Commands);
    }

    [Fact]
    public void ZRemRangeByScoreHonoursExclusiveAndInfiniteBounds()
    {
        Setup("ZADD z 1 a 2 b 3 c 4 d");
        Assert.Equal(":2\r\n", Run("ZREMRANGEBYSCORE z (1 3"));
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\nd\r\n", Run("ZRANGE z 0 -1"));
        Assert.Equal(":0\r\n", Run("ZREMRANGEBYSCORE z (1 (4"));
        Assert.Equal("-ERR min or max is not a float\r\n", Run("ZREMRANGEBYSCORE z x 4"));
        Assert.Equal(":2\r\n", Run("ZREMRANGEBYSCORE z -inf +inf"));
        Assert.False(Exists("z"));
        Assert.Equal(["ZREMRANGEBYSCORE z (1 3", "ZREMRANGEBYSCORE z -inf +inf"], sink.Commands);
    }

    [Fact]
    public void ZRemRangeByRank()
    {
        Setup("ZADD z 1 a 2 b 3 c 4 d");
        Assert.Equal(":2\r\n", Run("ZREMRANGEBYRANK z 0 1"));
        Assert.Equal(":1\r\n", Run("ZREMRANGEBYRANK z -1 -1"));
        Assert.Equal(":0\r\n", Run("ZREMRANGEBYRANK z 5 9"));
        Assert.Equal("*1\r\n$1\r\nc\r\n", Run("ZRANGE z 0 -1"));
        Assert.Equal(["ZREMRANGEBYRANK z 0 1", "ZREMRANGEBYRANK z -1 -1"], sink.Commands);
    }

    [Fact]
    public void ZUnionStoreWithWeights()
    {
        Setup("ZADD z1 1 a 2 b", "ZADD z2 3 b 4 c");
        Assert.Equal(":3\r\n", Run("ZUNIONSTORE out 2 z1 z2 WEIGHTS 2 1"));
        Assert.Equal(
            "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n7\r\n",
            Run("ZRANGE out 0 -1 WITHSCORES"));
        Assert.Equal(":3\r\n", Run("ZUNIONSTORE out 2 z1 z2 AGGREGATE MAX"));
        Assert.Equal("$1\r\n3\r\n", Run("ZSCORE out b"));
        Assert.Equal(["ZUNIONSTORE out 2 z1 z2 WEIGHTS 2 1", "ZUNIONSTORE out 2 z1 z2 AGGREGATE MAX"], sink.Commands);
    }

    [Fact]
    public void ZInterStoreCountsSetMembersAsScoreOneAndAggregates()
    {
        Setup("ZADD z 1 a 5 b 9 c", "SADD s a b");
        Assert.Equal(":2\r\n", Run("ZINTERSTORE out 2 z s"));
        Assert.Equal("*4\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n6\r\n", Run("ZRANGE out 0 -1 WITHSCORES"));
        Assert.Equal(":2\r\n", Run("ZINTERSTORE out 2 z s AGGREGATE MIN"));
        Assert.Equal("*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n", Run("ZRANGE out 0 -1 WITHSCORES"));
        Assert.Equal(":2\r\n", Run("ZINTERSTORE out 2 z s WEIGHTS 1 10 AGGREGATE MAX"));
        Assert.Equal("*4\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$2\r\n10\r\n", Run("ZRANGE out 0 -1 WITHSCORES"));
    }

    [Fact]
    public void ZStoreOverwritesOrDeletesTheDestination()
    {
        Setup("ZADD z1 1 a", "ZADD z2 1 b", "SET out string");
        Assert.Equal(":1\r\n", Run("ZUNIONSTORE out 1 z1"));
        Assert.Equal("$1\r\n1\r\n", Run("ZSCORE out a"));
        Assert.Equal(":0\r\n", Run("ZINTERSTORE out 2 z1 z2"));
        Assert.False(Exists("out"));
        Assert.Equal(":0\r\n", Run("ZINTERSTORE out 2 z1 missing"));
        Assert.Equal(["ZUNIONSTORE out 1 z1", "ZINTERSTORE out 2 z1 z2"], sink.Commands);
    }

    [Fact]
    public void ZStoreArgumentErrors()
    {
        Setup("ZADD z 1 a", "RPUSH l x");
        Assert.Equal(WrongType, Run("ZUNIONSTORE out 2 z l"));
        Assert.Equal("-ERR at least 1 input key is needed for 'zunionstore' command\r\n", Run("ZUNIONSTORE out 0 z"));
        Assert.Equal(Syntax, Run("ZINTERSTORE out 3 z z"));
        Assert.Equal("-ERR weight value is not a float\r\n", Run("ZUNIONSTORE out 1 z WEIGHTS x"));
        Assert.Equal(Syntax, Run("ZUNIONSTORE out 1 z AGGREGATE AVG"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", Run("ZUNIONSTORE out x z"));
        Assert.False(Exists("out"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void ZRangeByIndex()
    {
        Setup("ZADD z 1 a 2 b 3 c");
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("ZRANGE z -2 -1"));
        Assert.Equal("*2\r\n$1\r\nc\r\n$1\r\nb\r\n", Run("ZRANGE z 0 1 REV"));
        Assert.Equal("*0\r\n", Run("ZRANGE z 5 10"));
        Assert.Equal("*0\r\n", Run("ZRANGE missing 0 -1"));
        Assert.Equal(
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
            Run("ZRANGE z 0 -1 LIMIT 0 1"));
        Assert.Equal(Syntax, Run("ZRANGE z 0 -1 FOO"));
    }

    [Fact]
    public void ZRangeByScoreWithExclusiveBoundsScoresAndLimit()
    {
        Setup("ZADD z 1 a 2 b 3 c 4 d");
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("ZRANGEBYSCORE z (1 3"));
        Assert.Equal("*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", Run("ZRANGEBYSCORE z 2 (4 WITHSCORES"));
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("ZRANGEBYSCORE z -inf +inf LIMIT 1 2"));
        Assert.Equal("*0\r\n", Run("ZRANGEBYSCORE z 3 2"));
        Assert.Equal("*2\r\n$1\r\nd\r\n$1\r\nc\r\n", Run("ZRANGE z +inf (2 BYSCORE REV"));
        Assert.Equal("-ERR min or max is not a float\r\n", Run("ZRANGEBYSCORE z a b"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void ZRangeByLex()
    {
        Setup("ZADD z 0 a 0 b 0 c 0 d");
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("ZRANGE z [b (d BYLEX"));
        Assert.Equal("*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", Run("ZRANGE z + - BYLEX REV"));
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nc\r\n", Run("ZRANGE z - + BYLEX LIMIT 1 2"));
        Assert.Equal("-ERR min or max not valid string range item\r\n", Run("ZRANGE z a b BYLEX"));
        Assert.Equal(
            "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
            Run("ZRANGE z - + BYLEX WITHSCORES"));
    }

    [Fact]
    public void ZRankWithScore()
    {
        Setup("ZADD z 1 a 2.5 b");
        Assert.Equal("*2\r\n:1\r\n$3\r\n2.5\r\n", Run("ZRANK z b WITHSCORE"));
        Assert.Equal("*-1\r\n", Run("ZRANK z x WITHSCORE"));
        Assert.Equal(Syntax, Run("ZRANK z b WITHSCORES"));
        Assert.Equal("-ERR wrong number of arguments for 'zrank' command\r\n", Run("ZRANK z b WITHSCORE x"));
    }

    [Fact]
    public void ZCardZScoreZRank()
    {
        Setup("ZADD z 1 a 2.5 b 3 c");
        Assert.Equal(":3\r\n", Run("ZCARD z"));
        Assert.Equal(":0\r\n", Run("ZCARD missing"));
        Assert.Equal("$3\r\n2.5\r\n", Run("ZSCORE z b"));
        Assert.Equal("$-1\r\n", Run("ZSCORE missing b"));
        Assert.Equal(":0\r\n", Run("ZRANK z a"));
        Assert.Equal(":2\r\n", Run("ZRANK z c"));
        Assert.Equal("$-1\r\n", Run("ZRANK z nope"));
        Assert.Equal("$-1\r\n", Run("ZRANK missing a"));
        Setup("SADD s a");
        Assert.Equal(WrongType, Run("ZSCORE s a"));
        Assert.Equal(WrongType, Run("ZADD s 1 a"));
    }

    // --------------------------------------------------------------- hashes

    [Fact]
    public void HSetRepliesTheNewFieldsButIsAlwaysPropagated()
    {
        Assert.Equal(":2\r\n", Run("HSET h a 1 b 2"));
        Assert.Equal(":1\r\n", Run("HSET h a 3 c 4"));
        Assert.Equal(":0\r\n", Run("HSET h a 3"));
        Assert.Equal("$1\r\n3\r\n", Run("HGET h a"));
        Assert.Equal(["HSET h a 1 b 2", "HSET h a 3 c 4", "HSET h a 3"], sink.Commands);
    }

    [Fact]
    public void HSetAndHMSetArity()
    {
        Assert.Equal("-ERR wrong number of arguments for 'hset' command\r\n", Run("HSET h a 1 b"));
        Assert.Equal("-ERR wrong number of arguments for 'hset' command\r\n", Run("HSET h a"));
        Assert.Equal("-ERR wrong number of arguments for 'hmset' command\r\n", Run("HMSET h a 1 b"));
        Assert.False(Exists("h"));
        Assert.Equal("+OK\r\n", Run("HMSET h a 1 b 2"));
        Assert.Equal(":2\r\n", Run("HLEN h"));
        Assert.Equal(["HMSET h a 1 b 2"], sink.Commands);
    }

    [Fact]
    public void HSetNxOnlySetsANewField()
    {
        Assert.Equal(":1\r\n", Run("HSETNX h f v"));
        Assert.Equal(":0\r\n", Run("HSETNX h f other"));
        Assert.Equal("$1\r\nv\r\n", Run("HGET h f"));
        Assert.Equal(["HSETNX h f v"], sink.Commands);
    }

    [Fact]
    public void HDelOfAbsentFieldsIsNotPropagatedAndTheLastFieldDeletesTheKey()
    {
        Setup("HSET h a 1 b 2");
        Assert.Equal(":0\r\n", Run("HDEL h x"));
        Assert.Equal(":0\r\n", Run("HDEL missing a"));
        Assert.Empty(sink.Commands);
        Assert.Equal(":2\r\n", Run("HDEL h a b x"));
        Assert.False(Exists("h"));
        Assert.Equal(["HDEL h a b x"], sink.Commands);
    }

    [Fact]
    public void HIncrBy()
    {
        Assert.Equal(":5\r\n", Run("HINCRBY h n 5"));
        Assert.Equal(":-2\r\n", Run("HINCRBY h n -7"));
        Setup("HSET h s text", "HSET h big 9223372036854775807");
        Assert.Equal("-ERR hash value is not an integer\r\n", Run("HINCRBY h s 1"));
        Assert.Equal("-ERR increment or decrement would overflow\r\n", Run("HINCRBY h big 1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", Run("HINCRBY h n x"));
        Assert.Equal("$2\r\n-2\r\n", Run("HGET h n"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void HIncrByFloatIsPropagatedAsHSetOfTheResult()
    {
        Assert.Equal("$3\r\n1.5\r\n", Run("HINCRBYFLOAT h f 1.5"));
        Assert.Equal("$3\r\n1.6\r\n", Run("HINCRBYFLOAT h f 0.1"));
        Assert.Equal("$1\r\n2\r\n", Run("HINCRBYFLOAT h f 0.4"));
        Assert.Equal("$1\r\n2\r\n", Run("HGET h f"));
        Assert.Equal(["HSET h f 1.5", "HSET h f 1.6", "HSET h f 2"], sink.Commands);
    }

    [Fact]
    public void HIncrByFloatErrors()
    {
        Setup("HSET h s text");
        Assert.Equal("-ERR hash value is not a float\r\n", Run("HINCRBYFLOAT h s 1"));
        Assert.Equal("-ERR value is not a valid float\r\n", Run("HINCRBYFLOAT h f x"));
        Assert.Equal("-ERR value is NaN or Infinity\r\n", Run("HINCRBYFLOAT h f inf"));
        Assert.Equal("$-1\r\n", Run("HGET h f"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void HashReads()
    {
        Setup("HSET h a 1 b 2");
        Assert.Equal("*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n", Run("HMGET h a x b"));
        Assert.Equal("*2\r\n$-1\r\n$-1\r\n", Run("HMGET missing a b"));
        Assert.Equal(["a", "1", "b", "2"], Pairs(ParseArray(Run("HGETALL h"))));
        Assert.Equal(["a", "b"], ParseArray(Run("HKEYS h")).Order(StringComparer.Ordinal));
        Assert.Equal(["1", "2"], ParseArray(Run("HVALS h")).Order(StringComparer.Ordinal));
        Assert.Equal("*0\r\n", Run("HGETALL missing"));
        Assert.Equal("*0\r\n", Run("HKEYS missing"));
        Assert.Equal(":2\r\n", Run("HLEN h"));
        Assert.Equal(":0\r\n", Run("HLEN missing"));
        Assert.Equal(":1\r\n", Run("HEXISTS h a"));
        Assert.Equal(":0\r\n", Run("HEXISTS h x"));
        Assert.Equal("$-1\r\n", Run("HGET missing a"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void HashCommandsOnAnotherTypeAreWrongType()
    {
        Setup("RPUSH l a");
        Assert.Equal(WrongType, Run("HSET l f v"));
        Assert.Equal(WrongType, Run("HGET l f"));
        Assert.Equal(WrongType, Run("HMGET l f"));
        Assert.Equal(WrongType, Run("HINCRBYFLOAT l f 1"));
        Assert.Equal(WrongType, Run("HGETALL l"));
        Assert.Empty(sink.Commands);
    }

    [Fact]
    public void HIncrByReachesTheInt64LimitsAndRefusesToPassThem()
    {
        Setup("HSET h max 9223372036854775806", "HSET h min -9223372036854775807", "HSET h p 5", "HSET h n -5");
        Assert.Equal(":9223372036854775807\r\n", Run("HINCRBY h max 1"));
        Assert.Equal("-ERR increment or decrement would overflow\r\n", Run("HINCRBY h max 1"));
        Assert.Equal("$19\r\n9223372036854775807\r\n", Run("HGET h max"));
        Assert.Equal(":-9223372036854775808\r\n", Run("HINCRBY h min -1"));
        Assert.Equal("-ERR increment or decrement would overflow\r\n", Run("HINCRBY h min -1"));
        Assert.Equal(":8\r\n", Run("HINCRBY h p 3"));
        Assert.Equal(":5\r\n", Run("HINCRBY h n 10"));
        Assert.Equal(":-2\r\n", Run("HINCRBY h n -7"));
        Assert.Equal(":-3\r\n", Run("HINCRBY h n -1"));
    }

    // ------------------------------------------------------- copy-on-write

    [Fact]
    public void ChangesAfterAForkLeaveTheSnapshotAlone()
    {
        Setup("RPUSH l a", "SADD s a", "ZADD z 1 a", "HSET h f 1");
        DatasetSnapshot snapshot = data.Fork();
        Setup("RPUSH l b", "SREM s a", "ZADD z 2 a", "HSET h f 2");

        Assert.Single(((RedisList)Get(snapshot, "l").Value).Items.Items());
        Assert.Single(((RedisSet)Get(snapshot, "s").Value).Members);
        Assert.True(((RedisZSet)Get(snapshot, "z").Value).TryGetScore("a"u8, out double score));
        Assert.Equal(1.0, score);
        Assert.Equal("1"u8.ToArray(), ((RedisHash)Get(snapshot, "h").Value).Fields["f"u8.ToArray()]);
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\nb\r\n", Run("LRANGE l 0 -1"));
        Assert.False(Exists("s"));
    }

    // -------------------------------------------------------------- helpers

    private static DbEntry Get(DatasetSnapshot snapshot, string key) => snapshot[0][Encoding.Latin1.GetBytes(key)];

    private string Run(string line)
    {
        var output = new ByteBuffer();
        processor.Execute(client, CommandArgs.Parse(line), new ReplyWriter(output), now);
        return Encoding.Latin1.GetString(output.Span);
    }

    /// <summary>Runs commands that must succeed, then forgets what they propagated.</summary>
    private void Setup(params string[] lines)
    {
        foreach (string line in lines)
        {
            string reply = Run(line);
            Assert.False(reply.StartsWith('-'), $"{line} failed: {reply}");
        }

        sink.Commands.Clear();
    }

    private bool Exists(string key) => data[0].TryGet(Encoding.Latin1.GetBytes(key), out _);

    private static string ParseBulk(string reply)
    {
        string[] lines = reply.Split("\r\n");
        Assert.StartsWith("$", lines[0], StringComparison.Ordinal);
        return lines[1];
    }

    private static List<string> ParseArray(string reply)
    {
        string[] lines = reply.Split("\r\n");
        Assert.StartsWith("*", lines[0], StringComparison.Ordinal);
        int n = int.Parse(lines[0][1..], System.Globalization.CultureInfo.InvariantCulture);
        var items = new List<string>();
        for (int i = 0; i < n; i++)
        {
            items.Add(lines[2 + (2 * i)]);
        }

        return items;
    }

    /// <summary>A flat field, value, field, value… reply, sorted by field.</summary>
    private static List<string> Pairs(List<string> flat) =>
        [.. Enumerable.Range(0, flat.Count / 2)
            .Select(i => (Field: flat[2 * i], Value: flat[(2 * i) + 1]))
            .OrderBy(p => p.Field, StringComparer.Ordinal)
            .SelectMany(p => new[] { p.Field, p.Value })];

    private sealed class RecordingSink : IPropagationSink
    {
        public List<string> Commands { get; } = [];

        public void Propagate(CommandDef command, int dbId, CommandArgs argv) => Commands.Add(argv.ToString());
    }

    /// <summary>Always picks the first candidate, and records how many there were each time.</summary>
    private sealed class ScriptedRandom : IRandomSource
    {
        public List<int> Bounds { get; } = [];

        public int Next(int maxExclusive)
        {
            Bounds.Add(maxExclusive);
            return 0;
        }
    }
}
