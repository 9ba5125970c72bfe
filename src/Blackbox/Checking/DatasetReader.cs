using System.Globalization;
using AofSim.Blackbox.Resp;
using AofSim.Sim.Checking;

namespace AofSim.Blackbox.Checking;

/// <summary>
/// Reads a live target's whole dataset over RESP: every db, every key (KEYS *), its type, value
/// and expiry (PEXPIRETIME where the target has it, else PTTL added to the time it was asked).
/// </summary>
public static class DatasetReader
{
    /// <summary>Every key of dbs 0..<paramref name="dbs"/>-1, by real db.</summary>
    public static Dictionary<int, List<RecoveredKey>> Read(RespConnection c, int dbs)
    {
        var all = new Dictionary<int, List<RecoveredKey>>();
        bool? expireTime = null;
        for (int db = 0; db < dbs; db++)
        {
            c.Must("SELECT", db.ToString(CultureInfo.InvariantCulture));
            var keys = new List<RecoveredKey>();
            foreach (RespReply k in c.Must("KEYS", "*").Items)
            {
                string key = k.Text ?? string.Empty;
                string type = c.Must("TYPE", key).Text ?? "none";
                if (type == "none")
                {
                    continue; // expired between KEYS and TYPE
                }

                long expireAt;
                if (expireTime != false)
                {
                    RespReply r = c.Call("PEXPIRETIME", key);
                    expireTime = !r.IsError;
                    expireAt = r.IsError ? Pttl(c, key) : r.Integer;
                }
                else
                {
                    expireAt = Pttl(c, key);
                }

                if (expireAt == -2)
                {
                    continue;
                }

                object value = type switch
                {
                    "string" => c.Must("GET", key).Text ?? string.Empty,
                    "list" => c.Must("LRANGE", key, "0", "-1").Items.Select(x => x.Text ?? string.Empty).ToList(),
                    "set" => new SortedSet<string>(c.Must("SMEMBERS", key).Items.Select(x => x.Text ?? string.Empty), StringComparer.Ordinal),
                    "zset" => Pairs(c.Must("ZRANGE", key, "0", "-1", "WITHSCORES").Items)
                        .Aggregate(new SortedDictionary<string, double>(StringComparer.Ordinal), (d, p) => { d[p.A] = double.Parse(p.B, CultureInfo.InvariantCulture); return d; }),
                    "hash" => Pairs(c.Must("HGETALL", key).Items)
                        .Aggregate(new SortedDictionary<string, string>(StringComparer.Ordinal), (d, p) => { d[p.A] = p.B; return d; }),
                    _ => throw new IOException($"key {key} has type {type}, which the workload never makes"),
                };
                keys.Add(Make(db, key, value, expireAt));
            }

            all[db] = keys;
        }

        return all;
    }

    /// <summary>A key with its canonical body, as the model writes it.</summary>
    public static RecoveredKey Make(int db, string key, object value, long expireAt)
    {
        // The model's line is "db|key|type|expireAt|value"; the body keeps type and value.
        string line = Model.Line(0, "k", value, -1);
        string body = line[("0|k|".Length)..];
        int bar = body.IndexOf('|', StringComparison.Ordinal);
        body = string.Concat(body.AsSpan(0, bar), body.AsSpan(body.IndexOf('|', bar + 1)));
        return new RecoveredKey(db, key, value, expireAt, body);
    }

    private static long Pttl(RespConnection c, string key)
    {
        long now = Running.ConnectionDriver.NowMs();
        long ttl = c.Must("PTTL", key).Integer;
        return ttl < 0 ? ttl : now + ttl;
    }

    private static IEnumerable<(string A, string B)> Pairs(IReadOnlyList<RespReply> items)
    {
        for (int i = 0; i + 1 < items.Count; i += 2)
        {
            yield return (items[i].Text ?? string.Empty, items[i + 1].Text ?? string.Empty);
        }
    }
}
