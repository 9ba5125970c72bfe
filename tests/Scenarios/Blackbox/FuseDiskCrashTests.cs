using AofSim.Blackbox.Disks;
using AofSim.Engine.Ports;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Blackbox;

/// <summary>
/// A power loss on the mount yields exactly the crash state <see cref="SimStorage"/> computes:
/// the same calls are made through the kernel on a FUSE disk and directly on a second
/// <see cref="SimStorage"/>, both crash with a <see cref="SimRandom"/> of the same seed, and every
/// file read back through the kernel after the remount equals the reference.
/// </summary>
public sealed class FuseDiskCrashTests
{
    public static TheoryData<CrashModel, ulong> Cases()
    {
        var data = new TheoryData<CrashModel, ulong>();
        foreach (CrashModel model in Enum.GetValues<CrashModel>())
        {
            for (ulong seed = 1; seed <= 6; seed++)
            {
                data.Add(model, seed);
            }
        }

        return data;
    }

    [FuseTheory]
    [MemberData(nameof(Cases))]
    public void A_power_loss_on_the_mount_is_the_crash_state_SimStorage_computes(CrashModel model, ulong seed)
    {
        var options = new SimStorageOptions { Model = model };
        using var disk = new FuseDisk(new FuseDiskOptions { Storage = options, Seed = seed });
        var reference = new SimStorage(options);
        var ops = new Both(disk.Directory, reference);

        ops.Mkdir("appendonlydir");
        int aof = ops.Open("appendonlydir/appendonly.aof.1.incr.aof", OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Append);
        ops.Write(aof, Bytes(700, 1));
        ops.Write(aof, Bytes(900, 2));
        ops.Fdatasync(aof);
        ops.Write(aof, Bytes(1300, 3));
        ops.Write(aof, Bytes(600, 4));
        ops.FsyncDirectory("appendonlydir");

        int top = ops.Open("appendonly.aof", OpenFlags.ReadWrite | OpenFlags.Create);
        ops.Write(top, Bytes(2000, 5));
        ops.Fsync(top);
        ops.Write(top, Bytes(1000, 6));
        ops.Ftruncate(top, 1500);
        ops.Write(top, Bytes(300, 7));

        int temp = ops.Open("temp-rewriteaof-9.aof", OpenFlags.WriteOnly | OpenFlags.Create);
        ops.Write(temp, Bytes(1500, 8));
        ops.Fsync(temp);
        ops.Close(temp);
        ops.Rename("temp-rewriteaof-9.aof", "appendonlydir/appendonly.aof.2.base.rdb");
        ops.Write(aof, Bytes(513, 9));
        int lost = ops.Open("never-synced", OpenFlags.WriteOnly | OpenFlags.Create);
        ops.Write(lost, Bytes(100, 10));

        // The target dies before the power loss: its descriptors are closed (writes stay pending).
        ops.Close(aof);
        ops.Close(top);
        ops.Close(lost);

        // The crash has choices to make.
        Assert.True(reference.PendingAtRisk > 0);

        IReadOnlyList<string> report = disk.PowerLoss();
        IReadOnlyList<string> expectedReport = reference.Crash(new SimRandom(seed));

        Assert.Equal(expectedReport, report);
        Assert.Equal(reference.Names, disk.Files);
        Assert.Equal(reference.Directories, disk.Directories);
        Assert.Equal(reference.Names, ListThroughKernel(disk.Directory));
        foreach (string name in reference.Names)
        {
            Assert.Equal(reference.ReadAll(name), File.ReadAllBytes(Path.Combine(disk.Directory, name)));
        }

        // What the models promise, independent of the seed.
        if (model == CrashModel.StrictPosix)
        {
            // Nobody fsynced the root: the directory, and everything in it, is gone.
            Assert.Empty(disk.Files);
        }
        else
        {
            Assert.Contains("never-synced", disk.Files);
            Assert.Equal(Bytes(1500, 8), File.ReadAllBytes(Path.Combine(disk.Directory, "appendonlydir/appendonly.aof.2.base.rdb")));
            Assert.Equal([.. Bytes(700, 1), .. Bytes(900, 2)], File.ReadAllBytes(Path.Combine(disk.Directory, "appendonlydir/appendonly.aof.1.incr.aof"))[..1600]);
        }
    }

