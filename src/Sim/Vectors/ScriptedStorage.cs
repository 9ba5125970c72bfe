using System.Text;
using AofSim.Engine.Ports;

namespace AofSim.Sim.Vectors;

/// <summary>
/// In-memory files behind the storage port for the flush and rewrite-done vectors: descriptors
/// reused lowest first, every mutating call recorded as a trace line, and the results a vector
/// plans ("the next write writes 5 bytes", "the next rename fails with EIO") returned in turn.
/// </summary>
internal sealed class ScriptedStorage(List<string> trace, string prefix = "") : IStorage
{
    private readonly Dictionary<string, List<byte>> files = [];
    private readonly SortedDictionary<int, string> fds = [];
    private readonly Dictionary<int, int> readPos = [];
    private readonly Dictionary<string, Queue<string>> planned = [];
    private ScriptedStorage? parent;

    /// <summary>The file names, sorted.</summary>
    public IEnumerable<string> Names => files.Keys.Where(n => !n.StartsWith('(')).Order(StringComparer.Ordinal);

    /// <summary>A view of the same files whose calls are traced with <paramref name="tag"/> (a child's).</summary>
    public ScriptedStorage Child(string tag) => new(trace, tag) { parent = this };

    /// <summary>The bytes of <paramref name="path"/>.</summary>
    public byte[] Bytes(string path) => [.. Root.files[path]];

    /// <summary>Plans the result of the next call of <paramref name="syscall"/>: an errno name, or "short:N" for a write.</summary>
    public void Plan(string syscall, string result)
    {
        if (!Root.planned.TryGetValue(syscall, out Queue<string>? q))
        {
            Root.planned[syscall] = q = new Queue<string>();
        }

        q.Enqueue(result);
    }

    public void Put(string path, byte[] bytes) => Root.files[path] = [.. bytes];

    private ScriptedStorage Root => parent ?? this;

    public SysResult Open(string path, OpenFlags flags)
    {
        Trace($"open {path}");
        if (Next("open") is string e)
        {
            return SysResult.Fail(ErrnoOf(e));
        }

        ScriptedStorage root = Root;
        if (!root.files.ContainsKey(path))
        {
            if ((flags & OpenFlags.Create) == 0)
            {
                return SysResult.Fail(Errno.ENOENT);
            }

            root.files[path] = [];
        }

        if ((flags & OpenFlags.Truncate) != 0)
        {
            root.files[path].Clear();
        }

        int fd = 3;
        while (root.fds.ContainsKey(fd))
        {
            fd++;
        }

        root.fds[fd] = path;
        root.readPos[fd] = 0;
        return SysResult.Success(fd);
    }

    public SysResult Read(int fd, Span<byte> buffer)
    {
        ScriptedStorage root = Root;
        if (!root.fds.TryGetValue(fd, out string? path))
        {
            return SysResult.Fail(Errno.EBADF);
        }

        List<byte> bytes = root.files[path];
        int at = root.readPos[fd];
        int n = Math.Min(buffer.Length, bytes.Count - at);
        for (int i = 0; i < n; i++)
        {
            buffer[i] = bytes[at + i];
        }

        root.readPos[fd] = at + n;
        return SysResult.Success(n);
    }

    public SysResult Write(int fd, ReadOnlySpan<byte> data)
    {
        ScriptedStorage root = Root;
        if (!root.fds.TryGetValue(fd, out string? path))
        {
            Trace($"write {fd} EBADF");
            return SysResult.Fail(Errno.EBADF);
        }

        int n = data.Length;
        string? plan = Next("write");
        if (plan is not null && plan.StartsWith("short:", StringComparison.Ordinal))
        {
            n = Math.Min(int.Parse(plan.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture), data.Length);
            plan = null;
        }

        if (plan is not null)
        {
            Trace($"write {path} {data.Length} -> {plan}");
            return SysResult.Fail(ErrnoOf(plan));
        }

        Trace(n == data.Length ? $"write {path} {data.Length}" : $"write {path} {data.Length} -> {n}");
        root.files[path].AddRange(data[..n].ToArray());
        return SysResult.Success(n);
    }

    public Errno Ftruncate(int fd, long length)
    {
        ScriptedStorage root = Root;
        if (!root.fds.TryGetValue(fd, out string? path))
        {
            return Errno.EBADF;
        }

        if (Fails($"ftruncate {path} {length}", "ftruncate") is Errno e)
        {
            return e;
        }

        List<byte> bytes = root.files[path];
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
        if (!Root.fds.Remove(fd, out string? path))
        {
            Trace($"close {fd} EBADF");
            return Errno.EBADF;
        }

        Trace($"close {path}");
        return Errno.None;
    }

    public SysResult Fstat(int fd) =>
        Root.fds.TryGetValue(fd, out string? path) ? SysResult.Success(Root.files.TryGetValue(path, out List<byte>? b) ? b.Count : 0) : SysResult.Fail(Errno.EBADF);

    public SysResult Stat(string path) => Root.files.TryGetValue(path, out List<byte>? b) ? SysResult.Success(b.Count) : SysResult.Fail(Errno.ENOENT);

    public Errno Rename(string from, string to)
    {
        if (Fails($"rename {from} {to}", "rename") is Errno e)
        {
            return e;
        }

        ScriptedStorage root = Root;
        if (!root.files.Remove(from, out List<byte>? bytes))
        {
            return Errno.ENOENT;
        }

        root.files[to] = bytes;

        // Descriptors follow the inode: an fd open on the old target keeps a nameless file.
        foreach (int fd in root.fds.Keys.ToList())
        {
            if (root.fds[fd] == to)
            {
                root.fds[fd] = $"(deleted {to})";
                root.files[$"(deleted {to})"] = [];
            }
            else if (root.fds[fd] == from)
            {
                root.fds[fd] = to;
            }
        }

        return Errno.None;
    }

    public Errno Unlink(string path)
    {
        if (Fails($"unlink {path}", "unlink") is Errno e)
        {
            return e;
        }

        return Root.files.Remove(path) ? Errno.None : Errno.ENOENT;
    }

    public Errno FsyncDirectory(string path) => Fails($"fsyncdir {path}", "fsyncdir") ?? Errno.None;

    private Errno Sync(int fd, string name)
    {
        if (!Root.fds.TryGetValue(fd, out string? path))
        {
            Trace($"{name} {fd} EBADF");
            return Errno.EBADF;
        }

        return Fails($"{name} {path}", name) ?? Errno.None;
    }

    // Traces the call, with the planned failure if there is one.
    private Errno? Fails(string call, string syscall)
    {
        string? plan = Next(syscall);
        Trace(plan is null ? call : $"{call} -> {plan}");
        return plan is null ? null : ErrnoOf(plan);
    }

    private string? Next(string syscall) => Root.planned.TryGetValue(syscall, out Queue<string>? q) && q.TryDequeue(out string? r) ? r : null;

    private void Trace(string line) => trace.Add(new StringBuilder(prefix).Append(line).ToString());

    private static Errno ErrnoOf(string name) =>
        Enum.TryParse(name, out Errno e) && e != Errno.None ? e : throw new VectorInputException($"unknown errno '{name}'");
}
