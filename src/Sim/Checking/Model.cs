using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Sim.Checking;

/// <summary>
/// An independent model of the data commands the simulator's workload uses: plain C# collections
/// and the rules written out once more, never the engine's code. It tells what the dataset must
/// be after any prefix of the executed commands, as canonical lines and as an order-free digest.
/// </summary>
/// <remarks>
/// A key whose expiry is before the command's time does not exist for that command (Redis keeps
/// a key while now &lt;= when). Collections that become empty are deleted. Keys are ASCII.
/// </remarks>
public sealed class Model
{
    private readonly Dictionary<(int Db, string Key), Entry> keys;

    // The keys with an expiry and their hashes: all DigestAt has to look at besides the sum.
    private readonly Dictionary<(int Db, string Key), (long ExpireAt, ulong Hash)> expiring;
    private (long ExpireAt, ulong Hash)[]? expiringView;
    private ulong sum;

    /// <summary>An empty model.</summary>
    public Model()
    {
        keys = [];
        expiring = [];
    }

    // A copy: values are never changed in place (every command builds a new one), so sharing them is safe.
    private Model(Model from)
    {
        keys = new(from.keys);
        expiring = new(from.expiring);
        expiringView = from.expiringView;
        sum = from.sum;
    }

    /// <summary>Keys held, expired or not.</summary>
    public int Count => keys.Count;

    /// <summary>The canonical line of one key, as <see cref="Canonical.Line"/> writes it.</summary>
    public static string Line(int db, string key, object value, long expireAt) => Canonical.Line(db, key, value, expireAt);

