using System.Text;
using AofSim.Engine.Data;

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
        ulong d = 0;
        foreach (string line in LinesAt(data, t))
        {
            d += Canonical.Hash(line);
        }

        return d;
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
