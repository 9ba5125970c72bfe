using System.Runtime.CompilerServices;
using AofSim.Engine.Ports;

namespace AofSim.Sim.Simulating;

// Simulated storage: what reads see, and what would survive a power loss.
//
// Fault model. Every file (inode) keeps its page-cache content (what reads see) and its durable
// content (what the last fsync/fdatasync put on disk), with the writes and truncations made since
// as an ordered list of pending operations. The directory keeps its current names and its durable
// names. At a power loss (Crash), the new disk is the durable names, each pointing at its inode's
// durable content plus a seeded choice of its pending operations, by crash model:
//   StrictPosix  Any subset of pending writes survives, each whole, torn at a sector boundary,
//                or not at all; a write that survives past a lost one leaves zeros in the hole.
//                Creates, renames and unlinks are durable only once the directory is fsynced.
//   Ext4Ordered  Pending writes survive as a prefix (the first lost one may be torn at a sector
//                boundary). Creates, renames and unlinks are durable at once, in order, and a
//                rename first makes the renamed file's data durable (ext4's auto_da_alloc).
// fsync and fdatasync are the same here: data and size. A background fsync makes durable what was
// in the cache when it started (SyncPoint), not what was written while it ran.
// Descriptors are small integers, the lowest free one first, reused after close as the kernel does.
// An inode lives while a current name, a durable name or a descriptor refers to it.
// Directories (for a real target on the FUSE disk: Redis 7 keeps its AOF in appendonlydir/) are
// names too: a file's name is its path ("appendonlydir/appendonly.aof.1.incr.aof"), and a
// directory is a current and a durable set of its own. Under StrictPosix a directory fsync makes
// durable the entries of that directory only (files and sub-directories, as they are now); under
// Ext4Ordered mkdir and rmdir are durable at once. After a crash only names whose every parent
// directory survived come back. The simulator itself never makes a directory: with none, a
// directory fsync of the root makes every name durable, exactly as before directories existed.

/// <summary>The crash models of the simulated file system.</summary>
public enum CrashModel
{
    /// <summary>Only what fsync (files) and directory fsync (names) made durable is guaranteed.</summary>
    StrictPosix,

    /// <summary>Names durable in order at once; data durable as an in-order prefix.</summary>
    Ext4Ordered,
}

/// <summary>Options of the simulated storage.</summary>
public sealed record SimStorageOptions
{
    /// <summary>The crash model.</summary>
    public CrashModel Model { get; init; } = CrashModel.StrictPosix;

    /// <summary>Bytes: the granularity at which a write can be torn by a power loss.</summary>
    public int SectorSize { get; init; } = 512;

    /// <summary>Probability (0..1) that a pending write survives a power loss whole.</summary>
    public double SurviveWhole { get; init; } = 0.5;

    /// <summary>Probability (0..1) that a pending write survives torn (else it is lost).</summary>
    public double SurviveTorn { get; init; } = 0.2;

    /// <summary>Probability (0..1) that a write to the AOF writes fewer bytes than asked, the disk being full: the next write fails with ENOSPC (the short-write fault).</summary>
    public double ShortWriteChance { get; init; }
}

/// <summary>A point in a file's pending writes: what a background fsync started at covers.</summary>
/// <param name="Inode">The inode.</param>
/// <param name="PendingCount">Pending operations at the start.</param>
public readonly record struct SyncPoint(int Inode, int PendingCount);

/// <summary>What happens to one pending write at a power loss.</summary>
public enum PendingFate
{
    /// <summary>It reaches the disk whole.</summary>
    Whole,

    /// <summary>It is torn: its sectors before the first boundary inside it reach the disk.</summary>
    Torn,

    /// <summary>It is lost.</summary>
    Dropped,
}

/// <summary>The deterministic storage port of the simulator (fault model above).</summary>
public sealed class SimStorage : IStorage, IWritebackFaults
{
    private readonly SimStorageOptions options;
    private readonly Dictionary<int, Inode> inodes = [];
    private readonly Dictionary<string, int> names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> durableNames = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, OpenFile> fds = [];
    private readonly HashSet<string> directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> durableDirectories = new(StringComparer.Ordinal);
    private int nextInode = 1;

    // Arrays of files that are gone, for the next ones.
    private readonly Spares spares = new();

    private readonly SimRandom? faults;

    // Where call lines are formatted.
    private readonly LineScratch lineScratch = new(512);
    private bool diskFullOnce;

    // The current step's write faults made explicit (a shrunk case's), and the writes of the step so far.
    private IReadOnlyList<WriteFault>? armed;
    private int stepWrites;

    // The current step's power losses made explicit (a shrunk case's), and its power losses so far.
    private IReadOnlyList<IReadOnlyDictionary<string, string>>? armedCrashes;
    private int stepCrashes;

