namespace AofSim.Blackbox.Fuse;

/// <summary>
/// What a FUSE mount serves: the high-level API's operations, by path (relative to the mount,
/// without the leading '/': "" is the root). Every method returns 0 (or a byte count) on success
/// and a negative errno on failure, as libfuse expects. They are called on the mount's one loop
/// thread, one at a time.
/// </summary>
internal interface IFuseFileSystem
{
    /// <summary>getattr: a directory, or a regular file of <paramref name="size"/> bytes (of the open file <paramref name="fh"/> when given).</summary>
    int GetAttr(string path, long? fh, out bool directory, out long size);

    /// <summary>access(2): 0 when the path exists.</summary>
    int Access(string path);

    /// <summary>opendir.</summary>
    int OpenDir(string path);

    /// <summary>readdir: the names in directory <paramref name="path"/> ("." and ".." are added by the caller).</summary>
    int ReadDir(string path, List<string> entries);

    /// <summary>releasedir.</summary>
    int ReleaseDir(string path);

    /// <summary>fsyncdir: the directory's own fsync (its entries become durable).</summary>
    int FsyncDir(string path, bool datasync);

    /// <summary>mkdir.</summary>
    int Mkdir(string path);

    /// <summary>rmdir.</summary>
    int Rmdir(string path);

    /// <summary>unlink.</summary>
    int Unlink(string path);

    /// <summary>rename (flags: RENAME_NOREPLACE etc., refused).</summary>
    int Rename(string from, string to, uint flags);

    /// <summary>open or create (flags as open(2) got them); <paramref name="fh"/> is the file handle.</summary>
    int Open(string path, int flags, bool create, out long fh);

    /// <summary>pread: bytes read.</summary>
    int Read(string path, long fh, Span<byte> buffer, long offset);

    /// <summary>pwrite: bytes written (possibly fewer).</summary>
    int Write(string path, long fh, ReadOnlySpan<byte> data, long offset);

    /// <summary>truncate (no <paramref name="fh"/>) or ftruncate.</summary>
    int Truncate(string path, long? fh, long length);

    /// <summary>fsync or fdatasync.</summary>
    int Fsync(string path, long fh, bool datasync);

    /// <summary>flush: each close(2) of a descriptor of the file.</summary>
    int Flush(string path, long fh);

    /// <summary>release: the last descriptor of an open file is gone.</summary>
    int Release(string path, long fh);

    /// <summary>utimens, chmod, chown: <paramref name="what"/> names which; attributes are not kept.</summary>
    int SetAttr(string path, string what);
}
