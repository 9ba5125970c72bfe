namespace AofSim.Sim.Checking;

/// <summary>The properties a run checks (docs/simulator.md, docs/durability.md).</summary>
public enum Property
{
    /// <summary>After a recovery, the dataset equals the model after some prefix of the executed commands.</summary>
    ReplayEquivalence,

    /// <summary>That prefix holds every command the fsync policy promised to keep.</summary>
    Durability,

    /// <summary>After a rewrite, the new AOF alone loads to the live dataset.</summary>
    RewriteEquivalence,

    /// <summary>The AOF loads (strictly after a process exit; at worst after redis-check-aof --fix after a power loss).</summary>
    Availability,

    /// <summary>A rewrite child the server is done with left no temp file.</summary>
    TempFiles,

    /// <summary>The harness or the engine threw: reported for the seed, never a crash of the campaign.</summary>
    InternalError,

    /// <summary>The same seed run twice gave two different traces (run --recheck, docs/campaigns.md).</summary>
    Determinism,

    /// <summary>Under everysec, the server's background fsyncs of the AOF come at most once a second (less a cron period).</summary>
    FsyncCadence,
}

/// <summary>The properties' names, as reports and scenario files spell them.</summary>
public static class PropertyNames
{
    private static readonly string[] Names = ["replay-equivalence", "durability", "rewrite-equivalence", "availability", "temp-files", "internal-error", "determinism", "fsync-cadence"];

    /// <summary>The name of <paramref name="property"/>, e.g. <c>replay-equivalence</c>.</summary>
    public static string Name(this Property property) => Names[(int)property];

    /// <summary>The property named <paramref name="name"/>, or null.</summary>
    public static Property? Parse(string name)
    {
        int i = Array.IndexOf(Names, name);
        return i < 0 ? null : (Property)i;
    }
}
