using AofSim.Engine.Ports;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The storage port as the server sees it (the fault injector's answers included), observed from
/// outside the server: which descriptor is the AOF open for writing, whether the last write to it
/// went through whole, what a close left unwritten, which renames replaced the AOF. These are the
/// facts the durability contract is built from (docs/durability.md): never the server's own
/// flags or log lines.
/// </summary>
/// <param name="inner">The port underneath (the simulated disk, or the fault injector over it).</param>
/// <param name="aofName">The AOF's file name.</param>
internal sealed class ObservedStorage(IStorage inner, string aofName) : IStorage
{
    // Descriptors open for writing, by the name they are known under now.
    private readonly Dictionary<int, string> writers = [];

    // The descriptor open for writing on the AOF when there is one alone (-1: none), found again
    // whenever a descriptor opens, closes or is renamed over, so that a write (the commonest call)
    // asks no dictionary; with several, they are looked up.
    private int aofFd = -1;
    private bool severalAofFds;
    private long chainLength;
    private long chainWritten;
    private bool nextWriteCapped;

    /// <summary>The last write to the AOF failed or was short, and none went through whole since.</summary>
    public bool AofWriteFailing { get; private set; }

    /// <summary>Bytes of the last failing write to the AOF that are not in the file.</summary>
    public long AofUnwritten { get; private set; }

    /// <summary>Told when the AOF's descriptor is closed, with the bytes the last failing write left unwritten (0 when none failed).</summary>
    public Action<long>? OnAofClosed { get; init; }

    /// <summary>Told when a rename replaced the AOF (a rewrite switched in).</summary>
    public Action? OnAofReplaced { get; init; }

    /// <summary>
    /// Calls of the current process the disk failed (an error, a short write; not an open or
    /// unlink of a name that is not there, nor a write only capped): while none has, the disk
    /// never failed the server.
    /// </summary>
    public int FailuresThisProcess { get; private set; }

    /// <summary>
    /// Fact of the fault injector: the write being made is capped (it takes fewer bytes than asked,
    /// with no error, as Linux caps one write(2) at MAX_RW_COUNT). That is progress, not a failure:
    /// the caller is to write the rest (POSIX), and the disk takes it.
    /// </summary>
    public void NextWriteCapped() => nextWriteCapped = true;

    /// <summary>A new process: the old one's descriptors are gone, and its failing writes with them.</summary>
    public void Restarted()
    {
        FailuresThisProcess = 0;
        writers.Clear();
        FindAof();
        AofWriteFailing = false;
        AofUnwritten = 0;
        chainLength = chainWritten = 0;
    }

    /// <inheritdoc/>
    public SysResult Open(string path, OpenFlags flags)
    {
        SysResult r = inner.Open(path, flags);
        FailuresThisProcess += !r.Ok && r.Error != Errno.ENOENT ? 1 : 0;
        if (r.Ok && (flags & (OpenFlags.WriteOnly | OpenFlags.ReadWrite)) != 0)
        {
            writers[(int)r.Value] = path;
            FindAof();
        }

        return r;
    }

    /// <inheritdoc/>
    public SysResult Read(int fd, Span<byte> buffer) => inner.Read(fd, buffer);

    /// <inheritdoc/>
    public SysResult Write(int fd, ReadOnlySpan<byte> data)
    {
        SysResult r = inner.Write(fd, data);
        bool capped = nextWriteCapped;
        nextWriteCapped = false;
        FailuresThisProcess += !r.Ok || (r.Value != data.Length && !capped) ? 1 : 0;
        if (IsAof(fd))
        {
            // A write of exactly what a short write left is its continuation (a write loop, or a
            // retry of the rest): the bytes count against the first write's.
            if (!(AofWriteFailing && data.Length == chainLength - chainWritten))
            {
                chainLength = data.Length;
                chainWritten = 0;
            }

            chainWritten += r.Ok ? r.Value : 0;
            AofWriteFailing = chainWritten != chainLength;
            AofUnwritten = chainLength - chainWritten;
        }

        return r;
    }

    /// <inheritdoc/>
    public Errno Ftruncate(int fd, long length)
    {
        Errno e = inner.Ftruncate(fd, length);
        FailuresThisProcess += e != Errno.None ? 1 : 0;
        if (e == Errno.None && AofWriteFailing && IsAof(fd))
        {
            // A short write cut back out of the file: none of its bytes are in it.
            chainWritten = 0;
            AofUnwritten = chainLength;
        }

        return e;
    }

    /// <inheritdoc/>
    public Errno Fsync(int fd) => Failed(inner.Fsync(fd));

    /// <inheritdoc/>
    public Errno Fdatasync(int fd) => Failed(inner.Fdatasync(fd));

    /// <inheritdoc/>
    public Errno Close(int fd)
    {
        Errno e = inner.Close(fd);
        if (!writers.Remove(fd, out string? name))
        {
            return e;
        }

        FindAof();
        if (name == aofName)
        {
            long dropped = AofWriteFailing ? AofUnwritten : 0;
            AofWriteFailing = false;
            AofUnwritten = 0;
            OnAofClosed?.Invoke(dropped);
        }

        return e;
    }

    /// <inheritdoc/>
    public SysResult Fstat(int fd) => inner.Fstat(fd);

    /// <inheritdoc/>
    public SysResult Stat(string path) => inner.Stat(path);

    /// <inheritdoc/>
    public Errno Rename(string from, string to)
    {
        Errno e = Failed(inner.Rename(from, to));
        if (e == Errno.None)
        {
            foreach (KeyValuePair<int, string> w in writers)
            {
                if (w.Value == to)
                {
                    writers[w.Key] = "(replaced)";
                }
                else if (w.Value == from)
                {
                    writers[w.Key] = to;
                }
            }

            FindAof();

            if (to == aofName)
            {
                // The file the failing writes went to is no longer the AOF: the new one was
                // written whole from the dataset (the rewrite check confirms it), so nothing is
                // missing from it. The failing state itself stays until a write goes through.
                AofUnwritten = 0;
                OnAofReplaced?.Invoke();
            }
        }

        return e;
    }

    /// <inheritdoc/>
    public Errno Unlink(string path)
    {
        Errno e = inner.Unlink(path);
        if (e == Errno.None)
        {
            foreach (KeyValuePair<int, string> w in writers)
            {
                if (w.Value == path)
                {
                    writers[w.Key] = "(unlinked)";
                }
            }

            FindAof();
        }

        return e;
    }

    /// <inheritdoc/>
    public Errno FsyncDirectory(string path) => Failed(inner.FsyncDirectory(path));

    private Errno Failed(Errno e)
    {
        FailuresThisProcess += e != Errno.None ? 1 : 0;
        return e;
    }

    private bool IsAof(int fd) => severalAofFds ? writers.TryGetValue(fd, out string? name) && name == aofName : fd == aofFd && fd >= 0;

    private void FindAof()
    {
        aofFd = -1;
        severalAofFds = false;
        foreach (KeyValuePair<int, string> w in writers)
        {
            if (w.Value == aofName)
            {
                severalAofFds |= aofFd >= 0;
                aofFd = w.Key;
            }
        }
    }
}
