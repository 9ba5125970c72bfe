using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static AofSim.Blackbox.Fuse.FuseNative;

namespace AofSim.Blackbox.Fuse;

// The fuse_operations table: one [UnmanagedCallersOnly] function per operation, each turning the
// C arguments into managed ones and calling the file system the loop thread serves
// (FuseCallbacks.Current, set by FuseMount on its thread before fuse_loop). An exception must not
// cross into libfuse: each becomes -EIO.
internal static unsafe class FuseCallbacks
{
    // Seconds since the epoch shown as every file's times: attributes are not kept, and a fixed
    // time keeps a target's listing stable across remounts.
    private const long FileTime = 1_700_000_000;

    [ThreadStatic]
    private static IFuseFileSystem? current;

    // The table, allocated once for the process (libfuse copies it at fuse_new).
    private static readonly Lazy<nint> Table = new(Build);

    /// <summary>The file system the calling (loop) thread serves.</summary>
    public static IFuseFileSystem? Current
    {
        get => current;
        set => current = value;
    }

    /// <summary>The fuse_operations table.</summary>
    public static FuseOperations* Operations => (FuseOperations*)Table.Value;

    private static nint Build()
    {
        var ops = (FuseOperations*)NativeMemory.AllocZeroed((nuint)sizeof(FuseOperations));
        ops->Getattr = (nint)(delegate* unmanaged[Cdecl]<byte*, Stat*, FuseFileInfo*, int>)&Getattr;
        ops->Mkdir = (nint)(delegate* unmanaged[Cdecl]<byte*, uint, int>)&Mkdir;
        ops->Unlink = (nint)(delegate* unmanaged[Cdecl]<byte*, int>)&Unlink;
        ops->Rmdir = (nint)(delegate* unmanaged[Cdecl]<byte*, int>)&Rmdir;
        ops->Rename = (nint)(delegate* unmanaged[Cdecl]<byte*, byte*, uint, int>)&Rename;
        ops->Chmod = (nint)(delegate* unmanaged[Cdecl]<byte*, uint, FuseFileInfo*, int>)&Chmod;
        ops->Chown = (nint)(delegate* unmanaged[Cdecl]<byte*, uint, uint, FuseFileInfo*, int>)&Chown;
        ops->Truncate = (nint)(delegate* unmanaged[Cdecl]<byte*, long, FuseFileInfo*, int>)&Truncate;
        ops->Open = (nint)(delegate* unmanaged[Cdecl]<byte*, FuseFileInfo*, int>)&Open;
        ops->Read = (nint)(delegate* unmanaged[Cdecl]<byte*, byte*, nuint, long, FuseFileInfo*, int>)&Read;
        ops->Write = (nint)(delegate* unmanaged[Cdecl]<byte*, byte*, nuint, long, FuseFileInfo*, int>)&Write;
        ops->Statfs = (nint)(delegate* unmanaged[Cdecl]<byte*, StatVfs*, int>)&Statfs;
        ops->Flush = (nint)(delegate* unmanaged[Cdecl]<byte*, FuseFileInfo*, int>)&Flush;
        ops->Release = (nint)(delegate* unmanaged[Cdecl]<byte*, FuseFileInfo*, int>)&Release;
        ops->Fsync = (nint)(delegate* unmanaged[Cdecl]<byte*, int, FuseFileInfo*, int>)&Fsync;
        ops->Opendir = (nint)(delegate* unmanaged[Cdecl]<byte*, FuseFileInfo*, int>)&Opendir;
        ops->Readdir = (nint)(delegate* unmanaged[Cdecl]<byte*, void*, nint, long, FuseFileInfo*, int, int>)&Readdir;
        ops->Releasedir = (nint)(delegate* unmanaged[Cdecl]<byte*, FuseFileInfo*, int>)&Releasedir;
        ops->Fsyncdir = (nint)(delegate* unmanaged[Cdecl]<byte*, int, FuseFileInfo*, int>)&Fsyncdir;
        ops->Init = (nint)(delegate* unmanaged[Cdecl]<uint*, byte*, nint>)&Init;
        ops->Access = (nint)(delegate* unmanaged[Cdecl]<byte*, int, int>)&Access;
        ops->Create = (nint)(delegate* unmanaged[Cdecl]<byte*, uint, FuseFileInfo*, int>)&Create;
        ops->Utimens = (nint)(delegate* unmanaged[Cdecl]<byte*, void*, FuseFileInfo*, int>)&Utimens;
        return (nint)ops;
    }

    // "/appendonlydir/x" -> "appendonlydir/x"; "/" -> "".
    private static string PathOf(byte* path) => (Marshal.PtrToStringUTF8((nint)path) ?? string.Empty).TrimStart('/');

    private static long? Handle(FuseFileInfo* fi) => fi is null ? null : (long)fi->Fh;

