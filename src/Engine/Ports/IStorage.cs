namespace AofSim.Engine.Ports;

/// <summary>open(2) flags the engine uses.</summary>
[Flags]
public enum OpenFlags
{
    /// <summary>O_RDONLY.</summary>
    ReadOnly = 0,

    /// <summary>O_WRONLY.</summary>
    WriteOnly = 1,

    /// <summary>O_RDWR.</summary>
    ReadWrite = 2,

    /// <summary>O_CREAT.</summary>
    Create = 0x40,

    /// <summary>O_TRUNC.</summary>
    Truncate = 0x200,

    /// <summary>O_APPEND: every write goes to the end of the file.</summary>
    Append = 0x400,

    /// <summary>O_NONBLOCK.</summary>
    NonBlock = 0x800,
}

/// <summary>A syscall's result: a non-negative value, or an error number.</summary>
/// <param name="Value">The value (descriptor, byte count, size) when <see cref="Error"/> is None; -1 otherwise.</param>
/// <param name="Error">The error, or <see cref="Errno.None"/>.</param>
public readonly record struct SysResult(long Value, Errno Error)
{
    /// <summary>True on success.</summary>
    public bool Ok => Error == Errno.None;

    /// <summary>A success with <paramref name="value"/>.</summary>
    public static SysResult Success(long value) => new(value, Errno.None);

    /// <summary>A failure with <paramref name="errno"/>.</summary>
    public static SysResult Fail(Errno errno) => new(-1, errno);
}

/// <summary>
/// The storage port: the POSIX file calls of the seed, shaped so that every branch of the seed is
/// reachable. A write may write fewer bytes than asked; ftruncate, fsync, fdatasync, rename,
/// unlink, fstat and a directory's fsync can each fail; descriptors are small integers that are
/// reused after close, lowest first, as the kernel does. Paths are relative to the storage's
/// root, as the seed's are relative to the directory it chdir()s into.
/// </summary>
public interface IStorage
{
    /// <summary>open(2): a new descriptor, the lowest free one.</summary>
    SysResult Open(string path, OpenFlags flags);

    /// <summary>read(2) at the descriptor's offset: bytes read, 0 at end of file.</summary>
    SysResult Read(int fd, Span<byte> buffer);

    /// <summary>write(2): bytes written, possibly fewer than <paramref name="data"/> holds.</summary>
    SysResult Write(int fd, ReadOnlySpan<byte> data);

    /// <summary>ftruncate(2).</summary>
    Errno Ftruncate(int fd, long length);

    /// <summary>fsync(2): data and metadata of the file reach stable storage.</summary>
    Errno Fsync(int fd);

    /// <summary>fdatasync(2): the seed's aof_fsync on Linux.</summary>
    Errno Fdatasync(int fd);

    /// <summary>close(2): the descriptor becomes free for reuse.</summary>
    Errno Close(int fd);

    /// <summary>fstat(2): the file's size.</summary>
    SysResult Fstat(int fd);

    /// <summary>stat(2): the size of the file at <paramref name="path"/>.</summary>
    SysResult Stat(string path);

    /// <summary>rename(2): atomically replaces <paramref name="to"/>.</summary>
    Errno Rename(string from, string to);

    /// <summary>unlink(2).</summary>
    Errno Unlink(string path);

    /// <summary>open + fsync + close of a directory: makes creates, renames and unlinks in it durable.</summary>
    Errno FsyncDirectory(string path);
}

/// <summary>
/// Thrown by a storage port when the calling process is killed at that syscall (SIGKILL: the call
/// never happens and never returns). A child-process port ends a child that gets it by signal 9;
/// a host ends its server as kill -9 would.
/// </summary>
public sealed class ProcessKilledException : Exception
{
    /// <summary>A kill at the named syscall.</summary>
    public ProcessKilledException(string syscall)
        : base($"killed at {syscall}")
    {
    }
}

/// <summary>
/// Thrown by a storage port when the machine loses power at that syscall (before it happens, or
/// right after it returned): nothing else runs, and what survives is up to the storage's crash
/// model. Only a simulated host can catch it and go on.
/// </summary>
public sealed class PowerLossException : Exception
{
    /// <summary>A power loss.</summary>
    public PowerLossException()
        : base("power loss")
    {
    }
}

/// <summary>
/// A storage that can fail a writeback as Linux file systems do (an fsync that reports EIO):
/// the file's dirty pages are marked clean without reaching the disk, so reads still see the data,
/// a later fsync succeeds, and a power loss loses it. Fault injectors use it when the storage they
/// wrap supports it.
/// </summary>
public interface IWritebackFaults
{
    /// <summary>Fails the writeback of <paramref name="fd"/>'s dirty pages with <paramref name="error"/>, which it returns.</summary>
    Errno FailWriteback(int fd, Errno error);
}
