namespace AofSim.Sim.Simulating;

/// <summary>The fsync policy a run is asked for (<c>--policy</c>): one of appendfsync's three, or one drawn per seed.</summary>
public enum PolicyOption
{
    /// <summary>appendfsync always.</summary>
    Always,

    /// <summary>appendfsync everysec.</summary>
    Everysec,

    /// <summary>appendfsync no.</summary>
    No,

    /// <summary>Drawn per seed from the configuration stream.</summary>
    Mixed,
}
