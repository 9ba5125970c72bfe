using System.Globalization;

namespace AofSim.Engine.Data;

/// <summary>A stream entry ID: milliseconds and sequence, ordered as Redis orders them (ms, then seq).</summary>
/// <param name="Ms">The milliseconds part.</param>
/// <param name="Seq">The sequence part.</param>
public readonly record struct StreamId(ulong Ms, ulong Seq) : IComparable<StreamId>
{
    /// <summary>0-0.</summary>
    public static readonly StreamId Zero = new(0, 0);

    /// <summary>The largest ID.</summary>
    public static readonly StreamId Max = new(ulong.MaxValue, ulong.MaxValue);

    /// <summary>The ID as Redis writes it: "ms-seq".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Ms}-{Seq}");

    /// <summary>The ID's text as bytes.</summary>
    public byte[] ToBytes() => System.Text.Encoding.ASCII.GetBytes(ToString());

    /// <inheritdoc/>
    public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    /// <summary>streamIncrID: the next ID, or false (and 0-0) past the largest.</summary>
    public bool TryIncrement(out StreamId next)
    {
        if (Seq != ulong.MaxValue)
        {
            next = this with { Seq = Seq + 1 };
            return true;
        }

        if (Ms != ulong.MaxValue)
        {
            next = new StreamId(Ms + 1, 0);
            return true;
        }

        next = Zero;
        return false;
    }

    /// <summary>True when this ID sorts before <paramref name="other"/>.</summary>
    public bool IsBefore(StreamId other) => CompareTo(other) < 0;
}

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
