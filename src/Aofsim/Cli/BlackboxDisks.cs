using AofSim.Blackbox.Disks;
using AofSim.Faults;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Cli;

/// <summary>The disks <c>aofsim blackbox --fs</c> names.</summary>
internal static class BlackboxDisks
{
    /// <summary>A fresh disk per seed for <paramref name="fs"/> (with the fault plan in the JSON file <paramref name="faults"/>), or a usage error.</summary>
    public static Func<ulong, IBlackboxDisk> Factory(string fs, string? faults)
    {
        CrashModel model = fs switch
        {
            "plain" when faults is null => CrashModel.StrictPosix,
            "plain" => throw new UsageException("--faults needs the FUSE disk (--fs posix or ext4)"),
            "posix" => CrashModel.StrictPosix,
            "ext4" => CrashModel.Ext4Ordered,
            _ => throw new UsageException($"--fs must be plain, posix or ext4, not '{fs}'"),
        };
        if (fs == "plain")
        {
            return _ => new PlainDirectoryDisk();
        }

        FaultPlan plan = new([]);
        if (faults is not null)
        {
            if (!File.Exists(faults))
            {
                throw new UsageException($"--faults: no such fault plan file: {faults}");
            }

            try
            {
                plan = FaultPlan.FromJson(File.ReadAllText(faults));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or FormatException or InvalidOperationException)
            {
                throw new UsageException($"--faults: {faults} is not a fault plan: {e.Message.Split('\n')[0]}");
            }
        }

        if (FuseDisk.Unavailable() is string why)
        {
            throw new UsageException($"--fs {fs} needs a FUSE mount, unavailable here: {why}");
        }

        return seed => new FuseDisk(new FuseDiskOptions { Storage = new SimStorageOptions { Model = model }, Faults = plan, Seed = seed });
    }
}
