using AofSim.Engine.Ports;

namespace AofSim.Faults;

/// <summary>
/// Wraps any storage port and runs a <see cref="FaultPlan"/> on it: the same plan on the
/// simulator's storage and on the real file-system adapter. It counts the calls of each operation
/// per fault, matching paths by file name; a descriptor's path is the one it was opened with, or renamed to since.
/// </summary>
/// <remarks>
/// What each action does here: <see cref="Fail"/> returns the error without making the call (a
/// failing close still frees the descriptor; a failing fsync fails the writeback the Linux way
/// when the wrapped storage is an <see cref="IWritebackFaults"/>); <see cref="ShortWrite"/>,
/// <see cref="WriteCap"/> and <see cref="DiskFull"/> cut a write; <see cref="Delay"/> calls
/// <see cref="Sleep"/> first; <see cref="Kill"/> throws <see cref="ProcessKilledException"/>
/// before the call; <see cref="PowerLoss"/> throws <see cref="PowerLossException"/> before it, or
/// after it returned.
/// </remarks>
public sealed class FaultyStorage : IStorage
{
    private readonly IStorage inner;
    private readonly FaultPlan plan;
    private readonly int[] seen;
    private readonly int[] fired;

    // Each trigger's operation and compiled glob (a named step's own), worked out once.
    private readonly (FaultOp Op, byte[]? Glob)[] calls;
    private readonly Dictionary<int, string> paths = [];

    /// <summary>Runs <paramref name="plan"/> on <paramref name="inner"/>.</summary>
    public FaultyStorage(IStorage inner, FaultPlan plan)
    {
        this.inner = inner;
        this.plan = plan;
        seen = new int[plan.Faults.Count];
        fired = new int[plan.Faults.Count];
        calls = [.. plan.Faults.Select(f => (f.Trigger.Call.Op, FaultPlan.Glob(f.Trigger.Call.Path)))];
    }

    /// <summary>Called each time a fault fires.</summary>
    public Action<FaultEvent>? OnFault { get; set; }

    /// <summary>
    /// Milliseconds since the start, for triggers with <see cref="Trigger.AtMs"/> (a simulator
    /// gives its virtual clock); without it every call counts as made at time 0.
    /// </summary>
    public Func<long>? Now { get; init; }

    /// <summary>How a <see cref="Delay"/> passes: a real sleep by default, virtual time in a simulator.</summary>
    public Action<long> Sleep { get; init; } = ms => Thread.Sleep(TimeSpan.FromMilliseconds(ms));

    /// <summary>How many times each fault of the plan fired, in plan order.</summary>
    public IReadOnlyList<int> Fired => fired;

    /// <summary>
    /// The action due for a call made outside this port (a simulated background fsync), counted as
    /// a call of <paramref name="op"/> on <paramref name="fd"/>; the caller carries it out.
    /// </summary>
    public FaultAction? Consult(FaultOp op, int fd) => Due(op, PathOf(fd), throwing: false);

    /// <inheritdoc/>
    public SysResult Open(string path, OpenFlags flags)
    {
        FaultAction? a = Due(FaultOp.Open, path);
        if (a is Fail f)
        {
            return SysResult.Fail(f.Error);
        }

        SysResult r = inner.Open(path, flags);
        if (r.Ok)
        {
            paths[(int)r.Value] = path;
        }

        return After(a, r);
    }

    /// <inheritdoc/>
    public SysResult Read(int fd, Span<byte> buffer) => inner.Read(fd, buffer);

