namespace AofSim.Engine.Data;

/// <summary>The value types, as TYPE names them: the seed era's five and Redis 5's stream.</summary>
public enum RedisType
{
    /// <summary>A byte string (stored as <c>byte[]</c> or <see cref="RedisString"/>).</summary>
    String,

    /// <summary>A list of byte strings.</summary>
    List,

    /// <summary>A set of byte strings.</summary>
    Set,

    /// <summary>A sorted set: members with double scores.</summary>
    ZSet,

    /// <summary>A hash: field to value.</summary>
    Hash,

    /// <summary>A stream: entries by ID, with consumer groups (Redis 5's t_stream.c).</summary>
    Stream,
}

/// <summary>
/// A mutable value. <see cref="Epoch"/> is the dataset's fork epoch when this object was made:
/// an object older than the current epoch may be shared with a snapshot taken by a background
/// rewrite, so the live dataset copies it before changing it (copy-on-write, as fork() gives the
/// seed for free).
/// </summary>
public abstract class RedisObject
{
    /// <summary>The fork epoch this object belongs to.</summary>
    public long Epoch { get; internal set; }

    /// <summary>The value's type.</summary>
    public abstract RedisType Type { get; }

    /// <summary>A deep-enough copy: the containers are new, the immutable byte strings are shared.</summary>
    public abstract RedisObject Clone();
}

/// <summary>
/// A string that has been grown by APPEND: a buffer with spare room, so that repeated appends
/// are amortised O(1) as with the seed's sds. Strings set whole are stored as plain <c>byte[]</c>.
/// </summary>
public sealed class RedisString : RedisObject
{
    /// <summary>The largest string Redis makes: 512 MB (proto-max-bulk-len).</summary>
    public const int MaxLength = 512 * 1024 * 1024;

    private byte[] buffer;

    /// <summary>Creates a string holding <paramref name="initial"/>.</summary>
    public RedisString(ReadOnlySpan<byte> initial)
    {
        buffer = new byte[Math.Max(16, initial.Length * 2)];
        initial.CopyTo(buffer);
        Length = initial.Length;
    }

    /// <summary>Bytes in use.</summary>
    public int Length { get; private set; }

    /// <inheritdoc/>
    public override RedisType Type => RedisType.String;

    /// <summary>The current bytes.</summary>
    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, Length);

    /// <summary>Appends bytes, doubling the buffer when full.</summary>
    public void Append(ReadOnlySpan<byte> more)
    {
        if (Length + more.Length > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(Length + more.Length, buffer.Length * 2));
        }

        more.CopyTo(buffer.AsSpan(Length));
        Length += more.Length;
    }

    /// <summary>The current bytes, writable in place (SETBIT).</summary>
    public Span<byte> Writable => buffer.AsSpan(0, Length);

    /// <summary>
    /// Makes the string at least <paramref name="length"/> bytes long, the new bytes zero (the
    /// seed's sdsgrowzero): the room past <see cref="Length"/> is always zero, as nothing writes
    /// there without taking it into the string.
    /// </summary>
    public void GrowZero(int length)
    {
        if (length <= Length)
        {
            return;
        }

        if (length > buffer.Length)
        {
            // Doubling, but never past what the string may reach (512 MB): a SETRANGE near the
            // limit takes what it needs, not twice that.
            long doubled = Math.Min((long)buffer.Length * 2, MaxLength);
            Array.Resize(ref buffer, (int)Math.Max(length, doubled));
        }

        Length = length;
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/>, zero-padding up to it (SETRANGE).</summary>
    public void SetRange(int offset, ReadOnlySpan<byte> value)
    {
        GrowZero(offset + value.Length);
        value.CopyTo(buffer.AsSpan(offset));
    }

    /// <inheritdoc/>
    public override RedisObject Clone() => new RedisString(Span);
}

/// <summary>A list value.</summary>
public sealed class RedisList : RedisObject
{
    /// <summary>The elements, head first.</summary>
    public Deque<byte[]> Items { get; private init; } = new();

    /// <inheritdoc/>
    public override RedisType Type => RedisType.List;