    /// <summary>An empty file system; <paramref name="faults"/> draws the injected faults.</summary>
    public SimStorage(SimStorageOptions options, SimRandom? faults = null)
    {
        this.options = options;
        this.faults = faults;
    }

    /// <summary>Called when a fault is injected, with its kind.</summary>
    public Action<string>? OnFault { get; set; }

    /// <summary>Called at a seeded short write with the write's number in the step and the bytes written (a recorded run makes it explicit: <see cref="WriteFault"/>).</summary>
    public Action<int, int>? OnShortWrite { get; set; }

    /// <summary>Called when the write after a seeded short write fails with ENOSPC, with its number in the step.</summary>
    public Action<int>? OnDiskFull { get; set; }

    /// <summary>
    /// Called at each power loss with what it kept, made explicit: per file with pending
    /// operations, their fates (<see cref="SurvivedFate"/>), for a recorded run's step.
    /// </summary>
    public Action<IReadOnlyDictionary<string, string>>? OnCrash { get; set; }

    /// <summary>
    /// A new step of the run begins: its writes are counted from 1, and <paramref name="writeFaults"/>
    /// (a step's explicit write faults, or null) cut or fail the ones they name; the step's power
    /// losses, counted from 1, keep what <paramref name="survived"/> says (see <see cref="SurvivedFate"/>)
    /// instead of what the crash stream draws, as far as it goes.
    /// </summary>
    public void BeginStep(IReadOnlyList<WriteFault>? writeFaults, IReadOnlyList<IReadOnlyDictionary<string, string>>? survived = null)
    {
        armed = writeFaults is { Count: > 0 } ? writeFaults : null;
        stepWrites = 0;
        armedCrashes = survived is { Count: > 0 } ? survived : null;
        stepCrashes = 0;
    }

    private WriteFault? Armed(int nth)
    {
        foreach (WriteFault w in armed!)
        {
            if (w.Nth == nth)
            {
                return w;
            }
        }

        return null;
    }

    /// <summary>Syscalls made so far (those that change or sync state; reads and stats are not counted).</summary>
    public long Calls { get; private set; }

    /// <summary>When set, the power is lost right after this syscall (counted as <see cref="Calls"/>).</summary>
    public long? PowerLossAfterCall { get; set; }

    /// <summary>Pending operations of files with a durable name: what a power loss now would choose from.</summary>
    public int PendingAtRisk => durableNames.Values.Distinct().Sum(ino => inodes[ino].Pending.Count);

    /// <summary>
    /// The sizes of <paramref name="path"/>: what reads see (the page cache) and what a power loss
    /// now is sure to keep (its durable bytes, 0 while its name is not durable). For pictures of a
    /// run (replay --html); no check reads it.
    /// </summary>
    public (long Cached, long Durable) Sizes(string path)
    {
        long cached = names.TryGetValue(path, out int ino) ? inodes[ino].Cache.Length : 0;
        long durable = durableNames.TryGetValue(path, out int d) ? inodes[d].DurableLength : 0;
        return (cached, durable);
    }

    /// <summary>Called with a line for every call made (the simulator's trace).</summary>
    public Action<ReadOnlySpan<char>>? OnCall { get; set; }

    /// <summary>Names in the directory now, sorted.</summary>
    public IEnumerable<string> Names => names.Keys.Order(StringComparer.Ordinal);

    /// <summary>The content reads see for <paramref name="path"/>, or null.</summary>
    public byte[]? ReadAll(string path) => names.TryGetValue(path, out int ino) ? inodes[ino].Cache.Span.ToArray() : null;

    /// <summary>
    /// The content reads see for <paramref name="path"/> (empty if there is no such file), as the
    /// storage holds it: the first <c>Length</c> bytes of <c>Array</c>, valid until the next change.
    /// </summary>
    public (byte[] Array, int Length) Content(string path) =>
        names.TryGetValue(path, out int ino) ? inodes[ino].Cache.Content : ([], 0);

    /// <summary>The descriptor the next open would return (the lowest free one).</summary>
    public int NextFd
    {
        get
        {
            int fd = 3;
            while (fds.ContainsKey(fd))
            {
                fd++;
            }

            return fd;
        }
    }

    /// <summary>Directories now, sorted (paths relative to the root, which is not listed).</summary>
    public IEnumerable<string> Directories => directories.Order(StringComparer.Ordinal);

    /// <summary>True when <paramref name="path"/> is a directory now (the root, "" or ".", always is).</summary>
    public bool IsDirectory(string path) => DirectoryKey(path) is var d && (d.Length == 0 || directories.Contains(d));

