using System.Globalization;
using System.Runtime.CompilerServices;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The simulator's client workload: a seeded stream of commands over every command family the
/// model knows (strings, counters, float counters, keys and expiries, lists, sets, sorted sets,
/// hashes, FLUSHDB), across dbs 0..3, with MULTI/EXEC blocks. Keys carry their type in their name
/// (s:, n:, f:, l:, t:, z:, h:), so a command never meets a key of another type by accident. Each
/// command comes from a row of <see cref="Table"/> (a family, a weight, a generator); swarm
/// testing turns families off (<see cref="FamilySet"/>), and the rows left share the draw.
/// </summary>
public sealed class Workload
{
    private const int KeysPerType = 6;

    /// <summary>The MULTI/EXEC blocks, a family of their own (not a row: a block holds rows' commands).</summary>
    public const string Multi = "multi";

    private readonly SimRandom random;
    private readonly bool multi;

    // The rows of the families on: cumulative weights and their generators.
    private readonly int[] upTo;
    private readonly Func<Workload, bool, string[]>[] make;
    private readonly int total;

    /// <summary>A workload drawing from <paramref name="random"/>, every family on.</summary>
    public Workload(SimRandom random)
        : this(random, FamilySet.All)
    {
    }

    /// <summary>A workload drawing from <paramref name="random"/> over the families of <paramref name="families"/>.</summary>
    public Workload(SimRandom random, FamilySet families)
    {
        this.random = random;
        multi = families.Has(Multi);
        Row[] rows = [.. Table.Where(r => families.Has(r.Family))];
        upTo = new int[rows.Length];
        make = new Func<Workload, bool, string[]>[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            total += rows[i].Weight;
            upTo[i] = total;
            make[i] = rows[i].Make;
        }
    }

    /// <summary>Every family, in table order, then <see cref="Multi"/>.</summary>
    public static IReadOnlyList<string> Families => FamilyNames;

    /// <summary>True when some family gives commands (a swarm may turn every one off).</summary>
    public bool HasCommands => total > 0;

    /// <summary>The db the next batch runs in (SELECT is sent when it changes).</summary>
    public int NextDb() => random.Chance(0.7) ? 0 : random.Next(4);

