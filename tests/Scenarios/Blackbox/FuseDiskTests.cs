using System.Text;
using AofSim.Blackbox.Disks;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Blackbox;

/// <summary>
/// The FUSE disk's operations through the kernel, on a real mount: each test makes the calls a
/// target makes (File/FileStream/Directory, and libc for fsync, fdatasync, a directory's fsync,
/// pwrite, ftruncate) and checks what the simulated storage saw and what reads return.
/// </summary>
public sealed class FuseDiskTests
{
    private static readonly byte[] Hello = Encoding.ASCII.GetBytes("hello");

    [FuseFact]
    public void Create_write_read_fsync_rename_unlink_reach_the_simulated_storage()
    {
        using var disk = new FuseDisk();
        string a = Path.Combine(disk.Directory, "a.aof");

        int fd = Posix.Open(a, Posix.WriteOnly | Posix.Create | Posix.Append);
        Assert.Equal(5, Posix.Write(fd, Hello));

        // direct_io: the write is in the simulated cache before any flush, fsync or close, and
        // not yet durable.
        Assert.Equal(Hello, disk.ReadFile("a.aof"));
        Assert.Equal((5L, 0L), disk.Inspect(s => s.Sizes("a.aof")));
        Posix.Fdatasync(fd);
        Posix.Fsync(fd);
        Posix.Close(fd);

        Assert.Equal(Hello, File.ReadAllBytes(a));
        File.Move(a, Path.Combine(disk.Directory, "b.aof"));
        Assert.Equal(["b.aof"], disk.Files);
        File.Delete(Path.Combine(disk.Directory, "b.aof"));
        Assert.Empty(disk.Files);

        // The kernel sends FUSE_RELEASE after close(2) has returned: a close can reach the disk
        // after the next open (which then gets another descriptor) or after the rename. So the
        // calls are compared without their closes and descriptors, and both closes are awaited.
        Assert.True(SpinWait.SpinUntil(() => disk.CallLog.Count(l => l.StartsWith("close ", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(10)), string.Join(", ", disk.CallLog));
        Assert.All(disk.CallLog.Where(l => l.StartsWith("close ", StringComparison.Ordinal)), l => Assert.EndsWith(" =0", l, StringComparison.Ordinal));
        Assert.Equal(
            [
                "open a.aof", "write 5 =5", "fdatasync =0", "fsync =0",
                "open a.aof", // File.ReadAllBytes
                "rename a.aof b.aof =0", "unlink b.aof =0",
            ],
            disk.CallLog.Where(l => !l.StartsWith("close ", StringComparison.Ordinal)).Select(WithoutDescriptor));
        IReadOnlyDictionary<string, long> ops = disk.Operations;
        foreach (string op in (string[])["create", "write", "fdatasync", "fsync", "flush", "release", "open", "read", "rename", "unlink", "getattr"])
        {
            Assert.True(ops.GetValueOrDefault(op) > 0, $"no {op} request reached the disk: {string.Join(", ", ops)}");
        }
    }

    [FuseFact]
    public void A_write_on_a_file_opened_O_SYNC_or_O_DSYNC_is_durable_when_it_returns()
    {
        // Under direct_io the kernel sends no fsync for an O_SYNC write: it passes the open flags,
        // and the file system must make the write durable before replying (Garnet's managed
        // device writes its AOF this way on a mount that refuses O_DIRECT).
        using var disk = new FuseDisk();
        int sync = Posix.Open(Path.Combine(disk.Directory, "sync.log"), Posix.WriteOnly | Posix.Create | Posix.Sync);
        int dsync = Posix.Open(Path.Combine(disk.Directory, "dsync.log"), Posix.WriteOnly | Posix.Create | Posix.DataSync);
        int plain = Posix.Open(Path.Combine(disk.Directory, "plain.log"), Posix.WriteOnly | Posix.Create);
        Posix.FsyncDirectory(disk.Directory); // the names durable (strict POSIX counts a file's bytes only then)

        Assert.Equal(5, Posix.PWrite(sync, Hello, 0));
        Assert.Equal(5, Posix.PWrite(dsync, Hello, 0));
        Assert.Equal(5, Posix.PWrite(plain, Hello, 0));

        Assert.Equal((5L, 5L), disk.Inspect(s => s.Sizes("sync.log")));
        Assert.Equal((5L, 5L), disk.Inspect(s => s.Sizes("dsync.log")));
        Assert.Equal((5L, 0L), disk.Inspect(s => s.Sizes("plain.log")));
        Posix.Close(sync);
        Posix.Close(dsync);
        Posix.Close(plain);
        Assert.Contains("fsync 3 =0", disk.CallLog);
        Assert.Contains("fdatasync 4 =0", disk.CallLog);
    }

    [FuseFact]
    public void A_sub_directory_is_made_listed_fsynced_and_removed()
    {
        using var disk = new FuseDisk();
        string dir = Path.Combine(disk.Directory, "appendonlydir");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "appendonly.aof.1.incr.aof"), Hello);
        Posix.FsyncDirectory(dir);
        Posix.FsyncDirectory(disk.Directory);

        Assert.Equal(["appendonlydir"], Directory.GetFileSystemEntries(disk.Directory).Select(Path.GetFileName));
        Assert.True(Directory.Exists(dir));
        Assert.Equal(["appendonly.aof.1.incr.aof"], Directory.GetFiles(dir).Select(Path.GetFileName));
        Assert.Equal(["appendonlydir/appendonly.aof.1.incr.aof"], disk.Files);
        Assert.Equal(["appendonlydir"], disk.Directories);
        Assert.Contains("mkdir appendonlydir =0", disk.CallLog);
        Assert.Contains("fsyncdir appendonlydir =0", disk.CallLog);
        Assert.Contains("fsyncdir . =0", disk.CallLog);

        // rmdir of a directory with a file in it fails; emptied, it goes.
        Assert.ThrowsAny<IOException>(() => Directory.Delete(dir));
        File.Delete(Path.Combine(dir, "appendonly.aof.1.incr.aof"));
        Directory.Delete(dir);
        Assert.Empty(disk.Directories);
        Assert.False(Directory.Exists(dir));
        foreach (string op in (string[])["mkdir", "opendir", "readdir", "releasedir", "fsyncdir", "rmdir"])
        {
            Assert.True(disk.Operations.GetValueOrDefault(op) > 0, $"no {op} request reached the disk");
        }
    }

