namespace AofSim.Sim.Simulating;

/// <summary>Which fault kinds a run may inject (docs/faults.md has what each one does).</summary>
/// <remarks>
/// The simulator's own kinds: <c>crash</c> (power loss at seeded events, then recovery and
/// checks), <c>slowfsync</c> (background fsyncs that sometimes take 0.5 s to 3.5 s), <c>kill</c>
/// (the rewrite child killed at a seeded step), <c>shortwrite</c> (an AOF write cut short by a
/// full disk). The others are drawn as a fault plan per seed (<see cref="FaultMix"/>).
/// </remarks>
public sealed record FaultSet
{
    /// <summary>The simulator's own kinds.</summary>
    public static readonly string[] SimKinds = FaultCatalog.Names(FaultInjection.SimulatorOption);

    /// <summary>Every kind <see cref="Parse"/> knows.</summary>
    public static readonly string[] Kinds = [.. SimKinds, .. FaultMix.Kinds];

    private readonly string[] on;

    /// <summary>The kinds in <paramref name="kinds"/> (each one of <see cref="Kinds"/>).</summary>
    public FaultSet(IEnumerable<string> kinds) => on = [.. Kinds.Where(kinds.Contains)];

    /// <summary>No fault.</summary>
    public static FaultSet None { get; } = new([]);

    /// <summary>Every kind.</summary>
    public static FaultSet All { get; } = new(Kinds);

    /// <summary>Power losses alone.</summary>
    public static FaultSet CrashOnly { get; } = new(["crash"]);

    /// <summary>The kinds on, in <see cref="Kinds"/> order.</summary>
    public IReadOnlyList<string> On => on;

    /// <summary>Power loss at seeded events.</summary>
    public bool Crash => Has(FaultKind.Crash);

    /// <summary>Slow background fsyncs.</summary>
    public bool SlowFsync => Has(FaultKind.SlowFsync);

    /// <summary>Killed rewrite children.</summary>
    public bool KillChild => Has(FaultKind.Kill);

    /// <summary>Short AOF writes from a full disk.</summary>
    public bool ShortWrite => Has(FaultKind.ShortWrite);

    /// <summary>The plan kinds on.</summary>
    public IReadOnlyList<string> PlanKinds => [.. on.Where(FaultMix.Kinds.Contains)];

    /// <summary>True when <paramref name="kind"/> is on.</summary>
    public bool Has(string kind) => on.Contains(kind);

    /// <summary>True when <paramref name="kind"/> is on.</summary>
    public bool Has(FaultKind kind) => on.Contains(kind.Name());

    /// <summary>Parses none|crash|all|a comma list of <see cref="Kinds"/>; null when a name is unknown.</summary>
    public static FaultSet? Parse(string text)
    {
        switch (text)
        {
            case "none":
                return None;
            case "all":
                return All;
        }

        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 || parts.Any(p => !Kinds.Contains(p)) ? null : new FaultSet(parts);
    }

    /// <inheritdoc/>
    public bool Equals(FaultSet? other) => other is not null && on.SequenceEqual(other.on);

    /// <inheritdoc/>
    public override int GetHashCode() => string.Join(',', on).GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => on.Length == 0 ? "none" : on.Length == Kinds.Length ? "all" : string.Join(',', on);
}
