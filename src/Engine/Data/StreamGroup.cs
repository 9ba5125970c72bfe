namespace AofSim.Engine.Data;

/// <summary>A consumer group (streamCG).</summary>
public sealed class StreamGroup
{
    /// <summary>entries_read when unknown (SCG_INVALID_ENTRIES_READ).</summary>
    public const long InvalidEntriesRead = -1;

    /// <summary>The last ID delivered to the group.</summary>
    public StreamId LastId { get; set; }

    /// <summary>Entries the group has read, or <see cref="InvalidEntriesRead"/>.</summary>
    public long EntriesRead { get; set; } = InvalidEntriesRead;

    /// <summary>The pending entries list, by ID.</summary>
    public SortedDictionary<StreamId, StreamNack> Pel { get; } = [];

    /// <summary>The consumers, by name in byte order (a rax's order).</summary>
    public SortedDictionary<byte[], StreamConsumer> Consumers { get; } = new(ByteKeyComparer.Instance);
}