    /// <inheritdoc/>
    public override RedisObject Clone() => new RedisList { Items = Items.Clone() };
}

/// <summary>A set value.</summary>
public sealed class RedisSet : RedisObject
{
    /// <summary>The members.</summary>
    public HashSet<byte[]> Members { get; private init; } = new(ByteKeyComparer.Instance);

    /// <inheritdoc/>
    public override RedisType Type => RedisType.Set;

    /// <inheritdoc/>
    public override RedisObject Clone() =>
        new RedisSet { Members = new HashSet<byte[]>(Members, ByteKeyComparer.Instance) };
}

/// <summary>A hash value.</summary>
public sealed class RedisHash : RedisObject
{
    /// <summary>Field to value.</summary>
    public Dictionary<byte[], byte[]> Fields { get; private init; } = new(ByteKeyComparer.Instance);

    /// <inheritdoc/>
    public override RedisType Type => RedisType.Hash;

    /// <inheritdoc/>
    public override RedisObject Clone() =>
        new RedisHash { Fields = new Dictionary<byte[], byte[]>(Fields, ByteKeyComparer.Instance) };
}

/// <summary>One member of a sorted set with its score, ordered as Redis orders them.</summary>
/// <param name="Score">The score.</param>
/// <param name="Member">The member.</param>
public readonly record struct ZEntry(double Score, byte[] Member);

/// <summary>A sorted-set value: a member index and the (score, member) order.</summary>
public sealed class RedisZSet : RedisObject
{
    /// <summary>Orders by score, then by member bytes (memcmp), as the seed's skiplist does.</summary>
    public static readonly IComparer<ZEntry> Order = new ZEntryOrder();

    private readonly Dictionary<byte[], double> scores = new(ByteKeyComparer.Instance);
    private readonly SortedSet<ZEntry> ordered = new(Order);

    /// <inheritdoc/>
    public override RedisType Type => RedisType.ZSet;

    /// <summary>Number of members.</summary>
    public int Count => scores.Count;

    /// <summary>Members in (score, member) order.</summary>
    public IEnumerable<ZEntry> Ordered => ordered;

    /// <summary>Members in reverse (score, member) order, walked lazily from the top.</summary>
    public IEnumerable<ZEntry> Descending => ordered.Reverse();

    /// <summary>Member to score.</summary>
    public IReadOnlyDictionary<byte[], double> Scores => scores;

    /// <summary>The score of a member, if present.</summary>
    public bool TryGetScore(ReadOnlySpan<byte> member, out double score) =>
        scores.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(member, out score);

    /// <summary>Adds or re-scores a member.</summary>
    /// <returns>True when the member is new.</returns>
    public bool Set(ReadOnlySpan<byte> member, double score)
    {
        var lookup = scores.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(member, out byte[]? key, out double old))
        {
            if (old.Equals(score))
            {
                return false;
            }

            ordered.Remove(new ZEntry(old, key));
            scores[key] = score;
            ordered.Add(new ZEntry(score, key));
            return false;
        }

        byte[] owned = member.ToArray();
        scores[owned] = score;
        ordered.Add(new ZEntry(score, owned));
        return true;
    }

    /// <summary>Removes a member.</summary>
    /// <returns>True when it was present.</returns>
    public bool Remove(ReadOnlySpan<byte> member)
    {
        var lookup = scores.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.Remove(member, out byte[]? key, out double old))
        {
            return false;
        }

        ordered.Remove(new ZEntry(old, key));
        return true;
    }

    /// <inheritdoc/>
    public override RedisObject Clone()
    {
        var copy = new RedisZSet();
        foreach (ZEntry e in ordered)
        {
            copy.scores[e.Member] = e.Score;
            copy.ordered.Add(e);
        }

        return copy;
    }
}

// RedisZSet.Order as a class of its own: the sorted set calls it without a delegate in between.
internal sealed class ZEntryOrder : IComparer<ZEntry>
{
    public int Compare(ZEntry a, ZEntry b)
    {
        int c = a.Score.CompareTo(b.Score);
        return c != 0 ? c : a.Member.AsSpan().SequenceCompareTo(b.Member);
    }
}
