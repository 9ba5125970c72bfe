using AofSim.Blackbox.Disks;

namespace AofSim.Sim.Cli;

/// <summary>The disks <c>aofsim blackbox --fs</c> names.</summary>
internal static class BlackboxDisks
{
    /// <summary>A fresh disk per seed for <paramref name="fs"/>, or a usage error.</summary>
    public static Func<ulong, IBlackboxDisk> Factory(string fs, string? faults) => fs switch
    {
        "plain" when faults is null => _ => new PlainDirectoryDisk(),
        "plain" => throw new UsageException("--faults needs the FUSE disk (--fs posix or ext4)"),
        "posix" or "ext4" => throw new UsageException($"--fs {fs} needs the FUSE disk, which this build does not have yet"),
        _ => throw new UsageException($"--fs must be plain, posix or ext4, not '{fs}'"),
    };
}
