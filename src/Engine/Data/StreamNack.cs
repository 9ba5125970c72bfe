namespace AofSim.Engine.Data;

/// <summary>A pending entry of a consumer group (streamNACK): who has it, since when, how often delivered.</summary>
public sealed class StreamNack
{
    /// <summary>The consumer holding the entry.</summary>
    public required StreamConsumer Consumer { get; set; }

    /// <summary>The last delivery, in Unix ms.</summary>
    public long DeliveryTime { get; set; }

    /// <summary>How many times the entry was delivered.</summary>
    public long DeliveryCount { get; set; }
}
