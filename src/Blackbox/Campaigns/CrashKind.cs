namespace AofSim.Blackbox.Campaigns;

/// <summary>What a cycle's crash is (<c>--crash</c>).</summary>
public enum CrashKind
{
    /// <summary>SIGKILL only: the disk (and its page cache) untouched.</summary>
    Kill,

    /// <summary>SIGKILL, then the disk's power loss.</summary>
    Power,

    /// <summary>Drawn per cycle from the run's schedule stream.</summary>
    Mixed,
}
