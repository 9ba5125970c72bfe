using System.Globalization;
using System.Text;
using AofSim.Engine.Text;

namespace AofSim.Engine.Data;

/// <summary>
/// The dataset as JSON Lines, one key per line, in (db, key bytes) order:
/// <c>{"db":N,"key":S,"type":T,"expireAt":ms|null,"value":V}</c>. Every byte string is a JSON
/// string whose characters are the bytes' codes (ISO-8859-1), so binary data survives. A set is
/// sorted by bytes, a hash by field, a sorted set is [member, score] pairs in Redis order with
/// the score as a <c>%.17g</c> string. A stream is an object: last ID, entries added, largest
/// deleted ID, its entries in ID order as [ID, [field, value, …]], and its groups by name with
/// their last ID, entries read (null when unknown), consumers by name and pending entries as
/// [ID, consumer, deliveries] (delivery and seen times are left out: Redis shows them only as
/// idle times). Keys already expired at the given time are left out.
/// Two datasets are equal exactly when their dumps are.
/// </summary>
public static class DatasetDump
{
    /// <summary>The dump lines of <paramref name="data"/> at <paramref name="nowMs"/>.</summary>
    public static IEnumerable<string> Lines(Dataset data, long nowMs)
    {
        foreach (Database db in data.Databases)
        {
            foreach (string line in Lines(db.Id, db.Entries, nowMs))
            {
                yield return line;
            }
        }
    }

    /// <summary>The dump lines of one db's entries at <paramref name="nowMs"/>.</summary>
    public static IEnumerable<string> Lines(int dbId, IEnumerable<KeyValuePair<byte[], DbEntry>> entries, long nowMs)
    {
        foreach (KeyValuePair<byte[], DbEntry> kv in entries.Where(kv => !kv.Value.IsExpiredAt(nowMs)).OrderBy(kv => kv.Key, ByteKeyComparer.Instance))
        {
            yield return Line(dbId, kv.Key, kv.Value);
        }
    }

    /// <summary>The dump line of one key.</summary>
    public static string Line(int dbId, byte[] key, DbEntry entry)
    {
        var sb = new StringBuilder(64);
        sb.Append("{\"db\":").Append(dbId.ToString(CultureInfo.InvariantCulture)).Append(",\"key\":");
        Str(sb, key);
        sb.Append(",\"type\":\"").Append(TypeName(entry.Type)).Append("\",\"expireAt\":");
        sb.Append(entry.ExpireAt == DbEntry.NoExpiry ? "null" : entry.ExpireAt.ToString(CultureInfo.InvariantCulture));
        sb.Append(",\"value\":");
        switch (entry.Value)
        {
            case byte[] s:
                Str(sb, s);
                break;
            case RedisString s:
                Str(sb, s.Span);
                break;
            case RedisList list:
                Array(sb, list.Items.Items(), static (sb, x) => Str(sb, x));
                break;
            case RedisSet set:
                Array(sb, set.Members.Order(ByteKeyComparer.Instance), static (sb, x) => Str(sb, x));
                break;
            case RedisZSet zset:
                Array(sb, zset.Ordered, static (sb, e) =>
                {
                    sb.Append('[');
                    Str(sb, e.Member);
                    sb.Append(",\"").Append(Numbers.FormatG17(e.Score)).Append("\"]");
                });
                break;
            case RedisStream stream:
                Stream(sb, stream);
                break;
            case RedisHash hash:
                Array(sb, hash.Fields.OrderBy(f => f.Key, ByteKeyComparer.Instance), static (sb, f) =>
                {
                    sb.Append('[');
                    Str(sb, f.Key);
                    sb.Append(',');
                    Str(sb, f.Value);
                    sb.Append(']');
                });
                break;
        }

        return sb.Append('}').ToString();
    }

    private static string TypeName(RedisType type) => type switch
    {
        RedisType.String => "string",
        RedisType.List => "list",
        RedisType.Set => "set",
        RedisType.ZSet => "zset",
        RedisType.Stream => "stream",
        _ => "hash",
    };

    // {"lastId","entriesAdded","maxDeletedId","entries":[[id,[field,value,...]],...],
    // "groups":[{"name","lastId","entriesRead":n|null,"consumers":[...],"pending":[[id,consumer,deliveries],...]}]}
    private static void Stream(StringBuilder sb, RedisStream s)
    {
        sb.Append("{\"lastId\":\"").Append(s.LastId.ToString()).Append("\",\"entriesAdded\":")
            .Append(s.EntriesAdded.ToString(CultureInfo.InvariantCulture))
            .Append(",\"maxDeletedId\":\"").Append(s.MaxDeletedId.ToString()).Append("\",\"entries\":");
        Array(sb, s.Entries, static (sb, e) =>
        {
            sb.Append("[\"").Append(e.Key.ToString()).Append("\",");
            Array(sb, e.Value, static (sb, x) => Str(sb, x));
            sb.Append(']');
        });
        sb.Append(",\"groups\":");
        Array(sb, s.Groups, static (sb, g) =>
        {
            sb.Append("{\"name\":");
            Str(sb, g.Key);
            sb.Append(",\"lastId\":\"").Append(g.Value.LastId.ToString()).Append("\",\"entriesRead\":")
                .Append(g.Value.EntriesRead == StreamGroup.InvalidEntriesRead ? "null" : g.Value.EntriesRead.ToString(CultureInfo.InvariantCulture))
                .Append(",\"consumers\":");
            Array(sb, g.Value.Consumers.Keys, static (sb, c) => Str(sb, c));
            sb.Append(",\"pending\":");
            Array(sb, g.Value.Pel, static (sb, p) =>
            {
                sb.Append("[\"").Append(p.Key.ToString()).Append("\",");
                Str(sb, p.Value.Consumer.Name);
                sb.Append(',').Append(p.Value.DeliveryCount.ToString(CultureInfo.InvariantCulture)).Append(']');
            });
            sb.Append('}');
        });
        sb.Append('}');
    }

    private static void Array<T>(StringBuilder sb, IEnumerable<T> items, Action<StringBuilder, T> item)
    {
        sb.Append('[');
        bool first = true;
        foreach (T x in items)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            item(sb, x);
        }

        sb.Append(']');
    }

    // A byte string as a JSON string of the characters U+0000..U+00FF.
    private static void Str(StringBuilder sb, ReadOnlySpan<byte> bytes)
    {
        sb.Append('"');
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case (byte)'"':
                    sb.Append("\\\"");
                    break;
                case (byte)'\\':
                    sb.Append("\\\\");
                    break;
                case (byte)'\n':
                    sb.Append("\\n");
                    break;
                case (byte)'\r':
                    sb.Append("\\r");
                    break;
                case (byte)'\t':
                    sb.Append("\\t");
                    break;
                case < 0x20 or 0x7F:
                    sb.Append("\\u").Append(((int)b).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append((char)b);
                    break;
            }
        }

        sb.Append('"');
    }
}