    [FuseFact]
    public void Writes_and_reads_at_offsets_truncate_and_ftruncate()
    {
        using var disk = new FuseDisk();
        string f = Path.Combine(disk.Directory, "f");
        int fd = Posix.Open(f, Posix.ReadWrite | Posix.Create);
        Posix.PWrite(fd, Encoding.ASCII.GetBytes("abcdef"), 0);
        Posix.PWrite(fd, Encoding.ASCII.GetBytes("xy"), 10);
        byte[] expected = [.. "abcdef"u8, 0, 0, 0, 0, .. "xy"u8];
        Assert.Equal(expected, disk.ReadFile("f"));
        Assert.Equal(expected[3..7], Posix.PRead(fd, 4, 3));
        Assert.Equal(12, new FileInfo(f).Length);

        Posix.Ftruncate(fd, 2);
        Assert.Equal("ab"u8.ToArray(), disk.ReadFile("f"));
        Assert.Contains("ftruncate 3 2 =0", disk.CallLog);
        Posix.Close(fd);

        // truncate(2) by path: the disk opens, cuts and closes.
        Posix.TruncatePath(f, 1);
        Assert.Equal("a"u8.ToArray(), File.ReadAllBytes(f));
        // (Its descriptor is 3 or, when the kernel's release of fd 3 comes later, another one.)
        List<string> log = [.. disk.CallLog];
        int cut = log.FindIndex(l => l.StartsWith("ftruncate ", StringComparison.Ordinal) && l.EndsWith(" 1 =0", StringComparison.Ordinal));
        Assert.True(cut > 0, string.Join(", ", log));
        string inner = log[cut].Split(' ')[1];
        Assert.Equal([$"open f ={inner}", $"ftruncate {inner} 1 =0", $"close {inner} =0"], log.Skip(cut - 1).Take(3));
    }

