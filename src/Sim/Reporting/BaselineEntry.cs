namespace AofSim.Sim.Reporting;

/// <summary>One (seed, property) of a baseline comparison.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Property">The property's name.</param>
/// <param name="Replay">The command that replays it (empty when the baseline did not say).</param>
public sealed record BaselineEntry(ulong Seed, string Property, string Replay);