    /// <summary>
    /// The entries of directory <paramref name="path"/> now, sorted: the last path component of
    /// each file and sub-directory in it (readdir).
    /// </summary>
    public IEnumerable<string> Entries(string path)
    {
        string dir = DirectoryKey(path);
        return names.Keys.Concat(directories).Where(n => ParentOf(n) == dir)
            .Select(n => n[(n.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// mkdir(2) of <paramref name="path"/> (its parent must exist). Durable at once under
    /// Ext4Ordered; under StrictPosix once its parent directory is fsynced.
    /// </summary>
    public Errno Mkdir(string path)
    {
        string dir = DirectoryKey(path);
        Errno e = dir.Length == 0 || names.ContainsKey(dir) || directories.Contains(dir) ? Errno.EEXIST
            : !IsDirectory(ParentOf(dir)) ? Errno.ENOENT
            : Errno.None;
        if (e == Errno.None)
        {
            directories.Add(dir);
            if (options.Model == CrashModel.Ext4Ordered)
            {
                durableDirectories.Add(dir);
            }
        }

        return Log($"mkdir {dir}", e);
    }

    /// <summary>rmdir(2) of an empty directory (the caller checks emptiness: <see cref="Entries"/>).</summary>
    public Errno Rmdir(string path)
    {
        string dir = DirectoryKey(path);
        Errno e = directories.Remove(dir) ? Errno.None : Errno.ENOENT;
        if (e == Errno.None && options.Model == CrashModel.Ext4Ordered)
        {
            durableDirectories.Remove(dir);
        }

        return Log($"rmdir {dir}", e);
    }

    /// <summary>
    /// lseek(2) to <paramref name="offset"/> (SEEK_SET): where the next read or write of
    /// <paramref name="fd"/> happens (a write of a descriptor opened O_APPEND still goes to the
    /// end). Not a change of state: not counted, not traced. The FUSE disk's reads and writes come
    /// with their offset (pread/pwrite) and seek first.
    /// </summary>
    public Errno Seek(int fd, long offset)
    {
        if (!fds.TryGetValue(fd, out OpenFile? f))
        {
            return Errno.EBADF;
        }

        if (offset < 0)
        {
            return Errno.EINVAL;
        }

        f.Position = offset;
        return Errno.None;
    }

    /// <inheritdoc/>
    public SysResult Open(string path, OpenFlags flags)
    {
        if (!names.TryGetValue(path, out int ino))
        {
            if ((flags & OpenFlags.Create) == 0)
            {
                return Log($"open {path}", SysResult.Fail(Errno.ENOENT));
            }

            ino = nextInode++;
            inodes[ino] = new Inode(spares);
            names[path] = ino;
            if (options.Model == CrashModel.Ext4Ordered)
            {
                durableNames[path] = ino;
            }
        }

        Inode node = inodes[ino];
        if ((flags & OpenFlags.Truncate) != 0 && node.Cache.Length > 0)
        {
            node.Truncate(0);
        }

        int fd = NextFd;
        fds[fd] = new OpenFile(ino, (flags & OpenFlags.Append) != 0);
        return Log($"open {path}", SysResult.Success(fd));
    }

    /// <inheritdoc/>
    public SysResult Read(int fd, Span<byte> buffer)
    {
        if (!fds.TryGetValue(fd, out OpenFile? f))
        {
            return SysResult.Fail(Errno.EBADF);
        }

        ReadOnlySpan<byte> cache = inodes[f.Inode].Cache.Span;
        int n = (int)Math.Max(0, Math.Min(buffer.Length, cache.Length - f.Position));
        if (n > 0)
        {
            cache.Slice((int)f.Position, n).CopyTo(buffer);
        }

        f.Position += n;
        return SysResult.Success(n);
    }

    /// <inheritdoc/>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SysResult Write(int fd, ReadOnlySpan<byte> data)
    {
        if (!fds.TryGetValue(fd, out OpenFile? f))
        {
            return Log($"write {fd} {data.Length}", SysResult.Fail(Errno.EBADF));
        }

        Inode node = inodes[f.Inode];
        long at = f.Append ? node.Cache.Length : f.Position;
        int n = data.Length;
        stepWrites++;
        if (armed is not null && Armed(stepWrites) is WriteFault wf)
        {
            if (wf.Bytes is not int bytes)
            {
                return Log($"write {fd} {data.Length}", SysResult.Fail(Errno.ENOSPC));
            }

            if (bytes < n)
            {
                n = Math.Max(1, bytes);
                OnFault?.Invoke("shortwrite");
            }
        }

        if (diskFullOnce)
        {
            // The disk that cut the last write short is still full for the next one.
            diskFullOnce = false;
            OnDiskFull?.Invoke(stepWrites);
            return Log($"write {fd} {data.Length}", SysResult.Fail(Errno.ENOSPC));
        }

        if (faults is not null && f.Append && n > 1 && faults.Chance(options.ShortWriteChance))
        {
            // A short write, as when the disk fills up: part of it, no error; the next write
            // then fails with ENOSPC.
            n = 1 + faults.Next(n - 1);
            diskFullOnce = true;
            OnFault?.Invoke("shortwrite");
            OnShortWrite?.Invoke(stepWrites, n);
        }

        node.Write(at, data[..n]);
        f.Position = at + n;
        return Log($"write {fd} {data.Length}", SysResult.Success(n));
    }

    /// <inheritdoc/>
    public Errno Ftruncate(int fd, long length)
    {
        if (!fds.TryGetValue(fd, out OpenFile? f))
        {
            return Log($"ftruncate {fd} {length}", Errno.EBADF);
        }

        inodes[f.Inode].Truncate(length);
        return Log($"ftruncate {fd} {length}", Errno.None);
    }

    /// <inheritdoc/>
    public Errno Fsync(int fd) => SyncNow(fd, "fsync");

    /// <inheritdoc/>
    public Errno Fdatasync(int fd) => SyncNow(fd, "fdatasync");

    /// <summary>The start of a background fsync of <paramref name="fd"/>: what it will make durable.</summary>
    public SyncPoint? Mark(int fd) =>
        fds.TryGetValue(fd, out OpenFile? f) ? new SyncPoint(f.Inode, inodes[f.Inode].Pending.Count) : null;

    /// <summary>The end of a background fsync: the operations pending at its start become durable.</summary>
    public void Complete(SyncPoint point)
    {
        if (inodes.TryGetValue(point.Inode, out Inode? node))
        {
            node.MakeDurable(point.PendingCount);
        }
    }

    /// <summary>
    /// A failed fsync (EIO), the Linux way: the file's pending writes are marked clean without
    /// reaching the disk. Reads still see them, a later fsync does not write them, and a power
    /// loss loses them (as zeros, when later writes past them became durable).
    /// </summary>
    public Errno FailWriteback(int fd, Errno error)
    {
        if (fds.TryGetValue(fd, out OpenFile? f))
        {
            inodes[f.Inode].DropWriteback(inodes[f.Inode].Pending.Count);
        }

        OnWritebackFailed?.Invoke();

        return Log($"fdatasync {fd}", error);
    }

    /// <summary>The end of a background fsync that failed: what it covered is marked clean, never written.</summary>
    public void Fail(SyncPoint point)
    {
        if (inodes.TryGetValue(point.Inode, out Inode? node))
        {
            node.DropWriteback(point.PendingCount);
        }

        OnWritebackFailed?.Invoke();
    }

    /// <summary>Called when a writeback fails (an fsync reported EIO): the moment the failure is reported.</summary>
    public Action? OnWritebackFailed { get; set; }

    /// <inheritdoc/>
    public Errno Close(int fd)
    {
        if (!fds.Remove(fd, out OpenFile? f))
        {
            return Log($"close {fd}", Errno.EBADF);
        }

        Collect(f.Inode);
        return Log($"close {fd}", Errno.None);
    }

    /// <inheritdoc/>
    public SysResult Fstat(int fd) =>
        fds.TryGetValue(fd, out OpenFile? f) ? SysResult.Success(inodes[f.Inode].Cache.Length) : SysResult.Fail(Errno.EBADF);

    /// <inheritdoc/>
    public SysResult Stat(string path) =>
        names.TryGetValue(path, out int ino) ? SysResult.Success(inodes[ino].Cache.Length) : SysResult.Fail(Errno.ENOENT);

    /// <inheritdoc/>
    public Errno Rename(string from, string to)
    {
        if (!names.Remove(from, out int ino))
        {
            return Log($"rename {from} {to}", Errno.ENOENT);
        }

        names.TryGetValue(to, out int replaced);
        names[to] = ino;
        if (options.Model == CrashModel.Ext4Ordered)
        {
            // auto_da_alloc: replacing a file by rename flushes the new file's data first.
            inodes[ino].MakeDurable(inodes[ino].Pending.Count);
            durableNames.Remove(from);
            durableNames[to] = ino;
        }

        if (replaced != 0)
        {
            Collect(replaced);
        }

        return Log($"rename {from} {to}", Errno.None);
    }

    /// <inheritdoc/>
    public Errno Unlink(string path)
    {
        if (!names.Remove(path, out int ino))
        {
            return Log($"unlink {path}", Errno.ENOENT);
        }

        if (options.Model == CrashModel.Ext4Ordered)
        {
            durableNames.Remove(path);
        }

        Collect(ino);
        return Log($"unlink {path}", Errno.None);
    }

    /// <inheritdoc/>
    public Errno FsyncDirectory(string path)
    {
        if (directories.Count == 0 && durableDirectories.Count == 0)
        {
            // The simulator's case (one flat directory, whatever path it names): every name
            // becomes durable as it is now.
            durableNames.Clear();
            foreach ((string name, int ino) in names)
            {
                durableNames[name] = ino;
            }

            return Log($"fsyncdir {path}", Errno.None);
        }

        string dir = DirectoryKey(path);
        if (!IsDirectory(dir))
        {
            return Log($"fsyncdir {path}", Errno.ENOENT);
        }

        // Only this directory's entries: its files as they are now, and its sub-directories.
        foreach (string gone in durableNames.Keys.Where(n => ParentOf(n) == dir && !names.ContainsKey(n)).ToList())
        {
            durableNames.Remove(gone);
        }

        foreach ((string name, int ino) in names.Where(kv => ParentOf(kv.Key) == dir).ToList())
        {
            durableNames[name] = ino;
        }

        durableDirectories.RemoveWhere(d => ParentOf(d) == dir && !directories.Contains(d));
        durableDirectories.UnionWith(directories.Where(d => ParentOf(d) == dir));
        return Log($"fsyncdir {path}", Errno.None);
    }

    /// <summary>
    /// Power loss: the storage becomes what survives, by the crash model, with the seeded
    /// choices taken from <paramref name="random"/>. Every descriptor is gone.
    /// </summary>
    /// <returns>A line per surviving file describing what its pending writes became.</returns>
    public IReadOnlyList<string> Crash(SimRandom random) => Crash(random, null);

    /// <summary>
    /// Power loss with the fate of each pending operation given by <paramref name="fateOf"/>
    /// (numbered across files in name order, then in order); torn writes are cut at their first
    /// sector boundary. Used by the exhaustive mode to visit crash states one by one.
    /// </summary>
    public IReadOnlyList<string> Crash(Func<int, PendingFate> fateOf) => Crash(null, fateOf);

    private IReadOnlyList<string> Crash(SimRandom? random, Func<int, PendingFate>? fateOf)
    {
        var report = new List<string>();
        int numbered = 0;
        var survivors = new Dictionary<int, Inode>();
        IReadOnlyDictionary<string, string>? given = random is not null && armedCrashes is not null && stepCrashes < armedCrashes.Count ? armedCrashes[stepCrashes] : null;
        stepCrashes++;
        Dictionary<string, string>? kept = OnCrash is null ? null : new(StringComparer.Ordinal);

        // A name survives only if every directory above it does (under StrictPosix a directory
        // nobody fsynced the parent of is gone, with everything in it).
        durableDirectories.RemoveWhere(d => !Reachable(ParentOf(d)));
        foreach (string orphan in durableNames.Keys.Where(n => !Reachable(ParentOf(n))).ToList())
        {
            durableNames.Remove(orphan);
        }

        foreach ((string name, int ino) in durableNames.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!survivors.ContainsKey(ino))
            {
                int first = numbered;
                Inode node = inodes[ino];
                numbered += node.Pending.Count;
                // A file the explicit crash does not name keeps nothing pending.
                SurvivedFate[]? explicitFates = given is null ? null
                    : given.TryGetValue(name, out string? text) ? SurvivedFate.Parse(text, out _) ?? []
                    : [.. Enumerable.Repeat(new SurvivedFate(PendingFate.Dropped, 0), node.Pending.Count)];
                (Inode after, string what, string? fates) = node.AfterCrash(random, fateOf is null ? null : i => fateOf(first + i), explicitFates, options, reportFates: kept is not null);
                survivors[ino] = after;
                report.Add($"{name}: {what}");
                if (kept is not null && fates!.Length > 0)
                {
                    kept[name] = fates;
                }
            }
        }

        if (kept is not null)
        {
            OnCrash!(kept);
        }

        foreach (Inode lost in inodes.Values)
        {
            lost.Release();
        }

        inodes.Clear();
        foreach ((int ino, Inode node) in survivors)
        {
            inodes[ino] = node;
        }

        names.Clear();
        foreach ((string name, int ino) in durableNames)
        {
            names[name] = ino;
        }

        directories.Clear();
        directories.UnionWith(durableDirectories);
        fds.Clear();
        return report;
    }

    // "" for the root ("", "." or "/"), else the path without a leading "./" or "/" or a trailing "/".
    private static string DirectoryKey(string path)
    {
        string p = path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
        p = p.Trim('/');
        return p == "." ? string.Empty : p;
    }

    // The directory a name is in: "" for the root.
    private static string ParentOf(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? string.Empty : name[..slash];
    }

    // True when a durable directory chain leads from the root to `dir`.
    private bool Reachable(string dir)
    {
        for (string d = dir; d.Length > 0; d = ParentOf(d))
        {
            if (!durableDirectories.Contains(d))
            {
                return false;
            }
        }

        return true;
    }

    private Errno SyncNow(int fd, string name)
    {
        if (!fds.TryGetValue(fd, out OpenFile? f))
        {
            return Log($"{name} {fd}", Errno.EBADF);
        }

        Inode node = inodes[f.Inode];
        node.MakeDurable(node.Pending.Count);
        return Log($"{name} {fd}", Errno.None);
    }

    // An inode with no name (current or durable) and no descriptor is gone.
    private void Collect(int ino)
    {
        if (!names.ContainsValue(ino) && !durableNames.ContainsValue(ino) && !fds.Values.Any(f => f.Inode == ino)
            && inodes.Remove(ino, out Inode? gone))
        {
            gone.Release();
        }
    }

    private SysResult Log([InterpolatedStringHandlerArgument("")] ref CallLine call, SysResult r)
    {
        if (call.On)
        {
            call.Text.AppendLiteral(" =");
            if (r.Ok)
            {
                call.Text.AppendFormatted(r.Value);
            }
            else
            {
                call.Text.AppendFormatted(r.Error);
            }

            OnCall!(call.Text.Text);
            lineScratch.End(ref call.Text);
        }

        Count();
        return r;
    }

    private Errno Log([InterpolatedStringHandlerArgument("")] ref CallLine call, Errno e)
    {
        if (call.On)
        {
            call.Text.AppendLiteral(" =");
            call.Text.AppendLiteral(e == Errno.None ? "0" : e.ToString());
            OnCall!(call.Text.Text);
            lineScratch.End(ref call.Text);
        }

        Count();
        return e;
    }

    private void Count()
    {
        if (++Calls == PowerLossAfterCall)
        {
            throw new PowerLossException();
        }
    }

    // A call's trace line, formatted only when someone listens.
    [InterpolatedStringHandler]
    private ref struct CallLine
    {
        public DefaultInterpolatedStringHandler Text;

        public CallLine(int literalLength, int formattedCount, SimStorage storage, out bool shouldAppend)
        {
            On = shouldAppend = storage.OnCall is not null;
            Text = On ? storage.lineScratch.Begin(literalLength + 8, formattedCount + 1) : default;
        }

        public bool On { get; }

        public void AppendLiteral(string value) => Text.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => Text.AppendFormatted(value);

        public void AppendFormatted(string? value) => Text.AppendFormatted(value);
    }

    private sealed class OpenFile(int inode, bool append)
    {
        public int Inode { get; } = inode;

        public bool Append { get; } = append;

        public long Position { get; set; }
    }

    // One file: the page cache, the durable bytes, and the operations in between.
    private sealed class Inode(Spares spares)
    {
        public FileBytes Cache { get; private init; } = new(spares);

        // The writes and truncations since the durable bytes, in order.
        public List<PendingOp> Pending { get; } = [];

        // The durable bytes. Files written in order (the AOF, a rewrite's temp file) keep them as
        // the first durableLength bytes of the cache, with no copy (durable null): that holds as
        // long as nothing changes the cache below durableLength. Otherwise they are their own.
        private FileBytes? durable;
        private long durableLength;

        public long DurableLength => durable?.Length ?? durableLength;

        private ReadOnlySpan<byte> DurableSpan => durable is null ? Cache.Span[..(int)durableLength] : durable.Span;

        public void Write(long at, ReadOnlySpan<byte> data)
        {
            if (durable is null && at < durableLength)
            {
                Unshare();
            }

            if (at < Cache.Length)
            {
                SaveOverlapping(at, at + data.Length);
            }

            Cache.Place(at, data);
            Pending.Add(new PendingOp(at, data.Length));
        }

        public void Truncate(long length)
        {
            if (durable is null && length < durableLength)
            {
                Unshare();
            }

            if (length < Cache.Length)
            {
                SaveOverlapping(length, Cache.Length);
            }

            Cache.SetLength(length);
            Pending.Add(new PendingOp(length, PendingOp.Truncation));
        }

        // The arrays this file holds are free again (the inode is gone).
        public void Release()
        {
            Cache.Release();
            durable?.Release();
        }

        // The first `count` pending operations reach the disk.
        public void MakeDurable(int count)
        {
            count = Math.Min(count, Pending.Count);
            if (count == 0)
            {
                return;
            }

            if (durable is null)
            {
                // Still a prefix of the cache if the operations left pending only touch bytes
                // past what becomes durable.
                long length = durableLength;
                for (int i = 0; i < count; i++)
                {
                    PendingOp op = Pending[i];
                    length = op.IsWrite ? Math.Max(length, op.End) : op.Offset;
                }

                bool prefix = true;
                for (int i = count; i < Pending.Count && prefix; i++)
                {
                    prefix = Pending[i].Offset >= length;
                }

                if (prefix)
                {
                    durableLength = length;
                    Pending.RemoveRange(0, count);
                    return;
                }

                Unshare();
            }

            for (int i = 0; i < count; i++)
            {
                Apply(durable!, Pending[i]);
            }

            Pending.RemoveRange(0, count);
        }

        // A failed writeback of the first `count` pending operations: the writes are dropped (their
        // pages are clean, never to be written), truncations (metadata) still apply.
        public void DropWriteback(int count)
        {
            count = Math.Min(count, Pending.Count);
            if (count == 0)
            {
                return;
            }

            // The cache now holds bytes the disk never will: the durable bytes are their own.
            if (durable is null)
            {
                Unshare();
            }

            for (int i = 0; i < count; i++)
            {
                if (!Pending[i].IsWrite)
                {
                    Apply(durable!, Pending[i]);
                }
            }

            Pending.RemoveRange(0, count);
        }

        // What a power loss leaves of this file: the durable bytes, then each pending operation
        // whole, torn or lost. The fates are drawn from `random` (a seeded crash; drawn even when
        // `given` overrides them, so that the stream stays where the recorded run left it), given
        // by index (`fateOf`, the exhaustive mode's, a torn write cut at its first sector boundary),
        // or given explicitly (`given`, a shrunk case's: see SurvivedFate). `Fates` is the outcome
        // as SurvivedFate tokens, when `reportFates` asks for it (a recorded run).
        public (Inode After, string What, string? Fates) AfterCrash(SimRandom? random, Func<int, PendingFate>? fateOf, SurvivedFate[]? given, SimStorageOptions options, bool reportFates)
        {
            // Per pending operation: 'W', 'T' or '-', and a torn write's end of kept bytes.
            char[] fate = new char[Pending.Count];
            long[] cut = new long[Pending.Count];
            bool stopped = false;
            for (int i = 0; i < Pending.Count; i++)
            {
                PendingOp op = Pending[i];
                fate[i] = '-';
                if (stopped)
                {
                    continue;
                }

                double roll = fateOf is null
                    ? (random!.NextUInt64() >> 11) * (1.0 / (1UL << 53))
                    : fateOf(i) switch { PendingFate.Whole => -1, PendingFate.Torn => options.SurviveWhole, _ => 2 };
                if (roll < options.SurviveWhole)
                {
                    fate[i] = 'W';
                    continue;
                }

                if (op.IsWrite && roll < options.SurviveWhole + options.SurviveTorn)
                {
                    // Torn: the sectors before a seeded boundary inside the write made it.
                    long firstBoundary = ((op.Offset / options.SectorSize) + 1) * options.SectorSize;
                    if (firstBoundary < op.End)
                    {
                        int boundaries = (int)((op.End - 1 - firstBoundary) / options.SectorSize) + 1;
                        cut[i] = firstBoundary + (random is null ? 0 : random.Next(boundaries) * (long)options.SectorSize);
                        fate[i] = 'T';
                    }
                }

                // Ext4 keeps an in-order prefix: after the first write not kept whole, nothing more.
                stopped = options.Model == CrashModel.Ext4Ordered;
            }

            if (given is not null)
            {
                // Counted from the end: operations before the first given fate survive whole.
                int skip = Pending.Count - given.Length;
                stopped = false;
                for (int i = 0; i < Pending.Count; i++)
                {
                    PendingOp op = Pending[i];
                    SurvivedFate f = i < skip ? new SurvivedFate(PendingFate.Whole, 0) : given[i - skip];
                    fate[i] = '-';
                    if (stopped)
                    {
                        continue;
                    }

                    if (f.Fate == PendingFate.Whole)
                    {
                        fate[i] = 'W';
                        continue;
                    }

                    if (f.Fate == PendingFate.Torn && op.IsWrite && op.End - f.Lost > op.Offset)
                    {
                        cut[i] = op.End - f.Lost;
                        fate[i] = 'T';
                    }

                    stopped = options.Model == CrashModel.Ext4Ordered;
                }
            }

            var disk = new FileBytes(spares);
            disk.Place(0, DurableSpan);
            System.Text.StringBuilder? tokens = reportFates ? new() : null;
            for (int i = 0; i < Pending.Count; i++)
            {
                PendingOp op = Pending[i];
                if (fate[i] == 'W')
                {
                    Apply(disk, op);
                }
                else if (fate[i] == 'T')
                {
                    disk.Place(op.Offset, Bytes(op)[..(int)(cut[i] - op.Offset)]);
                }

                tokens?.Append(i == 0 ? string.Empty : " ").Append(fate[i] == 'T' ? $"T{op.End - cut[i]}" : fate[i]);
            }

            var after = new Inode(spares) { Cache = disk, durableLength = disk.Length };
            string what = Pending.Count == 0 ? $"{disk.Length} bytes, nothing pending" : $"{disk.Length} bytes, pending [{new string(fate)}]";
            return (after, what, tokens?.ToString());
        }

        // A pending write's bytes: in the cache, unless something changed them there since.
        private ReadOnlySpan<byte> Bytes(PendingOp op) => op.Saved ?? Cache.Span.Slice((int)op.Offset, op.Length);

        // The cache's bytes in [from, to) are about to change: the pending writes that still read
        // theirs from there get a copy first. Appends (the AOF, a rewrite's file) never come here.
        private void SaveOverlapping(long from, long to)
        {
            for (int i = 0; i < Pending.Count; i++)
            {
                PendingOp op = Pending[i];
                if (op.IsWrite && op.Saved is null && op.Length > 0 && op.Offset < to && op.End > from)
                {
                    Pending[i] = op with { Saved = Bytes(op).ToArray() };
                }
            }
        }

        private void Unshare()
        {
            durable = new FileBytes(spares);
            durable.Place(0, Cache.Span[..(int)durableLength]);
        }

        private void Apply(FileBytes disk, PendingOp op)
        {
            if (op.IsWrite)
            {
                disk.Place(op.Offset, Bytes(op));
            }
            else
            {
                disk.SetLength(op.Offset);
            }
        }
    }

    // A write of Length bytes at Offset, or a truncation to Offset (Length is Truncation). A
    // write's bytes are not copied: they are read from the cache, until an overwrite or a cut
    // there saves them (Saved), so that a write of the AOF costs no copy.
    private readonly record struct PendingOp(long Offset, int Length, byte[]? Saved = null)
    {
        public const int Truncation = -1;

        public bool IsWrite => Length != Truncation;

        public long End => Offset + Length;
    }

    // A file's bytes: a growable array (what reads see, or what is on disk).
    private sealed class FileBytes(Spares spares)
    {
        private byte[] data = [];

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Span => data.AsSpan(0, Length);

        public (byte[] Array, int Length) Content => (data, Length);

        // Cuts, or extends with zeros.
        public void SetLength(long length)
        {
            if (length > Length)
            {
                Ensure(length);
                data.AsSpan(Length, (int)length - Length).Clear();
            }

            Length = (int)length;
        }

        // Writes at `at`, first extending with zeros to it.
        public void Place(long at, ReadOnlySpan<byte> bytes)
        {
            if (at > Length)
            {
                SetLength(at);
            }

            long end = at + bytes.Length;
            if (end > Length)
            {
                Ensure(end);
                Length = (int)end;
            }

            bytes.CopyTo(data.AsSpan((int)at));
        }

        // The file is gone: its array may hold another one's bytes.
        public void Release()
        {
            spares.Give(data);
            data = [];
            Length = 0;
        }

        private void Ensure(long length)
        {
            if (length > data.Length)
            {
                // From 4 KB: most files here are a few KB, and growing from less would copy them several times.
                byte[] larger = spares.Take((int)Math.Max(length, Math.Max(4096, 2L * data.Length)));
                data.AsSpan(0, Length).CopyTo(larger);
                spares.Give(data);
                data = larger;
            }
        }
    }

    // Arrays of files that are gone (collected, lost at a power loss, or outgrown), kept for the
    // next files: each rewrite writes a new file and drops the old AOF, so a seed would otherwise
    // allocate and grow a file's array at every one. Only bytes below a file's length are ever
    // read, so what an array held before does not matter.
    private sealed class Spares
    {
        private const int Kept = 4;
        private readonly List<byte[]> arrays = [];

        // The smallest kept array of at least `length` bytes, or a new one of that size.
        public byte[] Take(int length)
        {
            int best = -1;
            for (int i = 0; i < arrays.Count; i++)
            {
                if (arrays[i].Length >= length && (best < 0 || arrays[i].Length < arrays[best].Length))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                return new byte[length];
            }

            byte[] taken = arrays[best];
            arrays.RemoveAt(best);
            return taken;
        }

        // Keeps the largest few.
        public void Give(byte[] array)
        {
            if (array.Length == 0)
            {
                return;
            }

            if (arrays.Count < Kept)
            {
                arrays.Add(array);
                return;
            }

            int smallest = 0;
            for (int i = 1; i < arrays.Count; i++)
            {
                if (arrays[i].Length < arrays[smallest].Length)
                {
                    smallest = i;
                }
            }

            if (arrays[smallest].Length < array.Length)
            {
                arrays[smallest] = array;
            }
        }
    }
}
