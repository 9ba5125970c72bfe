using System.Runtime.InteropServices;

namespace AofSim.Engine.Data;

/// <summary>
/// One of the 16 numbered keyspaces. A plain container: expiry rules and propagation live in
/// the command layer, which knows the clock and whether the server is loading.
/// </summary>
/// <remarks>
/// Copy-on-write for background rewrites: <see cref="Freeze"/> hands the current dictionary to
/// a snapshot and marks it shared; the first change after that copies the dictionary (O(keys),
/// once per fork, like the page-table copy of the seed's fork()), and a changed collection value
/// older than the fork is cloned first (<see cref="RedisObject.Epoch"/>).
/// </remarks>
public sealed class Database
{
    private readonly Dataset owner;
    private Dictionary<byte[], DbEntry> dict = null!;

    // The span view of dict, made once per dictionary (getting it checks the comparer each time).
    private Dictionary<byte[], DbEntry>.AlternateLookup<ReadOnlySpan<byte>> spans;
    private bool shared;

    internal Database(Dataset owner, int id)
    {
        this.owner = owner;
        Id = id;
        Use(new Dictionary<byte[], DbEntry>(ByteKeyComparer.Instance));
    }

    /// <summary>The database number (0..15).</summary>
    public int Id { get; }

    /// <summary>Keys held, including expired keys not yet reclaimed (as DBSIZE counts them).</summary>
    public int Count => dict.Count;

    /// <summary>All entries in dictionary order, expired ones included.</summary>
    public IEnumerable<KeyValuePair<byte[], DbEntry>> Entries => dict;

    /// <summary>The entries, as <see cref="Entries"/>, through the dictionary's struct enumerator (no interface calls per key).</summary>
    public Dictionary<byte[], DbEntry>.Enumerator GetEnumerator() => dict.GetEnumerator();

    /// <summary>Finds a key without looking at its expiry.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out DbEntry entry) =>
        spans.TryGetValue(key, out entry);

    /// <summary>Finds a key and the stored copy of its name.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] storedKey, out DbEntry entry) =>
        spans.TryGetValue(key, out storedKey!, out entry);

    /// <summary>Adds or overwrites a key (the key bytes are copied only when the key is new).</summary>
    public void Set(ReadOnlySpan<byte> key, object value, long expireAt)
    {
        Own();
        spans[key] = new DbEntry(value, expireAt);
    }

    /// <summary>Adds or overwrites a key whose name is already an owned array.</summary>
    public void Set(byte[] key, object value, long expireAt)
    {
        Own();
        dict[key] = new DbEntry(value, expireAt);
    }

    /// <summary>Replaces the value of an existing key and keeps its expiry (the seed's dbOverwrite).</summary>
    public void Overwrite(ReadOnlySpan<byte> key, object value)
    {
        Own();
        ref DbEntry slot = ref CollectionsMarshal.GetValueRefOrNullRef(spans, key);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            throw new InvalidOperationException("overwrite of a missing key");
        }

        slot = slot with { Value = value };
    }

    /// <summary>Sets or clears (<see cref="DbEntry.NoExpiry"/>) the expiry of an existing key.</summary>
    /// <returns>False if the key does not exist.</returns>
    public bool SetExpire(ReadOnlySpan<byte> key, long expireAt)
    {
        Own();
        ref DbEntry slot = ref CollectionsMarshal.GetValueRefOrNullRef(spans, key);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            return false;
        }

        slot = slot with { ExpireAt = expireAt };
        return true;
    }

    /// <summary>Removes a key.</summary>
    /// <returns>True if it existed.</returns>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        Own();
        return spans.Remove(key);
    }

    /// <summary>
    /// The collection stored at an existing key, ready to be changed in place: if it may be shared
    /// with a snapshot it is cloned and the clone stored first.
    /// </summary>
    public T Mutable<T>(ReadOnlySpan<byte> key)
        where T : RedisObject
    {
        Own();
        ref DbEntry slot = ref CollectionsMarshal.GetValueRefOrNullRef(spans, key);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            throw new InvalidOperationException("mutation of a missing key");
        }

        var obj = (T)slot.Value;
        if (obj.Epoch < owner.Epoch)
        {
            obj = (T)obj.Clone();
            obj.Epoch = owner.Epoch;
            slot = slot with { Value = obj };
        }

        return obj;
    }

    /// <summary>Makes <paramref name="fresh"/> a collection of the live epoch (safe to change in place).</summary>
    // Takes the object rather than doing a generic new T(): that goes through Activator, slow per key.
    public T Create<T>(T fresh)
        where T : RedisObject
    {
        fresh.Epoch = owner.Epoch;
        return fresh;
    }

    /// <summary>Drops every key (FLUSHDB).</summary>
    public void Clear()
    {
        if (shared)
        {
            // A snapshot holds the dictionary: it stays as it is, and this database starts anew.
            Use(new Dictionary<byte[], DbEntry>(ByteKeyComparer.Instance));
            shared = false;
        }
        else
        {
            dict.Clear();
        }
    }

    /// <summary>Makes room for <paramref name="capacity"/> keys before a bulk load, so that the dictionary does not grow step by step.</summary>
    public void EnsureCapacity(int capacity)
    {
        Own();
        dict.EnsureCapacity(capacity);
    }

    /// <summary>
    /// Exchanges the keys (with their expiries) of this database and <paramref name="other"/>,
    /// each keeping its number (the seed's dbSwapDatabases swaps the dict and expires tables).
    /// </summary>
    public void SwapWith(Database other)
    {
        (dict, other.dict) = (other.dict, dict);
        (spans, other.spans) = (other.spans, spans);
        (shared, other.shared) = (other.shared, shared);
    }

    /// <summary>Hands the current dictionary to a snapshot; the next change copies it.</summary>
    internal IReadOnlyDictionary<byte[], DbEntry> Freeze()
    {
        shared = true;
        return dict;
    }

    private void Use(Dictionary<byte[], DbEntry> d)
    {
        dict = d;
        spans = d.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    private void Own()
    {
        if (shared)
        {
            Use(new Dictionary<byte[], DbEntry>(dict, ByteKeyComparer.Instance));
            shared = false;
        }
    }
}
