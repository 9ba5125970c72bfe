namespace AofSim.Engine.Data;

/// <summary>
/// A stream value (Redis 5's t_stream.c, as 7.0 has it): entries by ID, each a list of field,
/// value pairs; the last generated ID, the count of entries ever added and the largest deleted
/// ID, which survive deletions; and the consumer groups with their pending entries.
/// </summary>
/// <remarks>
/// Redis packs entries into listpacks of a radix tree; only the order and content matter to
/// what a dataset holds, so a sorted dictionary keeps them here. The one behaviour that depends
/// on the packing, approximate (~) trimming, which only drops whole nodes, trims nothing here,
/// which Redis's documentation allows ("may remove fewer"): what is logged is then exact.
/// </remarks>
public sealed class RedisStream : RedisObject
{
    /// <summary>The entries: ID to the flat field, value list.</summary>
    public SortedDictionary<StreamId, byte[][]> Entries { get; private init; } = [];

    /// <summary>The last ID generated or set (never goes back).</summary>
    public StreamId LastId { get; set; }

    /// <summary>Entries ever added.</summary>
    public long EntriesAdded { get; set; }

    /// <summary>The largest ID ever deleted by XDEL.</summary>
    public StreamId MaxDeletedId { get; set; }

    /// <summary>The consumer groups, by name in byte order.</summary>
    public SortedDictionary<byte[], StreamGroup> Groups { get; private init; } = new(ByteKeyComparer.Instance);

    /// <inheritdoc/>
    public override RedisType Type => RedisType.Stream;

    /// <summary>Number of entries.</summary>
    public int Length => Entries.Count;

    /// <summary>The first entry's ID, if any.</summary>
    public bool TryFirst(out StreamId id)
    {
        foreach (StreamId k in Entries.Keys)
        {
            id = k;
            return true;
        }

        id = StreamId.Zero;
        return false;
    }

    /// <summary>The last entry's ID (streamLastValidID), if any.</summary>
    public bool TryLast(out StreamId id)
    {
        if (Entries.Count == 0)
        {
            id = StreamId.Zero;
            return false;
        }

        id = Entries.Keys.Max();
        return true;
    }

    /// <inheritdoc/>
    public override RedisObject Clone()
    {
        var copy = new RedisStream
        {
            Entries = new SortedDictionary<StreamId, byte[][]>(Entries),
            LastId = LastId,
            EntriesAdded = EntriesAdded,
            MaxDeletedId = MaxDeletedId,
        };
        foreach ((byte[] name, StreamGroup g) in Groups)
        {
            var group = new StreamGroup { LastId = g.LastId, EntriesRead = g.EntriesRead };
            foreach ((byte[] cname, StreamConsumer c) in g.Consumers)
            {
                group.Consumers[cname] = new StreamConsumer { Name = c.Name, SeenTime = c.SeenTime };
            }

            foreach ((StreamId id, StreamNack n) in g.Pel)
            {
                StreamConsumer owner = group.Consumers[n.Consumer.Name];
                var nack = new StreamNack { Consumer = owner, DeliveryTime = n.DeliveryTime, DeliveryCount = n.DeliveryCount };
                group.Pel[id] = nack;
                owner.Pel[id] = nack;
            }

            copy.Groups[name] = group;
        }

        return copy;
    }
}