    /// <summary>One write command, or a MULTI block of 2..4 of them.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<string[]> NextBatch()
    {
        if (multi && random.Chance(0.08))
        {
            var block = new List<string[]> { new[] { "MULTI" } };
            int n = 2 + random.Next(3);
            for (int i = 0; i < n; i++)
            {
                block.Add(NextCommand(inMulti: true));
            }

            block.Add(["EXEC"]);
            return block;
        }

        return [NextCommand(inMulti: false)];
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private string Key(string type) => KeyNames[type][random.Next(KeysPerType)];

    private string Val() => random.Pick(Values);

    private static readonly string[] Values = ["a", "bb", "hello", "x y", "line\r\nbreak", "zero\0byte", "", "12", "v"];

    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string[] NextCommand(bool inMulti)
    {
        if (total == 0)
        {
            throw new InvalidOperationException("no command family is on");
        }

        int roll = random.Next(total);
        int i = 0;
        while (roll >= upTo[i])
        {
            i++;
        }

        return make[i](this, inMulti);
    }

    private static readonly string[] Types = ["s", "n", "f", "l", "t", "z", "h"];

    // Multiples of 1/8: every sum of a few of them is exact in binary and in decimal, so the
    // model's decimal arithmetic and the engine's doubles agree without sharing a formatter.
    private static readonly string[] FloatSteps = ["0.5", "1.25", "-2", "-0.75", "3", "0.125"];

    // "type:i" and "mi", made once instead of at every draw.
    private static readonly Dictionary<string, string[]> KeyNames =
        Types.ToDictionary(t => t, t => Enumerable.Range(0, KeysPerType).Select(i => $"{t}:{i}").ToArray(), StringComparer.Ordinal);

    private static readonly string[] Members = [.. Enumerable.Range(0, 8).Select(i => "m" + i)];

    private string[] RenameWithinType()
    {
        string type = random.Pick(Types);
        return ["RENAME", Key(type), Key(type)];
    }

    private string Member() => Members[random.Next(Members.Length)];

    private string Score() => random.Next(4) switch
    {
        0 => N(random.Next(-5, 6)),
        1 => (random.Next(-20, 20) / 2.0).ToString("R", CultureInfo.InvariantCulture),
        2 => "0.25",
        _ => N(random.Next(100)),
    };

    /// <summary>One row of the table: commands of <paramref name="Family"/>, drawn with <paramref name="Weight"/> out of the sum.</summary>
    private sealed record Row(string Family, int Weight, Func<Workload, bool, string[]> Make);

    // The command table. With every family on the weights sum to 100, and a command is one draw
    // of 0..99 then its generator's draws, in this order (the reference traces depend on it). To
    // add a family or a command: one row.
    private static readonly Row[] Table =
    [
        new("strings", 10, static (w, _) => w.random.Next(4) switch
        {
            0 => ["SET", w.Key("s"), w.Val(), "EX", N(1 + w.random.Next(6))],
            1 => ["SET", w.Key("s"), w.Val(), "PX", N(200 + w.random.Next(5000))],
            _ => ["SET", w.Key("s"), w.Val()],
        }),
        new("strings", 4, static (w, _) => ["SETEX", w.Key("s"), N(1 + w.random.Next(5)), w.Val()]),
        new("strings", 5, static (w, _) => ["APPEND", w.Key("s"), w.Val()]),
        new("counters", 6, static (w, _) => w.random.Chance(0.5) ? ["INCR", w.Key("n")] : ["INCRBY", w.Key("n"), N(w.random.Next(-50, 50))]),
        new("counters", 3, static (w, _) => ["SET", w.Key("n"), N(w.random.Next(-1000, 1000))]),
        new("keys", 4, static (w, _) => ["DEL", w.Key(w.random.Pick(Types)), w.Key(w.random.Pick(Types))]),
        new("expiry", 5, static (w, _) => w.random.Next(3) switch
        {
            0 => ["EXPIRE", w.Key(w.random.Pick(Types)), N(w.random.Next(-1, 6))],
            1 => ["PEXPIRE", w.Key(w.random.Pick(Types)), N(w.random.Next(0, 4000))],
            _ => ["PEXPIREAT", w.Key(w.random.Pick(Types)), "{now+" + N(w.random.Next(-500, 4000)) + "}"],
        }),
        new("expiry", 2, static (w, _) => ["PERSIST", w.Key(w.random.Pick(Types))]),
        new("keys", 2, static (w, _) => w.RenameWithinType()),
        new("lists", 8, static (w, _) => [w.random.Chance(0.5) ? "RPUSH" : "LPUSH", w.Key("l"), w.Val(), w.Val()]),
        new("lists", 4, static (w, _) => [w.random.Chance(0.5) ? "LPOP" : "RPOP", w.Key("l")]),
        new("sets", 7, static (w, _) => ["SADD", w.Key("t"), w.Member(), w.Member()]),
        new("sets", 3, static (w, _) => ["SREM", w.Key("t"), w.Member()]),
        new("sets", 2, static (w, inMulti) => inMulti ? ["SADD", w.Key("t"), w.Member()] : ["SPOP", w.Key("t")]),
        new("zsets", 7, static (w, _) => ["ZADD", w.Key("z"), w.Score(), w.Member()]),
        new("zsets", 3, static (w, _) => ["ZINCRBY", w.Key("z"), w.Score(), w.Member()]),
        new("zsets", 2, static (w, _) => ["ZREM", w.Key("z"), w.Member()]),
        new("hashes", 8, static (w, _) => ["HSET", w.Key("h"), "f" + w.random.Next(5), w.Val()]),
        new("hashes", 4, static (w, _) => ["HINCRBY", w.Key("h"), "c" + w.random.Next(3), N(w.random.Next(-9, 10))]),
        new("hashes", 3, static (w, _) => ["HDEL", w.Key("h"), (w.random.Chance(0.5) ? "f" : "c") + w.random.Next(5)]),
        new("flushdb", 1, static (_, _) => ["FLUSHDB"]),

        // Float counters (f:): INCRBYFLOAT, whose keys the expiry commands above reach like any
        // other type's, so that a float counter with a TTL is incremented too.
        new("floats", 3, static (w, _) => ["INCRBYFLOAT", w.Key("f"), w.random.Pick(FloatSteps)]),
        new("strings", 4, static (w, _) => ["SET", w.Key("s"), w.Val()]),
    ];

    // After the table: static fields are initialised in the order they are written.
    private static readonly string[] FamilyNames = [.. Table.Select(r => r.Family).Distinct(), Multi];
}
