using System.Globalization;

namespace AofSim.Sim.Campaigns;

/// <summary>
/// Which seeds a campaign runs and when it stops: a range A..B, or the unbounded
/// <see cref="SeedSequence"/> from a first seed (time-budgeted and soak runs); this process's
/// <see cref="Shard"/> of them; and the share of seeds re-run to check determinism.
/// </summary>
public sealed record CampaignSpec
{
    /// <summary>The range's first seed, or the sequence's.</summary>
    public required ulong First { get; init; }

    /// <summary>The range's last seed (unused for a sequence).</summary>
    public ulong Last { get; init; }

    /// <summary>Seeds from <see cref="SeedSequence"/> rather than the range.</summary>
    public bool Sequence { get; init; }

    /// <summary>This process's part of the campaign.</summary>
    public ShardSpec Shard { get; init; } = ShardSpec.Whole;

    /// <summary>Start no seed after this much wall-clock time (a sequence's time budget), or null.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Start no seed after one has failed.</summary>
    public bool UntilFail { get; init; }

    /// <summary>The share of seeds (0..1) run a second time with their traces compared line by line.</summary>
    public double Recheck { get; init; }

    /// <summary>The campaign's positions: the range's size, or unbounded for a sequence.</summary>
    public long Positions => Sequence ? long.MaxValue : (long)(Last - First) + 1;

    /// <summary>The seed at campaign position <paramref name="position"/>.</summary>
    public ulong SeedAt(long position) => Sequence ? SeedSequence.At(First, position) : First + (ulong)position;

    /// <summary>The seeds as the summary's header shows them: "A..B", or "sequence from A".</summary>
    public string SeedsText => Sequence
        ? string.Create(CultureInfo.InvariantCulture, $"sequence from {First}")
        : string.Create(CultureInfo.InvariantCulture, $"{First}..{Last}");
}
