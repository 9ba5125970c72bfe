namespace AofSim.Sim.Checking;

/// <summary>
/// One entry of the <see cref="AckHistory"/>: a command the client sent (or a MULTI/EXEC block),
/// with the replies it earned, when it ran and when its reply was released, and the facts that
/// decide whether the durability contract promises it.
/// </summary>
/// <param name="Items">The commands, each with the database it ran in and its reply.</param>
/// <param name="ExecutedAt">When it ran (ms of virtual time).</param>
internal sealed record HistoryEntry(List<(int Db, string[] Argv, string Reply)> Items, long ExecutedAt)
{
    /// <summary>When its reply went out (set in place when the replies are released: no copy of the entry).</summary>
    public long? AckedAt { get; set; }

    /// <summary>The AOF was on when it ran.</summary>
    public bool AofOn { get; set; }

    /// <summary>
    /// When set, the entry is a resynchronisation: after a replay-equivalence violation the
    /// model restarts from the recovered dataset, so the run can go on finding other bugs.
    /// </summary>
    public List<(int Db, string Key, object Value, long ExpireAt)>? Base { get; init; }

    /// <summary>Set while it was acknowledged but is still in the AOF buffer after a write error.</summary>
    public bool Unwritten { get; set; }

    /// <summary>Set while an AOF fsync failed after this entry and no rewrite has completed since.</summary>
    public bool AfterFsyncError { get; set; }

    /// <summary>It changed the dataset (a base, or a command that did not fail).</summary>
    public bool HasWrite => Base is null && Items.Any(x => !x.Reply.StartsWith('-'));
}
