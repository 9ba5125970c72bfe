using System.IO.Abstractions.TestingHelpers;
using AofSim.Engine.Adapters;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using static AofSim.Scenarios.Aof.AofText;
using static AofSim.Scenarios.TestProfiles;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// The loader (the seed's loadAppendOnlyFile): every outcome and its message word for word, the
/// offsets it reports, truncated loading, MULTI handling per profile, and time while loading.
/// Every AOF below is written by hand and every offset counted by hand (sizes in the comments).
/// </summary>
public sealed class LoaderScenarios
{
    private const long Now = 1_700_000_000_000;

    private const string BadFormat =
        "Bad file format reading the append only file: make a backup of your AOF file, then use ./redis-check-aof --fix <filename>";

    private const string UnexpectedEof = "Unexpected end of file reading the append only file";

    // 23 bytes: 4 + 4 + 8 + 4 + 3.
    private const string Select0 = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";

    // 27 bytes: 4 + 4 + 5 + 4 + 3 + 4 + 3.
    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";

    // 29 bytes: 4 + 4 + 5 + 4 + 4 + 4 + 4.
    private const string SetK2V2 = "*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n";

    // 27 bytes.
    private const string SetA1 = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n";

    // 15 bytes: 4 + 4 + 7.
    private const string Multi = "*1\r\n$5\r\nMULTI\r\n";

    // 14 bytes: 4 + 4 + 6.
    private const string Exec = "*1\r\n$4\r\nEXEC\r\n";

    private const string DumpK = "{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v\"}";
    private const string DumpK2 = "{\"db\":0,\"key\":\"k2\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v2\"}";
    private const string DumpA = "{\"db\":0,\"key\":\"a\",\"type\":\"string\",\"expireAt\":null,\"value\":\"1\"}";

    public static TheoryData<string> BothProfiles => new() { "redis26", "fixed" };

    // ------------------------------------------------------------ success

