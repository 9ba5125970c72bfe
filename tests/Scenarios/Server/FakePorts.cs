using System.Text;
using AofSim.Engine.Ports;

namespace AofSim.Scenarios.Server;

/// <summary>
/// In-memory files behind the storage port, with descriptors reused lowest first, a record of
/// every call, and failures the test plants: "the next write writes 5 bytes", "the next
/// ftruncate fails with EIO", "the next fstat fails".
/// </summary>
internal sealed class FakeStorage : IStorage
{
    private readonly Dictionary<string, List<byte>> files = [];
    private readonly SortedDictionary<int, (string Path, bool Append)> fds = [];
    private readonly Dictionary<int, int> readPos = [];

    public List<string> Calls { get; } = [];

    public Dictionary<string, Errno> NextError { get; } = [];

    public int? NextShortWrite { get; set; }

    /// <summary>While set, every write fails with this error.</summary>
    public Errno? FailWrites { get; set; }

    public bool Exists(string path) => files.ContainsKey(path);

    public byte[] Bytes(string path) => [.. files[path]];

    public string Text(string path) => Encoding.Latin1.GetString(Bytes(path));

    public IEnumerable<string> Names => files.Keys.Order(StringComparer.Ordinal);

    public void Put(string path, string text) => files[path] = [.. Encoding.Latin1.GetBytes(text)];

    public SysResult Open(string path, OpenFlags flags)
    {
        Calls.Add($"open {path}");
        if (Fail("open") is Errno e)
        {
            return SysResult.Fail(e);
        }

        if (!files.ContainsKey(path))
        {
            if ((flags & OpenFlags.Create) == 0)
            {
                return SysResult.Fail(Errno.ENOENT);
            }

            files[path] = [];
        }

        if ((flags & OpenFlags.Truncate) != 0)
        {
            files[path].Clear();
        }

        int fd = 3;
        while (fds.ContainsKey(fd))
        {
            fd++;
        }

        fds[fd] = (path, (flags & OpenFlags.Append) != 0);
        readPos[fd] = 0;
        return SysResult.Success(fd);
    }

    public SysResult Read(int fd, Span<byte> buffer)
    {
        if (!fds.TryGetValue(fd, out var f))
        {
            return SysResult.Fail(Errno.EBADF);
        }

        List<byte> bytes = files[f.Path];
        int at = readPos.GetValueOrDefault(fd);
        int n = Math.Min(buffer.Length, bytes.Count - at);
        for (int i = 0; i < n; i++)
        {
            buffer[i] = bytes[at + i];
        }

        readPos[fd] = at + n;
        return SysResult.Success(n);
    }

    public SysResult Write(int fd, ReadOnlySpan<byte> data)
    {
        if (!fds.TryGetValue(fd, out var f))
        {
            return SysResult.Fail(Errno.EBADF);
        }

        Calls.Add($"write {f.Path} {data.Length}");
        if ((Fail("write") ?? FailWrites) is Errno e)
        {
            return SysResult.Fail(e);
        }

        int n = data.Length;
        if (NextShortWrite is int shortBy)
        {
            n = Math.Min(shortBy, data.Length);
            NextShortWrite = null;
        }

        files[f.Path].AddRange(data[..n].ToArray());
        return SysResult.Success(n);
    }

    public Errno Ftruncate(int fd, long length)
    {
        if (!fds.TryGetValue(fd, out var f))
        {
            return Errno.EBADF;
        }

        Calls.Add($"ftruncate {f.Path} {length}");
        if (Fail("ftruncate") is Errno e)
        {
            return e;
        }

        List<byte> bytes = files[f.Path];
        if (length < bytes.Count)
        {
            bytes.RemoveRange((int)length, bytes.Count - (int)length);
        }

        return Errno.None;
    }

    public Errno Fsync(int fd) => Sync(fd, "fsync");

    public Errno Fdatasync(int fd) => Sync(fd, "fdatasync");

    public Errno Close(int fd)
    {
        if (!fds.Remove(fd, out var f))
        {
            Calls.Add($"close {fd} EBADF");
            return Errno.EBADF;
        }

        Calls.Add($"close {f.Path}");
        return Errno.None;
    }

    public SysResult Fstat(int fd) =>
        !fds.TryGetValue(fd, out var f) ? SysResult.Fail(Errno.EBADF)
        : Fail("fstat") is Errno e ? SysResult.Fail(e)
        : SysResult.Success(files.TryGetValue(f.Path, out var b) ? b.Count : 0);

    public SysResult Stat(string path) => files.TryGetValue(path, out var b) ? SysResult.Success(b.Count) : SysResult.Fail(Errno.ENOENT);