    private static int Run(Func<IFuseFileSystem, int> call)
    {
        try
        {
            return current is null ? -EIO : call(current);
        }
        catch (Exception)
        {
            // Nothing may unwind into libfuse; the file system records what failed.
            return -EIO;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Init(uint* conn, byte* config)
    {
        // fuse_conn_info.want (offset 24): never the kernel's writeback cache, which would hold
        // writes in the page cache and send them later, merged, from no process of the target.
        conn[6] &= ~FUSE_CAP_WRITEBACK_CACHE;

        // struct fuse_config (libfuse 3.14, x86_64): these are settable only here, not as -o
        // options. direct_io on every file, hard_remove, no kernel_cache or auto_cache, and the
        // three timeouts at 0 (also given as options).
        *(int*)(config + ConfigHardRemove) = 1;
        *(int*)(config + ConfigDirectIo) = 1;
        *(int*)(config + ConfigKernelCache) = 0;
        *(int*)(config + ConfigAutoCache) = 0;
        *(double*)(config + ConfigEntryTimeout) = 0;
        *(double*)(config + ConfigNegativeTimeout) = 0;
        *(double*)(config + ConfigAttrTimeout) = 0;
        return 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Getattr(byte* path, Stat* st, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        long? fh = Handle(fi);
        *st = default;
        return Run(fs =>
        {
            int r = fs.GetAttr(p, fh, out bool directory, out long size);
            if (r == 0)
            {
                st->Mode = directory ? S_IFDIR | 0x1ED : S_IFREG | 0x1A4; // 0755, 0644
                st->Nlink = directory ? 2UL : 1UL;
                st->Size = directory ? 4096 : size;
                st->Blksize = 4096;
                st->Blocks = (st->Size + 511) / 512;
                st->AtimeSec = st->MtimeSec = st->CtimeSec = FileTime;
            }

            return r;
        });
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Access(byte* path, int mask)
    {
        string p = PathOf(path);
        return Run(fs => fs.Access(p));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Mkdir(byte* path, uint mode)
    {
        string p = PathOf(path);
        return Run(fs => fs.Mkdir(p));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Unlink(byte* path)
    {
        string p = PathOf(path);
        return Run(fs => fs.Unlink(p));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Rmdir(byte* path)
    {
        string p = PathOf(path);
        return Run(fs => fs.Rmdir(p));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Rename(byte* from, byte* to, uint flags)
    {
        string f = PathOf(from);
        string t = PathOf(to);
        return Run(fs => fs.Rename(f, t, flags));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Chmod(byte* path, uint mode, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        return Run(fs => fs.SetAttr(p, "chmod"));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Chown(byte* path, uint uid, uint gid, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        return Run(fs => fs.SetAttr(p, "chown"));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Utimens(byte* path, void* times, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        return Run(fs => fs.SetAttr(p, "utimens"));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Truncate(byte* path, long length, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        long? fh = Handle(fi);
        return Run(fs => fs.Truncate(p, fh, length));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Open(byte* path, FuseFileInfo* fi) => OpenOrCreate(path, fi, create: false);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Create(byte* path, uint mode, FuseFileInfo* fi) => OpenOrCreate(path, fi, create: true);

    private static int OpenOrCreate(byte* path, FuseFileInfo* fi, bool create)
    {
        string p = PathOf(path);
        int flags = fi->Flags;
        int r = Run(fs =>
        {
            int e = fs.Open(p, flags, create, out long fh);
            fi->Fh = (ulong)fh;
            return e;
        });

        // direct_io (bit 1) on every open file: each read and write goes to the storage, none is
        // served from or held in the page cache (also asked for by the direct_io option).
        fi->Bits |= 1u << 1;
        return r;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Read(byte* path, byte* buffer, nuint size, long offset, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        long fh = (long)fi->Fh;
        int n = (int)Math.Min(size, int.MaxValue);
        return Run(fs => fs.Read(p, fh, new Span<byte>(buffer, n), offset));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Write(byte* path, byte* data, nuint size, long offset, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        long fh = (long)fi->Fh;
        int n = (int)Math.Min(size, int.MaxValue);
        return Run(fs => fs.Write(p, fh, new ReadOnlySpan<byte>(data, n), offset));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Statfs(byte* path, StatVfs* st)
    {
        // A 4 GiB disk with room to spare: a target that checks free space (none of ours do)
        // sees a plausible disk; running out is a fault plan's DiskFull, not statfs's business.
        *st = default;
        st->Bsize = st->Frsize = 4096;
        st->Blocks = 1UL << 20;
        st->Bfree = st->Bavail = 1UL << 19;
        st->Files = 1UL << 20;
        st->Ffree = st->Favail = 1UL << 19;
        st->Namemax = 255;
        return 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Flush(byte* path, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        long fh = (long)fi->Fh;
        return Run(fs => fs.Flush(p, fh));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Release(byte* path, FuseFileInfo* fi)
    {
        // path may be null here (an unlinked file, with hard_remove).
        string p = path is null ? string.Empty : PathOf(path);
        long fh = (long)fi->Fh;
        return Run(fs => fs.Release(p, fh));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Fsync(byte* path, int datasync, FuseFileInfo* fi)
    {
        string p = path is null ? string.Empty : PathOf(path);
        long fh = (long)fi->Fh;
        return Run(fs => fs.Fsync(p, fh, datasync != 0));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Opendir(byte* path, FuseFileInfo* fi)
    {
        string p = PathOf(path);
        return Run(fs => fs.OpenDir(p));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Readdir(byte* path, void* buffer, nint filler, long offset, FuseFileInfo* fi, int flags)
    {
        string p = PathOf(path);
        var fill = (delegate* unmanaged[Cdecl]<void*, byte*, Stat*, long, int, int>)filler;
        return Run(fs =>
        {
            var entries = new List<string>();
            int r = fs.ReadDir(p, entries);
            if (r != 0)
            {
                return r;
            }

            // Offset 0 for every entry: libfuse collects the whole listing and pages it itself.
            foreach (string name in (string[])[".", "..", .. entries])
            {
                byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(name + "\0");
                fixed (byte* n = utf8)
                {
                    if (fill(buffer, n, null, 0, 0) != 0)
                    {
                        break;
                    }
                }
            }

            return 0;
        });
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Releasedir(byte* path, FuseFileInfo* fi)
    {
        string p = path is null ? string.Empty : PathOf(path);
        return Run(fs => fs.ReleaseDir(p));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Fsyncdir(byte* path, int datasync, FuseFileInfo* fi)
    {
        string p = path is null ? string.Empty : PathOf(path);
        return Run(fs => fs.FsyncDir(p, datasync != 0));
    }
}
