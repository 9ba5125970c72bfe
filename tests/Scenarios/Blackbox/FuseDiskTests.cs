using System.Text;
using AofSim.Blackbox.Disks;

namespace AofSim.Scenarios.Blackbox;

/// <summary>The FUSE disk's operations through the kernel, on a real mount, each checked against what the simulated storage saw.</summary>
public sealed class FuseDiskTests
{
    [FuseFact]
    public void Create_write_read_fsync_rename_unlink_reach_the_simulated_storage()
    {
        using var disk = new FuseDisk();
        string a = Path.Combine(disk.Directory, "a.aof");
        byte[] hello = Encoding.ASCII.GetBytes("hello");

        int fd = Posix.Open(a, Posix.WriteOnly | Posix.Create | Posix.Append);
        Assert.Equal(5, Posix.Write(fd, hello));

        // direct_io: the write is in the simulated cache before any flush, fsync or close.
        Assert.Equal(hello, disk.ReadFile("a.aof"));
        Assert.Equal((5L, 0L), disk.Inspect(s => s.Sizes("a.aof")));
        Posix.Fdatasync(fd);
        Posix.Fsync(fd);
        Posix.Close(fd);

        Assert.Equal(hello, File.ReadAllBytes(a));
        File.Move(a, Path.Combine(disk.Directory, "b.aof"));
        Assert.Equal(["b.aof"], disk.Files);
        File.Delete(Path.Combine(disk.Directory, "b.aof"));
        Assert.Empty(disk.Files);

        Assert.Equal(
            [
                "open a.aof =3", "write 3 5 =5", "fdatasync 3 =0", "fsync 3 =0", "close 3 =0",
                "open a.aof =3", "close 3 =0", // File.ReadAllBytes
                "rename a.aof b.aof =0", "unlink b.aof =0",
            ],
            disk.CallLog);
    }
}