    [Fact]
    public void AZeroLengthFileIsAnEmptyDatasetNotAnError()
    {
        (LoadResult r, Dataset data, MemoryLog log) = Load(string.Empty, Profile.Redis26);

        Assert.Equal(LoadOutcome.Empty, r.Outcome);
        Assert.Null(r.Message);
        Assert.True(r.Succeeded);
        Assert.Equal(0, data.KeyCount);
        Assert.Empty(log.Lines);
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void AValidFileWithSelectSetRpushAndATransactionLoadsEveryKeyInItsDb(string profile)
    {
        string aof = Select0 // 23
            + SetKV // 27 -> 50
            + "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n" // 36 -> 86
            + "*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n" // 23 -> 109
            + Multi // 15 -> 124
            + "*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\nx\r\n" // 28 -> 152
            + "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\n1\r\n" // 35 -> 187
            + Exec; // 14 -> 201

        (LoadResult r, Dataset data, MemoryLog log) = Load(aof, Named(profile));

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Null(r.Message);
        Assert.Equal(8, r.Commands);
        Assert.Equal(201, r.FileSize);
        Assert.Equal(201, r.ValidUpTo);
        Assert.Empty(log.Lines);
        Assert.Equal(
            [
                DumpK,
                "{\"db\":0,\"key\":\"l\",\"type\":\"list\",\"expireAt\":null,\"value\":[\"a\",\"b\"]}",
                "{\"db\":5,\"key\":\"h\",\"type\":\"hash\",\"expireAt\":null,\"value\":[[\"f\",\"1\"]]}",
                "{\"db\":5,\"key\":\"s\",\"type\":\"set\",\"expireAt\":null,\"value\":[\"x\"]}",
            ],
            Dump(data));
    }

    [Fact]
    public void CommandNamesAreCaseInsensitive()
    {
        (LoadResult r, Dataset data, _) = Load("*3\r\n$3\r\nsEt\r\n$1\r\nk\r\n$1\r\nv\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal([DumpK], Dump(data));
    }

    [Fact]
    public void BinaryArgumentsWithCrLfAndNulLoadByteForByte()
    {
        // SET "a\r\nb" "\0x\r\n": the lengths, not the line ends, delimit a bulk.
        (LoadResult r, Dataset data, _) = Load("*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$4\r\n\0x\r\n\r\n", Profile.Redis26);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(["{\"db\":0,\"key\":\"a\\r\\nb\",\"type\":\"string\",\"expireAt\":null,\"value\":\"\\u0000x\\r\\n\"}"], Dump(data));
    }

    [Fact]
    public void AFileDeliveredOneByteAtATimeLoadsTheSameAsAWholeOne()
    {
        string aof = Select0 + SetKV + SetK2V2 + Multi + SetA1 + Exec; // 23+27+29+15+27+14 = 135
        var data = new Dataset();
        using var stream = new TrickleStream(Bytes(aof), 1);

        LoadResult r = AofLoader.Load(stream, 135, data, Profile.Fixed, new LoadOptions { NowMs = Now });

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(135, r.ValidUpTo);
        Assert.Equal(6, r.Commands);
        Assert.Equal([DumpA, DumpK, DumpK2], Dump(data));
    }

    [Fact]
    public void ABulkLargerThanTheFirstReadBufferLoadsWhole()
    {
        // The read buffer starts at 1 MB: a 2,000,000-byte value must grow it.
        string value = new('x', 2_000_000);
        string aof = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n" + value + "\r\n";

        (LoadResult r, Dataset data, _) = Load(aof, Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.True(data[0].TryGet("k"u8, out DbEntry e));
        Assert.Equal(2_000_000, ((byte[])e.Value).Length);
    }

    // ------------------------------------------------------------ bad format

    [Theory]
    [InlineData("garbage\r\n")]
    [InlineData("\r\n")]
    [InlineData("*0\r\n")]
    [InlineData("*-1\r\n")]
    [InlineData("*abc\r\n")]
    [InlineData("*1\r\n$-1\r\n")]
    [InlineData("*1\r\nPING\r\n")]
    public void AMalformedCommandAtTheStartIsBadFormatAtOffsetZero(string aof)
    {
        foreach (Profile profile in new[] { Profile.Redis26, Profile.Fixed })
        {
            (LoadResult r, Dataset data, MemoryLog log) = Load(aof, profile);

            Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
            Assert.Equal(BadFormat, r.Message);
            Assert.Equal(0, r.ValidUpTo);
            Assert.False(r.Succeeded);
            Assert.Equal(0, data.KeyCount);
            Assert.Equal([(LogLevel.Warning, BadFormat)], log.Lines);
        }
    }

    [Theory]
    [InlineData("*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n", 2)] // a bulk not followed by CRLF
    [InlineData("*1\n$4\r\nPING\r\n", 1)] // a count line ended by a bare LF
    [InlineData("*1\r\n$4\nPING\r\n", 1)] // a length line ended by a bare LF
    [InlineData("*1x\r\n$ 4\r\nPING\r\n", 1)] // atoi("1x") = 1, strtol(" 4") = 4
    public void WhatTheSeedsFgetsAtoiAndFreadAcceptIsBadFormatUnderFixedAndLoadsUnderRedis26(string aof, long commands)
    {
        (LoadResult strict, _, _) = Load(aof, Profile.Fixed);
        (LoadResult seed, _, _) = Load(aof, Profile.Redis26);

        Assert.Equal(LoadOutcome.BadFormat, strict.Outcome);
        Assert.Equal(BadFormat, strict.Message);
        Assert.Equal(0, strict.ValidUpTo);
        Assert.Equal(LoadOutcome.Loaded, seed.Outcome);
        Assert.Equal(commands, seed.Commands);
    }

    [Fact]
    public void UnderRedis26ABulkNotFollowedByCrLfSkipsTwoBytesUnreadAsTheSeedAndRedis7Do()
    {
        // SET k v, then "XY" where the CRLF should be, then SET a 1: the seed's fread(buf,2,1,fp)
        // discards XY; redis-server 7.0.15 loads both keys (checked by hand on this very file).
        (LoadResult r, Dataset data, _) = Load("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nvXY" + SetA1, Profile.Redis26);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal([DumpA, DumpK], Dump(data));
    }

    [Fact]
    public void UnderRedis26AHeaderLongerThan127BytesIsSplitAsFgetsSplitsIt()
    {
        // "*1" then 125 spaces fill fgets's 127 bytes: atoi = 1; the rest of the line ("\r\n")
        // is what the next fgets reads, and it does not start with '$': Bad file format, at 0.
        (LoadResult r, _, _) = Load("*1" + new string(' ', 125) + "\r\n$4\r\nPING\r\n", Profile.Redis26);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
        Assert.Equal(0, r.ValidUpTo);
    }

    [Fact]
    public void AnEmptyLineBetweenTwoCommandsIsBadFormatAfterTheFirst()
    {
        (LoadResult r, Dataset data, _) = Load(SetKV + "\r\n" + SetK2V2, Profile.Fixed);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
        Assert.Equal(BadFormat, r.Message);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal(1, r.Commands);
        Assert.Equal([DumpK], Dump(data));
    }

    [Fact]
    public void AHeaderLineLongerThanTheSeedsFgetsBufferIsBadFormat()
    {
        // fgets(buf,128) would split it; the engine refuses it.
        (LoadResult r, _, _) = Load("*" + new string('1', 200) + "\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
        Assert.Equal(BadFormat, r.Message);
    }

    // ------------------------------------------------------------ end of file

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void AFileCutRightAfterACountLineIsAnUnexpectedEndOfFile(string profile)
    {
        // The seed: the fgets of the first '$' line returns NULL at EOF -> readerr.
        (LoadResult r, Dataset data, MemoryLog log) = Load(SetKV + "*3\r\n", Named(profile));

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(UnexpectedEof, r.Message);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal(1, r.Commands);
        Assert.Equal([DumpK], Dump(data));
        Assert.Equal([(LogLevel.Warning, UnexpectedEof)], log.Lines);
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void AFileCutInsideACountLineIsAnUnexpectedEndOfFile(string profile)
    {
        // The seed: fgets returns "*3", atoi gives 3, the next fgets returns NULL -> readerr.
        (LoadResult r, _, _) = Load(SetKV + "*3", Named(profile));

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(UnexpectedEof, r.Message);
        Assert.Equal(27, r.ValidUpTo);
    }

    [Fact]
    public void AFileCutInsideALengthLineIsAnUnexpectedEndOfFileUnderFixed()
    {
        // Redis 2.8 on: every short read inside a command is readerr.
        (LoadResult r, _, _) = Load(SetKV + "*3\r\n$3\r\nSET\r\n$1", Profile.Fixed);

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(UnexpectedEof, r.Message);
        Assert.Equal(27, r.ValidUpTo);
    }

    [Fact]
    public void AFileCutInsideALengthLineIsBadFormatUnderRedis26AsInTheSeed()
    {
        (LoadResult r, _, _) = Load(SetKV + "*3\r\n$3\r\nSET\r\n$1", Profile.Redis26);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
        Assert.Equal(BadFormat, r.Message);
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void AMultiLeftOpenAtTheEndOfTheFileIsAnUnexpectedEndOfFile(string profile)
    {
        // The seed: "if (fakeClient->flags & REDIS_MULTI) goto readerr;" with feof true.
        (LoadResult r, _, MemoryLog log) = Load(SetKV + Multi + SetA1, Named(profile));

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(UnexpectedEof, r.Message);
        Assert.False(r.Succeeded);
        Assert.Equal([(LogLevel.Warning, UnexpectedEof)], log.Lines);
    }

    [Theory]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nval")] // payload cut: 3 of 5 bytes
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv")] // payload whole, CRLF missing
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r")] // half the CRLF
    public void ABulkCutByTheEndOfTheFileIsBadFormatUnderRedis26AndUnexpectedEofUnderFixed(string tail)
    {
        // The seed's fread of the payload (or of the CRLF) fails -> fmterr; Redis 2.8 -> readerr.
        (LoadResult seed, _, _) = Load(SetKV + tail, Profile.Redis26);
        (LoadResult fixedr, Dataset data, _) = Load(SetKV + tail, Profile.Fixed);

        Assert.Equal(LoadOutcome.BadFormat, seed.Outcome);
        Assert.Equal(BadFormat, seed.Message);
        Assert.Equal(27, seed.ValidUpTo);
        Assert.Equal(LoadOutcome.UnexpectedEof, fixedr.Outcome);
        Assert.Equal(UnexpectedEof, fixedr.Message);
        Assert.Equal(27, fixedr.ValidUpTo);
        Assert.Equal([DumpK], Dump(data));
    }

    [Fact]
    public void AHugeBulkLengthFailsCleanlyAsAShortBulk()
    {
        // $99999999999 claims ~100 GB in a 24-byte file: checked against the file size, never allocated.
        const string aof = "*1\r\n$99999999999\r\nPING\r\n";

        (LoadResult seed, _, _) = Load(aof, Profile.Redis26);
        (LoadResult fixedr, _, _) = Load(aof, Profile.Fixed);

        Assert.Equal(LoadOutcome.BadFormat, seed.Outcome);
        Assert.Equal(BadFormat, seed.Message);
        Assert.Equal(LoadOutcome.UnexpectedEof, fixedr.Outcome);
        Assert.Equal(UnexpectedEof, fixedr.Message);
        Assert.Equal(0, fixedr.ValidUpTo);
    }

    [Fact]
    public void AHugeArgumentCountFailsAtTheEndOfTheFile()
    {
        (LoadResult r, _, _) = Load("*999999999\r\n$4\r\nPING\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(UnexpectedEof, r.Message);
        Assert.Equal(0, r.ValidUpTo);
    }

    // ------------------------------------------------------------ commands

    [Fact]
    public void AnUnknownCommandIsNamedAsWritten()
    {
        (LoadResult r, Dataset data, MemoryLog log) = Load(SetKV + "*1\r\n$3\r\nFOO\r\n", Profile.Redis26);

        Assert.Equal(LoadOutcome.UnknownCommand, r.Outcome);
        Assert.Equal("Unknown command 'FOO' reading the append only file", r.Message);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal([DumpK], Dump(data));
        Assert.Equal([(LogLevel.Warning, "Unknown command 'FOO' reading the append only file")], log.Lines);
    }

    [Fact]
    public void AnUnknownCommandNameIsCutAtItsFirstNulAsPercentSPrintsIt()
    {
        (LoadResult r, _, _) = Load("*1\r\n$4\r\nFO\0O\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.UnknownCommand, r.Outcome);
        Assert.Equal("Unknown command 'FO' reading the append only file", r.Message);
    }

    [Fact]
    public void ASetWithOneArgumentIsWrongArityAtItsOffset()
    {
        // *2 SET k: 23 bytes of SELECT first.
        (LoadResult r, Dataset data, _) = Load(Select0 + "*2\r\n$3\r\nSET\r\n$1\r\nk\r\n", Profile.Redis26);

        Assert.Equal(LoadOutcome.WrongArity, r.Outcome);
        Assert.Equal("Wrong number of arguments for 'set' at offset 23 reading the append only file", r.Message);
        Assert.Equal(23, r.ValidUpTo);
        Assert.Equal(0, data.KeyCount);
    }

    [Fact]
    public void AGetWithAnExtraArgumentIsWrongArity()
    {
        (LoadResult r, _, _) = Load("*3\r\n$3\r\nGET\r\n$1\r\nk\r\n$1\r\nx\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.WrongArity, r.Outcome);
        Assert.Equal("Wrong number of arguments for 'get' at offset 0 reading the append only file", r.Message);
    }

    // What redis-server 7.0.15 does with each of these files was checked by starting it on them
    // (RedisAofInteropTests.RedisLoadsAFileWhoseCommandsReplyErrorsAndDropsTheReplies): it loads
    // them, logging "== CRITICAL == This server is sending an error to its AOF-loading-client".
    // 42 bytes of RPUSH k a: 4 + 4 + 7 + 4 + 3 + 4 + 3 = 29.
    private const string RpushKA = "*3\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$1\r\na\r\n";
    private const string WrongTypeWarning =
        "1 command(s) replied an error while loading the append only file and were ignored; the first at offset 27: 'rpush': WRONGTYPE Operation against a key holding the wrong kind of value";

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void RpushOnAStringKeyIsDroppedAsTheSeedDropsTheFakeClientsReplyAndLoadingGoesOn(string profile)
    {
        (LoadResult r, Dataset data, MemoryLog log) = Load(SetKV + RpushKA + SetA1, Named(profile));

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(3, r.Commands);
        Assert.Equal(1, r.ReplayErrors);
        Assert.Equal(27, r.FirstReplayErrorOffset);
        Assert.Equal([DumpA, DumpK], Dump(data));
        Assert.Equal([(LogLevel.Warning, WrongTypeWarning)], log.Lines);
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void AStrictLoadRefusesRpushOnAStringKey(string profile)
    {
        var data = new Dataset();
        var log = new MemoryLog();
        LoadResult r = AofLoader.Load(Bytes(SetKV + RpushKA), data, Named(profile), new LoadOptions { NowMs = Now, StrictReplay = true }, log);

        const string message = "Error replaying 'rpush' at offset 27 reading the append only file: WRONGTYPE Operation against a key holding the wrong kind of value";
        Assert.Equal(LoadOutcome.CommandFailed, r.Outcome);
        Assert.Equal(message, r.Message);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal(0, r.ReplayErrors);
        Assert.Equal([(LogLevel.Warning, message)], log.Lines);
    }

    [Fact]
    public void IncrOnANonNumberIsCountedAndTheValueKept()
    {
        (LoadResult r, Dataset data, _) = Load(SetKV + "*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(1, r.ReplayErrors);
        Assert.Equal(27, r.FirstReplayErrorOffset);
        Assert.Equal([DumpK], Dump(data));
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void ANestedMultiIsIgnoredAndTheBlockGoesOnToItsExec(string profile)
    {
        // MULTI (0), SET a 1 (15), MULTI (42), SET k v (57), EXEC (84), SET k2 v2 (98): Redis 7
        // loads all three keys.
        (LoadResult r, Dataset data, MemoryLog log) = Load(Multi + SetA1 + Multi + SetKV + Exec + SetK2V2, Named(profile));

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(1, r.ReplayErrors);
        Assert.Equal(42, r.FirstReplayErrorOffset);
        Assert.Equal([DumpA, DumpK, DumpK2], Dump(data));
        Assert.Equal([(LogLevel.Warning, "1 command(s) replied an error while loading the append only file and were ignored; the first at offset 42: 'multi': ERR MULTI calls can not be nested")], log.Lines);
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void AnExecOrDiscardWithoutMultiIsCountedAtItsOwnOffset(string profile)
    {
        // SET k v (0), EXEC (27), DISCARD (41, 17 bytes), SET a 1 (58).
        (LoadResult r, Dataset data, MemoryLog log) = Load(SetKV + Exec + "*1\r\n$7\r\nDISCARD\r\n" + SetA1, Named(profile));

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(2, r.ReplayErrors);
        Assert.Equal(27, r.FirstReplayErrorOffset);
        Assert.Equal([DumpA, DumpK], Dump(data));
        Assert.Equal([(LogLevel.Warning, "2 command(s) replied an error while loading the append only file and were ignored; the first at offset 27: 'exec': ERR EXEC without MULTI")], log.Lines);
    }

    [Fact]
    public void ASelectOfADbOutOfRangeIsCountedAndTheDbUnchanged()
    {
        (LoadResult r, Dataset data, _) = Load("*2\r\n$6\r\nSELECT\r\n$2\r\n16\r\n" + SetKV, Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(1, r.ReplayErrors);
        Assert.Equal(0, r.FirstReplayErrorOffset);
        Assert.Equal([DumpK], Dump(data));
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void AWrongTypeInsideATransactionIsCountedAtItsOwnOffsetAndTheRestOfTheBlockApplies(string profile)
    {
        // SET k v (27), MULTI (15), RPUSH k a at 42, SET a 1 at 71, EXEC: queued under fixed,
        // run at once under redis26; either way SET a 1 applies, as EXEC goes on past an error.
        string aof = SetKV + Multi + RpushKA + SetA1 + Exec;

        (LoadResult r, Dataset data, _) = Load(aof, Named(profile));

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(1, r.ReplayErrors);
        Assert.Equal(42, r.FirstReplayErrorOffset);
        Assert.Equal([DumpA, DumpK], Dump(data));
    }

    [Fact]
    public void ADiscardedTransactionIsNeverAppliedUnderFixed()
    {
        // SET k v, MULTI, SET a 1, DISCARD (*1 $7 DISCARD: 17 bytes).
        (LoadResult r, Dataset data, _) = Load(SetKV + Multi + SetA1 + "*1\r\n$7\r\nDISCARD\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(86, r.ValidUpTo); // 27 + 15 + 27 + 17
        Assert.Equal([DumpK], Dump(data));
    }

    [Fact]
    public void ADiscardedTransactionHasAlreadyBeenAppliedUnderRedis26()
    {
        // The seed ran SET a 1 as it read it; DISCARD only clears the MULTI flag.
        (LoadResult r, Dataset data, _) = Load(SetKV + Multi + SetA1 + "*1\r\n$7\r\nDISCARD\r\n", Profile.Redis26);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal([DumpA, DumpK], Dump(data));
    }

    [Fact]
    public void ATransactionIsAppliedAtItsExecUnderFixed()
    {
        // A SELECT queued inside the block moves the fake client when the block runs.
        string aof = Multi + "*2\r\n$6\r\nSELECT\r\n$1\r\n4\r\n" + SetA1 + Exec + SetKV;

        (LoadResult r, Dataset data, _) = Load(aof, Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(
            [
                "{\"db\":4,\"key\":\"a\",\"type\":\"string\",\"expireAt\":null,\"value\":\"1\"}",
                "{\"db\":4,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v\"}",
            ],
            Dump(data));
    }

    // ------------------------------------------------------------ Redis 7 files

    [Fact]
    public void TimestampAnnotationsAtTheStartAndInTheMiddleAreSkipped()
    {
        // 16 + 27 + 16 + 29 = 88 bytes.
        string aof = "#TS:1700000000\r\n" + SetKV + "#TS:1700000001\r\n" + SetK2V2;

        (LoadResult r, Dataset data, _) = Load(aof, Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(2, r.Commands);
        Assert.Equal(88, r.ValidUpTo);
        Assert.Equal([DumpK, DumpK2], Dump(data));
    }

    [Fact]
    public void AnAnnotationAsTheLastLineWithoutANewlineIsSkipped()
    {
        (LoadResult r, Dataset data, _) = Load(SetKV + "#TS:17", Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(1, r.Commands);
        Assert.Equal([DumpK], Dump(data));
    }

    [Fact]
    public void Redis7SetWithPxatAndThenKeepttlLoadWithTheAbsoluteExpiry()
    {
        string aof = "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n"
            + "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv2\r\n$7\r\nKEEPTTL\r\n";

        (LoadResult r, Dataset data, _) = Load(aof, Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(["{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":1700000100000,\"value\":\"v2\"}"], Dump(data));
    }

    [Fact]
    public void Redis7SetWithPxatLoadsUnderTheSeedProfileToo()
    {
        (LoadResult r, Dataset data, _) = Load("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n", Profile.Redis26);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(["{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":1700000100000,\"value\":\"v\"}"], Dump(data));
    }

    // ------------------------------------------------------------ truncated loading

    [Fact]
    public void TruncatedLoadingOfAFileCutInsideABulkStopsAtTheLastWholeCommand()
    {
        // 27 + 29 = 56 bytes of whole commands, then a command cut in its first payload.
        string aof = SetKV + SetK2V2 + "*3\r\n$3\r\nSE";

        (LoadResult r, Dataset data, MemoryLog log) = Load(aof, Profile.Fixed, truncated: true);

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.True(r.Succeeded);
        Assert.Null(r.Message);
        Assert.Equal(56, r.ValidUpTo);
        Assert.Equal(2, r.Commands);
        Assert.Equal(66, r.FileSize);
        Assert.Equal([DumpK, DumpK2], Dump(data));
        Assert.Equal(
            [
                (LogLevel.Warning, "!!! Warning: short read while loading the AOF file appendonly.aof!!!"),
                (LogLevel.Warning, "!!! Truncating the AOF appendonly.aof at offset 56 !!!"),
                (LogLevel.Warning, "AOF appendonly.aof loaded anyway because aof-load-truncated is enabled"),
            ],
            log.Lines);
    }

    [Fact]
    public void TruncatedLoadingOfAFileCutInsideALengthLineStopsAtTheLastWholeCommand()
    {
        (LoadResult r, Dataset data, _) = Load(SetKV + "*3\r\n$3\r\nSET\r\n$1", Profile.Fixed, truncated: true);

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal([DumpK], Dump(data));
    }

    [Fact]
    public void TruncatedLoadingNamesTheFileItWasGiven()
    {
        var data = new Dataset();
        var log = new MemoryLog();
        var options = new LoadOptions { NowMs = Now, LoadTruncated = true, FileName = "appendonly.aof.1.incr.aof" };

        LoadResult r = AofLoader.Load(Bytes(SetKV + "*3"), data, Profile.Fixed, options, log);

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(
            [
                "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!",
                "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset 27 !!!",
                "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled",
            ],
            log.Messages);
    }

    [Fact]
    public void TruncatedLoadingOfAWholeFileIsAPlainLoad()
    {
        (LoadResult r, _, MemoryLog log) = Load(SetKV + SetK2V2, Profile.Fixed, truncated: true);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(56, r.ValidUpTo);
        Assert.Empty(log.Lines);
    }

    [Fact]
    public void TruncatedLoadingDoesNotForgiveGarbage()
    {
        (LoadResult r, _, _) = Load(SetKV + "garbage\r\n", Profile.Fixed, truncated: true);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
        Assert.Equal(BadFormat, r.Message);
        Assert.Equal(27, r.ValidUpTo);
    }

    [Fact]
    public void TruncatedLoadingOfAnUnfinishedMultiUnderFixedAppliesNoneOfItAndCutsBeforeTheMulti()
    {
        // SET k v (27) + MULTI (15) + SET a 1 (27), then the end of the file.
        (LoadResult r, Dataset data, MemoryLog log) = Load(SetKV + Multi + SetA1, Profile.Fixed, truncated: true);

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal([DumpK], Dump(data));
        Assert.Equal(
            [
                "Revert incomplete MULTI/EXEC transaction in AOF file",
                "!!! Warning: short read while loading the AOF file appendonly.aof!!!",
                "!!! Truncating the AOF appendonly.aof at offset 27 !!!",
                "AOF appendonly.aof loaded anyway because aof-load-truncated is enabled",
            ],
            log.Messages);
    }

    [Fact]
    public void TruncatedLoadingOfAnUnfinishedMultiUnderRedis26HasAlreadyAppliedItsCommands()
    {
        // Bug #15: the seed runs cmd->proc directly, so commands inside MULTI run as they are read.
        (LoadResult r, Dataset data, _) = Load(SetKV + Multi + SetA1, Profile.Redis26, truncated: true);

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal([DumpA, DumpK], Dump(data));
    }

    [Theory]
    [InlineData("*3\r\n$3\r\nSE")] // inside a payload: the seed's fread of the bulk fails
    [InlineData("*3\r\n$3\r\nSET\r\n$")] // inside a length line: strtol parses it, then the fread fails
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nb")] // after a payload, before its CRLF
    public void UnderRedis26TruncatedLoadingDoesNotRescueAFileCutInsideABulk(string cut)
    {
        // The seed's loader reaches fmterr for a bulk cut by the end of the file, and
        // aof-load-truncated (Redis 2.8.15) acts at readerr only: redis-check-aof --fix is needed.
        (LoadResult r, _, MemoryLog log) = Load(SetKV + cut, Named("redis26"), truncated: true);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
        Assert.False(r.Succeeded);
        Assert.Equal(BadFormat, r.Message);
        Assert.Equal([(LogLevel.Warning, BadFormat)], log.Lines);
    }

    [Fact]
    public void TruncatedLoadingOfAMultiCutInsideACommandRevertsToBeforeTheMulti()
    {
        string aof = SetKV + Multi + SetA1 + "*3\r\n$3\r\nSET\r\n$1\r\nb";

        (LoadResult r, _, MemoryLog log) = Load(aof, Profile.Fixed, truncated: true);

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal("Revert incomplete MULTI/EXEC transaction in AOF file", log.Messages[0]);
        Assert.Equal("!!! Truncating the AOF appendonly.aof at offset 27 !!!", log.Messages[2]);
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    public void TruncatedLoadingAfterAClosedTransactionKeepsTheTransaction(string profile)
    {
        // 27 + 15 + 27 + 14 = 83 bytes, then "*3" cut.
        (LoadResult r, Dataset data, _) = Load(SetKV + Multi + SetA1 + Exec + "*3", Named(profile), truncated: true);

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(83, r.ValidUpTo);
        Assert.Equal(4, r.Commands);
        Assert.Equal([DumpA, DumpK], Dump(data));
    }

    // ------------------------------------------------------------ time while loading

    [Fact]
    public void KeysNeverExpireWhileLoadingSoAPersistAfterAPastExpiryKeepsTheKey()
    {
        // PEXPIREAT k 1000 is 36 bytes: 4 + 4 + 11 + 4 + 3 + 4 + 6.
        string aof = SetKV + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n1000\r\n" + "*2\r\n$7\r\nPERSIST\r\n$1\r\nk\r\n";

        (LoadResult r, Dataset data, _) = Load(aof, Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal([DumpK], Dump(data));
    }

    [Fact]
    public void APastExpiryIsSetNotApplied()
    {
        // Loading at 1_700_000_000_000 with an expiry at 1000: the key stays, with that expiry.
        (LoadResult r, Dataset data, _) = Load(SetKV + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n1000\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.True(data[0].TryGet("k"u8, out DbEntry e));
        Assert.Equal(1000, e.ExpireAt);
        Assert.Empty(Dump(data)); // expired by the time of the dump
    }

    [Fact]
    public void ACommandReadingAKeyPastItsExpiryWhileLoadingStillSeesIt()
    {
        // SET n 1; PEXPIREAT n 1000; INCR n -> 2, although 1000 is long past.
        string aof = "*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$1\r\n1\r\n"
            + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nn\r\n$4\r\n1000\r\n"
            + "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n";

        (LoadResult r, Dataset data, _) = Load(aof, Profile.Redis26);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(["{\"db\":0,\"key\":\"n\",\"type\":\"string\",\"expireAt\":1000,\"value\":\"2\"}"], DatasetDump.Lines(data, 999).ToArray());
    }

    [Fact]
    public void SetExUnderRedis26IsRelativeToTheLoadTime()
    {
        // Bug #9: the seed logged "SET k v EX 100" verbatim, so its TTL restarts at every load.
        string aof = "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nEX\r\n$3\r\n100\r\n";

        (LoadResult first, Dataset a, _) = Load(aof, Profile.Redis26, nowMs: 1_700_000_000_000);
        (LoadResult later, Dataset b, _) = Load(aof, Profile.Redis26, nowMs: 1_800_000_000_000);

        Assert.Equal(LoadOutcome.Loaded, first.Outcome);
        Assert.Equal(LoadOutcome.Loaded, later.Outcome);
        Assert.True(a[0].TryGet("k"u8, out DbEntry ea));
        Assert.True(b[0].TryGet("k"u8, out DbEntry eb));
        Assert.Equal(1_700_000_100_000, ea.ExpireAt);
        Assert.Equal(1_800_000_100_000, eb.ExpireAt);
    }

    // ------------------------------------------------------------ I/O failures

    [Fact]
    public void AReadErrorIsUnrecoverable()
    {
        var data = new Dataset();
        var log = new MemoryLog();
        using var stream = new FailingStream();

        LoadResult r = AofLoader.Load(stream, 100, data, Profile.Fixed, new LoadOptions { NowMs = Now }, log);

        Assert.Equal(LoadOutcome.ReadError, r.Outcome);
        Assert.Equal("Unrecoverable error reading the append only file: Input/output error", r.Message);
        Assert.Equal(["Unrecoverable error reading the append only file: Input/output error"], log.Messages);
    }

    [Fact]
    public void AStreamOfUnknownSizeLoadsAndReportsTheBytesItRead()
    {
        var data = new Dataset();
        using var stream = new TrickleStream(Bytes(SetKV + SetK2V2), 5);

        LoadResult r = AofLoader.Load(stream, -1, data, Profile.Fixed, new LoadOptions { NowMs = Now });

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(56, r.FileSize);
        Assert.Equal([DumpK, DumpK2], Dump(data));
    }

    [Fact]
    public void AStreamOfUnknownSizeCutInsideABulkIsAnUnexpectedEndOfFileUnderFixed()
    {
        var data = new Dataset();
        using var stream = new TrickleStream(Bytes(SetKV + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nval"), 5);

        LoadResult r = AofLoader.Load(stream, -1, data, Profile.Fixed, new LoadOptions { NowMs = Now });

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
    }

    [Fact]
    public void AStreamOfUnknownSizeCutInsideABulkIsBadFormatUnderRedis26LikeAFileOfKnownSize()
    {
        var data = new Dataset();
        using var stream = new TrickleStream(Bytes(SetKV + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nval"), 5);

        LoadResult r = AofLoader.Load(stream, -1, data, Profile.Redis26, new LoadOptions { NowMs = Now });

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
        Assert.Equal(BadFormat, r.Message);
    }

    [Fact]
    public void AMissingFileCannotBeOpened()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/data");
        using var storage = new FileSystemStorage(fs, "/data");
        var log = new MemoryLog();

        LoadResult r = AofLoader.Load(storage, "appendonly.aof", new Dataset(), Profile.Redis26, new LoadOptions { NowMs = Now }, log);

        Assert.Equal(LoadOutcome.OpenFailed, r.Outcome);
        Assert.Equal("Fatal error: can't open the append log file for reading: No such file or directory", r.Message);
        Assert.Equal([(LogLevel.Warning, "Fatal error: can't open the append log file for reading: No such file or directory")], log.Lines);
    }

    [Fact]
    public void AFileOnStorageLoadsWithItsSize()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/data");
        fs.File.WriteAllBytes("/data/appendonly.aof", Bytes(Select0 + SetKV));
        using var storage = new FileSystemStorage(fs, "/data");
        var data = new Dataset();

        LoadResult r = AofLoader.Load(storage, "appendonly.aof", data, Profile.Fixed, new LoadOptions { NowMs = Now });

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(50, r.FileSize);
        Assert.Equal([DumpK], Dump(data));
    }

    // ------------------------------------------------------------ edges of the outcome

    [Fact]
    public void ALoadWithoutReplayErrorsReportsNoOffsetForTheFirst()
    {
        (LoadResult r, _, _) = Load(SetKV, Profile.Fixed);

        Assert.Equal(0, r.ReplayErrors);
        Assert.Equal(-1, r.FirstReplayErrorOffset);
    }

    [Fact]
    public void ADiscardWithoutMultiIsNamedInTheWarning()
    {
        (LoadResult r, _, MemoryLog log) = Load("*1\r\n$7\r\nDISCARD\r\n" + SetKV, Profile.Fixed);

        Assert.Equal(1, r.ReplayErrors);
        Assert.Equal([(LogLevel.Warning, "1 command(s) replied an error while loading the append only file and were ignored; the first at offset 0: 'discard': ERR DISCARD without MULTI")], log.Lines);
    }

    [Fact]
    public void ATransactionAfterADiscardedOneRunsOnlyItsOwnCommandsUnderFixed()
    {
        // MULTI, SET k v, DISCARD, MULTI, SET a 1, EXEC: only SET a 1 applies.
        string discard = "*1\r\n$7\r\nDISCARD\r\n";
        (LoadResult r, Dataset data, _) = Load(Multi + SetKV + discard + Multi + SetA1 + Exec, Profile.Fixed);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal([DumpA], Dump(data));
    }

    [Fact]
    public void AnUnknownCommandNameStartingWithNulPrintsAsEmpty()
    {
        (LoadResult r, _, _) = Load("*1\r\n$3\r\n\0FO\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.UnknownCommand, r.Outcome);
        Assert.Equal("Unknown command '' reading the append only file", r.Message);
    }

    [Fact]
    public void AnAnnotationBeforeACutCommandIsNotCountedAsValid()
    {
        // SET k v (27 bytes), an annotation (12), a cut SET: the seed's valid_up_to moves only
        // after a command, so an unexpected end of file reports 27, not 39.
        (LoadResult r, _, _) = Load(SetKV + "#TS:1700000\n" + "*3\r\n$3\r\nSE", Profile.Fixed);

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
    }

    [Fact]
    public void TruncatedLoadingOfAMultiAtTheStartOfTheFileRevertsToNothing()
    {
        (LoadResult r, Dataset data, MemoryLog log) = Load(Multi + SetA1 + "*3\r\n$3\r\nSET", Profile.Fixed, truncated: true);

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.True(r.RevertedMulti);
        Assert.Equal(0, r.ValidUpTo);
        Assert.Empty(Dump(data));
        Assert.Equal("!!! Truncating the AOF appendonly.aof at offset 0 !!!", log.Messages[2]);
    }

    // ------------------------------------------------------------ helpers

    private static (LoadResult Result, Dataset Data, MemoryLog Log) Load(string aof, Profile profile, bool truncated = false, long nowMs = Now)
    {
        var data = new Dataset();
        var log = new MemoryLog();
        LoadResult r = AofLoader.Load(Bytes(aof), data, profile, new LoadOptions { NowMs = nowMs, LoadTruncated = truncated }, log);
        return (r, data, log);
    }

    private static string[] Dump(Dataset data) => DatasetDump.Lines(data, Now).ToArray();

    /// <summary>A stream that hands out at most <c>chunk</c> bytes per read.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
    }

    /// <summary>A stream whose every read fails with EIO.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("Input/output error");

        public override int Read(Span<byte> buffer) => throw new IOException("Input/output error");
    }
}
