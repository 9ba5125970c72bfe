using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using AofSim.Faults;
using AofSim.Scenarios.Server;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Faults;

/// <summary>
/// A server core whose every storage call runs a fault plan, as the campaign runs it: a
/// <see cref="FaultyStorage"/> over the simulated disk (whose failed fsyncs drop the dirty pages
/// the Linux way, and whose crash model, ext4-ordered unless a test asks for strict POSIX, decides
/// what a power loss keeps), background fsyncs on
/// <see cref="SimJobs"/> (each one counted as an fdatasync of the plan, so a delay keeps it pending
/// and a failure fails its writeback), and rewrite children run when the test says so, killed at
/// the syscall where the plan kills them.
/// </summary>
internal sealed class FaultRig : ILoopHost
{
    public const long Start = ServerHarness.Start;

    public FaultRig(Profile profile, AppendFsync fsync, FaultPlan plan, CrashModel model = CrashModel.Ext4Ordered, SimStorage? disk = null, long startMs = Start, bool loadTruncated = false)
    {
        Disk = disk ?? new SimStorage(new SimStorageOptions { Model = model });
        Clock = new SimClock(startMs);
        Storage = new FaultyStorage(Disk, plan)
        {
            Now = () => Clock.NowMs - Start,
            Sleep = ms => Clock.AdvanceTo(Clock.NowMs + ms),
        };
        var recorded = new RecordingStorage(Storage, Calls);

        // Fsyncs take no time unless the plan delays them: a delay is exactly its milliseconds.
        Jobs = new SimJobs(Disk, Clock, new SimRandom(1), new SimJobsOptions { FsyncMinMs = 0, FsyncMaxMs = 0, SlowFsyncChance = 0, CloseMs = 0 })
        {
            Faults = fd => Storage.Consult(FaultOp.Fdatasync, fd),
        };
        Children = new RigChildren(recorded, Disk);
        Core = new ServerCore(
            new ServerConfig { AppendOnly = true, AppendFsync = fsync, Profile = profile, AutoAofRewritePercentage = 0, AofLoadTruncated = loadTruncated },
            new ServerPorts(recorded, Clock, Jobs, Children, Log, new SplitMix64(1)));
        Core.Start();
        Loop = new EventLoop(Core, Clock.NowMs);
    }

    /// <summary>The event loop the rig drives the server with (the one the simulator and serve use).</summary>
    public EventLoop Loop { get; }

    public SimStorage Disk { get; }

    public FaultyStorage Storage { get; }

    public SimClock Clock { get; }

    public SimJobs Jobs { get; }

    public RigChildren Children { get; }

    public MemoryLog Log { get; } = new();

    public ServerCore Core { get; }

    public Connection Conn { get; } = new();

    /// <summary>The storage calls the server and its child made, as they made them and as they ended: "write appendonly.aof 27 =5".</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Milliseconds since the rig started.</summary>
    public long Elapsed => Clock.NowMs - Start;

    /// <summary>What reads of the AOF see now (the page cache).</summary>
    public string Aof => File("appendonly.aof");

    public IReadOnlyList<string> Messages => Log.Messages;

    /// <summary>The names in the directory, sorted.</summary>
    public IReadOnlyList<string> Names => [.. Disk.Names];

    public string File(string name) => Encoding.Latin1.GetString(Disk.ReadAll(name) ?? throw new FileNotFoundException(name));

    /// <summary>
    /// A disk holding <paramref name="aof"/> as appendonly.aof, data and name durable, as an AOF
    /// left by an earlier run.
    /// </summary>
    public static SimStorage DiskWithDurableAof(string aof, CrashModel model)
    {
        var disk = new SimStorage(new SimStorageOptions { Model = model });
        int fd = (int)disk.Open("appendonly.aof", OpenFlags.WriteOnly | OpenFlags.Create).Value;
        disk.Write(fd, Encoding.Latin1.GetBytes(aof));
        disk.Fsync(fd);
        disk.Close(fd);
        disk.FsyncDirectory(".");
        return disk;
    }

