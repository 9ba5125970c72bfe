using AofSim.Engine.Ports;

namespace AofSim.Faults;

/// <summary>
/// Wraps any storage port and runs a <see cref="FaultPlan"/> on it: the same plan on the
/// simulator's storage and on the real file-system adapter. It counts the calls of each operation
/// per fault, matching paths by file name; a descriptor's path is the one it was opened with.
/// </summary>
public sealed class FaultyStorage : IStorage
{
    private readonly IStorage inner;
    private readonly FaultPlan plan;
    private readonly int[] seen;
    private readonly int[] fired;
    private readonly Dictionary<int, string> paths = [];

    /// <summary>Runs <paramref name="plan"/> on <paramref name="inner"/>.</summary>
    public FaultyStorage(IStorage inner, FaultPlan plan)
    {
        this.inner = inner;
        this.plan = plan;
        seen = new int[plan.Faults.Count];
        fired = new int[plan.Faults.Count];
    }

    /// <summary>Called with a line each time a fault fires.</summary>
    public Action<string>? OnFault { get; set; }

    /// <summary>How many times each fault of the plan fired, in plan order.</summary>
    public IReadOnlyList<int> Fired => fired;

    /// <inheritdoc/>
    public SysResult Open(string path, OpenFlags flags)
    {
        if (Due(FaultOp.Open, path) is Fail f)
        {
            return SysResult.Fail(f.Error);
        }

        SysResult r = inner.Open(path, flags);
        if (r.Ok)
        {
            paths[(int)r.Value] = path;
        }

        return r;
    }

    /// <inheritdoc/>
    public SysResult Read(int fd, Span<byte> buffer) => inner.Read(fd, buffer);

    /// <inheritdoc/>
    public SysResult Write(int fd, ReadOnlySpan<byte> data)
    {
        switch (Due(FaultOp.Write, PathOf(fd)))
        {
            case Fail f:
                return SysResult.Fail(f.Error);
            case ShortWrite s:
                return inner.Write(fd, data[..(int)Math.Clamp(s.Bytes, 0, data.Length)]);
            case WriteCap cap:
                return inner.Write(fd, data[..(int)Math.Min(cap.Bytes, data.Length)]);
            case DiskFull full:
                SysResult size = inner.Fstat(fd);
                long room = size.Ok ? full.Offset - size.Value : 0;
                if (room <= 0)
                {
                    return SysResult.Fail(Errno.ENOSPC);
                }

                return inner.Write(fd, data[..(int)Math.Min(room, data.Length)]);
            default:
                return inner.Write(fd, data);
        }
    }

    /// <inheritdoc/>
    public Errno Ftruncate(int fd, long length) => Due(FaultOp.Ftruncate, PathOf(fd)) is Fail f ? f.Error : inner.Ftruncate(fd, length);

    /// <inheritdoc/>
    public Errno Fsync(int fd) => Due(FaultOp.Fsync, PathOf(fd)) is Fail f ? f.Error : inner.Fsync(fd);

    /// <inheritdoc/>
    public Errno Fdatasync(int fd) => Due(FaultOp.Fdatasync, PathOf(fd)) is Fail f ? f.Error : inner.Fdatasync(fd);

    /// <inheritdoc/>
    public Errno Close(int fd)
    {
        if (Due(FaultOp.Close, PathOf(fd)) is Fail f)
        {
            // close(2) frees the descriptor even when it reports an error (Linux).
            inner.Close(fd);
            paths.Remove(fd);
            return f.Error;
        }

        paths.Remove(fd);
        return inner.Close(fd);
    }

    /// <inheritdoc/>
    public SysResult Fstat(int fd) => inner.Fstat(fd);

    /// <inheritdoc/>
    public SysResult Stat(string path) => inner.Stat(path);

    /// <inheritdoc/>
    public Errno Rename(string from, string to) => Due(FaultOp.Rename, from) is Fail f ? f.Error : inner.Rename(from, to);

    /// <inheritdoc/>
    public Errno Unlink(string path) => Due(FaultOp.Unlink, path) is Fail f ? f.Error : inner.Unlink(path);

    /// <inheritdoc/>
    public Errno FsyncDirectory(string path) => Due(FaultOp.FsyncDirectory, path) is Fail f ? f.Error : inner.FsyncDirectory(path);

    private string PathOf(int fd) => paths.TryGetValue(fd, out string? p) ? p : $"fd:{fd}";

    // The action of the first fault whose trigger this call satisfies, or null.
    private FaultAction? Due(FaultOp op, string path)
    {
        string name = Path.GetFileName(path);
        FaultAction? action = null;
        for (int i = 0; i < plan.Faults.Count; i++)
        {
            Trigger t = plan.Faults[i].Trigger;
            if (t.Op != op || !FaultPlan.Matches(t.Path, name))
            {
                continue;
            }

            int n = ++seen[i];
            bool fires = n >= t.Nth && (t.Count == 0 || n < t.Nth + t.Count);
            if (fires && action is null)
            {
                action = plan.Faults[i].Action;
                fired[i]++;
                OnFault?.Invoke($"fault {op} {name} #{n}: {action}");
            }
        }

        if (action is Kill)
        {
            throw new ProcessKilledException($"{op} {name}");
        }

        return action;
    }
}
