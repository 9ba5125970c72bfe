namespace AofSim.Blackbox.Campaigns;

/// <summary>How a target came back after a crash.</summary>
public enum Availability
{
    /// <summary>It started and loaded its AOF.</summary>
    Started,

    /// <summary>It started from an AOF cut short (aof-load-truncated).</summary>
    Truncated,

    /// <summary>It refused, its repair tool cut the AOF, then it started.</summary>
    NeededFix,

    /// <summary>It did not start, repaired or not.</summary>
    Refused,
}
