using System.Runtime.InteropServices;

namespace AofSim.Blackbox.Fuse;

// libfuse3's high-level API (fuse.h, FUSE_USE_VERSION 3.14) and the few libc calls around it, for
// x86_64 Linux. The high-level API is used rather than the low-level one because it resolves
// inodes to paths, and the simulated storage is keyed by path: the low-level API would have us
// keep an inode table that says nothing the storage does not already say. Its costs are known
// and switched off by options (FuseMount): it caches nothing itself, but by default renames an
// unlinked open file to .fuse_hidden* (hard_remove turns that off).
//
// Layouts below were checked with offsetof against /usr/include/fuse3 of libfuse3 3.14 on
// x86_64 (struct stat 144 bytes, struct statvfs 112, fuse_file_info 40 with fh at 16,
// fuse_operations 42 pointers, fuse_context pid at 16).
internal static unsafe partial class FuseNative
{
    public const string Library = "libfuse3.so.3";

    // errno values (Linux).
    public const int ENOENT = 2;
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int EBUSY = 16;

    // st_mode file types.
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFREG = 0x8000;

    // open(2) flags as the kernel passes them in fuse_file_info.flags.
    public const int O_ACCMODE = 3;
    public const int O_CREAT = 0x40;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_DSYNC = 0x1000;
    public const int O_SYNC = 0x101000; // __O_SYNC | O_DSYNC

    // umount2(2) flags.
    public const int MNT_DETACH = 2;

    // Offsets in struct fuse_config (libfuse 3.14, x86_64; 128 bytes).
    public const int ConfigEntryTimeout = 24;
    public const int ConfigNegativeTimeout = 32;
    public const int ConfigAttrTimeout = 40;
    public const int ConfigHardRemove = 60;
    public const int ConfigDirectIo = 72;
    public const int ConfigKernelCache = 76;
    public const int ConfigAutoCache = 80;

    // fuse_conn_info.want bit for the kernel's writeback cache (never wanted here).
    public const uint FUSE_CAP_WRITEBACK_CACHE = 1 << 16;

    [LibraryImport(Library, EntryPoint = "fuse_new_31")]
    public static partial nint FuseNew(FuseArgs* args, FuseOperations* ops, nuint opSize, nint userData);

    [LibraryImport(Library, EntryPoint = "fuse_opt_free_args")]
    public static partial void FuseOptFreeArgs(FuseArgs* args);

    [LibraryImport(Library, EntryPoint = "fuse_mount", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FuseMount(nint fuse, string mountpoint);

    [LibraryImport(Library, EntryPoint = "fuse_loop")]
    public static partial int FuseLoop(nint fuse);

    [LibraryImport(Library, EntryPoint = "fuse_exit")]
    public static partial void FuseExit(nint fuse);

    [LibraryImport(Library, EntryPoint = "fuse_unmount")]
    public static partial void FuseUnmount(nint fuse);

    [LibraryImport(Library, EntryPoint = "fuse_destroy")]
    public static partial void FuseDestroy(nint fuse);

    [LibraryImport(Library, EntryPoint = "fuse_get_context")]
    public static partial FuseContext* FuseGetContext();

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatPath(string path, Stat* st);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    /// <summary>struct fuse_args.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FuseArgs
    {
        public int Argc;
        public byte** Argv;
        public int Allocated;
    }

    /// <summary>struct fuse_context (the fields read here).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FuseContext
    {
        public nint Fuse;
        public uint Uid;
        public uint Gid;
        public int Pid;
        public nint PrivateData;
        public uint Umask;
    }

    /// <summary>struct fuse_file_info: flags at 0, the bit fields at 4 (direct_io is bit 1), fh at 16.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct FuseFileInfo
    {
        [FieldOffset(0)]
        public int Flags;

        [FieldOffset(4)]
        public uint Bits;

        [FieldOffset(16)]
        public ulong Fh;
    }

    /// <summary>struct stat (x86_64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    public struct Stat
    {
        [FieldOffset(0)]
        public ulong Dev;

        [FieldOffset(8)]
        public ulong Ino;

        [FieldOffset(16)]
        public ulong Nlink;

        [FieldOffset(24)]
        public uint Mode;

        [FieldOffset(28)]
        public uint Uid;

        [FieldOffset(32)]
        public uint Gid;

        [FieldOffset(48)]
        public long Size;

        [FieldOffset(56)]
        public long Blksize;

        [FieldOffset(64)]
        public long Blocks;

        [FieldOffset(72)]
        public long AtimeSec;

        [FieldOffset(88)]
        public long MtimeSec;

        [FieldOffset(104)]
        public long CtimeSec;
    }

    /// <summary>struct statvfs (x86_64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    public struct StatVfs
    {
        [FieldOffset(0)]
        public ulong Bsize;

        [FieldOffset(8)]
        public ulong Frsize;

        [FieldOffset(16)]
        public ulong Blocks;

        [FieldOffset(24)]
        public ulong Bfree;

        [FieldOffset(32)]
        public ulong Bavail;

        [FieldOffset(40)]
        public ulong Files;

        [FieldOffset(48)]
        public ulong Ffree;

        [FieldOffset(56)]
        public ulong Favail;

        [FieldOffset(80)]
        public ulong Namemax;
    }

    /// <summary>struct fuse_operations of libfuse 3.14: 42 function pointers, in this order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FuseOperations
    {
        public nint Getattr;
        public nint Readlink;
        public nint Mknod;
        public nint Mkdir;
        public nint Unlink;
        public nint Rmdir;
        public nint Symlink;
        public nint Rename;
        public nint Link;
        public nint Chmod;
        public nint Chown;
        public nint Truncate;
        public nint Open;
        public nint Read;
        public nint Write;
        public nint Statfs;
        public nint Flush;
        public nint Release;
        public nint Fsync;
        public nint Setxattr;
        public nint Getxattr;
        public nint Listxattr;
        public nint Removexattr;
        public nint Opendir;
        public nint Readdir;
        public nint Releasedir;
        public nint Fsyncdir;
        public nint Init;
        public nint Destroy;
        public nint Access;
        public nint Create;
        public nint Lock;
        public nint Utimens;
        public nint Bmap;
        public nint Ioctl;
        public nint Poll;
        public nint WriteBuf;
        public nint ReadBuf;
        public nint Flock;
        public nint Fallocate;
        public nint CopyFileRange;
        public nint Lseek;
    }
}
