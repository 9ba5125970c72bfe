using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Campaigns;

/// <summary>A violation as a record keeps it.</summary>
public sealed class RecordViolation
{
    /// <summary>The property, e.g. <c>durability</c>.</summary>
    public string Property { get; set; } = string.Empty;

    /// <summary>The event index at which it was found.</summary>
    public int Event { get; set; }

    /// <summary>Virtual time then.</summary>
    public long TimeMs { get; set; }

    /// <summary>What was found, in words.</summary>
    public string Detail { get; set; } = string.Empty;

    /// <summary>Expected lines the actual state lacks (at most <see cref="SeedRecord.MaxDiffLines"/>).</summary>
    public List<string> Expected { get; set; } = [];

    /// <summary>Actual lines the expected state lacks (at most <see cref="SeedRecord.MaxDiffLines"/>).</summary>
    public List<string> Actual { get; set; } = [];

    /// <summary>The command that replays the seed.</summary>
    public string Replay { get; set; } = string.Empty;

    /// <summary>The record of <paramref name="v"/>, found by <paramref name="seed"/>.</summary>
    public static RecordViolation Of(Violation v, ulong seed, SimOptions options)
    {
        // The two sides' difference, as the printed report shows it: a whole dataset per line
        // would make a failing seed's record as big as its database.
        var expected = v.Expected.ToHashSet(StringComparer.Ordinal);
        var actual = v.Actual.ToHashSet(StringComparer.Ordinal);
        return new RecordViolation
        {
            Property = v.Property.Name(),
            Event = v.Event,
            TimeMs = v.TimeMs,
            Detail = v.Detail,
            Expected = [.. v.Expected.Where(l => !actual.Contains(l)).Take(SeedRecord.MaxDiffLines)],
            Actual = [.. v.Actual.Where(l => !expected.Contains(l)).Take(SeedRecord.MaxDiffLines)],
            Replay = $"aofsim replay --seed {seed} {options.Flags}",
        };
    }
}
