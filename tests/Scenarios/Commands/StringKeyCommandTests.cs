using AofSim.Engine.Data;
using AofSim.Engine.Profiles;

namespace AofSim.Scenarios.Commands;

/// <summary>
/// String, keyspace, server and transaction commands: replies, the dataset, and above all what
/// each one propagates to the AOF (a command that changed nothing must log nothing).
/// </summary>
public sealed class StringKeyCommandTests
{
    private readonly CommandHarness h = new();

    [Fact]
    public void SetThenGetRepliesOkAndTheValue()
    {
        Assert.Equal("+OK\r\n", h.Run("SET k hello"));
        Assert.Equal("$5\r\nhello\r\n", h.Run("GET k"));
        Assert.Equal(["0:SET k hello"], h.Sink.Commands);
    }

    [Fact]
    public void SetNxOnAnExistingKeyRepliesNilAndLogsNothing()
    {
        h.Setup("SET k a");
        Assert.Equal("$-1\r\n", h.Run("SET k b NX"));
        Assert.Equal("$1\r\na\r\n", h.Run("GET k"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void SetXxOnAMissingKeyRepliesNilAndLogsNothing()
    {
        Assert.Equal("$-1\r\n", h.Run("SET k b XX"));
        Assert.False(h.Exists("k"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void SetExSetsAnAbsoluteExpiryFromTheClockAndIsLoggedVerbatimByTheCommand()
    {
        Assert.Equal("+OK\r\n", h.Run("SET k v EX 10"));
        Assert.Equal(h.Now + 10_000, h.Entry("k").ExpireAt);
        Assert.Equal(":10\r\n", h.Run("TTL k"));
        Assert.Equal(["0:SET k v EX 10"], h.Sink.Commands);
    }

    [Theory]
    [InlineData("SET k v EX 0")]
    [InlineData("SET k v PX -5")]
    public void SetWithANonPositiveExpiryIsAnError(string line)
    {
        Assert.Equal("-ERR invalid expire time in 'set' command\r\n", h.Run(line));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void SetWithConflictingOptionsIsASyntaxError()
    {
        Assert.Equal("-ERR syntax error\r\n", h.Run("SET k v NX XX"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SET k v EX 10 PX 100"));
    }

    [Fact]
    public void PlainSetDropsAnExpiryAndKeepTtlKeepsIt()
    {
        h.Setup("SET k v EX 100");
        h.Run("SET k w KEEPTTL");
        Assert.Equal(h.Now + 100_000, h.Entry("k").ExpireAt);
        h.Run("SET k x");
        Assert.Equal(DbEntry.NoExpiry, h.Entry("k").ExpireAt);
    }

    [Fact]
    public void SetExAndPSetExSetTheExpiryAndRejectNonPositiveTimes()
    {
        Assert.Equal("+OK\r\n", h.Run("SETEX a 5 v"));
        Assert.Equal(h.Now + 5000, h.Entry("a").ExpireAt);
        Assert.Equal("+OK\r\n", h.Run("PSETEX b 250 v"));
        Assert.Equal(h.Now + 250, h.Entry("b").ExpireAt);
        Assert.Equal("-ERR invalid expire time in 'setex' command\r\n", h.Run("SETEX c 0 v"));
        Assert.Equal("-ERR invalid expire time in 'psetex' command\r\n", h.Run("PSETEX c -1 v"));
        Assert.Equal(["0:SETEX a 5 v", "0:PSETEX b 250 v"], h.Sink.Commands);
    }

    [Fact]
    public void IncrFamilyCountsFromZeroAndKeepsTheExpiry()
    {
        Assert.Equal(":1\r\n", h.Run("INCR n"));
        Assert.Equal(":11\r\n", h.Run("INCRBY n 10"));
        Assert.Equal(":10\r\n", h.Run("DECR n"));
        Assert.Equal(":-5\r\n", h.Run("DECRBY n 15"));
        h.Run("PEXPIRE n 5000");
        h.Run("INCR n");
        Assert.Equal(h.Now + 5000, h.Entry("n").ExpireAt);
        Assert.Equal("$2\r\n-4\r\n", h.Run("GET n"));
    }

    [Fact]
    public void IncrOnANonIntegerOrPastTheLimitIsAnErrorAndLogsNothing()
    {
        h.Setup("SET s abc", "SET big 9223372036854775807", "SET padded 007");
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("INCR s"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("INCR padded"));
        Assert.Equal("-ERR increment or decrement would overflow\r\n", h.Run("INCR big"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("INCRBY s 1x"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void IncrByFloatRepliesTheSumAndIsLoggedAsASetOfIt()
    {
        h.Setup("SET f 10.5");
        Assert.Equal("$4\r\n10.6\r\n", h.Run("INCRBYFLOAT f 0.1"));
        Assert.Equal(["0:SET f 10.6 KEEPTTL"], h.Sink.Commands);
    }

    [Fact]
    public void IncrByFloatUnderTheSeedIsLoggedAsAPlainSetWhichDropsTheExpiryOnReplay()
    {
        var seed = new CommandHarness(Profile.Redis26);
        seed.Setup("SET f 1 EX 100");
        Assert.Equal("$3\r\n1.5\r\n", seed.Run("INCRBYFLOAT f 0.5"));
        Assert.Equal(seed.Now + 100_000, seed.Entry("f").ExpireAt);
        Assert.Equal(["0:SET f 1.5"], seed.Sink.Commands);
    }

    [Fact]
    public void IncrByFloatOfThreeTenthsIsExact()
    {
        h.Setup("SET f 0.1");
        Assert.Equal("$3\r\n0.3\r\n", h.Run("INCRBYFLOAT f 0.2"));
    }

    [Fact]
    public void IncrByFloatToInfinityIsAnError()
    {
        h.Setup("SET f 1");
        Assert.Equal("-ERR increment would produce NaN or Infinity\r\n", h.Run("INCRBYFLOAT f inf"));
        Assert.Equal("-ERR value is not a valid float\r\n", h.Run("INCRBYFLOAT f abc"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void AppendCreatesAndGrowsAString()
    {
        Assert.Equal(":3\r\n", h.Run("APPEND s abc"));
        Assert.Equal(":6\r\n", h.Run("APPEND s def"));
        for (int i = 0; i < 100; i++)
        {
            h.Run("APPEND s x");
        }

        Assert.Equal(":106\r\n", h.Run("STRLEN s"));
        Assert.StartsWith("$106\r\nabcdefxxx", h.Run("GET s"), StringComparison.Ordinal);
    }

    [Fact]
    public void MSetNeedsPairsAndMSetNxSetsAllOrNothing()
    {
        Assert.Equal("-ERR wrong number of arguments for 'mset' command\r\n", h.Run("MSET a 1 b"));
        h.Setup("SET b old");
        Assert.Equal(":0\r\n", h.Run("MSETNX a 1 b 2"));
        Assert.False(h.Exists("a"));
        Assert.Equal(":1\r\n", h.Run("MSETNX a 1 c 3"));
        Assert.Equal(["0:MSETNX a 1 c 3"], h.Sink.Commands);
    }

    [Fact]
    public void GetSetRepliesTheOldValueAndDropsTheExpiry()
    {
        h.Setup("SET k old EX 100");
        Assert.Equal("$3\r\nold\r\n", h.Run("GETSET k new"));
        Assert.Equal(DbEntry.NoExpiry, h.Entry("k").ExpireAt);
        Assert.Equal("$-1\r\n", h.Run("GETSET fresh v"));
    }

    [Fact]
    public void DelCountsWhatItRemovedAndADelOfNothingIsNotLogged()
    {
        h.Setup("SET a 1", "SET b 2");
        Assert.Equal(":2\r\n", h.Run("DEL a b c"));
        Assert.Equal(":0\r\n", h.Run("DEL a"));
        Assert.Equal(["0:DEL a b c"], h.Sink.Commands);
    }

    [Fact]
    public void ExpireInTheFutureSetsTheTimeAndIsLoggedForTheFeedToTranslate()
    {
        h.Setup("SET k v");
        Assert.Equal(":1\r\n", h.Run("EXPIRE k 10"));
        Assert.Equal(h.Now + 10_000, h.Entry("k").ExpireAt);
        Assert.Equal(":1\r\n", h.Run("PEXPIREAT k 1800000000000"));
        Assert.Equal(1_800_000_000_000, h.Entry("k").ExpireAt);
        Assert.Equal(["0:EXPIRE k 10", "0:PEXPIREAT k 1800000000000"], h.Sink.Commands);
    }

    [Theory]
    [InlineData("EXPIRE k -1")]
    [InlineData("PEXPIRE k 0")]
    [InlineData("EXPIREAT k 1")]
    public void ExpireInThePastDeletesTheKeyAndIsLoggedAsDel(string line)
    {
        h.Setup("SET k v");
        Assert.Equal(":1\r\n", h.Run(line));
        Assert.False(h.Exists("k"));
        Assert.Equal(["0:DEL k"], h.Sink.Commands);
    }

    [Fact]
    public void ExpireOfAMissingKeyRepliesZeroAndLogsNothing()
    {
        Assert.Equal(":0\r\n", h.Run("EXPIRE nope 10"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void ExpireOptionsFollowRedis7()
    {
        h.Setup("SET k v");
        Assert.Equal(":0\r\n", h.Run("EXPIRE k 10 XX"));
        Assert.Equal(":1\r\n", h.Run("EXPIRE k 10 NX"));
        Assert.Equal(":0\r\n", h.Run("EXPIRE k 5 GT"));
        Assert.Equal(":1\r\n", h.Run("EXPIRE k 5 LT"));
        Assert.Equal(h.Now + 5000, h.Entry("k").ExpireAt);
    }

    [Fact]
    public void AKeyPastItsTimeIsGoneForEveryCommandAndItsDeletionIsLoggedFirst()
    {
        h.Setup("SET k v PX 100", "RPUSH other x");
        h.Now += 100;
        Assert.Equal("$1\r\nv\r\n", h.Run("GET k")); // now == expireAt: still there (now <= when)
        h.Now += 1;
        Assert.Equal("$-1\r\n", h.Run("GET k"));
        Assert.Equal(["0:DEL k"], h.Sink.Commands);
        Assert.False(h.Exists("k"));
    }

    [Fact]
    public void AnExpiredStringKeyCanBeReusedAsAList()
    {
        h.Setup("SET k v PX 10");
        h.Now += 11;
        Assert.Equal(":1\r\n", h.Run("RPUSH k a"));
        Assert.Equal(["0:DEL k", "0:RPUSH k a"], h.Sink.Commands);
    }

    [Fact]
    public void TtlAndPttlReportMissingPersistentAndRemaining()
    {
        h.Setup("SET p v", "SET t v PX 1500");
        Assert.Equal(":-2\r\n", h.Run("TTL nope"));
        Assert.Equal(":-1\r\n", h.Run("TTL p"));
        Assert.Equal(":2\r\n", h.Run("TTL t"));
        Assert.Equal(":1500\r\n", h.Run("PTTL t"));
    }

    [Fact]
    public void PersistRemovesAnExpiryOnlyWhenThereIsOne()
    {
        h.Setup("SET p v", "SET t v EX 10");
        Assert.Equal(":0\r\n", h.Run("PERSIST p"));
        Assert.Equal(":1\r\n", h.Run("PERSIST t"));
        Assert.Equal(DbEntry.NoExpiry, h.Entry("t").ExpireAt);
        Assert.Equal(["0:PERSIST t"], h.Sink.Commands);
    }

    [Fact]
    public void RenameMovesTheValueWithItsExpiry()
    {
        h.Setup("SET a v EX 50", "SET b old");
        Assert.Equal("+OK\r\n", h.Run("RENAME a b"));
        Assert.False(h.Exists("a"));
        Assert.Equal(h.Now + 50_000, h.Entry("b").ExpireAt);
        Assert.Equal("-ERR no such key\r\n", h.Run("RENAME a c"));
        h.Setup("SET c 1");
        Assert.Equal(":0\r\n", h.Run("RENAMENX b c"));
        Assert.Equal(":1\r\n", h.Run("RENAMENX b d"));
        Assert.Equal(["0:RENAMENX b d"], h.Sink.Commands);
    }

    [Fact]
    public void MoveTakesTheKeyToAnotherDbUnlessItIsThere()
    {
        h.Setup("SET k v EX 30", "SELECT 2", "SET taken x", "SELECT 0", "SET taken y");
        Assert.Equal(":1\r\n", h.Run("MOVE k 2"));
        Assert.Equal(h.Now + 30_000, h.Entry("k", 2).ExpireAt);
        Assert.Equal(":0\r\n", h.Run("MOVE taken 2"));
        Assert.Equal("-ERR source and destination objects are the same\r\n", h.Run("MOVE taken 0"));
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("MOVE taken 16"));
        Assert.Equal(["0:MOVE k 2"], h.Sink.Commands);
    }

    [Fact]
    public void SelectChangesTheDbWritesArePropagatedIn()
    {
        Assert.Equal("+OK\r\n", h.Run("SELECT 5"));
        h.Run("SET k v");
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("SELECT 16"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("SELECT x"));
        Assert.Equal(["5:SET k v"], h.Sink.Commands);
        Assert.True(h.Exists("k", 5));
    }

    [Fact]
    public void WrongTypeIsAnErrorAndChangesNothing()
    {
        h.Setup("RPUSH l a");
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("GET l"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("APPEND l x"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("INCR l"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void TypeNamesEachType()
    {
        h.Setup("SET s v", "RPUSH l a", "SADD st a", "ZADD z 1 a", "HSET hh f v");
        Assert.Equal("+string\r\n", h.Run("TYPE s"));
        Assert.Equal("+list\r\n", h.Run("TYPE l"));
        Assert.Equal("+set\r\n", h.Run("TYPE st"));
        Assert.Equal("+zset\r\n", h.Run("TYPE z"));
        Assert.Equal("+hash\r\n", h.Run("TYPE hh"));
        Assert.Equal("+none\r\n", h.Run("TYPE nope"));
    }

    [Fact]
    public void UnknownCommandsAndWrongArityAreErrors()
    {
        Assert.Equal("-ERR unknown command 'FOO'\r\n", h.Run("FOO bar"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", h.Run("GET"));
        Assert.Equal("-ERR wrong number of arguments for 'set' command\r\n", h.Run("SET k"));
    }

    [Fact]
    public void ATransactionIsLoggedWholeWithMultiBeforeItsFirstWriteAndExecAfter()
    {
        Assert.Equal("+OK\r\n", h.Run("MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Run("GET a"));
        Assert.Equal("+QUEUED\r\n", h.Run("SET a 1"));
        Assert.Equal("+QUEUED\r\n", h.Run("INCR a"));
        Assert.Equal("*3\r\n$-1\r\n+OK\r\n:2\r\n", h.Run("EXEC"));
        Assert.Equal(["0:MULTI", "0:SET a 1", "0:INCR a", "0:EXEC"], h.Sink.Commands);
    }

    [Fact]
    public void AReadOnlyTransactionLogsNothing()
    {
        h.Setup("SET a 1");
        h.Run("MULTI");
        h.Run("GET a");
        Assert.Equal("*1\r\n$1\r\n1\r\n", h.Run("EXEC"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void AQueuingErrorAbortsTheTransaction()
    {
        h.Run("MULTI");
        h.Run("SET a 1");
        Assert.Equal("-ERR unknown command 'NOPE'\r\n", h.Run("NOPE"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", h.Run("EXEC"));
        Assert.False(h.Exists("a"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void TransactionWordsOutOfPlaceAreErrors()
    {
        Assert.Equal("-ERR EXEC without MULTI\r\n", h.Run("EXEC"));
        Assert.Equal("-ERR DISCARD without MULTI\r\n", h.Run("DISCARD"));
        h.Run("MULTI");
        Assert.Equal("-ERR MULTI calls can not be nested\r\n", h.Run("MULTI"));
        h.Run("SET a 1");
        Assert.Equal("+OK\r\n", h.Run("DISCARD"));
        Assert.False(h.Exists("a"));
    }

    [Fact]
    public void FlushDbOfAnEmptyDbIsNotLoggedButFlushAllAlwaysIs()
    {
        Assert.Equal("+OK\r\n", h.Run("FLUSHDB"));
        Assert.Empty(h.Sink.Commands);
        Assert.Equal("+OK\r\n", h.Run("FLUSHALL"));
        Assert.Equal(["0:FLUSHALL"], h.Sink.Commands);
        h.Setup("SET a 1", "SELECT 1", "SET b 2");
        h.Run("FLUSHDB");
        Assert.True(h.Exists("a"));
        Assert.False(h.Exists("b", 1));
    }

    [Fact]
    public void ScanVisitsEveryKeyOnceOverSeveralCallsAndFilters()
    {
        for (int i = 0; i < 25; i++)
        {
            h.Run($"SET key:{i} v");
        }

        h.Run("RPUSH list:1 a");
        var seen = new List<string>();
        var batches = new List<int>();
        string cursor = "0";
        int calls = 0;
        do
        {
            string[] lines = h.Run($"SCAN {cursor} COUNT 4").Split("\r\n");
            cursor = lines[2];
            int n = int.Parse(lines[3][1..], System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < n; i++)
            {
                seen.Add(lines[5 + (2 * i)]);
            }

            batches.Add(n);
            calls++;
        }
        while (cursor != "0" && calls < 100);

        Assert.Equal(26, seen.Count);
        Assert.Equal(26, seen.Distinct().Count());
        Assert.True(calls > 1);

        // COUNT keys a call, stopping between hash slots (no two of these keys share one).
        Assert.All(batches.SkipLast(1), n => Assert.Equal(4, n));
        Assert.Equal("*2\r\n$1\r\n0\r\n*1\r\n$6\r\nlist:1\r\n", h.Run("SCAN 0 COUNT 1000 MATCH list:*"));
        Assert.Equal("*2\r\n$1\r\n0\r\n*1\r\n$6\r\nlist:1\r\n", h.Run("SCAN 0 COUNT 1000 TYPE list"));
    }

    [Fact]
    public void FlushDbDirtiesOncePerKeyItDrops()
    {
        h.Setup("SET a 1", "SET b 2", "SET c 3");
        Assert.Equal(3, DirtyDelta("FLUSHDB"));
        Assert.Equal(0, DirtyDelta("FLUSHDB"));
    }

    [Fact]
    public void PingEchoesOneArgumentAndRefusesTwo()
    {
        Assert.Equal("+PONG\r\n", h.Run("PING"));
        Assert.Equal("$2\r\nhi\r\n", h.Run("PING hi"));
        Assert.Equal("-ERR wrong number of arguments for 'ping' command\r\n", h.Run("PING a b"));
    }

    [Fact]
    public void DbSizeCountsTheSelectedDb()
    {
        h.Setup("SET a 1", "SET b 2", "SELECT 1", "SET c 3");
        Assert.Equal(":1\r\n", h.Run("DBSIZE"));
        h.Run("SELECT 0");
        Assert.Equal(":2\r\n", h.Run("DBSIZE"));
    }

    [Fact]
    public void WhileLoadingNothingExpiresAndAPastExpireSetsTheTime()
    {
        h.Processor.Context.Loading = true;
        h.Processor.Context.Sink = null;
        h.Run("SET k v");
        Assert.Equal(":1\r\n", h.Run("PEXPIREAT k 5"));
        Assert.Equal(5, h.Entry("k").ExpireAt);
        Assert.Equal("$1\r\nv\r\n", h.Run("GET k"));
        Assert.Equal(":1\r\n", h.Run("PERSIST k"));
        Assert.Equal(DbEntry.NoExpiry, h.Entry("k").ExpireAt);
    }

    [Fact]
    public void KeysListsTheLiveKeysThatMatchAndLogsNothing()
    {
        h.Setup("SET a1 x", "SET a2 x", "SET b1 x", "SET a3 x PX 100");
        h.Now += 101; // a3 is past its time: KEYS leaves it out (keysCommand's keyIsExpired)
        Assert.Equal(["a1", "a2"], Bulks(h.Run("KEYS a*")).Order(StringComparer.Ordinal));
        Assert.Equal("*0\r\n", h.Run("KEYS c*"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void ExpireRejectsIncompatibleOptionsAndChangesNothing()
    {
        h.Setup("SET k v");
        const string NxWithOthers = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
        Assert.Equal(NxWithOthers, h.Run("EXPIRE k 10 NX XX"));
        Assert.Equal(NxWithOthers, h.Run("EXPIRE k 10 NX GT"));
        Assert.Equal(NxWithOthers, h.Run("EXPIRE k 10 NX LT"));

        // Redis 7.0.15's own words for this one.
        Assert.Equal("-ERR GT and LT options at the same time are not compatible\r\n", h.Run("EXPIRE k 10 GT LT"));
        Assert.Equal(":-1\r\n", h.Run("TTL k"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void ExpireWithATimeThatIsNotAnIntegerIsOnlyAnError()
    {
        h.Setup("SET k v");
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("EXPIRE k abc"));
        Assert.Equal(DbEntry.NoExpiry, h.Entry("k").ExpireAt);
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void ExpireAtTakesSecondsUpToWhatMillisecondsCanHoldAndNoFurther()
    {
        // expireGenericCommand: seconds beyond LLONG_MAX/1000 or below LLONG_MIN/1000 are an
        // invalid expire time; the limits themselves are accepted.
        h.Setup("SET k v");
        Assert.Equal(":1\r\n", h.Run("EXPIREAT k 9223372036854775"));
        Assert.Equal(9_223_372_036_854_775_000, h.Entry("k").ExpireAt);
        Assert.Equal("-ERR invalid expire time in 'expireat' command\r\n", h.Run("EXPIREAT k 9223372036854776"));
        Assert.Equal("-ERR invalid expire time in 'expire' command\r\n", h.Run("EXPIRE k 9223372036854776"));
        Assert.Equal("-ERR invalid expire time in 'expireat' command\r\n", h.Run("EXPIREAT k -9223372036854776"));
        Assert.Equal(9_223_372_036_854_775_000, h.Entry("k").ExpireAt);
        Assert.Equal(":1\r\n", h.Run("EXPIREAT k -9223372036854775")); // in the past: deleted
        Assert.False(h.Exists("k"));
    }

    [Fact]
    public void MoveOfAMissingKeyRepliesZeroAndTouchesNothing()
    {
        Assert.Equal(":0\r\n", h.Run("MOVE missing 1"));
        Assert.False(h.Exists("missing", 1));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void SetNxSetsOnlyAMissingKey()
    {
        Assert.Equal(":1\r\n", h.Run("SETNX k a"));
        Assert.Equal(":0\r\n", h.Run("SETNX k b"));
        Assert.Equal("$1\r\na\r\n", h.Run("GET k"));
        Assert.Equal(["0:SETNX k a"], h.Sink.Commands);
    }

    [Fact]
    public void MGetRepliesNilForAMissingKeyAndForAnotherType()
    {
        h.Setup("SET x 1", "RPUSH l a");
        Assert.Equal("*3\r\n$1\r\n1\r\n$-1\r\n$-1\r\n", h.Run("MGET x nope l"));
    }

    [Fact]
    public void IncrByFloatOnAnotherTypeIsWrongTypeAndLeavesTheKey()
    {
        h.Setup("RPUSH l x");
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("INCRBYFLOAT l 1"));
        Assert.Equal("+list\r\n", h.Run("TYPE l"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void MSetNxWithAKeyWithoutAValueIsAnArityErrorAndSetsNothing()
    {
        Assert.Equal("-ERR wrong number of arguments for 'msetnx' command\r\n", h.Run("MSETNX a 1 b"));
        Assert.False(h.Exists("a"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void AppendToAMissingKeyCreatesItAndIsLogged()
    {
        Assert.Equal(":2\r\n", h.Run("APPEND k xy"));
        Assert.Equal("$2\r\nxy\r\n", h.Run("GET k"));
        Assert.Equal(["0:APPEND k xy"], h.Sink.Commands);
    }

    [Fact]
    public void GetRangeWithEqualEndsIsOneByte()
    {
        h.Setup("SET s hello");
        Assert.Equal("$1\r\nl\r\n", h.Run("GETRANGE s 2 2"));
    }

    [Fact]
    public void TheDirtyCounterGrowsAsRedissDoes()
    {
        // Redis's server.dirty, read there as INFO's rdb_changes_since_last_save: a DEL adds the
        // keys it removed; COPY, APPEND of a new key, INCRBYFLOAT and HINCRBYFLOAT add one each.
        h.Setup("MSET a 1 b 2 c 3");
        Assert.Equal(2, DirtyDelta("DEL a b zz"));
        Assert.Equal(1, DirtyDelta("COPY c d"));
        Assert.Equal(1, DirtyDelta("APPEND newk xy"));
        Assert.Equal(1, DirtyDelta("INCRBYFLOAT fl 2.5"));
        Assert.Equal(1, DirtyDelta("HINCRBYFLOAT h f 1.5"));
    }

    [Fact]
    public void MSetAnswersOkAndDirtiesOncePerPair()
    {
        // redis-server 7.0.15: rdb_changes_since_last_save grew by 3 for MSET a 1 b 2 c 3.
        Assert.Equal(3, DirtyDelta("MSET a 1 b 2 c 3"));
        Assert.Equal("+OK\r\n", h.Run("MSET a 1 b 2 c 3"));
        Assert.Equal("-ERR wrong number of arguments for 'mset' command\r\n", h.Run("MSET a 1 b"));
    }

    [Theory]
    [InlineData("1 -1", "ello")]
    [InlineData("-2 -2", "l")]
    [InlineData("-1 -5", "")]
    [InlineData("-1 0", "")]
    public void GetRangeWithNegativeEndsAnswersAsRedisDoes(string range, string expected)
    {
        // Each answer is redis-server 7.0.15's for GETRANGE of "hello".
        h.Setup("SET k hello");
        Assert.Equal($"${expected.Length}\r\n{expected}\r\n", h.Run($"GETRANGE k {range}"));
    }

    [Fact]
    public void SetExRefusesATimeThatIsNotAnIntegerAndStoresNothing()
    {
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("SETEX k abc v"));
        Assert.Equal("-ERR invalid expire time in 'setex' command\r\n", h.Run("SETEX k 0 v"));
        Assert.Equal("-ERR invalid expire time in 'psetex' command\r\n", h.Run("PSETEX k -5 v"));
        Assert.Equal("$-1\r\n", h.Run("GET k"));
        Assert.Empty(h.Sink.Commands);
    }

    private long DirtyDelta(string line)
    {
        long before = h.Processor.Context.Dirty;
        string reply = h.Run(line);
        Assert.False(reply.StartsWith('-'), reply);
        return h.Processor.Context.Dirty - before;
    }

    /// <summary>The bulk strings of a flat array reply, in reply order.</summary>
    private static List<string> Bulks(string reply)
    {
        string[] lines = reply.Split("\r\n");
        return [.. lines.Where((line, i) => i > 0 && i % 2 == 0 && i < lines.Length - 1)];
    }
}
