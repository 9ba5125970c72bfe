namespace AofSim.Sim.Reporting;

/// <summary>A baseline file as read: its violations keyed by seed and property.</summary>
/// <param name="File">The file as given.</param>
/// <param name="OptionsKey">profile|policy|fs|faults|ops of the baseline run, or null when it does not say.</param>
/// <param name="Violations">Its violations.</param>
public sealed record Baseline(string File, string? OptionsKey, IReadOnlyList<BaselineEntry> Violations);
