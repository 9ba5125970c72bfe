namespace AofSim.Engine.Ports;

/// <summary>The error numbers the storage port can return (Linux values).</summary>
public enum Errno
{
    /// <summary>Success.</summary>
    None = 0,

    /// <summary>Operation not permitted.</summary>
    EPERM = 1,

    /// <summary>No such file or directory.</summary>
    ENOENT = 2,

    /// <summary>Interrupted system call.</summary>
    EINTR = 4,

    /// <summary>Input/output error.</summary>
    EIO = 5,

    /// <summary>Bad file descriptor.</summary>
    EBADF = 9,

    /// <summary>Resource temporarily unavailable.</summary>
    EAGAIN = 11,

    /// <summary>Permission denied.</summary>
    EACCES = 13,

    /// <summary>File exists.</summary>
    EEXIST = 17,

    /// <summary>Is a directory.</summary>
    EISDIR = 21,

    /// <summary>Invalid argument.</summary>
    EINVAL = 22,

    /// <summary>Too many open files.</summary>
    EMFILE = 24,

    /// <summary>File too large.</summary>
    EFBIG = 27,

    /// <summary>No space left on device.</summary>
    ENOSPC = 28,

    /// <summary>Read-only file system.</summary>
    EROFS = 30,

    /// <summary>Disk quota exceeded.</summary>
    EDQUOT = 122,
}

/// <summary>strerror(3): glibc's text for each error, as the seed's log lines print it.</summary>
public static class ErrnoText
{
    /// <summary>The message glibc gives for <paramref name="errno"/>.</summary>
    public static string Strerror(Errno errno) => errno switch
    {
        Errno.None => "Success",
        Errno.EPERM => "Operation not permitted",
        Errno.ENOENT => "No such file or directory",
        Errno.EINTR => "Interrupted system call",
        Errno.EIO => "Input/output error",
        Errno.EBADF => "Bad file descriptor",
        Errno.EAGAIN => "Resource temporarily unavailable",
        Errno.EACCES => "Permission denied",
        Errno.EEXIST => "File exists",
        Errno.EISDIR => "Is a directory",
        Errno.EINVAL => "Invalid argument",
        Errno.EMFILE => "Too many open files",
        Errno.EFBIG => "File too large",
        Errno.ENOSPC => "No space left on device",
        Errno.EROFS => "Read-only file system",
        Errno.EDQUOT => "Disk quota exceeded",
        _ => $"Unknown error {(int)errno}",
    };
}
