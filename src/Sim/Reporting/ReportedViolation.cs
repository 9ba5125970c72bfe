namespace AofSim.Sim.Reporting;

/// <summary>One violation as the CI reports show it.</summary>
/// <param name="Seed">The failing seed.</param>
/// <param name="Property">The property's name (<c>durability</c>, …).</param>
/// <param name="Policy">The fsync policy the seed ran with.</param>
/// <param name="Fs">The crash model the seed ran with.</param>
/// <param name="Event">The event at which it was seen.</param>
/// <param name="TimeMs">Simulated time of that event.</param>
/// <param name="Detail">The one-line description.</param>
/// <param name="Replay">The command that replays the seed.</param>
public sealed record ReportedViolation(ulong Seed, string Property, string Policy, string Fs, int Event, long TimeMs, string Detail, string Replay);
