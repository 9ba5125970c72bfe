namespace AofSim.Sim.Campaigns;

/// <summary>The seeds of the campaign a record belongs to.</summary>
public sealed class CampaignSeeds
{
    /// <summary>The range's first seed, or the sequence's.</summary>
    public ulong First { get; set; }

    /// <summary>The range's last seed; null for a sequence.</summary>
    public ulong? Last { get; set; }

    /// <summary>Seeds from the seeded sequence (<c>--duration</c>, <c>--until-fail</c>) rather than a range.</summary>
    public bool Sequence { get; set; }
}