    /// <summary>Runs commands; their replies stay pending until <see cref="Sleep"/>.</summary>
    public void Exec(params string[] lines)
    {
        Jobs.RunUntil(Clock.NowMs);
        foreach (string line in lines)
        {
            Loop.Execute(Conn, CommandArgs.Parse(line));
        }
    }

    /// <summary>beforeSleep: what was released to the connection, concatenated.</summary>
    public string Sleep() =>
        string.Concat(Loop.BeforeSleep().Where(r => r.Connection == Conn).Select(r => Encoding.Latin1.GetString(r.Bytes)));

    /// <summary>A command, then the beforeSleep that follows it: the reply released.</summary>
    public string Call(string line)
    {
        Exec(line);
        return Sleep();
    }

    /// <summary>
    /// Moves the clock by <paramref name="ms"/> through the event loop: at each cron due on the
    /// way, the background jobs due by then end first, then cron and beforeSleep run.
    /// </summary>
    public void Tick(long ms) => Loop.RunUntil(Clock.NowMs + ms, this);

    /// <inheritdoc/>
    public void PassTimeTo(long ms)
    {
        Jobs.RunUntil(ms);
        Clock.AdvanceTo(ms);
    }

    /// <summary>Runs the rewrite child to its end (or to the syscall where the plan kills it).</summary>
    public ChildExit FinishChild() => Children.Finish(Core.AofChildPid);

    /// <summary>The INFO persistence fields asked for that the section has, as "name:value" lines.</summary>
    public IReadOnlyList<string> Info(params string[] fields)
    {
        var lines = Core.InfoPersistence().Split("\r\n");
        return [.. fields.SelectMany(f => lines.Where(l => l.StartsWith(f + ":", StringComparison.Ordinal)))];
    }

    /// <summary>A power loss now: only what the disk made durable survives (every pending write is lost).</summary>
    public void PowerLoss() => Disk.Crash(_ => PendingFate.Dropped);

    /// <summary>The server started again on the same disk (after a kill or a power loss), with no faults.</summary>
    public FaultRig Restart(Profile profile, AppendFsync fsync) => new(profile, fsync, new FaultPlan([]), disk: Disk, startMs: Clock.NowMs);
}

/// <summary>
/// Rewrite children run to their end when the test says so. A plan's kill at one of the child's
/// syscalls ends it by signal 9, the kernel closing what it had open; a power loss goes on up.
/// </summary>
internal sealed class RigChildren(IStorage storage, IStorage kernel) : IChildProcesses
{
    private readonly Dictionary<int, Func<ChildContext, int>> running = [];
    private readonly Queue<ChildExit> exited = new();
    private int nextPid = 4000;

    public SysResult Fork(Func<ChildContext, int> work)
    {
        int pid = ++nextPid;
        running[pid] = work;
        return SysResult.Success(pid);
    }

    public ChildExit Finish(int pid)
    {
        var own = new DescriptorTracker(storage);
        ChildExit exit;
        try
        {
            exit = new ChildExit(pid, running[pid](new ChildContext(pid, own)), 0);
        }
        catch (ProcessKilledException)
        {
            own.CloseAll(kernel);
            exit = new ChildExit(pid, 0, 9);
        }

        running.Remove(pid);
        exited.Enqueue(exit);
        return exit;
    }

    public bool Kill(int pid)
    {
        if (!running.Remove(pid))
        {
            return false;
        }

        exited.Enqueue(new ChildExit(pid, 0, 9));
        return true;
    }

    public bool TryWait(out ChildExit exit) => exited.TryDequeue(out exit);

    public ChildExit Wait(int pid)
    {
        ChildExit mine = exited.FirstOrDefault(e => e.Pid == pid);
        var rest = exited.Where(e => e.Pid != pid).ToList();
        exited.Clear();
        rest.ForEach(exited.Enqueue);
        return mine;
    }

