namespace AofSim.Blackbox.Disks;

/// <summary>
/// The directory a black-box target runs on, and what can happen to it. A real server process is
/// started with <see cref="Directory"/> as its working (and AOF) directory; the driver kills it
/// and then asks the disk for a power loss (<see cref="PowerLoss"/>) or leaves the disk alone (a
/// process crash: the page cache survives).
/// </summary>
/// <remarks>
/// Implementations: <see cref="PlainDirectoryDisk"/> (a real directory, no faults, nothing lost at
/// a "power loss": the baseline for speed figures) and the FUSE disk (the simulated storage
/// behind a kernel mount, with its crash model and fault plan).
/// </remarks>
public interface IBlackboxDisk : IDisposable
{
    /// <summary>The directory the target works in (a mount point for the FUSE disk).</summary>
    string Directory { get; }

    /// <summary>One line for reports: what this disk is (kind, crash model, fault plan).</summary>
    string Describe { get; }

    /// <summary>
    /// Set when the disk wants the target stopped now: a fault plan's kill or power-loss action
    /// fired inside one of the target's calls (the call is held until the target is killed).
    /// The driver polls it, SIGKILLs the target, then calls <see cref="PowerLoss"/> when
    /// <see cref="DiskStop.PowerLoss"/>.
    /// </summary>
    DiskStop? StopRequested { get; }

    /// <summary>
    /// The power goes out; the target must already be dead (SIGKILLed and reaped). What was not
    /// durable is kept, torn or lost as the crash model decides, and the kernel's cache of the
    /// mount is forgotten (a remount), so the next target sees only what survived.
    /// </summary>
    /// <returns>What the crash did, one line per file touched (for the run's record).</returns>
    IReadOnlyList<string> PowerLoss();

    /// <summary>
    /// The driver has killed and reaped the target after a <see cref="DiskStop.Kill"/>: the stop
    /// is handled, and calls go on as before (a process crash leaves the disk as it is).
    /// <see cref="PowerLoss"/> clears a stop itself. Nothing to do for a disk that never stops.
    /// </summary>
    void ClearStop()
    {
    }
}

/// <summary>What a fault plan asked for inside a target's call.</summary>
public enum DiskStop
{
    /// <summary>kill -9 of the target: the page cache survives.</summary>
    Kill,

    /// <summary>A power loss: kill the target, then <see cref="IBlackboxDisk.PowerLoss"/>.</summary>
    PowerLoss,
}
