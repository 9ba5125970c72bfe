using System.Runtime.InteropServices;

namespace AofSim.Scenarios.Blackbox;

/// <summary>
/// The libc calls the FUSE disk's tests make through the kernel where .NET has no direct
/// equivalent (fdatasync, a directory's fsync, ftruncate, pwrite), each throwing on failure with
/// the errno.
/// </summary>
internal static class Posix
{
    public const int ReadOnly = 0;
    public const int WriteOnly = 1;
    public const int ReadWrite = 2;
    public const int Create = 0x40;
    public const int Truncate = 0x200;
    public const int Append = 0x400;
    public const int Directory = 0x10000;
    public const int DataSync = 0x1000;
    public const int Sync = 0x101000;

    /// <summary>open(2); throws on failure.</summary>
    public static int Open(string path, int flags) => (int)Check(NativeOpen(path, flags, 0x1A4), $"open {path}");

    /// <summary>write(2) of all of <paramref name="data"/>; returns the count written.</summary>
    public static long Write(int fd, byte[] data) => Check(NativeWrite(fd, data, (nuint)data.Length), "write");

    /// <summary>pwrite(2).</summary>
    public static long PWrite(int fd, byte[] data, long offset) => Check(NativePWrite(fd, data, (nuint)data.Length, offset), "pwrite");

    /// <summary>fsync(2).</summary>
    public static void Fsync(int fd) => Check(NativeFsync(fd), "fsync");

    /// <summary>fdatasync(2).</summary>
    public static void Fdatasync(int fd) => Check(NativeFdatasync(fd), "fdatasync");

    /// <summary>ftruncate(2).</summary>
    public static void Ftruncate(int fd, long length) => Check(NativeFtruncate(fd, length), "ftruncate");

    /// <summary>truncate(2) by path.</summary>
    public static void TruncatePath(string path, long length) => Check(NativeTruncate(path, length), $"truncate {path}");

    /// <summary>pread(2) of up to <paramref name="count"/> bytes at <paramref name="offset"/>.</summary>
    public static byte[] PRead(int fd, int count, long offset)
    {
        byte[] buffer = new byte[count];
        long n = Check(NativePRead(fd, buffer, (nuint)count, offset), "pread");
        return buffer[..(int)n];
    }

    /// <summary>close(2).</summary>
    public static void Close(int fd) => Check(NativeClose(fd), "close");

    /// <summary>open(dir, O_RDONLY|O_DIRECTORY) + fsync + close: a directory's fsync.</summary>
    public static void FsyncDirectory(string path)
    {
        int fd = Open(path, ReadOnly | Directory);
        try
        {
            Fsync(fd);
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>The errno of a call that returned -1 (for tests expecting a failure).</summary>
    public static int Errno(Func<long> call) => call() < 0 ? Marshal.GetLastPInvokeError() : 0;

    /// <summary>write(2) returning -1 rather than throwing.</summary>
    public static long TryWrite(int fd, byte[] data) => NativeWrite(fd, data, (nuint)data.Length);

    /// <summary>fdatasync(2) returning -1 rather than throwing.</summary>
    public static long TryFsyncData(int fd) => NativeFdatasync(fd);

    /// <summary>fsync(2) returning -1 rather than throwing.</summary>
    public static long TryFsync(int fd) => NativeFsync(fd);

    private static long Check(long r, string what) =>
        r >= 0 ? r : throw new IOException($"{what}: errno {Marshal.GetLastPInvokeError()}");

    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int NativeOpen(string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint NativeWrite(int fd, byte[] data, nuint count);

    [DllImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static extern nint NativePWrite(int fd, byte[] data, nuint count, long offset);

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static extern nint NativePRead(int fd, byte[] buffer, nuint count, long offset);

    [DllImport("libc", EntryPoint = "truncate", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int NativeTruncate(string path, long length);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int NativeFsync(int fd);

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int NativeFdatasync(int fd);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static extern int NativeFtruncate(int fd, long length);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int NativeClose(int fd);
}
