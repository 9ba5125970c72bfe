using System.IO.Abstractions.TestingHelpers;
using AofSim.Engine.Adapters;
using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Coyote;

/// <summary>
/// A server core on the real threaded adapters (bio workers and rewrite child as tasks), over an
/// in-memory file system and a clock the test moves. The test body is the main loop; Coyote
/// decides how the workers and the child interleave with it.
/// </summary>
internal sealed class Rig : IDisposable
{
    public Rig(Profile profile, AppendFsync fsync)
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/data");
        Files = fs;
        Storage = new WatchedStorage(new FileSystemStorage(fs, "/data"));
        Jobs = new ThreadedBackgroundJobs(Storage);
        Core = new ServerCore(
            new ServerConfig { AppendFsync = fsync, Profile = profile, AutoAofRewritePercentage = 0 },
            new ServerPorts(Storage, Clock, Jobs, new ThreadChildProcesses(Storage), Log, new SplitMix64(1)));
        Core.Start();
    }

    public MockFileSystem Files { get; }

    public WatchedStorage Storage { get; }

    public ThreadedBackgroundJobs Jobs { get; }

    public TestClock Clock { get; } = new();

    public MemoryLog Log { get; } = new();

    public ServerCore Core { get; }

    public Connection Conn { get; } = new();

    /// <summary>Runs a command and the beforeSleep after it.</summary>
    public void Call(string line)
    {
        Core.Execute(Conn, CommandArgs.Parse(line));
        Core.BeforeSleep();
    }

    /// <summary>One turn of the event loop: time, cron, beforeSleep.</summary>
    public void Tick(long ms)
    {
        Clock.NowMs += ms;
        Core.Cron();
        Core.BeforeSleep();
    }

    /// <summary>Runs the loop until the rewrite child is reaped (bounded), yielding to the other tasks.</summary>
    public async Task UntilRewriteDone()
    {
        for (int i = 0; i < 200 && Core.AofChildPid != -1; i++)
        {
            Tick(100);
            await Task.Yield();
        }
    }

    public void Dispose() => Jobs.Dispose();
}

/// <summary>A clock the test moves.</summary>
internal sealed class TestClock : IClock
{
    public long NowMs { get; set; } = 1_700_000_000_000;
}

/// <summary>The storage port, watched: counts fsyncs that reached a closed descriptor.</summary>
internal sealed class WatchedStorage(IStorage inner) : IStorage
{
    private int badFsyncs;

    public int BadFsyncs => Volatile.Read(ref badFsyncs);

    public SysResult Open(string path, OpenFlags flags) => inner.Open(path, flags);

    public SysResult Read(int fd, Span<byte> buffer) => inner.Read(fd, buffer);

    public SysResult Write(int fd, ReadOnlySpan<byte> data) => inner.Write(fd, data);

    public Errno Ftruncate(int fd, long length) => inner.Ftruncate(fd, length);

    public Errno Fsync(int fd) => Watch(inner.Fsync(fd));

    public Errno Fdatasync(int fd) => Watch(inner.Fdatasync(fd));

    public Errno Close(int fd) => inner.Close(fd);

    public SysResult Fstat(int fd) => inner.Fstat(fd);

    public SysResult Stat(string path) => inner.Stat(path);

    public Errno Rename(string from, string to) => inner.Rename(from, to);

    public Errno Unlink(string path) => inner.Unlink(path);

    public Errno FsyncDirectory(string path) => inner.FsyncDirectory(path);

    private Errno Watch(Errno e)
    {
        if (e == Errno.EBADF)
        {
            Interlocked.Increment(ref badFsyncs);
        }

        return e;
    }
}
