using System.Globalization;
using System.Text;

namespace AofSim.Scenarios.Interop;

/// <summary>
/// Reads a live redis-server's whole dataset over RESP and renders it in the engine's
/// DatasetDump JSON Lines format, written here from its documentation (not by calling the
/// engine): one line per key in (db, key bytes) order,
/// <c>{"db":N,"key":S,"type":T,"expireAt":ms|null,"value":V}</c>; byte strings as JSON strings
/// of ISO-8859-1 characters; a list in order; a set sorted by bytes; a hash as [field, value]
/// pairs sorted by field; a sorted set as [member, score] pairs in ZRANGE order with the score
/// as Redis 7.0 prints it in RESP2, which is <c>%.17g</c>; an HLL is the string it is; a
/// stream as the dump documents it (see <c>Stream</c> below).
/// </summary>
internal static class RedisDatasetReader
{
    public const int DbCount = 16;

    /// <summary>The dump lines of every db of the server behind <paramref name="c"/>.</summary>
    public static List<string> Read(RespClient c)
    {
        var lines = new List<string>();
        for (int db = 0; db < DbCount; db++)
        {
            c.Must("SELECT", db.ToString(CultureInfo.InvariantCulture));
            foreach (string key in Keys(c))
            {
                lines.Add(Line(c, db, key));
            }
        }

        return lines;
    }

    // Every key of the selected db, sorted by bytes (ordinal order of ISO-8859-1 text is byte
    // order, shorter first on a common prefix, as memcmp-then-length is).
    private static SortedSet<string> Keys(RespClient c)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        string cursor = "0";
        for (int round = 0; round < 1_000_000; round++)
        {
            IReadOnlyList<RespValue> reply = c.Must("SCAN", cursor, "COUNT", "1000").Array;
            cursor = reply[0].Text;
            foreach (RespValue k in reply[1].Array)
            {
                keys.Add(k.Text);
            }

            if (cursor == "0")
            {
                return keys;
            }
        }

        throw new InvalidOperationException("SCAN did not finish");
    }

    private static string Line(RespClient c, int db, string key)
    {
        string type = c.Must("TYPE", key).Text;
        long pexpiretime = c.Must("PEXPIRETIME", key).Integer;
        if (pexpiretime == -2)
        {
            throw new InvalidOperationException($"key {Json(key)} vanished while reading (expired?)");
        }

        var sb = new StringBuilder();
        sb.Append("{\"db\":").Append(db.ToString(CultureInfo.InvariantCulture)).Append(",\"key\":").Append(Json(key));
        sb.Append(",\"type\":\"").Append(type).Append("\",\"expireAt\":");
        sb.Append(pexpiretime == -1 ? "null" : pexpiretime.ToString(CultureInfo.InvariantCulture));
        sb.Append(",\"value\":");
        switch (type)
        {
            case "string":
                sb.Append(Json(c.Must("GET", key).Text));
                break;
            case "list":
                sb.Append(JsonArray(c.Must("LRANGE", key, "0", "-1").Array.Select(v => Json(v.Text))));
                break;
            case "set":
                sb.Append(JsonArray(c.Must("SMEMBERS", key).Array.Select(v => v.Text).Order(StringComparer.Ordinal).Select(Json)));
                break;
            case "zset":
                sb.Append(JsonArray(Pairs(c.Must("ZRANGE", key, "0", "-1", "WITHSCORES").Array).Select(p => $"[{Json(p.A)},\"{p.B}\"]")));
                break;
            case "hash":
                sb.Append(JsonArray(Pairs(c.Must("HGETALL", key).Array).OrderBy(p => p.A, StringComparer.Ordinal).Select(p => $"[{Json(p.A)},{Json(p.B)}]")));
                break;
            case "stream":
                sb.Append(Stream(c, key));
                break;
            default:
                throw new InvalidOperationException($"key {Json(key)} has type {type}, which the dump format does not cover");
        }

        return sb.Append('}').ToString();
    }

    // A stream as the dump documents it: {"lastId","entriesAdded","maxDeletedId","entries":[[id,
    // [field,value,...]],...],"groups":[{"name","lastId","entriesRead":n|null,"consumers":[names
    // sorted by bytes],"pending":[[id,consumer,deliveries],...]}]} with the groups sorted by name;
    // read with XINFO STREAM, XRANGE, XINFO GROUPS, XINFO CONSUMERS and XPENDING.
    private static string Stream(RespClient c, string key)
    {
        Dictionary<string, RespValue> info = Fields(c.Must("XINFO", "STREAM", key).Array);
        var sb = new StringBuilder();
        sb.Append("{\"lastId\":\"").Append(info["last-generated-id"].Text).Append("\",\"entriesAdded\":").Append(info["entries-added"].Text)
            .Append(",\"maxDeletedId\":\"").Append(info["max-deleted-entry-id"].Text).Append("\",\"entries\":");
        sb.Append(JsonArray(c.Must("XRANGE", key, "-", "+").Array.Select(e => $"[\"{e.Array[0].Text}\",{JsonArray(e.Array[1].Array.Select(v => Json(v.Text)))}]")));
        sb.Append(",\"groups\":");
        var groups = c.Must("XINFO", "GROUPS", key).Array.Select(g => Fields(g.Array)).OrderBy(g => g["name"].Text, StringComparer.Ordinal);
        sb.Append(JsonArray(groups.Select(g =>
        {
            string name = g["name"].Text;
            RespValue read = g["entries-read"];
            IEnumerable<string> consumers = c.Must("XINFO", "CONSUMERS", key, name).Array.Select(x => Fields(x.Array)["name"].Text).Order(StringComparer.Ordinal);
            IEnumerable<string> pending = c.Must("XPENDING", key, name, "-", "+", g["pending"].Text).Array
                .Select(p => $"[\"{p.Array[0].Text}\",{Json(p.Array[1].Text)},{p.Array[3].Text}]");
            return $"{{\"name\":{Json(name)},\"lastId\":\"{g["last-delivered-id"].Text}\",\"entriesRead\":{(read.Kind == RespKind.Null ? "null" : read.Text)}," +
                $"\"consumers\":{JsonArray(consumers.Select(Json))},\"pending\":{JsonArray(pending)}}}";
        })));
        return sb.Append('}').ToString();
    }

    private static Dictionary<string, RespValue> Fields(IReadOnlyList<RespValue> flat)
    {
        var d = new Dictionary<string, RespValue>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < flat.Count; i += 2)
        {
            d[flat[i].Text] = flat[i + 1];
        }

        return d;
    }

    private static IEnumerable<(string A, string B)> Pairs(IReadOnlyList<RespValue> flat)
    {
        for (int i = 0; i + 1 < flat.Count; i += 2)
        {
            yield return (flat[i].Text, flat[i + 1].Text);
        }
    }

    private static string JsonArray(IEnumerable<string> items) => "[" + string.Join(",", items) + "]";

    /// <summary>A byte string (as ISO-8859-1 text) as the dump's JSON string.</summary>
    public static string Json(string bytes)
    {
        var sb = new StringBuilder(bytes.Length + 2);
        sb.Append('"');
        foreach (char ch in bytes)
        {
            switch (ch)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case < (char)0x20 or (char)0x7F:
                    sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(ch);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
