using System.Globalization;
using System.IO.Abstractions.TestingHelpers;
using AofSim.Engine.Adapters;
using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using AofSim.Engine.Text;
using static AofSim.Scenarios.Aof.AofText;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// rewriteAppendOnlyFile: the exact bytes written for each type, the batching of at most 64
/// items per command, expiries, SELECTs, %.17g scores; and the file dance (temp file, flush,
/// rename) including the write errors of bug #5.
/// </summary>
public sealed class RewriteScenarios
{
    private const long Now = 1_700_000_000_000;
    private const string Select0 = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    private const string Target = "appendonly.aof";
    private const string Temp = "temp-rewriteaof-4242.aof";

    // ------------------------------------------------------------ bytes per type

    [Fact]
    public void AnEmptyDatasetWritesNothing()
    {
        Assert.Equal(string.Empty, Rewrite(Build()));
    }

    [Fact]
    public void AStringKeyIsASelectThenASet()
    {
        Assert.Equal(Select0 + SetKV, Rewrite(Build("SET k v")));
    }

    [Fact]
    public void AStringGrownByAppendIsWrittenWhole()
    {
        Assert.Equal(Select0 + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nabcd\r\n", Rewrite(Build("APPEND k ab", "APPEND k cd")));
    }

    [Fact]
    public void AnIncrementedCounterIsWrittenAsItsDecimalString()
    {
        Assert.Equal(Select0 + "*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$2\r\n11\r\n", Rewrite(Build("SET n 10", "INCR n")));
    }

    [Fact]
    public void ASmallListIsOneRpushInOrder()
    {
        Assert.Equal(
            Select0 + "*5\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n",
            Rewrite(Build("RPUSH l a b", "LPUSH l c")));
    }

    [Fact]
    public void ASmallSetIsOneSadd()
    {
        Assert.Equal(Select0 + "*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\nx\r\n", Rewrite(Build("SADD s x")));
    }

    [Fact]
    public void ASmallSortedSetIsOneZaddWithScoreBeforeMember()
    {
        Assert.Equal(
            Select0 + "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n",
            Rewrite(Build("ZADD z 1.5 b 1 a")));
    }

    [Fact]
    public void ASmallHashIsOneHmset()
    {
        Assert.Equal(Select0 + "*4\r\n$5\r\nHMSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\nv\r\n", Rewrite(Build("HSET h f v")));
    }

    [Fact]
    public void ZsetScoresArePrintedWithPercentPoint17g()
    {
        // Score order: -inf, 0.1, 3, 1e20, inf.
        string expected = Select0
            + "*12\r\n$4\r\nZADD\r\n$1\r\nz\r\n"
            + "$4\r\n-inf\r\n$1\r\na\r\n"
            + "$19\r\n0.10000000000000001\r\n$1\r\nb\r\n"
            + "$1\r\n3\r\n$1\r\nc\r\n"
            + "$5\r\n1e+20\r\n$1\r\nd\r\n"
            + "$3\r\ninf\r\n$1\r\ne\r\n";

        Assert.Equal(expected, Rewrite(Build("ZADD z 0.1 b inf e -inf a 1e20 d 3 c")));
    }

    [Fact]
    public void BinaryKeysAndValuesWithCrLfAndNulAreLengthPrefixed()
    {
        Dataset data = Build();
        Run(data, CommandArgs.Of("SET", "a\r\nb", "\0x\r\n"));

        Assert.Equal(Select0 + "*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$4\r\n\0x\r\n\r\n", Rewrite(data));
    }

    [Fact]
    public void EmptyKeyAndValueAreZeroLengthBulks()
    {
        Dataset data = Build();
        Run(data, CommandArgs.Of("SET", string.Empty, string.Empty));

        Assert.Equal(Select0 + "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n", Rewrite(data));
    }

    [Fact]
    public void OnlyNonEmptyDbsGetASelect()
    {
        Dataset data = Build("SELECT 3", "SET k v");

        Assert.Equal("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n" + SetKV, Rewrite(data));
    }

    [Fact]
    public void DbsAreWrittenInOrderWithTwoDigitSelects()
    {
        Dataset data = Build("SELECT 15", "SET k v", "SELECT 0", "SET k v");

        Assert.Equal(Select0 + SetKV + "*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n" + SetKV, Rewrite(data));
    }

    [Fact]
    public void ACollectionEmptiedByItsCommandsLeavesNoKeyAndNoSelect()
    {
        Dataset data = Build("RPUSH l a", "LPOP l", "SADD s a", "SREM s a", "ZADD z 1 a", "ZREM z a", "HSET h f v", "HDEL h f");

        Assert.Equal(0, data.KeyCount);
        Assert.Equal(string.Empty, Rewrite(data));
    }

    // ------------------------------------------------------------ batches of 64

    public static TheoryData<int, int[]> ListBatches => new()
    {
        { 1, [3] },
        { 63, [65] },
        { 64, [66] },
        { 65, [66, 3] },
        { 128, [66, 66] },
        { 129, [66, 66, 3] },
    };

    public static TheoryData<int, int[]> PairBatches => new()
    {
        { 1, [4] },
        { 63, [128] },
        { 64, [130] },
        { 65, [130, 4] },
        { 128, [130, 130] },
        { 129, [130, 130, 4] },
    };

    [Theory]
    [MemberData(nameof(ListBatches))]
    public void AListIsRpushedInBatchesOf64(int items, int[] counts)
    {
        Dataset data = Build();
        Run(data, Variadic("RPUSH", "l", items, i => [Num(i)]));

        List<string[]> commands = SplitCommands(Rewrite(data));

        Assert.Equal([2, .. counts], commands.Select(c => c.Length));
        Assert.Equal(["SELECT", "0"], commands[0]);
        Assert.All(commands.Skip(1), c => Assert.Equal(["RPUSH", "l"], c[..2]));
        Assert.Equal(Enumerable.Range(0, items).Select(Num), commands.Skip(1).SelectMany(c => c[2..]));
    }

    [Theory]
    [MemberData(nameof(ListBatches))]
    public void ASetIsSaddedInBatchesOf64(int items, int[] counts)
    {
        Dataset data = Build();
        Run(data, Variadic("SADD", "s", items, i => ["m" + Num(i)]));

        List<string[]> commands = SplitCommands(Rewrite(data));

        Assert.Equal([2, .. counts], commands.Select(c => c.Length));
        Assert.All(commands.Skip(1), c => Assert.Equal(["SADD", "s"], c[..2]));
        Assert.Equal(
            Enumerable.Range(0, items).Select(i => "m" + Num(i)).Order(StringComparer.Ordinal),
            commands.Skip(1).SelectMany(c => c[2..]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PairBatches))]
    public void ASortedSetIsZaddedInBatchesOf64Pairs(int items, int[] counts)
    {
        Dataset data = Build();
        Run(data, Variadic("ZADD", "z", items, i => [Num(i), "m" + Num(i)]));

        List<string[]> commands = SplitCommands(Rewrite(data));

        Assert.Equal([2, .. counts], commands.Select(c => c.Length));
        Assert.All(commands.Skip(1), c => Assert.Equal(["ZADD", "z"], c[..2]));

        // Score order, each score (an integer, so %.17g prints it plainly) before its member.
        Assert.Equal(
            Enumerable.Range(0, items).SelectMany(i => new[] { Num(i), "m" + Num(i) }),
            commands.Skip(1).SelectMany(c => c[2..]));
    }

    [Theory]
    [MemberData(nameof(PairBatches))]
    public void AHashIsHmsetInBatchesOf64Pairs(int items, int[] counts)
    {
        Dataset data = Build();
        Run(data, Variadic("HSET", "h", items, i => ["f" + Num(i), "v" + Num(i)]));

        List<string[]> commands = SplitCommands(Rewrite(data));

        Assert.Equal([2, .. counts], commands.Select(c => c.Length));
        Assert.All(commands.Skip(1), c => Assert.Equal(["HMSET", "h"], c[..2]));
        var pairs = commands.Skip(1).SelectMany(c => c[2..].Chunk(2)).Select(p => $"{p[0]}={p[1]}").Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, items).Select(i => $"f{Num(i)}=v{Num(i)}").Order(StringComparer.Ordinal), pairs);
    }

    [Fact]
    public void AList65LongIsExactlyOneFullRpushAndOneOfASingleItem()
    {
        Dataset data = Build();
        Run(data, Variadic("RPUSH", "l", 65, i => ["x"]));
        string full = "*66\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n" + string.Concat(Enumerable.Repeat("$1\r\nx\r\n", 64));

        Assert.Equal(Select0 + full + "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n", Rewrite(data));
    }

    // ------------------------------------------------------------ expiries

    [Fact]
    public void AKeyWithAnExpiryIsFollowedByAnAbsolutePexpireat()
    {
        Dataset data = Build("SET k v", "EXPIRE k 100"); // at Now: 1_700_000_100_000

        Assert.Equal(Select0 + SetKV + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000100000\r\n", Rewrite(data));
    }

    [Fact]
    public void ACollectionWithAnExpiryGetsItsPexpireatAfterItsLastBatch()
    {
        Dataset data = Build("RPUSH l a", "PEXPIREAT l 1700000100000");

        Assert.Equal(
            Select0 + "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n" + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nl\r\n$13\r\n1700000100000\r\n",
            Rewrite(data));
    }

    [Fact]
    public void AnAlreadyExpiredKeyBecomesPersistentUnderRedis26()
    {
        // Bug #4: the seed writes the SET, then finds the key expired and skips only its PEXPIREAT.
        Dataset data = Build("SET k v", "PEXPIREAT k 1700000000500");

        Assert.Equal(Select0 + SetKV, Rewrite(data, Now + 1000, Profile.Redis26));
    }

    [Fact]
    public void AnAlreadyExpiredKeyIsSkippedWholeUnderFixed()
    {
        // The db still counts the key, so its SELECT is written.
        Dataset data = Build("SET k v", "PEXPIREAT k 1700000000500");

        Assert.Equal(Select0, Rewrite(data, Now + 1000, Profile.Fixed));
    }

    [Fact]
    public void AKeyExpiringExactlyNowIsStillWrittenWithItsExpiry()
    {
        // The seed skips only when expiretime < now.
        Dataset data = Build("SET k v", "PEXPIREAT k 1700000000500");
        string expected = Select0 + SetKV + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000000500\r\n";

        Assert.Equal(expected, Rewrite(data, Now + 500, Profile.Redis26));
        Assert.Equal(expected, Rewrite(data, Now + 500, Profile.Fixed));
    }

    [Fact]
    public void TheRewriteReadsASnapshotNotTheLiveDataset()
    {
        Dataset data = Build("SET k v");
        DatasetSnapshot snapshot = data.Fork();
        Run(data, CommandArgs.Of("SET", "k", "changed"));
        Run(data, CommandArgs.Of("SET", "other", "x"));
        var buffer = new ByteBuffer();

        Assert.True(AofRewriter.WriteDataset(new BufferRio(buffer), snapshot, Now, Profile.Fixed));
        Assert.Equal(Select0 + SetKV, Text(buffer.Span));
    }

    // ------------------------------------------------------------ the file

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void ASuccessfulRewriteRenamesTheTempFileOverTheTarget(string profileName)
    {
        Profile profile = Profile.TryGet(profileName, out Profile p) ? p : throw new ArgumentException(profileName);
        (MockFileSystem fs, FileSystemStorage storage) = Disk();
        using (storage)
        {
            var log = new MemoryLog();

            bool ok = AofRewriter.RewriteToFile(storage, Build("SET k v").Fork(), Target, 4242, Now, profile, log);

            Assert.True(ok);
            Assert.Equal(Select0 + SetKV, Text(fs.File.ReadAllBytes("/data/appendonly.aof")));
            Assert.False(fs.File.Exists("/data/" + Temp));
            Assert.Equal([(LogLevel.Notice, "SYNC append only file rewrite performed")], log.Lines);
        }
    }

    [Fact]
    public void TheTempFileIsNamedAfterThePid()
    {
        Assert.Equal("temp-rewriteaof-4242.aof", AofRewriter.TempFileName(4242));
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void AWriteErrorDuringTheDatasetRemovesTheTempFileAndKeepsTheTarget(string profileName)
    {
        Profile profile = Profile.TryGet(profileName, out Profile p) ? p : throw new ArgumentException(profileName);
        (MockFileSystem fs, FileSystemStorage inner) = Disk();
        using (inner)
        {
            // A 5000-byte value overflows the 4096-byte stdio buffer, so the first write happens
            // (and fails) while the dataset is being written: the seed's werr.
            var storage = new FaultyStorage(inner) { FailWritesAfter = 0 };
            Dataset data = Build();
            Run(data, CommandArgs.Of("SET", "big", new string('x', 5000)));
            var log = new MemoryLog();

            bool ok = AofRewriter.RewriteToFile(storage, data.Fork(), Target, 4242, Now, profile, log);

            Assert.False(ok);
            Assert.Equal([(LogLevel.Warning, "Write error writing append only file on disk: No space left on device")], log.Lines);
            Assert.False(fs.File.Exists("/data/" + Temp));
            Assert.Equal("old", fs.File.ReadAllText("/data/appendonly.aof"));
        }
    }

    [Fact]
    public void AFailedFinalFlushRenamesAShortFileOverTheTargetUnderRedis26()
    {
        // Bug #5: fflush/fsync/fclose unchecked. Two values of 3000 bytes: the first write(2)
        // is the 3079 bytes buffered before the second value; the final flush (3002 bytes) fails.
        (MockFileSystem fs, FileSystemStorage inner) = Disk();
        using (inner)
        {
            var storage = new FaultyStorage(inner) { FailWritesAfter = 1 };
            var log = new MemoryLog();

            bool ok = AofRewriter.RewriteToFile(storage, TwoBigValues().Fork(), Target, 4242, Now, Profile.Redis26, log);

            string shortFile = Select0 // 23
                + "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$3000\r\n" + new string('x', 3000) + "\r\n" // 13 + 7 + 7 + 3002 = 3029 -> 3052
                + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$3000\r\n"; // 13 + 7 + 7 = 27 -> 3079
            Assert.True(ok);
            Assert.Equal(3079, shortFile.Length);
            Assert.Equal(shortFile, Text(fs.File.ReadAllBytes("/data/appendonly.aof")));
            Assert.False(fs.File.Exists("/data/" + Temp));
            Assert.Equal([(LogLevel.Notice, "SYNC append only file rewrite performed")], log.Lines);
        }
    }

    [Fact]
    public void AFailedFinalFlushIsAWriteErrorUnderFixedAndTheTargetIsKept()
    {
        (MockFileSystem fs, FileSystemStorage inner) = Disk();
        using (inner)
        {
            var storage = new FaultyStorage(inner) { FailWritesAfter = 1 };
            var log = new MemoryLog();

            bool ok = AofRewriter.RewriteToFile(storage, TwoBigValues().Fork(), Target, 4242, Now, Profile.Fixed, log);

            Assert.False(ok);
            Assert.Equal([(LogLevel.Warning, "Write error writing append only file on disk: No space left on device")], log.Lines);
            Assert.False(fs.File.Exists("/data/" + Temp));
            Assert.Equal("old", fs.File.ReadAllText("/data/appendonly.aof"));
        }
    }

    [Fact]
    public void ASmallDatasetWhoseOnlyWriteFailsLeavesAnEmptyTargetUnderRedis26()
    {
        // Everything fits the stdio buffer: the one write(2) is the unchecked fflush.
        (MockFileSystem fs, FileSystemStorage inner) = Disk();
        using (inner)
        {
            var storage = new FaultyStorage(inner) { FailWritesAfter = 0 };

            bool ok = AofRewriter.RewriteToFile(storage, Build("SET k v").Fork(), Target, 4242, Now, Profile.Redis26, new MemoryLog());

            Assert.True(ok);
            Assert.Empty(fs.File.ReadAllBytes("/data/appendonly.aof"));
        }
    }

    [Fact]
    public void ATempFileThatCannotBeOpenedFailsBeforeAnyWrite()
    {
        (MockFileSystem fs, FileSystemStorage inner) = Disk();
        using (inner)
        {
            var storage = new FaultyStorage(inner) { OpenError = Errno.EACCES };
            var log = new MemoryLog();

            bool ok = AofRewriter.RewriteToFile(storage, Build("SET k v").Fork(), Target, 4242, Now, Profile.Fixed, log);

            Assert.False(ok);
            Assert.Equal([(LogLevel.Warning, "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): Permission denied")], log.Lines);
            Assert.Equal("old", fs.File.ReadAllText("/data/appendonly.aof"));
        }
    }

    [Theory]
    [InlineData("RPUSH l a b c")]
    [InlineData("SADD s a b c")]
    [InlineData("ZADD z 1 a 2 b")]
    [InlineData("HSET h f v g w")]
    [InlineData("SET k v", "PEXPIRE k 100000")]
    [InlineData("XADD x 1-1 f v g w", "XGROUP CREATE x g 0", "XGROUP CREATECONSUMER x g idle", "XREADGROUP GROUP g c COUNT 1 STREAMS x >")]
    [InlineData("XADD e MAXLEN 0 1-1 f v")]
    public void EveryWriteErrorWhileWritingTheDatasetIsReported(params string[] lines)
    {
        // The seed's werr: whichever write of the dataset fails first (the rio fails it and every
        // write after it), rewriteAppendOnlyFile must stop with an error, never report success.
        DatasetSnapshot snapshot = Build(lines).Fork();
        var whole = new CountingRio(int.MaxValue);
        Assert.True(AofRewriter.WriteDataset(whole, snapshot, Now, Profile.Fixed));
        Assert.True(whole.Writes > 4, $"{whole.Writes} writes");
        for (int ok = 0; ok < whole.Writes; ok++)
        {
            Assert.False(AofRewriter.WriteDataset(new CountingRio(ok), snapshot, Now, Profile.Fixed), $"write {ok + 1} of {whole.Writes} failed unreported");

            // And when only that write fails (a buffered rio whose next flush gets through):
            // the first failure stops the rewrite, whatever the writes after it would do.
            Assert.False(AofRewriter.WriteDataset(new CountingRio(ok, onlyOne: true), snapshot, Now, Profile.Fixed), $"write {ok + 1} of {whole.Writes} failed alone unreported");
        }
    }

    [Fact]
    public void AWriteErrorClosesTheTempFilesDescriptor()
    {
        (_, FileSystemStorage inner) = Disk();
        using (inner)
        {
            var storage = new FaultyStorage(inner) { FailWritesAfter = 0 };

            bool ok = AofRewriter.RewriteToFile(storage, Build("SET k v").Fork(), Target, 4242, Now, Profile.Fixed, new MemoryLog());

            Assert.False(ok);
            Assert.Equal(1, storage.Opens);
            Assert.Equal(1, storage.Closes);
        }
    }

    [Fact]
    public void UnderFixedTheRenameIsMadeDurableByFsyncingTheAofsDirectory()
    {
        // Redis 7's fsyncFileDir(filename): the directory the AOF is in, here the working one.
        (_, FileSystemStorage inner) = Disk();
        using (inner)
        {
            var storage = new FaultyStorage(inner);

            Assert.True(AofRewriter.RewriteToFile(storage, Build("SET k v").Fork(), Target, 4242, Now, Profile.Fixed, new MemoryLog()));
            Assert.Equal(["."], storage.DirectoriesFsynced);
        }
    }

    [Fact]
    public void AFailedDirectoryFsyncAfterTheRenameFailsTheRewriteUnderFixed()
    {
        (MockFileSystem fs, FileSystemStorage inner) = Disk();
        using (inner)
        {
            var storage = new FaultyStorage(inner) { DirFsyncError = Errno.EIO };
            var log = new MemoryLog();

            bool ok = AofRewriter.RewriteToFile(storage, Build("SET k v").Fork(), Target, 4242, Now, Profile.Fixed, log);

            Assert.False(ok);
            Assert.Equal([(LogLevel.Warning, "Error fsyncing the directory of the rewritten append only file: Input/output error")], log.Lines);
            Assert.Equal(Select0 + SetKV, Text(fs.File.ReadAllBytes("/data/appendonly.aof")));
        }
    }

    [Theory]
    [InlineData("rename", "redis26", "Error moving temp append only file on the final destination: Input/output error")]
    [InlineData("close", "fixed", "Write error writing append only file on disk: Input/output error")]
    public void AFailedRenameOrCloseRemovesTheTempFileAndKeepsTheTarget(string call, string profileName, string message)
    {
        // The seed ignores a failed close; the fix (RewriteChecksFlushErrors) treats it as a write error.
        Profile profile = Profile.TryGet(profileName, out Profile p) ? p : throw new ArgumentException(profileName);
        (MockFileSystem fs, FileSystemStorage inner) = Disk();
        using (inner)
        {
            var storage = new FaultyStorage(inner) { RenameError = call == "rename" ? Errno.EIO : null, CloseError = call == "close" ? Errno.EIO : null };
            var log = new MemoryLog();

            bool ok = AofRewriter.RewriteToFile(storage, Build("SET k v").Fork(), Target, 4242, Now, profile, log);

            Assert.False(ok);
            Assert.Equal([(LogLevel.Warning, message)], log.Lines);
            Assert.False(fs.File.Exists("/data/" + Temp));
            Assert.Equal("old", fs.File.ReadAllText("/data/appendonly.aof"));
        }
    }

    [Fact]
    public void ARewrittenFileLoadsBackToTheSameDataset()
    {
        Dataset data = Build("SET k v", "RPUSH l a b", "SADD s x y", "ZADD z 0.1 m inf n", "HSET h f v", "SELECT 7", "SET k2 v2", "EXPIRE k2 100");
        Dataset loaded = new();

        LoadResult r = AofLoader.Load(Bytes(Rewrite(data)), loaded, Profile.Fixed, new LoadOptions { NowMs = Now });

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(DatasetDump.Lines(data, Now), DatasetDump.Lines(loaded, Now));
    }

    // ------------------------------------------------------------ helpers

    private static string Num(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static CommandArgs Variadic(string command, string key, int items, Func<int, string[]> item) =>
        CommandArgs.Of([command, key, .. Enumerable.Range(0, items).SelectMany(item)]);

    // One client for all the lines, so that a SELECT carries over to the next line.
    private static Dataset Build(params string[] lines)
    {
        var data = new Dataset();
        var client = new Client();
        foreach (string line in lines)
        {
            Run(data, CommandArgs.Parse(line), client);
        }

        return data;
    }

    private static void Run(Dataset data, CommandArgs argv) => Run(data, argv, new Client());

    private static void Run(Dataset data, CommandArgs argv, Client client)
    {
        var processor = new CommandProcessor(data, Profile.Fixed, new SplitMix64(1));
        var reply = new ReplyWriter(new ByteBuffer());
        processor.Execute(client, argv, reply, Now);
        if (reply.ErrorCount != 0)
        {
            throw new InvalidOperationException($"{argv} failed: {reply.LastError}");
        }
    }

    private static Dataset TwoBigValues()
    {
        Dataset data = Build();
        Run(data, CommandArgs.Of("SET", "a", new string('x', 3000)));
        Run(data, CommandArgs.Of("SET", "b", new string('y', 3000)));
        return data;
    }

    private static string Rewrite(Dataset data, long nowMs = Now, Profile? profile = null)
    {
        var buffer = new ByteBuffer();
        Assert.True(AofRewriter.WriteDataset(new BufferRio(buffer), data.Fork(), nowMs, profile ?? Profile.Fixed));
        return Text(buffer.Span);
    }

    private static (MockFileSystem Fs, FileSystemStorage Storage) Disk()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/data");
        fs.File.WriteAllText("/data/appendonly.aof", "old");
        return (fs, new FileSystemStorage(fs, "/data"));
    }

    /// <summary>
    /// A storage decorator that fails what the test asks: every write after the first
    /// <see cref="FailWritesAfter"/> successful ones (ENOSPC), opens, or renames.
    /// </summary>
    private sealed class FaultyStorage(IStorage inner) : IStorage
    {
        private int writes;

        public int? FailWritesAfter { get; init; }

        public Errno? OpenError { get; init; }

        public Errno? RenameError { get; init; }

        public Errno? CloseError { get; init; }

        public Errno? DirFsyncError { get; init; }

        public int Opens { get; private set; }

        public int Closes { get; private set; }

        public List<string> DirectoriesFsynced { get; } = [];

        public SysResult Open(string path, OpenFlags flags)
        {
            SysResult r = OpenError is Errno e ? SysResult.Fail(e) : inner.Open(path, flags);
            Opens += r.Ok ? 1 : 0;
            return r;
        }

        public SysResult Read(int fd, Span<byte> buffer) => inner.Read(fd, buffer);

        public SysResult Write(int fd, ReadOnlySpan<byte> data)
        {
            if (FailWritesAfter is int n && writes >= n)
            {
                return SysResult.Fail(Errno.ENOSPC);
            }

            writes++;
            return inner.Write(fd, data);
        }

        public Errno Ftruncate(int fd, long length) => inner.Ftruncate(fd, length);

        public Errno Fsync(int fd) => inner.Fsync(fd);

        public Errno Fdatasync(int fd) => inner.Fdatasync(fd);

        public Errno Close(int fd)
        {
            // A failed close(2) still releases the descriptor.
            Closes++;
            Errno closed = inner.Close(fd);
            return CloseError ?? closed;
        }

        public SysResult Fstat(int fd) => inner.Fstat(fd);

        public SysResult Stat(string path) => inner.Stat(path);

        public Errno Rename(string from, string to) => RenameError is Errno e ? e : inner.Rename(from, to);

        public Errno Unlink(string path) => inner.Unlink(path);

        public Errno FsyncDirectory(string path)
        {
            DirectoriesFsynced.Add(path);
            return DirFsyncError ?? inner.FsyncDirectory(path);
        }
    }

    /// <summary>
    /// A rio whose writes after the first <paramref name="ok"/> fail, as a full disk fails them
    /// (<paramref name="onlyOne"/>: only the next one fails, the ones after it succeed).
    /// </summary>
    private sealed class CountingRio(int ok, bool onlyOne = false) : Rio
    {
        private int calls;

        public int Writes { get; private set; }

        public override bool Write(ReadOnlySpan<byte> data)
        {
            if (calls++ == ok || (!onlyOne && Writes >= ok))
            {
                return false;
            }

            Writes++;
            return true;
        }
    }
}
