using System.Diagnostics;
using AofSim.Blackbox.Disks;
using AofSim.Engine.Ports;
using AofSim.Faults;

namespace AofSim.Scenarios.Blackbox;

/// <summary>The fault plan on the FUSE disk: what a target's calls through the kernel get, and the hold of a kill.</summary>
public sealed class FuseDiskFaultTests
{
    [FuseFact]
    public void A_failed_fdatasync_reaches_the_caller_as_EIO_and_leaves_the_writes_undurable()
    {
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Fdatasync, Nth: 2, Path: "*.aof"), new Fail(Errno.EIO), "fsync-eio")]);
        // Ext4Ordered: the name is durable at once, so the durable size is the data's alone.
        using var disk = new FuseDisk(new FuseDiskOptions { Faults = plan, Storage = new() { Model = AofSim.Sim.Simulating.CrashModel.Ext4Ordered } });
        int fd = Posix.Open(Path.Combine(disk.Directory, "a.aof"), Posix.WriteOnly | Posix.Create | Posix.Append);
        Posix.Write(fd, new byte[10]);
        Posix.Fdatasync(fd);
        Posix.Write(fd, new byte[5]);
        Assert.Equal(5, Posix.Errno(() => Posix.TryFsyncData(fd)));
        Posix.Close(fd);

        Assert.Equal((15L, 10L), disk.Inspect(s => s.Sizes("a.aof")));
        FaultEvent fired = Assert.Single(disk.FaultEvents);
        Assert.Equal("fsync-eio", fired.Kind);
        Assert.Equal(2, fired.Nth);
    }

    [FuseFact]
    public void A_short_write_returns_the_short_count_to_the_caller()
    {
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Write), new ShortWrite(3))]);
        using var disk = new FuseDisk(new FuseDiskOptions { Faults = plan });
        int fd = Posix.Open(Path.Combine(disk.Directory, "a.aof"), Posix.WriteOnly | Posix.Create);
        Assert.Equal(3, Posix.Write(fd, "abcdef"u8.ToArray()));
        Posix.Close(fd);
        Assert.Equal("abc"u8.ToArray(), disk.ReadFile("a.aof"));
    }

    [FuseFact]
    public void A_kill_holds_the_call_until_the_target_is_killed_then_fails_it()
    {
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Write, Path: "victim"), new Kill())]);
        using var disk = new FuseDisk(new FuseDiskOptions { Faults = plan });
        string victim = Path.Combine(disk.Directory, "victim");
        using Process target = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"printf hello > '{victim}'; echo done"]) { RedirectStandardOutput = true })!;

        // The driver's loop: poll the disk until it asks for the stop (bounded), then SIGKILL.
        var deadline = Stopwatch.StartNew();
        while (disk.StopRequested is null && deadline.Elapsed < TimeSpan.FromSeconds(20) && !target.HasExited)
        {
            Thread.Sleep(5);
        }

        Assert.Equal(DiskStop.Kill, disk.StopRequested);
        Assert.False(target.HasExited); // held inside its write
        target.Kill();
        Assert.True(target.WaitForExit(10_000));
        Assert.Equal(string.Empty, target.StandardOutput.ReadToEnd());
        disk.ClearStop();

        Assert.Null(disk.StopRequested);
        Assert.Equal([], disk.ReadFile("victim") ?? [0xFF]); // created, but the killed write never happened
        File.WriteAllText(Path.Combine(disk.Directory, "after"), "x"); // the disk goes on
        Assert.Equal("x"u8.ToArray(), disk.ReadFile("after"));
    }

    [FuseFact]
    public void A_power_loss_fault_stops_the_disk_until_PowerLoss()
    {
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Fsync, Path: "victim"), new PowerLoss(After: true))]);
        using var disk = new FuseDisk(new FuseDiskOptions { Faults = plan });
        string victim = Path.Combine(disk.Directory, "victim");
        File.WriteAllText(Path.Combine(disk.Directory, "before"), "b");
        using Process target = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", $"import os; f=os.open('{victim}', os.O_WRONLY|os.O_CREAT); os.write(f, b'abc'); os.fsync(f); print('done')"]) { RedirectStandardOutput = true })!;
        StopsAtThePowerLoss(disk, target);

        // The power is off: nothing reaches the storage.
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(disk.Directory, "late"), "x"));
        Assert.DoesNotContain("late", disk.Files);

        disk.PowerLoss();
        Assert.Null(disk.StopRequested);

        // StrictPosix, no directory fsync: no name survives; the disk works again.
        Assert.Empty(disk.Files);
        File.WriteAllText(Path.Combine(disk.Directory, "after"), "x");
        Assert.Equal(["after"], disk.Files);
    }

    [FuseFact]
    public void Dispose_ends_a_mount_another_process_still_holds_while_the_power_is_off()
    {
        var plan = new FaultPlan([new Fault(new Trigger(FaultOp.Fsync, Path: "victim"), new PowerLoss(After: true))]);
        var disk = new FuseDisk(new FuseDiskOptions { Faults = plan });
        string dir = disk.Directory;
        // A leftover process (a target nobody killed) whose working directory is on the mount: it keeps the mount busy.
        using Process holder = Process.Start(new ProcessStartInfo("sleep", ["600"]) { WorkingDirectory = dir })!;
        try
        {
            using Process target = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", $"import os; f=os.open('{Path.Combine(dir, "victim")}', os.O_WRONLY|os.O_CREAT); os.write(f, b'abc'); os.fsync(f)"]))!;
            StopsAtThePowerLoss(disk, target);

            // The power is off (every request fails with EIO) and the mount is busy: the unmount
            // must still end the connection, not wait for the holder.
            var clock = Stopwatch.StartNew();
            disk.Dispose();

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"Dispose took {clock.Elapsed.TotalSeconds:F1} s");
            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), l => l.Split(' ')[1] == dir);
            Assert.False(holder.HasExited); // it was not killed to free the mount
        }
        finally
        {
            disk.Dispose();
            holder.Kill();
            holder.WaitForExit();
        }
    }

    // The target's fsync hits the plan's power loss: the disk asks to stop (polled until it does,
    // the target ends, or 20 s pass), and the target, stuck on the dead disk, is killed.
    private static void StopsAtThePowerLoss(FuseDisk disk, Process target)
    {
        var deadline = Stopwatch.StartNew();
        while (disk.StopRequested is null && deadline.Elapsed < TimeSpan.FromSeconds(20) && !target.HasExited)
        {
            Thread.Sleep(5);
        }

        Assert.Equal(DiskStop.PowerLoss, disk.StopRequested);
        target.Kill();
        Assert.True(target.WaitForExit(10_000));
    }
}
