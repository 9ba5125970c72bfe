using System.Globalization;
using AofSim.Blackbox.Running;
using AofSim.Sim.Checking;

namespace AofSim.Blackbox.Checking;

/// <summary>
/// Checks what a target recovered after a crash against the simulator's <see cref="Model"/>:
/// per connection, the recovered keys equal the model after some prefix of that connection's
/// batches (the connections' keys are disjoint); across connections the real-time order holds (a
/// batch sent after another connection's batch was acknowledged cannot survive without it); and
/// no acknowledged write the policy promised is missing.
/// </summary>
/// <remarks>
/// A real server runs on the wall clock, so times are not exact as in the simulator: a command ran
/// somewhere between its sending and its reply. A key the workload touched while its expiry fell
/// in that interval (its fate depended on when exactly the command ran) is left out of the
/// comparison until a command sets it whatever it was (SET, SETEX, DEL, FLUSHDB); so is a key
/// whose expiry falls in the readback's interval, and expiries compare within the slowest
/// batch's latency. An SPOP without a reply pops an unknown member: its key is left out too.
/// Under <see cref="CrashFacts.SkipSets"/> every set is left out (a target that replays SPOP at
/// random recovers members that depend on the replay).
/// </remarks>
public static class CrashChecker
{
    private const long SlackMs = 20;

    /// <summary>The verdict of each connection and the violations found.</summary>
    public static (IReadOnlyList<ConnectionVerdict> Verdicts, IReadOnlyList<BlackboxViolation> Violations) Check(
        IReadOnlyList<ConnectionRecord> connections, IReadOnlyDictionary<int, Dictionary<(int Db, string Key), RecoveredKey>> recovered, CrashFacts facts)
    {
        long latency = connections.SelectMany(c => c.Batches).Select(b => (b.RepliedMs ?? facts.CrashAtMs) - b.SentMs).DefaultIfEmpty(0).Max();
        long tol = SlackMs + Math.Min(latency, 5000) + (facts.ReadToMs - facts.ReadFromMs);
        var verdicts = new List<ConnectionVerdict>();
        var violations = new List<BlackboxViolation>();
        foreach (ConnectionRecord c in connections)
        {
            Dictionary<(int Db, string Key), RecoveredKey> got = recovered.TryGetValue(c.Id, out var g) ? g : [];
            List<(Dictionary<(int, string), (string Body, long ExpireAt)> State, HashSet<(int, string)> Taint)> prefixes = Prefixes(c, facts.CrashAtMs);
            var matching = new List<int>();
            int closest = 0, closestDiff = int.MaxValue;
            List<string> missing = [], extra = [];
            for (int k = 0; k < prefixes.Count; k++)
            {
                (List<string> m, List<string> x) = Diff(prefixes[k].State, prefixes[k].Taint, got, facts, tol);
                if (m.Count + x.Count == 0)
                {
                    matching.Add(k);
                }
                else if (m.Count + x.Count < closestDiff)
                {
                    (closest, closestDiff, missing, extra) = (k, m.Count + x.Count, m, x);
                }
            }

            int acked = c.Batches.Count(b => b.Acked);
            int ackedWrites = c.Batches.Where(b => b.Acked).Sum(b => b.Writes);
            if (matching.Count == 0)
            {
                violations.Add(new BlackboxViolation("not-a-prefix", c.Id,
                    $"connection {c.Id}: the recovered keys equal no prefix of its {c.Batches.Count} batches (closest: {closest} batches, {closestDiff} keys differ)",
                    [.. missing.Take(12)], [.. extra.Take(12)]));
                verdicts.Add(new ConnectionVerdict(c.Id, c.Batches.Count, acked, ackedWrites, -1, -1, 0));
                continue;
            }

            int min = matching[0], max = matching[^1];
            int lost = c.Batches.Where(b => b.Acked && b.Index >= max).Sum(b => b.Writes);
            verdicts.Add(new ConnectionVerdict(c.Id, c.Batches.Count, acked, ackedWrites, min, max, lost));
            int required = Required(c.Batches, facts);
            if (max < required)
            {
                ClientBatch first = c.Batches[max];
                int promisedLost = c.Batches.Skip(max).Take(required - max).Where(b => b.Acked).Sum(b => b.Writes);
                violations.Add(new BlackboxViolation("lost-acknowledged-write", c.Id,
                    string.Create(CultureInfo.InvariantCulture, $"connection {c.Id}: {promisedLost} acknowledged write(s) the policy promised are lost: batches {max}..{required - 1} recovered only up to {max}; batch {max} ({Show(first)}) was acknowledged {facts.CrashAtMs - first.RepliedMs} ms before the crash, the promise allows losing {Window(facts.LossWindowMs)}"),
                    [.. c.Batches.Skip(max).Take(Math.Min(required - max, 12)).Select(Show)], []));
            }
        }

        violations.AddRange(Order(connections, verdicts));
        return (verdicts, violations);
    }

