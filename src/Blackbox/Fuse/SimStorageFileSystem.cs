using AofSim.Blackbox.Disks;
using AofSim.Engine.Ports;
using AofSim.Faults;
using AofSim.Sim.Simulating;
using static AofSim.Blackbox.Fuse.FuseNative;

namespace AofSim.Blackbox.Fuse;

/// <summary>
/// The FUSE disk's file system: each kernel request made a call of the simulated storage
/// (<see cref="SimStorage"/>) through the fault plan (<see cref="FaultyStorage"/>), under one lock
/// shared with the driver's queries. File handles are the storage's descriptors; reads and writes
/// seek to the kernel's offset first. A kill or power loss the plan fires inside a call holds that
/// call until the calling process has a SIGKILL pending (the driver's kill), then fails it.
/// </summary>
internal sealed unsafe class SimStorageFileSystem : IFuseFileSystem
{
    private const ulong SigKillBit = 1UL << (9 - 1);

    private readonly object gate;
    private readonly SimStorage storage;
    private readonly FaultyStorage faulty;
    private readonly Dictionary<string, long> operations = new(StringComparer.Ordinal);
    private readonly ManualResetEventSlim released = new();

    // Handles opened with O_SYNC (true) or O_DSYNC (false): each write on them is followed by the
    // storage's fsync (fdatasync), as the kernel would before write(2) returns. Under direct_io the
    // kernel leaves that to the file system (it passes the open flags with each write and sends no
    // fsync): Garnet's managed device opens its AOF segments O_SYNC where O_DIRECT is refused.
    private readonly Dictionary<long, bool> syncHandles = [];
    private DiskStop? stop;
    private bool poweredOff;

    /// <summary>Serves <paramref name="storage"/> through <paramref name="faulty"/> (which wraps it), locking <paramref name="gate"/>.</summary>
    public SimStorageFileSystem(object gate, SimStorage storage, FaultyStorage faulty)
    {
        this.gate = gate;
        this.storage = storage;
        this.faulty = faulty;
    }

    /// <summary>What the fault plan asked for (a kill or a power loss), or null. Read under the gate.</summary>
    public DiskStop? Stop => stop;

    /// <summary>Requests served, by FUSE operation name (under the gate).</summary>
    public IReadOnlyDictionary<string, long> Operations => operations;

    /// <summary>Clears a stop after the driver handled it; after a power loss, the power is back.</summary>
    public void ClearStop()
    {
        stop = null;
        poweredOff = false;
    }

    /// <summary>Ends every held call now (the disk is going away).</summary>
    public void ReleaseHeld() => released.Set();

    /// <inheritdoc/>
    public int GetAttr(string path, long? fh, out bool directory, out long size)
    {
        bool dir = false;
        long length = 0;
        int r = Call("getattr", () =>
        {
            if (fh is long h)
            {
                SysResult open = storage.Fstat((int)h);
                length = open.Value;
                return open.Ok ? 0 : -(int)open.Error;
            }

            if (storage.IsDirectory(path))
            {
                dir = true;
                return 0;
            }

            SysResult s = storage.Stat(path);
            length = s.Value;
            return s.Ok ? 0 : -(int)s.Error;
        });
        directory = dir;
        size = length;
        return r;
    }

    /// <inheritdoc/>
    public int Access(string path) => Call("access", () => Exists(path) ? 0 : -ENOENT);

    /// <inheritdoc/>
    public int OpenDir(string path) => Call("opendir", () => storage.IsDirectory(path) ? 0 : Exists(path) ? -ENOTDIR : -ENOENT);

    /// <inheritdoc/>
    public int ReadDir(string path, List<string> entries) => Call("readdir", () =>
    {
        if (!storage.IsDirectory(path))
        {
            return Exists(path) ? -ENOTDIR : -ENOENT;
        }

        entries.AddRange(storage.Entries(path));
        return 0;
    });

    /// <inheritdoc/>
    public int ReleaseDir(string path) => Call("releasedir", () => 0);

    /// <inheritdoc/>
    public int FsyncDir(string path, bool datasync) =>
        Call("fsyncdir", () => Result(faulty.FsyncDirectory(path.Length == 0 ? "." : path)));

    /// <inheritdoc/>
    public int Mkdir(string path) => Call("mkdir", () => Result(storage.Mkdir(path)));

    /// <inheritdoc/>
    public int Rmdir(string path) => Call("rmdir", () =>
        !storage.IsDirectory(path) ? (Exists(path) ? -ENOTDIR : -ENOENT)
        : storage.Entries(path).Any() ? -ENOTEMPTY
        : Result(storage.Rmdir(path)));

    /// <inheritdoc/>
    public int Unlink(string path) => Call("unlink", () => storage.IsDirectory(path) ? -EISDIR : Result(faulty.Unlink(path)));

    /// <inheritdoc/>
    public int Rename(string from, string to, uint flags) => Call("rename", () =>
        flags != 0 ? -EINVAL // RENAME_NOREPLACE, RENAME_EXCHANGE: not needed by any target yet
        : storage.IsDirectory(from) ? -EXDEV // directories are not renamed (a tool falls back to copying)
        : storage.IsDirectory(to) ? -EISDIR
        : !storage.IsDirectory(Parent(to)) ? -ENOENT
        : Result(faulty.Rename(from, to)));