    [FuseTheory]
    [InlineData(CrashModel.StrictPosix)]
    [InlineData(CrashModel.Ext4Ordered)]
    public void The_root_and_sub_directory_fsyncs_make_names_durable_under_strict_posix_and_the_disk_works_after_the_remount(CrashModel model)
    {
        using var disk = new FuseDisk(new FuseDiskOptions { Storage = new SimStorageOptions { Model = model }, Seed = 3 });
        string dir = Path.Combine(disk.Directory, "appendonlydir");
        Directory.CreateDirectory(dir);
        Posix.FsyncDirectory(disk.Directory);
        string file = Path.Combine(dir, "appendonly.aof.manifest");
        int fd = Posix.Open(file, Posix.WriteOnly | Posix.Create);
        Posix.Write(fd, "file appendonly.aof.1.incr.aof seq 1 type i\n"u8.ToArray());
        Posix.Fdatasync(fd);
        Posix.Close(fd);
        Posix.FsyncDirectory(dir);

        disk.PowerLoss();

        Assert.Equal("file appendonly.aof.1.incr.aof seq 1 type i\n"u8.ToArray(), File.ReadAllBytes(file));
        File.AppendAllText(file, "more");
        Assert.EndsWith("more", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal(1, disk.PowerLosses);
    }

    private static List<string> ListThroughKernel(string root) =>
        [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    private static byte[] Bytes(int count, byte tag) => [.. Enumerable.Range(0, count).Select(i => (byte)(tag * 31 + i))];

    // Each call made through the kernel (libc on the mount) and on the reference storage; the
    // descriptors are the kernel's, mapped to the reference's.
    private sealed class Both(string root, SimStorage reference)
    {
        private readonly Dictionary<int, int> refFd = [];

        public void Mkdir(string path)
        {
            Directory.CreateDirectory(Path.Combine(root, path));
            Assert.Equal(Errno.None, reference.Mkdir(path));
        }

        public int Open(string path, OpenFlags flags)
        {
            int fd = Posix.Open(Path.Combine(root, path), (int)flags);
            SysResult r = reference.Open(path, flags);
            Assert.True(r.Ok);
            refFd[fd] = (int)r.Value;
            return fd;
        }

        public void Write(int fd, byte[] data)
        {
            Assert.Equal(data.Length, Posix.Write(fd, data));
            Assert.Equal(data.Length, reference.Write(refFd[fd], data).Value);
        }

        public void Fsync(int fd)
        {
            Posix.Fsync(fd);
            Assert.Equal(Errno.None, reference.Fsync(refFd[fd]));
        }

        public void Fdatasync(int fd)
        {
            Posix.Fdatasync(fd);
            Assert.Equal(Errno.None, reference.Fdatasync(refFd[fd]));
        }

        public void Ftruncate(int fd, long length)
        {
            Posix.Ftruncate(fd, length);
            Assert.Equal(Errno.None, reference.Ftruncate(refFd[fd], length));
        }

        public void Close(int fd)
        {
            Posix.Close(fd);
            Assert.Equal(Errno.None, reference.Close(refFd[fd]));
            refFd.Remove(fd);
        }

        public void Rename(string from, string to)
        {
            File.Move(Path.Combine(root, from), Path.Combine(root, to));
            Assert.Equal(Errno.None, reference.Rename(from, to));
        }

        public void FsyncDirectory(string path)
        {
            Posix.FsyncDirectory(Path.Combine(root, path));
            Assert.Equal(Errno.None, reference.FsyncDirectory(path));
        }
    }
}