    private static string Window(long ms) => ms == long.MaxValue ? "any" : ms == 0 ? "none" : $"those of the last {ms} ms";

    // How many leading batches the promise keeps: up to the last acknowledged one outside the window.
    private static int Required(IReadOnlyList<ClientBatch> batches, CrashFacts facts)
    {
        if (facts.LossWindowMs == long.MaxValue)
        {
            return 0;
        }

        int required = 0;
        foreach (ClientBatch b in batches)
        {
            if (b.RepliedMs is long at && at <= facts.CrashAtMs - facts.LossWindowMs)
            {
                required = b.Index + 1;
            }
        }

        return required;
    }

    // A batch that survived (below the shortest matching prefix) sent after another connection's
    // batch was acknowledged: that batch must have survived too (below the longest matching prefix).
    private static IEnumerable<BlackboxViolation> Order(IReadOnlyList<ConnectionRecord> connections, List<ConnectionVerdict> verdicts)
    {
        foreach (ConnectionRecord a in connections)
        {
            ConnectionVerdict va = verdicts.First(v => v.Connection == a.Id);
            if (va.MinPrefix <= 0)
            {
                continue;
            }

            ClientBatch survivor = a.Batches[va.MinPrefix - 1];
            foreach (ConnectionRecord b in connections.Where(x => x.Id != a.Id))
            {
                ConnectionVerdict vb = verdicts.First(v => v.Connection == b.Id);
                if (vb.MaxPrefix < 0)
                {
                    continue;
                }

                ClientBatch? before = b.Batches.LastOrDefault(x => x.RepliedMs is long r && r < survivor.SentMs);
                if (before is not null && before.Index >= vb.MaxPrefix)
                {
                    yield return new BlackboxViolation("real-time-order", a.Id,
                        $"connection {a.Id}'s batch {survivor.Index} ({Show(survivor)}) survived, but connection {b.Id}'s batch {before.Index} ({Show(before)}), acknowledged before it was sent, was lost",
                        [Show(before)], [Show(survivor)]);
                }
            }
        }
    }

