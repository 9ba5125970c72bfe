using System.IO.Abstractions;
using System.Runtime.InteropServices;
using AofSim.Engine.Ports;

namespace AofSim.Engine.Adapters;

/// <summary>
/// The storage port over System.IO.Abstractions: the real disk in production
/// (<see cref="FileSystem"/>), an in-memory one where a unit test wants it. On the real disk
/// under Linux, fsync, fdatasync and a directory's fsync are the real system calls.
/// </summary>
public sealed class FileSystemStorage : IStorage, IDisposable
{
    private readonly IFileSystem fs;
    private readonly string root;
    private readonly bool realDisk;
    private readonly SortedDictionary<int, OpenFile> open = [];
    private readonly object gate = new();

    /// <summary>Storage rooted at <paramref name="root"/> on <paramref name="fileSystem"/>.</summary>
    public FileSystemStorage(IFileSystem fileSystem, string root)
    {
        fs = fileSystem;
        this.root = fs.Path.GetFullPath(root);
        realDisk = fileSystem is FileSystem && OperatingSystem.IsLinux();
    }

    /// <summary>The directory paths are relative to.</summary>
    public string Root => root;

    /// <inheritdoc/>
    public SysResult Open(string path, OpenFlags flags)
    {
        string full = Full(path);
        bool write = (flags & (OpenFlags.WriteOnly | OpenFlags.ReadWrite)) != 0;
        FileMode mode = (flags & OpenFlags.Create) != 0
            ? ((flags & OpenFlags.Truncate) != 0 ? FileMode.Create : FileMode.OpenOrCreate)
            : ((flags & OpenFlags.Truncate) != 0 ? FileMode.Truncate : FileMode.Open);
        FileAccess access = (flags & OpenFlags.ReadWrite) != 0 ? FileAccess.ReadWrite : write ? FileAccess.Write : FileAccess.Read;
        try
        {
            if (fs.Directory.Exists(full))
            {
                return SysResult.Fail(Errno.EISDIR);
            }

            FileSystemStream stream = fs.File.Open(full, mode, access, FileShare.ReadWrite | FileShare.Delete);
            lock (gate)
            {
                int fd = 3;
                while (open.ContainsKey(fd))
                {
                    fd++;
                }

                open[fd] = new OpenFile(stream, (flags & OpenFlags.Append) != 0);
                return SysResult.Success(fd);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return SysResult.Fail(ErrnoOf(e));
        }
    }

    /// <inheritdoc/>
    public SysResult Read(int fd, Span<byte> buffer)
    {
        if (!TryGet(fd, out OpenFile? f))
        {
            return SysResult.Fail(Errno.EBADF);
        }

        try
        {
            return SysResult.Success(f.Stream.Read(buffer));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return SysResult.Fail(e is NotSupportedException ? Errno.EBADF : ErrnoOf(e));
        }
    }

    /// <inheritdoc/>
    public SysResult Write(int fd, ReadOnlySpan<byte> data)
    {
        if (!TryGet(fd, out OpenFile? f))
        {
            return SysResult.Fail(Errno.EBADF);
        }

        try
        {
            if (f.Append)
            {
                f.Stream.Seek(0, SeekOrigin.End);
            }

            f.Stream.Write(data);
            f.Stream.Flush();
            return SysResult.Success(data.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return SysResult.Fail(e is NotSupportedException ? Errno.EBADF : ErrnoOf(e));
        }
    }

    /// <inheritdoc/>
    public Errno Ftruncate(int fd, long length) => With(fd, f =>
    {
        f.Stream.SetLength(length);
        return SysResult.Success(0);
    }).Error;

    /// <inheritdoc/>
    public Errno Fsync(int fd) => Sync(fd, dataOnly: false);

    /// <inheritdoc/>
    public Errno Fdatasync(int fd) => Sync(fd, dataOnly: true);

    /// <inheritdoc/>
    public Errno Close(int fd)
    {
        OpenFile? f;
        lock (gate)
        {
            if (!open.Remove(fd, out f))
            {
                return Errno.EBADF;
            }
        }

        try
        {
            f.Stream.Dispose();
            return Errno.None;
        }
        catch (IOException e)
        {
            return ErrnoOf(e);
        }
    }

    /// <inheritdoc/>
    public SysResult Fstat(int fd) => With(fd, f => SysResult.Success(f.Stream.Length));

    /// <inheritdoc/>
    public SysResult Stat(string path)
    {
        string full = Full(path);
        return fs.File.Exists(full) ? SysResult.Success(fs.FileInfo.New(full).Length) : SysResult.Fail(Errno.ENOENT);
    }

    /// <inheritdoc/>
    public Errno Rename(string from, string to)
    {
        try
        {
            string src = Full(from);
            if (!fs.File.Exists(src))
            {
                return Errno.ENOENT;
            }

            fs.File.Move(src, Full(to), overwrite: true);
            return Errno.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ErrnoOf(e);
        }
    }

    /// <inheritdoc/>
    public Errno Unlink(string path)
    {
        string full = Full(path);
        if (!fs.File.Exists(full))
        {
            return Errno.ENOENT;
        }

        try
        {
            fs.File.Delete(full);
            return Errno.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ErrnoOf(e);
        }
    }

    /// <inheritdoc/>
    public Errno FsyncDirectory(string path)
    {
        string full = Full(path);
        if (!fs.Directory.Exists(full))
        {
            return Errno.ENOENT;
        }

        return realDisk ? Native.FsyncDirectory(full) : Errno.None;
    }

    /// <summary>Closes every descriptor still open.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (OpenFile f in open.Values)
            {
                f.Stream.Dispose();
            }

            open.Clear();
        }
    }

