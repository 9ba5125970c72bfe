namespace AofSim.Sim.Simulating;

/// <summary>
/// Which command families the workload draws from (<see cref="Workload.Families"/>: strings,
/// counters, keys, expiry, lists, …, and MULTI blocks). Swarm testing turns a random subset of them
/// off per seed (<see cref="Swarm"/>); without it every family is on.
/// </summary>
public sealed record FamilySet
{
    private readonly string[] on;

    /// <summary>The families in <paramref name="families"/> (each one of <see cref="Workload.Families"/>).</summary>
    public FamilySet(IEnumerable<string> families)
    {
        string[] wanted = [.. families];
        on = [.. Workload.Families.Where(wanted.Contains)];
    }

    /// <summary>Every family.</summary>
    public static FamilySet All { get; } = new(Workload.Families);

    /// <summary>The families on, in <see cref="Workload.Families"/> order.</summary>
    public IReadOnlyList<string> On => on;

    /// <summary>True when <paramref name="family"/> is on.</summary>
    public bool Has(string family) => on.Contains(family);

    /// <summary>Parses all|none|a comma list of <see cref="Workload.Families"/>; null when a name is unknown.</summary>
    public static FamilySet? Parse(string text)
    {
        switch (text)
        {
            case "all":
                return All;
            case "none":
                return new FamilySet([]);
        }

        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 || parts.Any(p => !Workload.Families.Contains(p)) ? null : new FamilySet(parts);
    }

    /// <inheritdoc/>
    public bool Equals(FamilySet? other) => other is not null && on.SequenceEqual(other.on);

    /// <inheritdoc/>
    public override int GetHashCode() => string.Join(',', on).GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => on.Length == 0 ? "none" : on.Length == Workload.Families.Count ? "all" : string.Join(',', on);
}