    /// <inheritdoc/>
    public SysResult Write(int fd, ReadOnlySpan<byte> data)
    {
        FaultAction? a = Due(FaultOp.Write, PathOf(fd));
        switch (a)
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
                return After(a, inner.Write(fd, data));
        }
    }

    /// <inheritdoc/>
    public Errno Ftruncate(int fd, long length)
    {
        FaultAction? a = Due(FaultOp.Ftruncate, PathOf(fd));
        return a is Fail f ? f.Error : After(a, inner.Ftruncate(fd, length));
    }

    /// <inheritdoc/>
    public Errno Fsync(int fd)
    {
        FaultAction? a = Due(FaultOp.Fsync, PathOf(fd));
        return a is Fail f ? FailSync(fd, f.Error) : After(a, inner.Fsync(fd));
    }

    /// <inheritdoc/>
    public Errno Fdatasync(int fd)
    {
        FaultAction? a = Due(FaultOp.Fdatasync, PathOf(fd));
        return a is Fail f ? FailSync(fd, f.Error) : After(a, inner.Fdatasync(fd));
    }

    /// <inheritdoc/>
    public Errno Close(int fd)
    {
        FaultAction? a = Due(FaultOp.Close, PathOf(fd));
        paths.Remove(fd);
        if (a is Fail f)
        {
            // close(2) frees the descriptor even when it reports an error (Linux).
            inner.Close(fd);
            return f.Error;
        }

        return After(a, inner.Close(fd));
    }

    /// <inheritdoc/>
    public SysResult Fstat(int fd) => inner.Fstat(fd);

    /// <inheritdoc/>
    public SysResult Stat(string path) => inner.Stat(path);

    /// <inheritdoc/>
    public Errno Rename(string from, string to)
    {
        FaultAction? a = Due(FaultOp.Rename, from);
        if (a is Fail f)
        {
            return f.Error;
        }

        Errno e = inner.Rename(from, to);
        if (e == Errno.None)
        {
            // A descriptor follows its file to the new name (as /proc/self/fd shows it).
            foreach (int fd in paths.Where(p => p.Value == from).Select(p => p.Key).ToList())
            {
                paths[fd] = to;
            }
        }

        return After(a, e);
    }

    /// <inheritdoc/>
    public Errno Unlink(string path)
    {
        FaultAction? a = Due(FaultOp.Unlink, path);
        return a is Fail f ? f.Error : After(a, inner.Unlink(path));
    }

    /// <inheritdoc/>
    public Errno FsyncDirectory(string path)
    {
        FaultAction? a = Due(FaultOp.FsyncDirectory, path);
        return a is Fail f ? f.Error : After(a, inner.FsyncDirectory(path));
    }

    // A failed fsync: Linux marks the dirty pages clean, so the data is never written unless the
    // storage cannot model that (a real disk), where the call just reports the error.
    private Errno FailSync(int fd, Errno error) => inner is IWritebackFaults w ? w.FailWriteback(fd, error) : error;

    private static T After<T>(FaultAction? action, T result) =>
        action is PowerLoss { After: true } ? throw new PowerLossException() : result;

    private string PathOf(int fd) => paths.TryGetValue(fd, out string? p) ? p : $"fd:{fd}";

    // The action of the first fault whose trigger this call satisfies, or null. Kills, delays and
    // power losses before the call happen here.
    private FaultAction? Due(FaultOp op, string path, bool throwing = true)
    {
        string name = Path.GetFileName(path);
        long now = Now?.Invoke() ?? 0;
        byte[]? nameBytes = null;
        FaultAction? action = null;
        for (int i = 0; i < plan.Faults.Count; i++)
        {
            Trigger t = plan.Faults[i].Trigger;
            if (calls[i].Op != op || (t.AtMs is long at && now < at) ||
                !FaultPlan.Matches(calls[i].Glob, nameBytes ??= System.Text.Encoding.UTF8.GetBytes(name)))
            {
                continue;
            }

            int n = ++seen[i];
            bool fires = n >= t.Nth && (t.Count == 0 || n < t.Nth + t.Count);
            if (fires && action is null)
            {
                action = plan.Faults[i].Action;
                fired[i]++;
                OnFault?.Invoke(new FaultEvent(plan.Faults[i], op, name, n));
            }
        }

        if (!throwing)
        {
            return action;
        }

        switch (action)
        {
            case Kill:
                throw new ProcessKilledException($"{op} {name}");
            case PowerLoss { After: false }:
                throw new PowerLossException();
            case Delay d:
                Sleep(d.Ms);
                break;
        }

        return action;
    }
}

/// <summary>A fault that fired: which, on what call.</summary>
/// <param name="Fault">The fault.</param>
/// <param name="Op">The operation.</param>
/// <param name="Name">The file name the call was on.</param>
/// <param name="Nth">The matching call's number.</param>
public sealed record FaultEvent(Fault Fault, FaultOp Op, string Name, int Nth)
{
    /// <summary>The fault's kind, or "plan" when it has none.</summary>
    public string Kind => Fault.Kind ?? "plan";

    /// <summary>One line for a trace.</summary>
    public string Line => $"fault {Kind} {Op} {Name} #{Nth}: {Fault.Action}";
}