    /// <summary>A batch in one line.</summary>
    public static string Show(ClientBatch b) =>
        $"#{b.Index} db{b.Db} " + string.Join(" ; ", b.Argv.Select(a => string.Join(' ', a).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal)))
        + (b.Acked ? string.Create(CultureInfo.InvariantCulture, $" (acked +{b.RepliedMs - b.SentMs} ms)") : " (no reply)");

    // The model after each prefix 0..n of the batches, with the keys whose fate the wall clock left open.
    private static List<(Dictionary<(int, string), (string Body, long ExpireAt)> State, HashSet<(int, string)> Taint)> Prefixes(ConnectionRecord c, long crashAt)
    {
        Model model = c.Base.Clone();
        var taint = new HashSet<(int, string)>();
        var list = new List<(Dictionary<(int, string), (string, long)>, HashSet<(int, string)>)> { (State(model), [.. taint]) };
        foreach (ClientBatch b in c.Batches)
        {
            long from = b.SentMs - SlackMs, to = (b.RepliedMs ?? crashAt) + SlackMs;
            List<(string[] Argv, string Reply)> commands = Commands(b);
            foreach ((string[] argv, string reply) in commands)
            {
                Taint(model, taint, b.Db, argv, reply, from, to, b.Acked);
                if (UnknownPop(argv, reply, b.Acked))
                {
                    // The member it popped is not known (no reply, or a nil where the model still
                    // holds the set): the model cannot apply it, and the key stays out of the
                    // comparison until a command sets it whatever it was.
                    taint.Add((b.Db, argv[1]));
                    continue;
                }

                model.Apply(b.Db, argv, b.SentMs, reply);
            }

            list.Add((State(model), [.. taint]));
        }

        return list;
    }

    // The commands a batch ran and the reply of each: a MULTI block's come from EXEC's array.
    private static List<(string[], string)> Commands(ClientBatch b)
    {
        bool multi = b.Argv.Count > 1 && b.Argv[0][0] == "MULTI";
        if (!multi)
        {
            return [(b.Argv[0], b.Acked ? b.Replies[0].Raw : ":0\r\n")];
        }

        string[][] inner = [.. b.Argv.Skip(1).SkipLast(1)];
        if (!b.Acked)
        {
            return [.. inner.Select(a => (a, ":0\r\n"))];
        }

        Resp.RespReply exec = b.Replies[^1];
        if (exec.Kind != '*' || exec.Items.Count != inner.Length)
        {
            return []; // EXECABORT or a nil EXEC: nothing ran
        }

        return [.. inner.Select((a, i) => (a, exec.Items[i].Raw))];
    }

    // An SPOP whose reply does not name the member it popped: unacknowledged, or nil (the set
    // was gone on the server, e.g. expired at a moment the wall clock left open).
    private static bool UnknownPop(string[] argv, string reply, bool acked)
    {
        if (!argv[0].Equals("SPOP", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        bool member = reply.StartsWith('$') && !reply.StartsWith("$-1", StringComparison.Ordinal);
        return !acked || (!member && !reply.StartsWith('-'));
    }

    private static void Taint(Model model, HashSet<(int, string)> taint, int db, string[] argv, string reply, long from, long to, bool acked)
    {
        string cmd = argv[0].ToUpperInvariant();
        if (cmd == "FLUSHDB")
        {
            taint.RemoveWhere(k => k.Item1 == db);
            return;
        }

        string[] keys = cmd switch
        {
            "DEL" => argv[1..],
            "RENAME" => [argv[1], argv[2]],
            _ => [argv[1]],
        };
        bool open = keys.Any(k => model.ExpireAtOf(db, k) is long e && e >= 0 && e >= from && e <= to) || (cmd == "SPOP" && !acked) || keys.Any(k => taint.Contains((db, k)));
        if (cmd is "SET" or "SETEX" or "DEL")
        {
            // Set (or removed) whatever the key was: its fate is known again.
            foreach (string k in keys)
            {
                taint.Remove((db, k));
            }

            return;
        }

        if (open)
        {
            foreach (string k in cmd == "RENAME" ? keys : [argv[1]])
            {
                taint.Add((db, k));
            }
        }

        _ = reply;
    }

    private static Dictionary<(int, string), (string Body, long ExpireAt)> State(Model model)
    {
        var state = new Dictionary<(int, string), (string, long)>();
        foreach (string line in model.LinesAt(long.MinValue))
        {
            // "db|key|type|expireAt|value"
            string[] f = line.Split('|', 5);
            state[(int.Parse(f[0], CultureInfo.InvariantCulture), f[1])] = (f[2] + "|" + f[4], long.Parse(f[3], CultureInfo.InvariantCulture));
        }

        return state;
    }

    private static (List<string> Missing, List<string> Extra) Diff(
        Dictionary<(int, string), (string Body, long ExpireAt)> model, HashSet<(int, string)> taint, Dictionary<(int Db, string Key), RecoveredKey> got, CrashFacts facts, long tol)
    {
        List<string> missing = [], extra = [];
        bool Ambiguous(long exp) => exp >= 0 && exp >= facts.ReadFromMs - tol && exp <= facts.ReadToMs + tol;
        bool Expired(long exp) => exp >= 0 && exp < facts.ReadFromMs - tol;
        bool Skipped(string body) => facts.SkipSets && body.StartsWith("set|", StringComparison.Ordinal);
        foreach (((int db, string key), (string body, long exp)) in model)
        {
            if (taint.Contains((db, key)) || Ambiguous(exp) || Expired(exp) || Skipped(body))
            {
                continue;
            }

            if (!got.TryGetValue((db, key), out RecoveredKey? r) || Ambiguous(r.ExpireAt))
            {
                if (r is null)
                {
                    missing.Add(Line(db, key, body, exp));
                }

                continue;
            }

            bool expiryOk = (exp == -1 && r.ExpireAt == -1) || (exp >= 0 && r.ExpireAt >= 0 && Math.Abs(exp - r.ExpireAt) <= tol);
            if (r.Body != body || !expiryOk)
            {
                missing.Add(Line(db, key, body, exp));
                extra.Add(Line(db, key, r.Body, r.ExpireAt));
            }
        }

        foreach (((int db, string key), RecoveredKey r) in got)
        {
            if (model.TryGetValue((db, key), out var m) && !Expired(m.ExpireAt))
            {
                continue;
            }

            if (!taint.Contains((db, key)) && !Ambiguous(r.ExpireAt) && !Skipped(r.Body))
            {
                extra.Add(Line(db, key, r.Body, r.ExpireAt));
            }
        }

        return (missing, extra);
    }

    private static string Line(int db, string key, string body, long exp)
    {
        int bar = body.IndexOf('|', StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"{db}|{key}|{body[..bar]}|{exp}|{body[(bar + 1)..]}")
            .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
    }
}
