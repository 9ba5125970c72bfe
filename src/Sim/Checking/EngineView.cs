using System.Text;
using AofSim.Engine.Data;
using System.Runtime.CompilerServices;

namespace AofSim.Sim.Checking;

/// <summary>Reads an engine dataset into the model's canonical form (reading values only, none of the engine's rules).</summary>
public static class EngineView
{
    /// <summary>The canonical lines of the keys alive at <paramref name="t"/>, sorted.</summary>
    public static List<string> LinesAt(Dataset data, long t)
    {
        var lines = new List<string>();
        foreach (Database db in data.Databases)
        {
            foreach ((byte[] key, DbEntry e) in db.Entries)
            {
                if (e.ExpireAt == DbEntry.NoExpiry || e.ExpireAt >= t)
                {
                    lines.Add(Canonical.Line(db.Id, Text(key), Value(e.Value), e.ExpireAt));
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>The digest of <see cref="LinesAt"/>, comparable with <see cref="Model.DigestAt"/>.</summary>
    public static ulong DigestAt(Dataset data, long t)
    {
        // A sum: the lines need no sorting.
        ulong d = 0;
        foreach (Database db in data.Databases)
        {
            foreach ((byte[] key, DbEntry e) in db)
            {
                if (e.ExpireAt == DbEntry.NoExpiry || e.ExpireAt >= t)
                {
                    d += Hash(db.Id, key, e.Value, e.ExpireAt);
                }
            }
        }

        return d;
    }

    /// <summary>
    /// <see cref="Canonical.Hash(int, string, object, long)"/> of the key's model value, read
    /// straight from the engine's bytes: each byte is the Latin-1 char the text would hold, and
    /// sorting byte strings as memcmp does is the ordinal order of those texts.
    /// </summary>
    public static ulong Hash(int db, byte[] key, object value, long expireAt)
    {
        var h = default(Canonical.LineHash);
        h.Add(db);
        h.Add('|');
        h.Add(key.AsSpan());
        h.Add('|');
        switch (value)
        {
            case byte[] or RedisString:
                h.Add("string|");
                Expiry(ref h, expireAt);
                h.Add(StringSpan(value));
                break;
            case RedisList l:
                h.Add("list|");
                Expiry(ref h, expireAt);
                for (int i = 0; i < l.Items.Count; i++)
                {
                    Separate(ref h, i);
                    h.Add(l.Items[i].AsSpan());
                }

                break;
            case RedisSet set:
                h.Add("set|");
                Expiry(ref h, expireAt);
                byte[][] members = [.. set.Members];
                Array.Sort(members, ByteKeyComparer.Instance);
                for (int i = 0; i < members.Length; i++)
                {
                    Separate(ref h, i);
                    h.Add(members[i].AsSpan());
                }

                break;
            case RedisZSet z:
                h.Add("zset|");
                Expiry(ref h, expireAt);
                KeyValuePair<byte[], double>[] scores = [.. z.Scores];
                Array.Sort(scores, (a, b) => ByteKeyComparer.Instance.Compare(a.Key, b.Key));
                for (int i = 0; i < scores.Length; i++)
                {
                    Separate(ref h, i);
                    h.Add(scores[i].Key.AsSpan());
                    h.Add('=');
                    h.Add(scores[i].Value);
                }

                break;
            case RedisHash hash:
                h.Add("hash|");
                Expiry(ref h, expireAt);
                KeyValuePair<byte[], byte[]>[] fields = [.. hash.Fields];
                Array.Sort(fields, (a, b) => ByteKeyComparer.Instance.Compare(a.Key, b.Key));
                for (int i = 0; i < fields.Length; i++)
                {
                    Separate(ref h, i);
                    h.Add(fields[i].Key.AsSpan());
                    h.Add('=');
                    h.Add(fields[i].Value.AsSpan());
                }

                break;
            default:
                throw new InvalidOperationException($"unknown value {value.GetType().Name}");
        }

        return h.Value;
    }

    private static void Expiry(ref Canonical.LineHash h, long expireAt)
    {
        h.Add(expireAt);
        h.Add('|');
    }

    private static void Separate(ref Canonical.LineHash h, int i)
    {
        if (i > 0)
        {
            h.Add(',');
        }
    }

    /// <summary>
    /// True when the two datasets hold the same keys alive at <paramref name="t"/>, with equal
    /// values and expiries: compared structurally, without building text.
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool SameAt(Dataset a, Dataset b, long t)
    {
        for (int db = 0; db < Dataset.DbCount; db++)
        {
            int alive = 0;
            foreach ((byte[] key, DbEntry ea) in a[db])
            {
                if (ea.ExpireAt != DbEntry.NoExpiry && ea.ExpireAt < t)
                {
                    continue;
                }

                alive++;
                if (!b[db].TryGet(key, out DbEntry eb) || eb.ExpireAt != ea.ExpireAt || !SameValue(ea.Value, eb.Value))
                {
                    return false;
                }
            }

            int aliveB = 0;
            foreach ((byte[] _, DbEntry eb) in b[db])
            {
                if (eb.ExpireAt == DbEntry.NoExpiry || eb.ExpireAt >= t)
                {
                    aliveB++;
                }
            }

            if (alive != aliveB)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every key alive at <paramref name="t"/> in model terms: (db, key, value, expireAt).</summary>
    public static List<(int Db, string Key, object Value, long ExpireAt)> EntriesAt(Dataset data, long t)
    {
        var all = new List<(int, string, object, long)>();
        foreach (Database db in data.Databases)
        {
            foreach ((byte[] key, DbEntry e) in db.Entries)
            {
                if (e.ExpireAt == DbEntry.NoExpiry || e.ExpireAt >= t)
                {
                    all.Add((db.Id, Text(key), Value(e.Value), e.ExpireAt));
                }
            }
        }

        return all;
    }

    private static string Text(ReadOnlySpan<byte> b) => Encoding.Latin1.GetString(b);

    private static bool SameValue(object x, object y)
    {
        // Strings first, by exact type (a pattern on byte[] goes through the array cast helper).
        bool xs = x.GetType() == typeof(byte[]) || x is RedisString;
        bool ys = y.GetType() == typeof(byte[]) || y is RedisString;
        if (xs || ys)
        {
            return xs && ys && StringSpan(x).SequenceEqual(StringSpan(y));
        }

        return (x, y) switch
        {
            (RedisList l1, RedisList l2) => SameList(l1.Items, l2.Items),
            (RedisSet s1, RedisSet s2) => s1.Members.SetEquals(s2.Members),
            (RedisZSet z1, RedisZSet z2) => SameZSet(z1, z2),
            (RedisHash h1, RedisHash h2) => SameHash(h1.Fields, h2.Fields),
            _ => false,
        };
    }

    private static bool SameList(Deque<byte[]> a, Deque<byte[]> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (!a[i].AsSpan().SequenceEqual(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameZSet(RedisZSet a, RedisZSet b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach ((byte[] member, double score) in a.Scores)
        {
            if (!b.TryGetScore(member, out double other) || !other.Equals(score))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameHash(Dictionary<byte[], byte[]> a, Dictionary<byte[], byte[]> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach ((byte[] field, byte[] value) in a)
        {
            if (!b.TryGetValue(field, out byte[]? other) || !other.AsSpan().SequenceEqual(value))
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlySpan<byte> StringSpan(object v) => Engine.Commands.CommandContext.StringBytes(v);

    private static object Value(object v) => v switch
    {
        byte[] s => Text(s),
        RedisString s => Text(s.Span),
        RedisList l => l.Items.Items().Select(x => Text(x)).ToList(),
        RedisSet s => new SortedSet<string>(s.Members.Select(x => Text(x)), StringComparer.Ordinal),
        RedisZSet z => new SortedDictionary<string, double>(z.Scores.ToDictionary(kv => Text(kv.Key), kv => kv.Value), StringComparer.Ordinal),
        RedisHash h => new SortedDictionary<string, string>(h.Fields.ToDictionary(kv => Text(kv.Key), kv => Text(kv.Value)), StringComparer.Ordinal),
        _ => throw new InvalidOperationException($"unknown value {v.GetType().Name}"),
    };
}