    // The child's own view of the storage: which descriptors it holds open.
    private sealed class DescriptorTracker(IStorage inner) : IStorage
    {
        private readonly HashSet<int> open = [];

        public void CloseAll(IStorage kernel)
        {
            foreach (int fd in open)
            {
                kernel.Close(fd);
            }

            open.Clear();
        }

        public SysResult Open(string path, OpenFlags flags)
        {
            SysResult r = inner.Open(path, flags);
            if (r.Ok)
            {
                open.Add((int)r.Value);
            }

            return r;
        }

        public Errno Close(int fd)
        {
            open.Remove(fd);
            return inner.Close(fd);
        }

        public SysResult Read(int fd, Span<byte> buffer) => inner.Read(fd, buffer);

        public SysResult Write(int fd, ReadOnlySpan<byte> data) => inner.Write(fd, data);

        public Errno Ftruncate(int fd, long length) => inner.Ftruncate(fd, length);

        public Errno Fsync(int fd) => inner.Fsync(fd);

        public Errno Fdatasync(int fd) => inner.Fdatasync(fd);

        public SysResult Fstat(int fd) => inner.Fstat(fd);

        public SysResult Stat(string path) => inner.Stat(path);

        public Errno Rename(string from, string to) => inner.Rename(from, to);

        public Errno Unlink(string path) => inner.Unlink(path);

        public Errno FsyncDirectory(string path) => inner.FsyncDirectory(path);
    }
}

/// <summary>Records the calls made through it, with the file's name and the result, as the caller saw them.</summary>
internal sealed class RecordingStorage(IStorage inner, List<string> calls) : IStorage
{
    private readonly Dictionary<int, string> names = [];

    public SysResult Open(string path, OpenFlags flags)
    {
        SysResult r = inner.Open(path, flags);
        if (r.Ok)
        {
            names[(int)r.Value] = path;
        }

        return Note($"open {path}", r);
    }

    public SysResult Read(int fd, Span<byte> buffer) => inner.Read(fd, buffer);

    public SysResult Write(int fd, ReadOnlySpan<byte> data) => Note($"write {Name(fd)} {data.Length}", inner.Write(fd, data));

    public Errno Ftruncate(int fd, long length) => Note($"ftruncate {Name(fd)} {length}", inner.Ftruncate(fd, length));

    public Errno Fsync(int fd) => Note($"fsync {Name(fd)}", inner.Fsync(fd));

    public Errno Fdatasync(int fd) => Note($"fdatasync {Name(fd)}", inner.Fdatasync(fd));

    public Errno Close(int fd)
    {
        string name = Name(fd);
        names.Remove(fd);
        return Note($"close {name}", inner.Close(fd));
    }

    public SysResult Fstat(int fd) => inner.Fstat(fd);

    public SysResult Stat(string path) => inner.Stat(path);

    public Errno Rename(string from, string to)
    {
        Errno e = inner.Rename(from, to);
        if (e == Errno.None)
        {
            foreach (int fd in names.Where(n => n.Value == from).Select(n => n.Key).ToList())
            {
                names[fd] = to;
            }
        }

        return Note($"rename {from} {to}", e);
    }

    public Errno Unlink(string path) => Note($"unlink {path}", inner.Unlink(path));

    public Errno FsyncDirectory(string path) => Note($"fsyncdir {path}", inner.FsyncDirectory(path));

    private string Name(int fd) => names.TryGetValue(fd, out string? n) ? n : $"fd {fd}";

    private SysResult Note(string call, SysResult r)
    {
        calls.Add(r.Ok ? $"{call} ={r.Value}" : $"{call} ={r.Error}");
        return r;
    }

    private Errno Note(string call, Errno e)
    {
        calls.Add($"{call} ={(e == Errno.None ? "0" : e.ToString())}");
        return e;
    }
}
