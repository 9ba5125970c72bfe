using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.Text;
using AofSim.Engine.Adapters;
using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Scenarios.Adapters;

/// <summary>The real adapters: storage on MockFileSystem and on the real disk, bio threads, child threads.</summary>
public sealed class AdapterTests
{
    [Fact]
    public void StorageOnMockFileSystemBehavesLikeTheSyscalls()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/data");
        using var storage = new FileSystemStorage(fs, "/data");

        SysResult a = storage.Open("a.aof", OpenFlags.WriteOnly | OpenFlags.Append | OpenFlags.Create);
        SysResult b = storage.Open("b.aof", OpenFlags.WriteOnly | OpenFlags.Create);
        Assert.Equal((3L, 4L), (a.Value, b.Value));
        Assert.Equal(5, storage.Write((int)a.Value, "hello"u8).Value);
        Assert.Equal(5, storage.Fstat((int)a.Value).Value);
        Assert.Equal(Errno.None, storage.Ftruncate((int)a.Value, 2));
        Assert.Equal(Errno.None, storage.Fdatasync((int)a.Value));
        Assert.Equal(Errno.None, storage.Close((int)a.Value));

        // The lowest free descriptor is reused, as the kernel does.
        Assert.Equal(3, storage.Open("c.aof", OpenFlags.WriteOnly | OpenFlags.Create).Value);
        Assert.Equal("he", fs.File.ReadAllText("/data/a.aof"));