    [FuseFact]
    public void Rename_over_a_file_and_unlink_of_an_open_file_behave_as_on_a_disk()
    {
        using var disk = new FuseDisk();
        string old = Path.Combine(disk.Directory, "appendonly.aof");
        string temp = Path.Combine(disk.Directory, "temp-rewriteaof-1.aof");
        File.WriteAllBytes(old, "old"u8.ToArray());
        File.WriteAllBytes(temp, "new"u8.ToArray());

        int fd = Posix.Open(old, Posix.ReadOnly);
        File.Move(temp, old, overwrite: true);
        Assert.Equal("new"u8.ToArray(), File.ReadAllBytes(old));

        // The descriptor opened before the rename still reads the replaced file (its inode).
        Assert.Equal("old"u8.ToArray(), Posix.PRead(fd, 10, 0));
        File.Delete(old);
        Assert.Empty(disk.Files);
        Assert.Empty(Directory.GetFiles(disk.Directory)); // hard_remove: no .fuse_hidden file
        Assert.Equal("old"u8.ToArray(), Posix.PRead(fd, 10, 0));
        Posix.Close(fd);
    }

    [FuseFact]
    public void Statfs_getattr_and_missing_files_answer_as_a_file_system()
    {
        using var disk = new FuseDisk();
        var drive = new DriveInfo(disk.Directory);
        Assert.Equal(4L << 30, drive.TotalSize);
        Assert.True(disk.Operations.GetValueOrDefault("statfs") > 0);

        File.WriteAllBytes(Path.Combine(disk.Directory, "x"), new byte[1234]);
        Assert.Equal(1234, new FileInfo(Path.Combine(disk.Directory, "x")).Length);
        Assert.False(File.Exists(Path.Combine(disk.Directory, "nothing")));
        Assert.Throws<FileNotFoundException>(() => File.ReadAllBytes(Path.Combine(disk.Directory, "nothing")));
        Assert.Throws<IOException>(() => Posix.Open(Path.Combine(disk.Directory, "nodir", "f"), Posix.WriteOnly | Posix.Create));
        File.SetLastWriteTimeUtc(Path.Combine(disk.Directory, "x"), DateTime.UtcNow); // utimens: accepted, not kept
        Assert.True(disk.Operations.GetValueOrDefault("utimens") > 0);
    }

    [FuseFact]
    public void A_large_write_reaches_the_storage_whole_in_kernel_sized_pieces()
    {
        using var disk = new FuseDisk();
        byte[] data = [.. Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 7))];
        File.WriteAllBytes(Path.Combine(disk.Directory, "big"), data);
        Assert.Equal(data, disk.ReadFile("big"));
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(disk.Directory, "big")));
        Assert.True(disk.CallLog.Count(l => l.StartsWith("write ", StringComparison.Ordinal)) >= 1);
    }

    [FuseFact]
    public void Describe_names_the_crash_model_and_the_mount()
    {
        using var disk = new FuseDisk(new FuseDiskOptions { Storage = new SimStorageOptions { Model = CrashModel.Ext4Ordered } });
        Assert.Contains("Ext4Ordered", disk.Describe, StringComparison.Ordinal);
        Assert.Contains(disk.Directory, disk.Describe, StringComparison.Ordinal);
        Assert.Contains(File.ReadAllLines("/proc/self/mounts"), l => l.Split(' ')[1] == disk.Directory && l.Contains("fuse", StringComparison.Ordinal));
    }

    [FuseFact]
    public void Dispose_unmounts_and_removes_the_mount_point()
    {
        string dir;
        using (var disk = new FuseDisk())
        {
            dir = disk.Directory;
            File.WriteAllBytes(Path.Combine(dir, "x"), Hello);
        }

        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), l => l.Split(' ')[1] == dir);
        Assert.False(Directory.Exists(dir));
    }

    // A call-log line without its descriptor: "open a.aof =3" -> "open a.aof", "write 3 5 =5" -> "write 5 =5".
    private static string WithoutDescriptor(string line)
    {
        string[] parts = line.Split(' ');
        return parts[0] switch
        {
            "open" => string.Join(' ', parts[..^1]),
            "write" or "fdatasync" or "fsync" => string.Join(' ', parts.Where((_, i) => i != 1)),
            _ => line,
        };
    }
}
