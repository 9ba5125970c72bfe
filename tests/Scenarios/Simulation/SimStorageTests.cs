using System.Text;
using AofSim.Engine.Ports;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Simulation;

/// <summary>
/// The simulated disk keeps a pending write's bytes in the page cache rather than in a copy of its
/// own: whatever later changes those bytes in the cache (an overwrite, a truncation, a file
/// replaced and its array reused), a power loss that keeps the write must still put down the
/// bytes it wrote.
/// </summary>
public sealed class SimStorageTests
{
    private const string File = "f";

    [Fact]
    public void AnOverwrittenPendingWriteReachesTheDiskAsItWasWritten()
    {
        var disk = new SimStorage(new SimStorageOptions());
        int first = Open(disk, create: true);
        Write(disk, first, "AAAA");
        disk.FsyncDirectory(".");
        int second = Open(disk);
        Write(disk, second, "BB"); // at 0, over the first write's bytes in the cache

        Assert.Equal("BBAA", Read(disk));
        disk.Crash(i => i == 0 ? PendingFate.Whole : PendingFate.Dropped);
        Assert.Equal("AAAA", Read(disk));
    }

    [Fact]
    public void APendingWriteCutFromTheCacheReachesTheDiskWholeWhenTheCutIsLost()
    {
        var disk = new SimStorage(new SimStorageOptions());
        int fd = Open(disk, create: true);
        Write(disk, fd, "ABCDEFGH");
        disk.FsyncDirectory(".");
        disk.Ftruncate(fd, 2);
        Write(disk, fd, "XY"); // at 8: the cache is "AB", six zeros, "XY"

        Assert.Equal("AB\0\0\0\0\0\0XY", Read(disk));
        disk.Crash(i => i == 1 ? PendingFate.Dropped : PendingFate.Whole);
        Assert.Equal("ABCDEFGHXY", Read(disk));
    }

    [Fact]
    public void ATornPendingWriteKeepsItsOwnBytesAfterAnOverwrite()
    {
        // Torn at the first sector boundary, a 600-byte write keeps its first 512 bytes.
        var disk = new SimStorage(new SimStorageOptions());
        int fd = Open(disk, create: true);
        Write(disk, fd, new string('a', 600));
        disk.FsyncDirectory(".");
        Write(disk, Open(disk), new string('c', 600));

        disk.Crash(i => i == 0 ? PendingFate.Torn : PendingFate.Dropped);
        Assert.Equal(new string('a', 512), Read(disk));
    }

    [Fact]
    public void ANewFileNeverShowsTheBytesOfAFileThatIsGone()
    {
        // The gone file's array is kept for the next file: only what the new file wrote, and the
        // zeros its truncation and its write past the end added, may be read, before and after
        // a power loss.
        var disk = new SimStorage(new SimStorageOptions());
        int old = (int)disk.Open("g", OpenFlags.Create | OpenFlags.WriteOnly).Value;
        Write(disk, old, new string('b', 5000));
        disk.Close(old);
        disk.Unlink("g");
        int fd = Open(disk, create: true);
        Write(disk, fd, "x");
        disk.Ftruncate(fd, 4);
        disk.FsyncDirectory(".");
        disk.Fsync(fd);
        Write(disk, Open(disk), "yy");
        disk.Ftruncate(fd, 1);
        disk.Ftruncate(fd, 3);

        Assert.Equal("y\0\0", Read(disk));
        disk.Crash(_ => PendingFate.Dropped);
        Assert.Equal("x\0\0\0", Read(disk));
    }

    [Theory]
    // A shrunk case's power loss (ScriptStep.Survived): the last pending write loses its last 3
    // bytes wherever it starts, the one before it (beyond the one fate given) survives whole.
    [InlineData(CrashModel.StrictPosix, "T3", "AAAABBBBBBCCCCC", "W T3")]
    // Under ext4 nothing is kept after the first write not kept whole.
    [InlineData(CrashModel.Ext4Ordered, "- W", "AAAA", "- -")]
    [InlineData(CrashModel.StrictPosix, "- W", "AAAACCCCCCCC", "- W")]
    public void AnExplicitCrashCountsItsFatesFromTheEnd(CrashModel model, string fates, string file, string reported)
    {
        SimStorage disk = ThreePendingWrites(model, out List<IReadOnlyDictionary<string, string>> kept);
        disk.BeginStep(null, [new Dictionary<string, string> { [File] = fates }]);
        disk.Crash(SimRandom.Stream(1, "crash"));
        Assert.Equal(file, Read(disk).Replace("\0", string.Empty, StringComparison.Ordinal));
        Assert.Equal(reported, Assert.Single(kept)[File]);
    }

    [Fact]
    public void AnExplicitCrashThatDoesNotNameAFileKeepsNothingOfItThatWasPending()
    {
        SimStorage disk = ThreePendingWrites(CrashModel.StrictPosix, out _);
        disk.BeginStep(null, [new Dictionary<string, string> { ["other.aof"] = "W" }]);
        disk.Crash(SimRandom.Stream(1, "crash"));
        Assert.Equal("AAAA", Read(disk));
    }

    [Fact]
    public void ASeededCrashReportsWhatItKeptAsFatesThatReplayToTheSameBytes()
    {
        // Whatever the stream draws, its outcome given back explicitly gives the same file.
        for (ulong seed = 1; seed <= 40; seed++)
        {
            SimStorage seeded = ThreePendingWrites(CrashModel.StrictPosix, out List<IReadOnlyDictionary<string, string>> kept, big: true);
            seeded.Crash(SimRandom.Stream(seed, "crash"));
            SimStorage replayed = ThreePendingWrites(CrashModel.StrictPosix, out _, big: true);
            replayed.BeginStep(null, [kept[0]]);
            replayed.Crash(SimRandom.Stream(seed + 1000, "crash"));
            Assert.Equal(Read(seeded), Read(replayed));
        }
    }

    // "AAAA" durable, then two pending writes: "BBBBBB" and "CCCCCCCC" (big: 700 and 1,300 bytes,
    // so that a seeded crash can tear them at a sector boundary).
    private static SimStorage ThreePendingWrites(CrashModel model, out List<IReadOnlyDictionary<string, string>> kept, bool big = false)
    {
        var disk = new SimStorage(new SimStorageOptions { Model = model });
        List<IReadOnlyDictionary<string, string>> crashes = [];
        disk.OnCrash = crashes.Add;
        kept = crashes;
        int fd = Open(disk, create: true);
        Write(disk, fd, "AAAA");
        disk.FsyncDirectory(".");
        disk.Fsync(fd);
        Write(disk, fd, new string('B', big ? 700 : 6));
        Write(disk, fd, new string('C', big ? 1300 : 8));
        return disk;
    }

    private static int Open(SimStorage disk, bool create = false) =>
        (int)disk.Open(File, OpenFlags.WriteOnly | (create ? OpenFlags.Create : OpenFlags.ReadOnly)).Value;

    private static void Write(SimStorage disk, int fd, string text) =>
        Assert.Equal(text.Length, disk.Write(fd, Encoding.ASCII.GetBytes(text)).Value);

    private static string Read(SimStorage disk) => Encoding.ASCII.GetString(disk.ReadAll(File)!);
}
