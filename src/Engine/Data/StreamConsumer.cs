namespace AofSim.Engine.Data;

/// <summary>A consumer of a group, with its own view of the group's pending entries.</summary>
public sealed class StreamConsumer
{
    /// <summary>The consumer's name.</summary>
    public required byte[] Name { get; init; }

    /// <summary>When it was last seen, in Unix ms.</summary>
    public long SeenTime { get; set; }

    /// <summary>Its pending entries (shared with the group's PEL).</summary>
    public SortedDictionary<StreamId, StreamNack> Pel { get; } = [];
}