    private static Errno ErrnoOf(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => Errno.ENOENT,
        UnauthorizedAccessException => Errno.EACCES,
        IOException io when io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) => Errno.ENOSPC,
        IOException io when io.Message.Contains("quota", StringComparison.OrdinalIgnoreCase) => Errno.EDQUOT,
        _ => Errno.EIO,
    };

    private string Full(string path) => fs.Path.IsPathRooted(path) ? path : fs.Path.Combine(root, path);

    private Errno Sync(int fd, bool dataOnly) => With(fd, f =>
    {
        f.Stream.Flush();
        if (realDisk && f.Stream is FileSystemStream { } s && s.CanWrite)
        {
            // FileStream.Flush(true) is fsync(2); fdatasync is called directly where asked.
            Errno e = dataOnly ? Native.Fdatasync(s) : Errno.None;
            if (!dataOnly)
            {
                s.Flush(flushToDisk: true);
            }

            return e == Errno.None ? SysResult.Success(0) : SysResult.Fail(e);
        }

        return SysResult.Success(0);
    }).Error;

    private bool TryGet(int fd, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OpenFile? f)
    {
        lock (gate)
        {
            return open.TryGetValue(fd, out f);
        }
    }

    private SysResult With(int fd, Func<OpenFile, SysResult> op)
    {
        if (!TryGet(fd, out OpenFile? f))
        {
            return SysResult.Fail(Errno.EBADF);
        }

        try
        {
            return op(f);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return SysResult.Fail(e is NotSupportedException ? Errno.EBADF : ErrnoOf(e));
        }
    }

    private sealed record OpenFile(FileSystemStream Stream, bool Append);

    /// <summary>The Linux calls .NET does not expose.</summary>
    private static partial class Native
    {
        private const int ORdOnly = 0;
        private const int ODirectory = 0x10000;

        public static Errno Fdatasync(FileSystemStream stream)
        {
            if (stream.UnwrapFileStream() is not FileStream fileStream)
            {
                stream.Flush(flushToDisk: true);
                return Errno.None;
            }

            int fd = (int)fileStream.SafeFileHandle.DangerousGetHandle();
            return SysFdatasync(fd) == 0 ? Errno.None : (Errno)Marshal.GetLastPInvokeError();
        }

        public static Errno FsyncDirectory(string path)
        {
            int dfd = SysOpen(path, ORdOnly | ODirectory);
            if (dfd < 0)
            {
                return (Errno)Marshal.GetLastPInvokeError();
            }

            Errno result = SysFsync(dfd) == 0 ? Errno.None : (Errno)Marshal.GetLastPInvokeError();
            _ = SysClose(dfd);
            return result;
        }

        [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
        private static extern int SysFdatasync(int fd);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        private static extern int SysFsync(int fd);

        [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
        private static extern int SysOpen(string path, int flags);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int SysClose(int fd);
    }
}

/// <summary>Reaches the FileStream behind a System.IO.Abstractions stream, where there is one.</summary>
internal static class FileSystemStreamExtensions
{
    public static Stream? UnwrapFileStream(this FileSystemStream stream)
    {
        // FileSystemStream wraps the real FileStream in a private field; reflection is the
        // only way to reach its handle for fdatasync(2).
        for (Type? t = stream.GetType(); t is not null; t = t.BaseType)
        {
            foreach (System.Reflection.FieldInfo f in t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic))
            {
                if (f.GetValue(stream) is FileStream fs)
                {
                    return fs;
                }
            }
        }

        return null;
    }
}
