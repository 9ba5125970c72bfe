namespace AofSim.Sim.Simulating;

/// <summary>The crash model a run is asked for (<c>--fs</c>): one of the two, or one drawn per seed.</summary>
public enum CrashModelOption
{
    /// <summary>Strict POSIX (<see cref="CrashModel.StrictPosix"/>).</summary>
    Posix,

    /// <summary>ext4 data=ordered (<see cref="CrashModel.Ext4Ordered"/>).</summary>
    Ext4,

    /// <summary>Drawn per seed from the configuration stream.</summary>
    Mixed,
}
