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

    private readonly SimRandom? faults;

    // Where call lines are formatted.
    private readonly LineScratch lineScratch = new(512);
    private bool diskFullOnce;

    /// <summary>An empty file system; <paramref name="faults"/> draws the injected faults.</summary>
    public SimStorage(SimStorageOptions options, SimRandom? faults = null)
    {
        this.options = options;
        this.faults = faults;
    }

    /// <summary>Called when a fault is injected, with its kind.</summary>
    public Action<string>? OnFault { get; set; }

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
            inodes[ino] = new Inode();
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
    public SysResult Write(int fd, ReadOnlySpan<byte> data) => Write(fd, data, null);

    /// <summary>
    /// <see cref="Write(int, ReadOnlySpan{byte})"/> of an array nobody changes afterwards (a
    /// child's recorded write): kept as the pending operation's bytes rather than copied again.
    /// </summary>
    public SysResult WriteOwned(int fd, byte[] data) => Write(fd, data, data);

    private SysResult Write(int fd, ReadOnlySpan<byte> data, byte[]? owned)
    {
        if (!fds.TryGetValue(fd, out OpenFile? f))
        {
            return Log($"write {fd} {data.Length}", SysResult.Fail(Errno.EBADF));
        }

        Inode node = inodes[f.Inode];
        long at = f.Append ? node.Cache.Length : f.Position;
        int n = data.Length;
        if (diskFullOnce)
        {
            // The disk that cut the last write short is still full for the next one.
            diskFullOnce = false;
            return Log($"write {fd} {data.Length}", SysResult.Fail(Errno.ENOSPC));
        }

        if (faults is not null && f.Append && n > 1 && faults.Chance(options.ShortWriteChance))
        {
            // A short write, as when the disk fills up: part of it, no error; the next write
            // then fails with ENOSPC.
            n = 1 + faults.Next(n - 1);
            diskFullOnce = true;
            OnFault?.Invoke("shortwrite");
        }

        node.Write(at, data[..n], n == data.Length ? owned : null);
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
                numbered += inodes[ino].Pending.Count;
                (Inode after, string what) = inodes[ino].AfterCrash(random, fateOf is null ? null : i => fateOf(first + i), options);
                survivors[ino] = after;
                report.Add($"{name}: {what}");
            }
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
        if (!names.ContainsValue(ino) && !durableNames.ContainsValue(ino) && !fds.Values.Any(f => f.Inode == ino))
        {
            inodes.Remove(ino);
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
    private sealed class Inode
    {
        public FileBytes Cache { get; private init; } = new();

        // A write (Data non-null) at Offset, or a truncation to Offset (Data null).
        public List<(long Offset, byte[]? Data)> Pending { get; } = [];

        // The durable bytes. Files written in order (the AOF, a rewrite's temp file) keep them as
        // the first durableLength bytes of the cache, with no copy (durable null): that holds as
        // long as nothing changes the cache below durableLength. Otherwise they are their own.
        private FileBytes? durable;
        private long durableLength;

        public long DurableLength => durable?.Length ?? durableLength;

        private ReadOnlySpan<byte> DurableSpan => durable is null ? Cache.Span[..(int)durableLength] : durable.Span;

        // owned: the same bytes as data, in an array never changed later, kept without a copy.
        public void Write(long at, ReadOnlySpan<byte> data, byte[]? owned = null)
        {
            if (durable is null && at < durableLength)
            {
                Unshare();
            }

            Cache.Place(at, data);
            Pending.Add((at, owned ?? data.ToArray()));
        }

        public void Truncate(long length)
        {
            if (durable is null && length < durableLength)
            {
                Unshare();
            }

            Cache.SetLength(length);
            Pending.Add((length, null));
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
                    (long offset, byte[]? data) = Pending[i];
                    length = data is null ? offset : Math.Max(length, offset + data.Length);
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
                Apply(durable!, Pending[i].Offset, Pending[i].Data);
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
                if (Pending[i].Data is null)
                {
                    Apply(durable!, Pending[i].Offset, null);
                }
            }

            Pending.RemoveRange(0, count);
        }

        public (Inode After, string What) AfterCrash(SimRandom? random, Func<int, PendingFate>? fateOf, SimStorageOptions options)
        {
            var disk = new FileBytes();
            disk.Place(0, DurableSpan);
            var fates = new List<char>();
            bool stopped = false;
            int index = 0;
            foreach ((long offset, byte[]? data) op in Pending)
            {
                int i = index++;
                if (stopped)
                {
                    fates.Add('-');
                    continue;
                }

                double roll = fateOf is null
                    ? (random!.NextUInt64() >> 11) * (1.0 / (1UL << 53))
                    : fateOf(i) switch { PendingFate.Whole => -1, PendingFate.Torn => options.SurviveWhole, _ => 2 };
                if (roll < options.SurviveWhole)
                {
                    Apply(disk, op.offset, op.data);
                    fates.Add('W');
                    continue;
                }

                if (op.data is not null && roll < options.SurviveWhole + options.SurviveTorn)
                {
                    // Torn: the sectors before a seeded boundary inside the write made it.
                    long firstBoundary = ((op.offset / options.SectorSize) + 1) * options.SectorSize;
                    long end = op.offset + op.data.Length;
                    if (firstBoundary < end)
                    {
                        int boundaries = (int)((end - 1 - firstBoundary) / options.SectorSize) + 1;
                        long cut = firstBoundary + (random is null ? 0 : random.Next(boundaries) * (long)options.SectorSize);
                        disk.Place(op.offset, op.data.AsSpan(0, (int)(cut - op.offset)));
                        fates.Add('T');
                    }
                    else
                    {
                        fates.Add('-');
                    }
                }
                else
                {
                    fates.Add('-');
                }

                // Ext4 keeps an in-order prefix: after the first write not kept whole, nothing more.
                stopped = options.Model == CrashModel.Ext4Ordered;
            }

            var after = new Inode { Cache = disk, durableLength = disk.Length };
            string what = Pending.Count == 0 ? $"{disk.Length} bytes, nothing pending" : $"{disk.Length} bytes, pending [{new string([.. fates])}]";
            return (after, what);
        }

        private void Unshare()
        {
            durable = new FileBytes();
            durable.Place(0, Cache.Span[..(int)durableLength]);
        }

        private static void Apply(FileBytes disk, long offset, byte[]? data)
        {
            if (data is null)
            {
                disk.SetLength(offset);
            }
            else
            {
                disk.Place(offset, data);
            }
        }
    }

    // A file's bytes: a growable array (what reads see, or what is on disk).
    private sealed class FileBytes
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

        private void Ensure(long length)
        {
            if (length > data.Length)
            {
                // From 4 KB: most files here are a few KB, and growing from less would copy them several times.
                Array.Resize(ref data, (int)Math.Max(length, Math.Max(4096, 2L * data.Length)));
            }
        }
    }
}