        Assert.Equal(Errno.None, storage.Rename("a.aof", "b.aof"));
        Assert.Equal("he", fs.File.ReadAllText("/data/b.aof"));
        Assert.Equal(Errno.ENOENT, storage.Rename("a.aof", "x.aof"));
        Assert.Equal(Errno.ENOENT, storage.Unlink("a.aof"));
        Assert.Equal(SysResult.Fail(Errno.ENOENT), storage.Open("nope.aof", OpenFlags.ReadOnly));
        Assert.Equal(Errno.EBADF, storage.Close(99));
        Assert.Equal(SysResult.Fail(Errno.EBADF), storage.Write(99, "x"u8));
        Assert.Equal(Errno.None, storage.FsyncDirectory("."));
    }

    [Fact]
    public void EachOpenFlagDoesWhatOpen2Does()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/d/sub");
        fs.File.WriteAllText("/d/f", "abcdef");
        using var storage = new FileSystemStorage(fs, "/d");

        // O_CREAT without O_TRUNC keeps what is there; with it, the file starts empty.
        int keep = (int)storage.Open("f", OpenFlags.WriteOnly | OpenFlags.Create).Value;
        Assert.Equal(6, storage.Fstat(keep).Value);
        storage.Close(keep);
        int cut = (int)storage.Open("f", OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate).Value;
        Assert.Equal(0, storage.Fstat(cut).Value);
        storage.Write(cut, "xyz"u8);
        storage.Close(cut);

        // O_TRUNC without O_CREAT empties a file that exists and refuses one that does not.
        int trunc = (int)storage.Open("f", OpenFlags.WriteOnly | OpenFlags.Truncate).Value;
        Assert.Equal(0, storage.Fstat(trunc).Value);
        storage.Write(trunc, "123456"u8);
        storage.Close(trunc);
        Assert.Equal(SysResult.Fail(Errno.ENOENT), storage.Open("g", OpenFlags.WriteOnly | OpenFlags.Truncate));

        // Without O_APPEND a write goes where the offset is (the start); with it, to the end.
        int plain = (int)storage.Open("f", OpenFlags.WriteOnly).Value;
        storage.Write(plain, "AB"u8);
        storage.Close(plain);
        Assert.Equal("AB3456", fs.File.ReadAllText("/d/f"));
        int append = (int)storage.Open("f", OpenFlags.WriteOnly | OpenFlags.Append).Value;
        storage.Write(append, "Z"u8);
        storage.Close(append);
        Assert.Equal("AB3456Z", fs.File.ReadAllText("/d/f"));

        // O_RDONLY reads and cannot write; O_RDWR does both; a directory is EISDIR.
        int ro = (int)storage.Open("f", OpenFlags.ReadOnly).Value;
        byte[] buf = new byte[16];
        Assert.Equal(7, storage.Read(ro, buf).Value);
        Assert.False(storage.Write(ro, "q"u8).Ok);
        storage.Close(ro);
        int rw = (int)storage.Open("f", OpenFlags.ReadWrite).Value;
        Assert.Equal(2, storage.Read(rw, buf.AsSpan(0, 2)).Value);
        Assert.Equal(1, storage.Write(rw, "!"u8).Value);
        storage.Close(rw);
        Assert.Equal("AB!456Z", fs.File.ReadAllText("/d/f"));
        Assert.Equal(SysResult.Fail(Errno.EISDIR), storage.Open("sub", OpenFlags.ReadOnly));

        // A path is relative to the root unless it is rooted; Stat sees what is there.
        Assert.Equal(7, storage.Stat("/d/f").Value);
        Assert.Equal(7, storage.Stat("f").Value);
        Assert.Equal(SysResult.Fail(Errno.ENOENT), storage.Stat("g"));
    }

    [Fact]
    public void StorageOnTheRealDiskFsyncsFilesAndTheirDirectory()
    {
        string dir = Directory.CreateTempSubdirectory("aofsim-adapter-").FullName;
        try
        {
            using var storage = new FileSystemStorage(new FileSystem(), dir);
            int fd = (int)storage.Open("appendonly.aof", OpenFlags.WriteOnly | OpenFlags.Append | OpenFlags.Create).Value;
            storage.Write(fd, "*1\r\n$4\r\nPING\r\n"u8);
            Assert.Equal(Errno.None, storage.Fdatasync(fd));
            Assert.Equal(Errno.None, storage.Fsync(fd));
            Assert.Equal(Errno.None, storage.FsyncDirectory("."));
            Assert.Equal(Errno.ENOENT, storage.FsyncDirectory("missing"));
            storage.Close(fd);
            Assert.Equal("*1\r\n$4\r\nPING\r\n", File.ReadAllText(Path.Combine(dir, "appendonly.aof")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BackgroundJobsCountAsPendingUntilTheyFinish()
    {
        var storage = new GatedStorage();
        using var jobs = new ThreadedBackgroundJobs(storage);
        jobs.Submit(BioJobType.AofFsync, 3);
        Assert.True(storage.Entered.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, jobs.Pending(BioJobType.AofFsync));
        Assert.Equal(0, jobs.Pending(BioJobType.CloseFile));
        storage.Release.Set();
        Assert.True(SpinWait.SpinUntil(() => jobs.Pending(BioJobType.AofFsync) == 0, TimeSpan.FromSeconds(10)));
        Assert.Equal(Errno.EIO, jobs.LastFsyncError);
    }

    [Theory]
    [InlineData(Errno.EBADF)]
    [InlineData(Errno.EINVAL)]
    public void AnFsyncOfAClosedDescriptorIsNoFsyncError(Errno closed)
    {
        // stopAppendOnly closes the AOF while a queued fsync may still run (PR #8751): an fsync
        // error there would turn writes away with -MISCONF although nothing failed to reach the disk.
        var storage = new GatedStorage(closed);
        using var jobs = new ThreadedBackgroundJobs(storage);
        storage.Release.Set();
        jobs.Submit(BioJobType.AofFsync, 3);
        Assert.True(storage.Entered.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(SpinWait.SpinUntil(() => jobs.Pending(BioJobType.AofFsync) == 0, TimeSpan.FromSeconds(10)));
        Assert.Equal(Errno.None, jobs.LastFsyncError);
        Assert.Equal(0L, jobs.FsyncErrors);
    }

    [Fact]
    public void AKilledChildThreadEndsBySignalNineAtItsNextSyscallWithItsFilesClosed()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/d");
        using var storage = new FileSystemStorage(fs, "/d");
        var children = new ThreadChildProcesses(storage);
        using var started = new ManualResetEventSlim();
        using var killed = new ManualResetEventSlim();
        SysResult pid = children.Fork(ctx =>
        {
            int fd = (int)ctx.Storage.Open("temp.aof", OpenFlags.WriteOnly | OpenFlags.Create).Value;
            started.Set();
            killed.Wait(TimeSpan.FromSeconds(10));
            ctx.Storage.Write(fd, "never"u8);
            return 0;
        });
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(children.Kill((int)pid.Value));
        killed.Set();
        ChildExit exit = children.Wait((int)pid.Value);
        Assert.Equal(new ChildExit((int)pid.Value, 0, 9), exit);
        Assert.Equal(string.Empty, fs.File.ReadAllText("/d/temp.aof"));
        Assert.Equal(3, storage.Open("x", OpenFlags.WriteOnly | OpenFlags.Create).Value); // the child's fd 3 was closed
    }

    [Fact]
    public void ABackgroundRewriteOnRealThreadsSwitchesTheAof()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/d");
        using var storage = new FileSystemStorage(fs, "/d");
        using var jobs = new ThreadedBackgroundJobs(storage);
        var log = new MemoryLog();
        var core = new ServerCore(
            new ServerConfig { AppendFsync = AppendFsync.Everysec, Profile = Profile.Fixed },
            new ServerPorts(storage, SystemClock.Instance, jobs, new ThreadChildProcesses(storage), log, new SplitMix64(1)));
        core.Start();
        var conn = new Connection();
        for (int i = 0; i < 100; i++)
        {
            core.Execute(conn, CommandArgs.Parse($"INCR n{i % 7}"));
        }

        core.Execute(conn, CommandArgs.Parse("BGREWRITEAOF"));
        core.Execute(conn, CommandArgs.Parse("SET after fork"));
        core.BeforeSleep();
        Assert.True(SpinWait.SpinUntil(
            () =>
            {
                core.Cron();
                core.BeforeSleep();
                return core.AofChildPid == -1;
            },
            TimeSpan.FromSeconds(20)));
        Assert.True(log.Messages.Contains("Background AOF rewrite finished successfully"), string.Join("\n", log.Messages));

        var data = new AofSim.Engine.Data.Dataset();
        var result = AofSim.Engine.Aof.AofLoader.Load(fs.File.ReadAllBytes("/d/appendonly.aof"), data, Profile.Fixed, new AofSim.Engine.Aof.LoadOptions());
        Assert.Equal(AofSim.Engine.Aof.LoadOutcome.Loaded, result.Outcome);
        Assert.Equal(
            AofSim.Engine.Data.DatasetDump.Lines(core.Data, 0),
            AofSim.Engine.Data.DatasetDump.Lines(data, 0));
        Assert.DoesNotContain(fs.Directory.GetFiles("/d"), f => f.Contains("temp-", StringComparison.Ordinal));
    }

    // A storage whose fdatasync blocks until released and then fails: to watch a job in flight.
    private sealed class GatedStorage(Errno fsyncResult = Errno.EIO) : IStorage
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public Errno Fdatasync(int fd)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(10));
            return fsyncResult;
        }

        public SysResult Open(string path, OpenFlags flags) => throw new NotSupportedException();

        public SysResult Read(int fd, Span<byte> buffer) => throw new NotSupportedException();

        public SysResult Write(int fd, ReadOnlySpan<byte> data) => throw new NotSupportedException();

        public Errno Ftruncate(int fd, long length) => throw new NotSupportedException();

        public Errno Fsync(int fd) => throw new NotSupportedException();

        public Errno Close(int fd) => Errno.None;

        public SysResult Fstat(int fd) => throw new NotSupportedException();

        public SysResult Stat(string path) => throw new NotSupportedException();

        public Errno Rename(string from, string to) => throw new NotSupportedException();

        public Errno Unlink(string path) => throw new NotSupportedException();

        public Errno FsyncDirectory(string path) => throw new NotSupportedException();
    }
}
