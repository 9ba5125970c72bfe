using AofSim.Faults;
using AofSim.Sim.Simulating;

namespace AofSim.Blackbox.Disks;

/// <summary>What a <see cref="FuseDisk"/> simulates.</summary>
public sealed record FuseDiskOptions
{
    /// <summary>The simulated storage: crash model, sector size (bytes), survival chances of pending writes.</summary>
    public SimStorageOptions Storage { get; init; } = new();

    /// <summary>The fault plan run on every call the target makes (none by default).</summary>
    public FaultPlan Faults { get; init; } = new([]);

    /// <summary>Seeds the crash choices: the power losses of one disk draw, in turn, from one <see cref="SimRandom"/> of this seed.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The mount point (an existing empty directory), or null for a fresh temporary one removed at dispose.</summary>
    public string? MountPoint { get; init; }

    /// <summary>The most call lines <see cref="FuseDisk.CallLog"/> keeps (the first ones; later ones are counted, not kept).</summary>
    public int CallLogLimit { get; init; } = 1_000_000;
}
