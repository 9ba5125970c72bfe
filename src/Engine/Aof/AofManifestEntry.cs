namespace AofSim.Engine.Aof;

/// <summary>One file named by a Redis 7 manifest.</summary>
/// <param name="Name">File name, relative to the manifest's directory.</param>
/// <param name="Sequence">Its sequence number.</param>
/// <param name="Type">'b' base, 'h' history, 'i' incr.</param>
public sealed record AofManifestEntry(string Name, long Sequence, char Type);