    public Errno Rename(string from, string to)
    {
        Calls.Add($"rename {from} {to}");
        if (Fail("rename") is Errno e)
        {
            return e;
        }

        if (!files.Remove(from, out var bytes))
        {
            return Errno.ENOENT;
        }

        files[to] = bytes;

        // Descriptors follow the inode: an fd open on the old target keeps a now nameless file.
        foreach (int fd in fds.Keys.ToList())
        {
            if (fds[fd].Path == to)
            {
                fds[fd] = ($"(deleted {to})", fds[fd].Append);
                files[$"(deleted {to})"] = [];
            }
            else if (fds[fd].Path == from)
            {
                fds[fd] = (to, fds[fd].Append);
            }
        }

        return Errno.None;
    }

    public Errno Unlink(string path)
    {
        Calls.Add($"unlink {path}");
        return files.Remove(path) ? Errno.None : Errno.ENOENT;
    }

    public Errno FsyncDirectory(string path)
    {
        Calls.Add($"fsyncdir {path}");
        return Fail("fsyncdir") ?? Errno.None;
    }

    /// <summary>The file a descriptor is open on.</summary>
    public string PathOf(int fd) => fds[fd].Path;

    private Errno Sync(int fd, string name)
    {
        if (!fds.TryGetValue(fd, out var f))
        {
            Calls.Add($"{name} {fd} EBADF");
            return Errno.EBADF;
        }

        Calls.Add($"{name} {f.Path}");
        return Fail(name) ?? Errno.None;
    }

    private Errno? Fail(string op) => NextError.Remove(op, out Errno e) ? e : null;
}

/// <summary>A clock the test moves.</summary>
internal sealed class ManualClock(long start) : IClock
{
    public long NowMs { get; set; } = start;

    public void Advance(long ms) => NowMs += ms;
}

/// <summary>Background jobs that run only when the test says so.</summary>
internal sealed class ManualJobs(IStorage storage) : IBackgroundJobs
{
    private readonly List<(BioJobType Type, int Fd)> queue = [];

    public Errno LastFsyncError { get; private set; }

    public long FsyncErrors { get; private set; }

    public IReadOnlyList<(BioJobType Type, int Fd)> Queued => queue;

    public void Submit(BioJobType type, int fd) => queue.Add((type, fd));

    public long Pending(BioJobType type) => queue.Count(j => j.Type == type);

    /// <summary>Runs the oldest job of <paramref name="type"/>.</summary>
    public void RunNext(BioJobType type)
    {
        int i = queue.FindIndex(j => j.Type == type);
        (BioJobType t, int fd) = queue[i];
        queue.RemoveAt(i);
        if (t is BioJobType.AofFsync or BioJobType.CloseAof)
        {
            LastFsyncError = storage.Fdatasync(fd);
            FsyncErrors += LastFsyncError == Errno.None ? 0 : 1;
        }

        if (t is BioJobType.CloseFile or BioJobType.CloseAof)
        {
            storage.Close(fd);
        }
    }

    public void RunAll()
    {
        while (queue.Count > 0)
        {
            RunNext(queue[0].Type);
        }
    }
}

/// <summary>Children that run, or die, when the test says so.</summary>
internal sealed class ManualChildren(IStorage storage) : IChildProcesses
{
    private readonly Dictionary<int, Func<ChildContext, int>> running = [];
    private readonly Queue<ChildExit> exited = new();
    private int nextPid = 4000;

    public Errno? FailFork { get; set; }

    /// <summary>How many forks were asked for, failed ones included.</summary>
    public int Forks { get; private set; }

    public IEnumerable<int> Running => running.Keys;

    public SysResult Fork(Func<ChildContext, int> work)
    {
        Forks++;
        if (FailFork is Errno e)
        {
            return SysResult.Fail(e);
        }

        int pid = ++nextPid;
        running[pid] = work;
        return SysResult.Success(pid);
    }

    /// <summary>Runs the child to its end.</summary>
    public int Finish(int pid)
    {
        int code = running[pid](new ChildContext(pid, storage));
        running.Remove(pid);
        exited.Enqueue(new ChildExit(pid, code, 0));
        return code;
    }

    /// <summary>Ends the child with <paramref name="code"/> without running it (a child that failed on its own).</summary>
    public void Exit(int pid, int code)
    {
        running.Remove(pid);
        exited.Enqueue(new ChildExit(pid, code, 0));
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
        var rest = exited.Where(e => e.Pid != pid).ToList();
        ChildExit mine = exited.FirstOrDefault(e => e.Pid == pid);
        exited.Clear();
        foreach (ChildExit e in rest)
        {
            exited.Enqueue(e);
        }

        return mine;
    }
}
