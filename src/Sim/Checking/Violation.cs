namespace AofSim.Sim.Checking;

/// <summary>A property a run found broken.</summary>
/// <param name="Property">The property broken.</param>
/// <param name="Event">The event index at which it was found.</param>
/// <param name="TimeMs">Virtual time then.</param>
/// <param name="Detail">What was found, in words.</param>
/// <param name="Expected">The expected dataset or state (lines).</param>
/// <param name="Actual">The actual one (lines).</param>
public sealed record Violation(Property Property, int Event, long TimeMs, string Detail, IReadOnlyList<string> Expected, IReadOnlyList<string> Actual);