    /// <inheritdoc/>
    public int Open(string path, int flags, bool create, out long fh)
    {
        long handle = 0;
        int r = Call(create ? "create" : "open", () =>
        {
            if (storage.IsDirectory(path))
            {
                return -EISDIR;
            }

            if (!storage.IsDirectory(Parent(path)))
            {
                return -ENOENT;
            }

            var open = (OpenFlags)(flags & O_ACCMODE);
            open |= (flags & O_APPEND) != 0 ? OpenFlags.Append : 0;
            open |= (flags & O_TRUNC) != 0 ? OpenFlags.Truncate : 0;
            open |= create || (flags & O_CREAT) != 0 ? OpenFlags.Create : 0;
            SysResult s = faulty.Open(path, open);
            handle = s.Value;
            if (s.Ok && (flags & O_DSYNC) != 0)
            {
                syncHandles[s.Value] = (flags & O_SYNC) == O_SYNC;
            }
            else if (s.Ok)
            {
                syncHandles.Remove(s.Value);
            }

            return s.Ok ? 0 : -(int)s.Error;
        });
        fh = handle;
        return r;
    }

    /// <inheritdoc/>
    public int Read(string path, long fh, Span<byte> buffer, long offset)
    {
        // A span cannot enter the lambda: the buffer's address and length can.
        fixed (byte* b = buffer)
        {
            nint at = (nint)b;
            int length = buffer.Length;
            return Call("read", () =>
            {
                Errno seek = storage.Seek((int)fh, offset);
                if (seek != Errno.None)
                {
                    return -(int)seek;
                }

                SysResult r = faulty.Read((int)fh, new Span<byte>((byte*)at, length));
                return r.Ok ? (int)r.Value : -(int)r.Error;
            });
        }
    }

    /// <inheritdoc/>
    public int Write(string path, long fh, ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* d = data)
        {
            nint at = (nint)d;
            int length = data.Length;
            return Call("write", () =>
            {
                Errno seek = storage.Seek((int)fh, offset);
                if (seek != Errno.None)
                {
                    return -(int)seek;
                }

                SysResult r = faulty.Write((int)fh, new ReadOnlySpan<byte>((byte*)at, length));
                if (r.Ok && syncHandles.TryGetValue(fh, out bool full))
                {
                    Errno sync = full ? faulty.Fsync((int)fh) : faulty.Fdatasync((int)fh);
                    if (sync != Errno.None)
                    {
                        return -(int)sync;
                    }
                }

                return r.Ok ? (int)r.Value : -(int)r.Error;
            });
        }
    }

    /// <inheritdoc/>
    public int Truncate(string path, long? fh, long length) => Call(fh is null ? "truncate" : "ftruncate", () =>
    {
        if (fh is long h)
        {
            return Result(faulty.Ftruncate((int)h, length));
        }

        // truncate(2) by path: the storage knows descriptors only, so open, cut, close.
        SysResult open = faulty.Open(path, OpenFlags.WriteOnly);
        if (!open.Ok)
        {
            return -(int)open.Error;
        }

        Errno e = faulty.Ftruncate((int)open.Value, length);
        faulty.Close((int)open.Value);
        return Result(e);
    });

    /// <inheritdoc/>
    public int Fsync(string path, long fh, bool datasync) =>
        Call(datasync ? "fdatasync" : "fsync", () => Result(datasync ? faulty.Fdatasync((int)fh) : faulty.Fsync((int)fh)));

    /// <inheritdoc/>
    public int Flush(string path, long fh) => Call("flush", () => 0);

    /// <inheritdoc/>
    public int Release(string path, long fh) => Call("release", () =>
    {
        syncHandles.Remove(fh);
        return Result(faulty.Close((int)fh));
    }, quietWhenOff: true);

    /// <inheritdoc/>
    public int StatFs(string path) => Call("statfs", () => 0);

    /// <inheritdoc/>
    public int SetAttr(string path, string what) => Call(what, () => Exists(path) ? 0 : -ENOENT);

    private static int Result(Errno e) => e == Errno.None ? 0 : -(int)e;

    private static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path[..slash];
    }

    private bool Exists(string path) => storage.IsDirectory(path) || storage.Stat(path).Ok;

    // Runs one request under the gate. While the power is off (a power loss fired and the driver
    // has not yet called PowerLoss) nothing reaches the storage: every call fails with EIO, and a
    // release (a killed process's files being closed) succeeds without touching it.
    private int Call(string name, Func<int> body, bool quietWhenOff = false)
    {
        DiskStop? fired;
        lock (gate)
        {
            operations[name] = operations.GetValueOrDefault(name) + 1;
            if (poweredOff)
            {
                return quietWhenOff ? 0 : -EIO;
            }

            try
            {
                return body();
            }
            catch (ProcessKilledException)
            {
                fired = DiskStop.Kill;
            }
            catch (PowerLossException)
            {
                fired = DiskStop.PowerLoss;
                poweredOff = true;
            }

            stop ??= fired;
        }

        Hold();
        return -EIO;
    }

    // A kill or a power loss fired inside the caller's call: the caller must die in it. The call
    // is held until the caller has SIGKILL pending (the driver saw Stop and killed the target; a
    // process waiting on FUSE is not woken by the signal, it waits for this reply), or is gone,
    // or the disk is being disposed.
    private void Hold()
    {
        int pid = FuseGetContext()->Pid;
        while (!released.Wait(1))
        {
            if (pid <= 0 || Killed(pid))
            {
                return;
            }
        }
    }

    private static bool Killed(int pid)
    {
        string[] status;
        try
        {
            status = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }

        foreach (string line in status)
        {
            if (line.StartsWith("State:", StringComparison.Ordinal) && (line.Contains('Z', StringComparison.Ordinal) || line.Contains('X', StringComparison.Ordinal)))
            {
                return true;
            }

            if ((line.StartsWith("SigPnd:", StringComparison.Ordinal) || line.StartsWith("ShdPnd:", StringComparison.Ordinal)) &&
                ulong.TryParse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, null, out ulong pending) &&
                (pending & SigKillBit) != 0)
            {
                return true;
            }
        }

        return false;
    }
}
