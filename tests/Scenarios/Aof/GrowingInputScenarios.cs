using System.Text;
using AofSim.Engine.Adapters;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Sim.Fuzzing;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// The loader and the checker on input whose size at open is not its size: a file appended to
/// after its size was taken (a stream holding more than the size says), and a stream with no
/// size at all (a FIFO), read a byte at a time.
/// </summary>
public sealed class GrowingInputScenarios
{
    // 27 bytes each.
    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    private const string SetAB = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n";

    [Theory]
    [InlineData(37, 1)]
    [InlineData(37, 4096)]
    [InlineData(27, 3)]
    [InlineData(1, 7)]
    public void TheLoaderReadsPastTheSizeTakenAtOpen(long sizeAtOpen, int chunk)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(SetKV + SetAB);
        var data = new Dataset();

        LoadResult r = AofLoader.Load(new FuzzStream(bytes, chunk), sizeAtOpen, data, Profile.Redis26, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(2, r.Commands);
        Assert.Equal(54, r.ValidUpTo);
        Assert.Equal(54, r.FileSize);
        Assert.Equal(2, data[0].Count);
    }

    [Fact]
    public void TheLoaderReadsAStreamWithNoSizeToItsEnd()
    {
        byte[] bytes = Encoding.Latin1.GetBytes(SetKV + SetAB + SetKV);

        LoadResult r = AofLoader.Load(new FuzzStream(bytes, 1), -1, new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(3, r.Commands);
        Assert.Equal(81, r.FileSize);
    }

    [Fact]
    public void AHugeClaimInAStreamWithNoSizeIsACutBulk()
    {
        byte[] bytes = Encoding.Latin1.GetBytes(SetKV + "*1\r\n$9223372036854775806\r\nab\r\n");

        LoadResult r = AofLoader.Load(new FuzzStream(bytes, 2), -1, new Dataset(), Profile.Fixed, new LoadOptions { LoadTruncated = true });

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
    }

    [Fact]
    public void AClaimPastTheEndOfAFileThatDidNotGrowFailsWithoutReadingTheRest()
    {
        // 8 MB after a claim of 16 MB: the file, asked its size again, cannot hold it, so the
        // loader fails there instead of reading the 8 MB into its buffer in search of the claim.
        string dir = Directory.CreateTempSubdirectory("aofsim-claim-").FullName;
        try
        {
            byte[] head = Encoding.Latin1.GetBytes(SetKV + "*2\r\n$3\r\nSET\r\n$16777216\r\n");
            using (var f = File.Create(Path.Combine(dir, "appendonly.aof")))
            {
                f.Write(head);
                f.Write(new byte[8 << 20]);
            }

            using var storage = new FileSystemStorage(new System.IO.Abstractions.FileSystem(), dir);
            _ = AofLoader.Load(storage, "appendonly.aof", new Dataset(), Profile.Fixed, new LoadOptions()); // warm
            long before = GC.GetAllocatedBytesForCurrentThread();
            LoadResult r = AofLoader.Load(storage, "appendonly.aof", new Dataset(), Profile.Fixed, new LoadOptions());
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
            Assert.Equal(27, r.ValidUpTo);
            Assert.InRange(allocated, 0, 2 << 20); // the first 1 MB buffer, not 8 MB and more
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheCheckerCallsAFileThatGrewValidWithANegativeDiff()
    {
        byte[] bytes = Encoding.Latin1.GetBytes(SetKV + SetAB);

        CheckResult r = AofChecker.Check(new FuzzStream(bytes, 5), 37);

        Assert.Equal(37, r.Size);
        Assert.Equal(54, r.OkUpTo);
        Assert.Equal(-17, r.Diff);
        Assert.True(r.Valid);
        Assert.Equal(0, r.Report("f").ExitCode);
    }

    [Fact]
    public void TheCheckerCountsAStreamWithNoSizeEvenPastAnError()
    {
        byte[] bytes = Encoding.Latin1.GetBytes(SetKV + "!garbage after the error\r\n" + SetAB);

        CheckResult r = AofChecker.Check(new FuzzStream(bytes, 3), -1);

        Assert.Equal(bytes.Length, r.Size);
        Assert.Equal(27, r.OkUpTo);
        Assert.True(r.FormatError);
        Assert.False(r.Valid);
    }

    [Fact]
    public void AnEmptyStreamWithNoSizeIsAnEmptyFile()
    {
        CheckResult r = AofChecker.Check(new FuzzStream([], 1), -1);

        Assert.Equal(0, r.Size);
        Assert.Equal("AOF f is empty", r.Report("f").Lines[^1]);
    }
}