    /// <summary>Applies one command run in <paramref name="db"/> at <paramref name="now"/> whose reply was <paramref name="reply"/>.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(int db, string[] argv, long now, string reply)
    {
        if (reply.StartsWith('-'))
        {
            return; // an error changes nothing
        }

        string cmd = argv[0].ToUpperInvariant();
        string k = argv.Length > 1 ? argv[1] : string.Empty;
        switch (cmd)
        {
            case "SET":
                long exp = -1;
                if (argv.Length == 5)
                {
                    long n = long.Parse(argv[4], CultureInfo.InvariantCulture);
                    exp = now + (argv[3].Equals("EX", StringComparison.OrdinalIgnoreCase) ? n * 1000 : n);
                }

                Put(db, k, argv[2], exp);
                break;
            case "SETEX":
                Put(db, k, argv[3], now + (long.Parse(argv[2], CultureInfo.InvariantCulture) * 1000));
                break;
            case "APPEND":
                if (TryGet(db, k, now, out Entry? s))
                {
                    Put(db, k, (string)s.Value + argv[2], s.ExpireAt);
                }
                else
                {
                    Put(db, k, argv[2], -1);
                }

                break;
            case "INCR" or "INCRBY":
                long by = cmd == "INCR" ? 1 : long.Parse(argv[2], CultureInfo.InvariantCulture);
                if (TryGet(db, k, now, out Entry? c))
                {
                    Put(db, k, (long.Parse((string)c.Value, CultureInfo.InvariantCulture) + by).ToString(CultureInfo.InvariantCulture), c.ExpireAt);
                }
                else
                {
                    Put(db, k, by.ToString(CultureInfo.InvariantCulture), -1);
                }

                break;
            case "INCRBYFLOAT":
                // The live command keeps the key's expiry (only its replay may lose it, #IncrByFloatKeepsTtl).
                decimal step = decimal.Parse(argv[2], NumberStyles.Float, CultureInfo.InvariantCulture);
                if (TryGet(db, k, now, out Entry? f))
                {
                    Put(db, k, FloatText(decimal.Parse((string)f.Value, NumberStyles.Float, CultureInfo.InvariantCulture) + step), f.ExpireAt);
                }
                else
                {
                    Put(db, k, FloatText(step), -1);
                }

                break;
            case "DEL":
                for (int i = 1; i < argv.Length; i++)
                {
                    Remove(db, argv[i]);
                }

                break;
            case "EXPIRE" or "PEXPIRE" or "PEXPIREAT":
                if (TryGet(db, k, now, out Entry? e))
                {
                    long t = long.Parse(argv[2], CultureInfo.InvariantCulture);
                    long at = cmd switch { "EXPIRE" => now + (t * 1000), "PEXPIRE" => now + t, _ => t };
                    if (at <= now)
                    {
                        Remove(db, k);
                    }
                    else
                    {
                        Put(db, k, e.Value, at);
                    }
                }

                break;
            case "PERSIST":
                if (TryGet(db, k, now, out Entry? p))
                {
                    Put(db, k, p.Value, -1);
                }

                break;
            case "RENAME":
                if (TryGet(db, k, now, out Entry? r) && k != argv[2])
                {
                    Remove(db, k);
                    Put(db, argv[2], r.Value, r.ExpireAt);
                }

                break;
            case "RPUSH" or "LPUSH":
                List<string> list = TryGet(db, k, now, out Entry? l) ? [.. (List<string>)l.Value] : [];
                foreach (string v in argv.AsSpan(2))
                {
                    if (cmd == "RPUSH")
                    {
                        list.Add(v);
                    }
                    else
                    {
                        list.Insert(0, v);
                    }
                }

                Put(db, k, list, l?.ExpireAt ?? -1);
                break;
            case "LPOP" or "RPOP":
                if (TryGet(db, k, now, out Entry? pl))
                {
                    List<string> left = [.. (List<string>)pl.Value];
                    left.RemoveAt(cmd == "LPOP" ? 0 : left.Count - 1);
                    PutOrDelete(db, k, left, left.Count, pl.ExpireAt);
                }

                break;
            case "SADD":
                var set = TryGet(db, k, now, out Entry? st) ? new SortedSet<string>((SortedSet<string>)st.Value, StringComparer.Ordinal) : new SortedSet<string>(StringComparer.Ordinal);
                foreach (string m in argv.AsSpan(2))
                {
                    set.Add(m);
                }

                Put(db, k, set, st?.ExpireAt ?? -1);
                break;
            case "SREM" or "SPOP":
                if (TryGet(db, k, now, out Entry? sr))
                {
                    var rest = new SortedSet<string>((SortedSet<string>)sr.Value, StringComparer.Ordinal);
                    IEnumerable<string> gone = cmd == "SREM" ? argv.Skip(2) : [BulkText(reply)];
                    foreach (string m in gone)
                    {
                        rest.Remove(m);
                    }

                    PutOrDelete(db, k, rest, rest.Count, sr.ExpireAt);
                }

                break;
            case "ZADD" or "ZINCRBY":
                var z = TryGet(db, k, now, out Entry? ze) ? new SortedDictionary<string, double>((SortedDictionary<string, double>)ze.Value, StringComparer.Ordinal) : new SortedDictionary<string, double>(StringComparer.Ordinal);
                double score = double.Parse(argv[2], CultureInfo.InvariantCulture);
                z[argv[3]] = cmd == "ZADD" ? score : z.GetValueOrDefault(argv[3]) + score;
                Put(db, k, z, ze?.ExpireAt ?? -1);
                break;
            case "ZREM":
                if (TryGet(db, k, now, out Entry? zr))
                {
                    var zs = new SortedDictionary<string, double>((SortedDictionary<string, double>)zr.Value, StringComparer.Ordinal);
                    zs.Remove(argv[2]);
                    PutOrDelete(db, k, zs, zs.Count, zr.ExpireAt);
                }

                break;
            case "HSET" or "HINCRBY":
                var h = TryGet(db, k, now, out Entry? he) ? new SortedDictionary<string, string>((SortedDictionary<string, string>)he.Value, StringComparer.Ordinal) : new SortedDictionary<string, string>(StringComparer.Ordinal);
                h[argv[2]] = cmd == "HSET" ? argv[3]
                    : (long.Parse(h.GetValueOrDefault(argv[2], "0"), CultureInfo.InvariantCulture) + long.Parse(argv[3], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
                Put(db, k, h, he?.ExpireAt ?? -1);
                break;
            case "HDEL":
                if (TryGet(db, k, now, out Entry? hd))
                {
                    var hs = new SortedDictionary<string, string>((SortedDictionary<string, string>)hd.Value, StringComparer.Ordinal);
                    hs.Remove(argv[2]);
                    PutOrDelete(db, k, hs, hs.Count, hd.ExpireAt);
                }

                break;
            case "FLUSHDB":
                FlushDb(db);
                break;
            default:
                throw new InvalidOperationException($"the model does not know {cmd}");
        }
    }

    // Its own method: a lambda over Apply's db would make Apply allocate a closure on every call.
    private void FlushDb(int db)
    {
        foreach ((int Db, string Key) key in keys.Keys.Where(x => x.Db == db).ToList())
        {
            Remove(key.Db, key.Key);
        }
    }

    /// <summary>Replaces the whole state by <paramref name="entries"/> (a resynchronisation base).</summary>
    public void Reset(IEnumerable<(int Db, string Key, object Value, long ExpireAt)> entries)
    {
        keys.Clear();
        expiring.Clear();
        expiringView = null;
        sum = 0;
        foreach ((int db, string key, object value, long expireAt) in entries)
        {
            Put(db, key, value, expireAt);
        }
    }

    /// <summary>The order-free digest of the keys alive at <paramref name="t"/>.</summary>
    public ulong DigestAt(long t) => State.DigestAt(t);

    /// <summary>What the digest at any time needs, as it is now (unchanged by later commands).</summary>
    public DigestState State => new(sum, expiringView ??= [.. expiring.Values]);

    /// <summary>A copy that goes on independently.</summary>
    public Model Clone() => new(this);

    /// <summary>The canonical lines of the keys alive at <paramref name="t"/>, sorted.</summary>
    public List<string> LinesAt(long t) =>
        [.. keys.Where(kv => kv.Value.ExpireAt == -1 || kv.Value.ExpireAt >= t)
            .Select(kv => Line(kv.Key.Db, kv.Key.Key, kv.Value.Value, kv.Value.ExpireAt))
            .Order(StringComparer.Ordinal)];

    // The text of a bulk reply "$n\r\ntext\r\n".
    private static string BulkText(string reply)
    {
        int nl = reply.IndexOf('\n', StringComparison.Ordinal);
        return reply[(nl + 1)..^2];
    }

    // INCRBYFLOAT's reply and stored value: the shortest decimal text, no trailing zeros, no
    // exponent ("%.17Lg" trimmed, as Redis prints the exact values the workload adds up).
    private static string FloatText(decimal value)
    {
        string s = value.ToString(CultureInfo.InvariantCulture);
        return s.Contains('.', StringComparison.Ordinal) ? s.TrimEnd('0').TrimEnd('.') : s;
    }

    /// <summary>The expiry of a key held (expired or not): its unix time in ms, -1 for none, -2 when the key is not held.</summary>
    public long ExpireAtOf(int db, string key) => keys.TryGetValue((db, key), out Entry? e) ? e.ExpireAt : -2;

    private bool TryGet(int db, string key, long now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Entry? e)
    {
        if (keys.TryGetValue((db, key), out e) && (e.ExpireAt == -1 || e.ExpireAt >= now))
        {
            return true;
        }

        e = null;
        return false;
    }

    private void PutOrDelete(int db, string key, object value, int count, long expireAt)
    {
        if (count == 0)
        {
            Remove(db, key);
        }
        else
        {
            Put(db, key, value, expireAt);
        }
    }

    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Put(int db, string key, object value, long expireAt)
    {
        ulong h = Canonical.Hash(db, key, value, expireAt);
        ref Entry? slot = ref CollectionsMarshal.GetValueRefOrAddDefault(keys, (db, key), out bool existed);
        if (existed)
        {
            Forget(db, key, slot!);
        }

        slot = new Entry(value, expireAt, h);
        sum += h;
        if (expireAt != -1)
        {
            expiring[(db, key)] = (expireAt, h);
            expiringView = null;
        }
    }

    private void Remove(int db, string key)
    {
        if (keys.Remove((db, key), out Entry? old))
        {
            Forget(db, key, old);
        }
    }

    // Takes a key's old entry out of the sum (and out of the expiring keys).
    private void Forget(int db, string key, Entry old)
    {
        sum -= old.Hash;
        if (old.ExpireAt != -1)
        {
            expiring.Remove((db, key));
            expiringView = null;
        }
    }

    private sealed record Entry(object Value, long ExpireAt, ulong Hash);
}

/// <summary>The model's digest inputs at one point: the sum of every key's hash, and the keys that can expire.</summary>
public readonly struct DigestState
{
    private readonly ulong sum;
    private readonly (long ExpireAt, ulong Hash)[] expiring;

    /// <summary>A state of <paramref name="sum"/> with <paramref name="expiring"/> (not copied: never changed).</summary>
    public DigestState(ulong sum, (long ExpireAt, ulong Hash)[] expiring)
    {
        this.sum = sum;
        this.expiring = expiring;
    }

    /// <summary>The digest of the keys alive at <paramref name="t"/>: expired ones are taken out of the sum.</summary>
    public ulong DigestAt(long t)
    {
        ulong d = sum;
        foreach ((long expireAt, ulong hash) in expiring)
        {
            if (expireAt < t)
            {
                d -= hash;
            }
        }

        return d;
    }
}

/// <summary>
/// The one text form both the model and a recovered engine dataset are compared in:
/// "db|key|type|expireAt|value" with collections in a fixed order.
/// </summary>
public static class Canonical
{
    /// <summary>The line of one key.</summary>
    public static string Line(int db, string key, object value, long expireAt)
    {
        var sb = new StringBuilder();
        sb.Append(db.ToString(CultureInfo.InvariantCulture)).Append('|').Append(key).Append('|');
        switch (value)
        {
            case string s:
                sb.Append("string|");
                Expiry(sb, expireAt).Append(s);
                break;
            case List<string> l:
                sb.Append("list|");
                Expiry(sb, expireAt).AppendJoin(',', l);
                break;
            case SortedSet<string> set:
                sb.Append("set|");
                Expiry(sb, expireAt).AppendJoin(',', set);
                break;
            case SortedDictionary<string, double> z:
                sb.Append("zset|");
                Expiry(sb, expireAt).AppendJoin(',', z.Select(kv => kv.Key + "=" + kv.Value.ToString("R", CultureInfo.InvariantCulture)));
                break;
            case SortedDictionary<string, string> h:
                sb.Append("hash|");
                Expiry(sb, expireAt).AppendJoin(',', h.Select(kv => kv.Key + "=" + kv.Value));
                break;
            default:
                throw new InvalidOperationException($"no canonical form for {value.GetType().Name}");
        }

        return sb.ToString();
    }

    /// <summary>A fixed 64-bit hash of a line (FNV-1a, then mixed).</summary>
    public static ulong Hash(string line)
    {
        var h = default(LineHash);
        h.Add(line);
        return h.Value;
    }

    /// <summary><see cref="Hash(string)"/> of <see cref="Line"/>, without building the line.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Hash(int db, string key, object value, long expireAt)
    {
        var h = default(LineHash);
        h.Add(db);
        h.Add('|');
        h.Add(key);
        h.Add('|');
        switch (value)
        {
            case string s:
                h.Add("string|");
                Expiry(ref h, expireAt).Add(s);
                break;
            case List<string> l:
                h.Add("list|");
                Join(ref Expiry(ref h, expireAt), l);
                break;
            case SortedSet<string> set:
                h.Add("set|");
                Join(ref Expiry(ref h, expireAt), set);
                break;
            case SortedDictionary<string, double> z:
                h.Add("zset|");
                Expiry(ref h, expireAt);
                bool first = true;
                foreach ((string member, double score) in z)
                {
                    if (!first)
                    {
                        h.Add(',');
                    }

                    first = false;
                    h.Add(member);
                    h.Add('=');
                    h.Add(score);
                }

                break;
            case SortedDictionary<string, string> hash:
                h.Add("hash|");
                Expiry(ref h, expireAt);
                bool firstField = true;
                foreach ((string field, string v) in hash)
                {
                    if (!firstField)
                    {
                        h.Add(',');
                    }

                    firstField = false;
                    h.Add(field);
                    h.Add('=');
                    h.Add(v);
                }

                break;
            default:
                throw new InvalidOperationException($"no canonical form for {value.GetType().Name}");
        }

        return h.Value;
    }

    private static ref LineHash Expiry(ref LineHash h, long expireAt)
    {
        h.Add(expireAt);
        h.Add('|');
        return ref h;
    }

    private static void Join(ref LineHash h, IEnumerable<string> items)
    {
        bool first = true;
        foreach (string item in items)
        {
            if (!first)
            {
                h.Add(',');
            }

            first = false;
            h.Add(item);
        }
    }

    // FNV-1a over the chars of a line as they would be appended to it.
    internal struct LineHash
    {
        private ulong h;
        private bool started;

        public readonly ulong Value
        {
            get
            {
                ulong v = started ? h : 14695981039346656037UL;
                v ^= v >> 33;
                v *= 0xFF51AFD7ED558CCDUL;
                return v ^ (v >> 33);
            }
        }

        public void Add(char c)
        {
            if (!started)
            {
                h = 14695981039346656037UL;
                started = true;
            }

            h = (h ^ c) * 1099511628211UL;
        }

        // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<char> s)
        {
            foreach (char c in s)
            {
                Add(c);
            }
        }

        // Bytes as the Latin-1 chars of the text they stand for (keys and values are read so).
        // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<byte> latin1)
        {
            foreach (byte b in latin1)
            {
                Add((char)b);
            }
        }

        // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(long n)
        {
            Span<char> digits = stackalloc char[24];
            n.TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
            Add(digits[..written]);
        }

        public void Add(double d)
        {
            Span<char> text = stackalloc char[40];
            if (!d.TryFormat(text, out int written, "R", CultureInfo.InvariantCulture))
            {
                Add(d.ToString("R", CultureInfo.InvariantCulture));
                return;
            }

            Add(text[..written]);
        }
    }

    private static StringBuilder Expiry(StringBuilder sb, long expireAt) =>
        sb.Append(expireAt.ToString(CultureInfo.InvariantCulture)).Append('|');
}
