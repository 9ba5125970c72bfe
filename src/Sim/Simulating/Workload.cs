using System.Globalization;
using System.Runtime.CompilerServices;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The simulator's client workload: a seeded stream of commands over every command family the
/// model knows (strings, counters, float counters, keys and expiries, lists, sets, sorted sets,
/// hashes, FLUSHDB), across dbs 0..3, with MULTI/EXEC blocks. Keys carry their type in their name
/// (s:, n:, f:, l:, t:, z:, h:), so a command never meets a key of another type by accident.
/// </summary>
public sealed class Workload
{
    private const int KeysPerType = 6;

    private readonly SimRandom random;

    /// <summary>A workload drawing from <paramref name="random"/>.</summary>
    public Workload(SimRandom random) => this.random = random;

    /// <summary>The db the next batch runs in (SELECT is sent when it changes).</summary>
    public int NextDb() => random.Chance(0.7) ? 0 : random.Next(4);

    /// <summary>One write command, or a MULTI block of 2..4 of them.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<string[]> NextBatch()
    {
        if (random.Chance(0.08))
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
        int roll = random.Next(100);
        return roll switch
        {
            < 10 => random.Next(4) switch
            {
                0 => ["SET", Key("s"), Val(), "EX", N(1 + random.Next(6))],
                1 => ["SET", Key("s"), Val(), "PX", N(200 + random.Next(5000))],
                _ => ["SET", Key("s"), Val()],
            },
            < 14 => ["SETEX", Key("s"), N(1 + random.Next(5)), Val()],
            < 19 => ["APPEND", Key("s"), Val()],
            < 25 => random.Chance(0.5) ? ["INCR", Key("n")] : ["INCRBY", Key("n"), N(random.Next(-50, 50))],
            < 28 => ["SET", Key("n"), N(random.Next(-1000, 1000))],
            < 32 => ["DEL", Key(random.Pick(Types)), Key(random.Pick(Types))],
            < 37 => random.Next(3) switch
            {
                0 => ["EXPIRE", Key(random.Pick(Types)), N(random.Next(-1, 6))],
                1 => ["PEXPIRE", Key(random.Pick(Types)), N(random.Next(0, 4000))],
                _ => ["PEXPIREAT", Key(random.Pick(Types)), "{now+" + N(random.Next(-500, 4000)) + "}"],
            },
            < 39 => ["PERSIST", Key(random.Pick(Types))],
            < 41 => RenameWithinType(),
            < 49 => [random.Chance(0.5) ? "RPUSH" : "LPUSH", Key("l"), Val(), Val()],
            < 53 => [random.Chance(0.5) ? "LPOP" : "RPOP", Key("l")],
            < 60 => ["SADD", Key("t"), Member(), Member()],
            < 63 => ["SREM", Key("t"), Member()],
            < 65 => inMulti ? ["SADD", Key("t"), Member()] : ["SPOP", Key("t")],
            < 72 => ["ZADD", Key("z"), Score(), Member()],
            < 75 => ["ZINCRBY", Key("z"), Score(), Member()],
            < 77 => ["ZREM", Key("z"), Member()],
            < 85 => ["HSET", Key("h"), "f" + random.Next(5), Val()],
            < 89 => ["HINCRBY", Key("h"), "c" + random.Next(3), N(random.Next(-9, 10))],
            < 92 => ["HDEL", Key("h"), (random.Chance(0.5) ? "f" : "c") + random.Next(5)],
            < 93 => ["FLUSHDB"],

            // Float counters (f:): INCRBYFLOAT, whose keys the expiry commands above reach like any
            // other type's, so that a float counter with a TTL is incremented too.
            < 96 => ["INCRBYFLOAT", Key("f"), random.Pick(FloatSteps)],
            _ => ["SET", Key("s"), Val()],
        };
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
}
