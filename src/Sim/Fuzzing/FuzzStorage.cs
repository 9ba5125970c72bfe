using AofSim.Engine.Ports;

namespace AofSim.Sim.Fuzzing;

/// <summary>
/// A read-only storage holding one fuzz input as its only file, for the loader's storage path
/// (open, fstat, read): its first fstat reports <c>sizeAtOpen</c> bytes, every later one the whole
/// input, as a file still being appended to when the loader took its size would. Reads hand out
/// at most <c>chunk</c> bytes and are bounded as <see cref="FuzzStream"/>'s are.
/// </summary>
public sealed class FuzzStorage(byte[] data, int chunk, long sizeAtOpen) : IStorage
{
    private const int EndReads = 16;
    private const int Fd = 3;

    private int pos;
    private int fstats;

    /// <summary>Reads made so far.</summary>
    public long Reads { get; private set; }

    /// <inheritdoc/>
    public SysResult Open(string path, OpenFlags flags)
    {
        if ((flags & (OpenFlags.WriteOnly | OpenFlags.ReadWrite)) != 0)
        {
            return SysResult.Fail(Errno.EROFS);
        }

        pos = 0;
        return SysResult.Success(Fd);
    }

    /// <inheritdoc/>
    public SysResult Read(int fd, Span<byte> buffer)
    {
        if (fd != Fd)
        {
            return SysResult.Fail(Errno.EBADF);
        }

        if (++Reads > data.Length + EndReads)
        {
            throw new FuzzHangException($"{Reads} reads of a {data.Length}-byte input");
        }

        int n = Math.Min(Math.Min(buffer.Length, chunk), data.Length - pos);
        data.AsSpan(pos, n).CopyTo(buffer);
        pos += n;
        return SysResult.Success(n);
    }

    /// <inheritdoc/>
    public SysResult Fstat(int fd) =>
        fd != Fd ? SysResult.Fail(Errno.EBADF) : SysResult.Success(fstats++ == 0 ? sizeAtOpen : data.Length);

    /// <inheritdoc/>
    public SysResult Stat(string path) => SysResult.Success(data.Length);

    /// <inheritdoc/>
    public Errno Close(int fd) => fd == Fd ? Errno.None : Errno.EBADF;

    /// <inheritdoc/>
    public SysResult Write(int fd, ReadOnlySpan<byte> data) => SysResult.Fail(Errno.EBADF);

    /// <inheritdoc/>
    public Errno Ftruncate(int fd, long length) => Errno.EROFS;

    /// <inheritdoc/>
    public Errno Fsync(int fd) => Errno.EROFS;

    /// <inheritdoc/>
    public Errno Fdatasync(int fd) => Errno.EROFS;

    /// <inheritdoc/>
    public Errno Rename(string from, string to) => Errno.EROFS;

    /// <inheritdoc/>
    public Errno Unlink(string path) => Errno.EROFS;

    /// <inheritdoc/>
    public Errno FsyncDirectory(string path) => Errno.EROFS;
}
