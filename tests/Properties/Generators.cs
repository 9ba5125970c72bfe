using System.Globalization;
using System.Text;
using AofSim.Engine.Commands;
using FsCheck;
using FsCheck.Fluent;

namespace AofSim.Properties;

/// <summary>One command: its argument vector, argv[0] being the name.</summary>
public sealed class Cmd
{
    /// <summary>A command of the given arguments.</summary>
    public Cmd(byte[][] argv) => Argv = argv;

    /// <summary>The arguments.</summary>
    public byte[][] Argv { get; }

    /// <summary>The name, lower case (as the command table names it).</summary>
    public string Name => Encoding.Latin1.GetString(Argv[0]).ToLowerInvariant();

    /// <summary>A command of strings (Latin-1) and byte arrays.</summary>
    public static Cmd Of(params object[] parts) => new(parts.Select(ToBytes).ToArray());

    /// <summary>The engine's argv.</summary>
    public CommandArgs ToArgs() => CommandArgs.Of(Argv);

    /// <inheritdoc/>
    public override string ToString() => TestResp.Show(Argv);

    private static byte[] ToBytes(object part) => part switch
    {
        byte[] b => b,
        string s => Encoding.Latin1.GetBytes(s),
        long n => Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture)),
        int n => Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException($"cannot make an argument of {part.GetType().Name}"),
    };
}

/// <summary>
/// One step of a scenario: move the clock forward by <see cref="AdvanceMs"/>, then run
/// <see cref="Commands"/>, one by one or as one MULTI/EXEC block.
/// </summary>
/// <param name="AdvanceMs">Milliseconds the clock moves before the step.</param>
/// <param name="Multi">True for a MULTI … EXEC block.</param>
/// <param name="Commands">The commands.</param>
public sealed record Step(long AdvanceMs, bool Multi, Cmd[] Commands)
{
    /// <inheritdoc/>
    public override string ToString()
    {
        string clock = AdvanceMs == 0 ? string.Empty : $"+{AdvanceMs}ms ";
        string body = Multi
            ? $"MULTI; {string.Join("; ", Commands.Select(c => c.ToString()))}; EXEC"
            : string.Join("; ", Commands.Select(c => c.ToString()));
        return clock + body;
    }
}

/// <summary>A sequence of steps, shown one per line.</summary>
/// <param name="Steps">The steps.</param>
public sealed record Scenario(Step[] Steps)
{
    /// <summary>Every command, blocks flattened (MULTI/EXEC not included).</summary>
    public IEnumerable<Cmd> Commands => Steps.SelectMany(s => s.Commands);

    /// <inheritdoc/>
    public override string ToString() =>
        $"[{Steps.Length} steps]\n  " + string.Join("\n  ", Steps.Select(s => s.ToString()));
}

/// <summary>
/// A dataset described by the commands that build it: replayed through a
/// <see cref="CommandProcessor"/> with <c>Profile.Fixed</c> and <c>SplitMix64(DatasetSeed)</c>,
/// every command at <see cref="Generators.BaseNowMs"/>. Every expiry that survives is strictly
/// after that time (an expiry at or before it deletes the key).
/// </summary>
/// <param name="Build">The commands.</param>
public sealed record DatasetSpec(Scenario Build)
{
    /// <summary>The seed of the processor's random source.</summary>
    public const ulong DatasetSeed = 0x5EED;

    /// <summary>A fresh dataset built from the commands.</summary>
    public Engine.Data.Dataset Create() => Harness.Build(Build, Generators.BaseNowMs, DatasetSeed);

    /// <inheritdoc/>
    public override string ToString() => "dataset built by " + Build;
}

/// <summary>
/// The generators and arbitraries every property shares: byte strings, keys from a small pool
/// (so commands collide), argument vectors, write commands of every family, steps with a moving
/// clock, and whole datasets.
/// </summary>
/// <remarks>
/// Every family the commands come from exists in src/Engine/Commands/Families (string, keyspace,
/// server, list, set, sorted set, hash); a command the table lacks would make every generated
/// scenario that uses it reply an error and propagate nothing, so a command added to the engine
/// should be added here too (<see cref="MoreCommands"/> holds the ones beyond the core list).
/// </remarks>
public static partial class Generators
{
    /// <summary>The clock every generated dataset is built at, and where live scenarios start (Unix ms).</summary>
    public const long BaseNowMs = 1_700_000_000_000;

    /// <summary>The longest TTL a generated command sets, in ms (expiries land in (Base, Base + this]).</summary>
    public const long MaxTtlMs = 60_000;

    private static readonly byte[][] KeyPool =
    [
        B("a"), B("b"), B("c"), B("list"), B(string.Empty), B("k\r\n"), [0x00, 0xFF, 0x0D], [0xE9, 0x74, 0xE9],
    ];

    private static readonly byte[][] MemberPool =
    [
        B("m1"), B("m2"), B("m3"), B("x"), B(string.Empty), B("\r\n"), [0x00], [0x80, 0xFF],
    ];

    private static readonly string[] FixedScores =
    [
        "inf", "-inf", "+inf", "0", "-0", "1", "-1", "1.5", "-2.25", "0.1", "1e3", "-7e-3", "3.0000000000000004",
    ];

    /// <summary>A byte string: empty, words, numbers, or binary with CR, LF, NUL and high bytes.</summary>
    public static Gen<byte[]> Bytes { get; } = Gen.Frequency(
        (1, Gen.Constant(Array.Empty<byte>())),
        (3, Gen.Elements("v", "hello", "OK", "SET", "*1", "$3", "\r\n", "a b", "0", "-12", "123456789012345").Select(B)),
        (2, Gen.Choose(-1000, 1000).Select(n => B(n.ToString(CultureInfo.InvariantCulture)))),
        (4, SizedArray(AnyByte(), 0, 24)));

    /// <summary>A longer byte string now and then (up to a few KB), for the RESP round trip.</summary>
    public static Gen<byte[]> BigBytes { get; } = Gen.Frequency(
        (9, Bytes),
        (1, Gen.Choose(100, 5000).SelectMany(n => Gen.ArrayOf(AnyByte(), n))));

    /// <summary>A key from the small pool.</summary>
    public static Gen<byte[]> Key { get; } = Gen.Elements(KeyPool);

    /// <summary>A set member, list element or hash field from a small pool.</summary>
    public static Gen<byte[]> Member { get; } = Gen.Frequency((4, Gen.Elements(MemberPool)), (1, Bytes));

    /// <summary>A score as ZADD takes it: infinities, negative, fractional, exponent forms.</summary>
    public static Gen<string> Score { get; } = Gen.Frequency(
        (2, Gen.Elements(FixedScores)),
        (3, Gen.Choose(-4000, 4000).Select(n => (n / 8.0).ToString("R", CultureInfo.InvariantCulture))));

    /// <summary>A database number, mostly 0..2 so commands collide, sometimes any of the 16.</summary>
    public static Gen<int> DbId { get; } = Gen.Frequency((6, Gen.Choose(0, 2)), (1, Gen.Choose(0, 15)));

    /// <summary>An argument vector of 0..8 byte strings (RespCommand accepts an empty one; the loader does not).</summary>
    public static Gen<byte[][]> Argv { get; } = Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(BigBytes, n));

    /// <summary>
    /// A write command of any family, with relative TTLs that may be zero or negative (a delete)
    /// and absolute times around <see cref="BaseNowMs"/>.
    /// </summary>
    public static Gen<Cmd> WriteCommand { get; } = Gen.Frequency(
        (6, StringCommand()),
        (5, KeyspaceCommand()),
        (4, ListCommand()),
        (3, SetCommand()),
        (3, ZSetCommand()),
        (3, HashCommand()),
        (1, BigCollection()),
        (3, MoreCommands()));

    /// <summary>A command that only reads: in a live run it expires what it touches, propagating DEL.</summary>
    public static Gen<Cmd> ReadCommand { get; } = Gen.OneOf(
        Key.Select(k => Cmd.Of("GET", k)),
        Key.Select(k => Cmd.Of("EXISTS", k)),
        Key.Select(k => Cmd.Of("TYPE", k)),
        Key.Select(k => Cmd.Of("PTTL", k)));

    /// <summary>Any command a scenario runs: writes, some reads, some SELECTs.</summary>
    public static Gen<Cmd> AnyCommand { get; } = Gen.Frequency(
        (12, WriteCommand),
        (2, ReadCommand),
        (1, DbId.Select(n => Cmd.Of("SELECT", n))));

    /// <summary>How far the clock moves before a step: mostly not at all, sometimes seconds.</summary>
    public static Gen<long> Advance { get; } = Gen.Frequency(
        (6, Gen.Constant(0L)),
        (3, Gen.Choose(1, 2_000).Select(n => (long)n)),
        (1, Gen.Choose(2_000, 20_000).Select(n => (long)n)));

    /// <summary>A step with the clock moving before it.</summary>
    public static Gen<Step> LiveStep { get; } = StepGen(Advance);

    /// <summary>A step at a fixed clock.</summary>
    public static Gen<Step> FixedStep { get; } = StepGen(Gen.Constant(0L));

    /// <summary>A scenario of up to 60 steps with a moving clock.</summary>
    public static Arbitrary<Scenario> LiveScenario { get; } = ScenarioArb(LiveStep, 60);

    /// <summary>
    /// A scenario of up to 60 steps with a moving clock, without the two commands whose seed AOF
    /// form is known not to replay the same: SET … EX/PX (logged verbatim, the TTL restarts at
    /// load time, #9) and INCRBYFLOAT (logged as a plain SET, which drops the key's TTL).
    /// </summary>
    public static Arbitrary<Scenario> LiveScenarioForRedis26 { get; } =
        ScenarioArb(StepGen(Advance, AnyCommand.Where(c => !IsSetWithRelativeExpiry(c) && c.Name != "incrbyfloat")), 60);

    /// <summary>A dataset built from up to 60 steps at a fixed clock.</summary>
    public static Arbitrary<DatasetSpec> Dataset { get; } =
        Arb.From(ScenarioGen(FixedStep, 60).Select(s => new DatasetSpec(s)), d => ShrinkScenario(d.Build).Select(s => new DatasetSpec(s)));

    /// <summary>A clock value anywhere from 1970 to about 2096, in ms.</summary>
    public static Gen<long> NowMs { get; } =
        Gen.Choose(0, 4_000_000).SelectMany(hi => Gen.Choose(0, 999_999).Select(lo => ((long)hi * 1_000_000) + lo));

    /// <summary>True for SET with EX or PX.</summary>
    public static bool IsSetWithRelativeExpiry(Cmd c) =>
        c.Name == "set" && c.Argv.Skip(3).Any(a => Encoding.Latin1.GetString(a).ToUpperInvariant() is "EX" or "PX");

    /// <summary>Removes one element, or the first or second half, or shrinks one element.</summary>
    public static IEnumerable<T[]> ShrinkArray<T>(T[] items, Func<T, IEnumerable<T>>? shrinkItem = null)
    {
        if (items.Length > 1)
        {
            yield return items[..(items.Length / 2)];
            yield return items[(items.Length / 2)..];
        }

        for (int i = 0; i < items.Length; i++)
        {
            yield return [.. items[..i], .. items[(i + 1)..]];
        }

        if (shrinkItem is not null)
        {
            for (int i = 0; i < items.Length; i++)
            {
                foreach (T smaller in shrinkItem(items[i]))
                {
                    T[] copy = (T[])items.Clone();
                    copy[i] = smaller;
                    yield return copy;
                }
            }
        }
    }

    /// <summary>
    /// Smaller scenarios: halves, then one step fewer (its clock advance moved to the next step,
    /// so the remaining steps run at the same times), then simpler steps.
    /// </summary>
    public static IEnumerable<Scenario> ShrinkScenario(Scenario s)
    {
        Step[] steps = s.Steps;
        if (steps.Length > 1)
        {
            yield return new Scenario(steps[..(steps.Length / 2)]);
            yield return new Scenario(steps[(steps.Length / 2)..]);
        }

        for (int i = 0; i < steps.Length; i++)
        {
            Step[] fewer = [.. steps[..i], .. steps[(i + 1)..]];
            if (i < fewer.Length)
            {
                fewer[i] = fewer[i] with { AdvanceMs = fewer[i].AdvanceMs + steps[i].AdvanceMs };
            }

            yield return new Scenario(fewer);
        }

        for (int i = 0; i < steps.Length; i++)
        {
            foreach (Step smaller in ShrinkStep(steps[i]))
            {
                Step[] copy = (Step[])steps.Clone();
                copy[i] = smaller;
                yield return new Scenario(copy);
            }
        }
    }

    /// <summary>An arbitrary of byte arrays with a shrinker towards shorter, then zero bytes.</summary>
    public static Arbitrary<byte[]> ToArb(this Gen<byte[]> gen) => Arb.From(gen, ShrinkBytes);

    /// <summary>Shorter byte strings.</summary>
    public static IEnumerable<byte[]> ShrinkBytes(byte[] b)
    {
        if (b.Length == 0)
        {
            yield break;
        }

        yield return [];
        if (b.Length > 1)
        {
            yield return b[..(b.Length / 2)];
            yield return b[1..];
            yield return b[..^1];
        }
    }

    /// <summary>Bytes of a Latin-1 string.</summary>
    public static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static Gen<Step> StepGen(Gen<long> advance, Gen<Cmd>? commands = null)
    {
        Gen<Cmd> cmd = commands ?? AnyCommand;
        Gen<Step> single = advance.SelectMany(a => cmd.Select(c => new Step(a, false, [c])));
        Gen<Step> block = advance.SelectMany(a => Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(cmd, n)).Select(cs => new Step(a, true, cs)));
        return Gen.Frequency((9, single), (1, block));
    }

    private static Gen<Scenario> ScenarioGen(Gen<Step> step, int maxSteps) =>
        Gen.Sized(size => Gen.Choose(0, Math.Min(maxSteps, Math.Max(size, 1))))
            .SelectMany(n => Gen.ArrayOf(step, n))
            .Select(steps => new Scenario(steps));

    private static Arbitrary<Scenario> ScenarioArb(Gen<Step> step, int maxSteps) =>
        Arb.From(ScenarioGen(step, maxSteps), ShrinkScenario);

    private static IEnumerable<Step> ShrinkStep(Step s)
    {
        if (s.AdvanceMs > 0)
        {
            yield return s with { AdvanceMs = 0 };
        }

        if (s.Multi)
        {
            yield return s with { Multi = false, Commands = [s.Commands[0]] };
            foreach (Cmd[] fewer in ShrinkArray(s.Commands).Where(c => c.Length > 0))
            {
                yield return s with { Commands = fewer };
            }
        }
    }

    private static Gen<byte> AnyByte() => Gen.Frequency(
        (3, Gen.Elements((byte)'\r', (byte)'\n', (byte)0, (byte)'$', (byte)'*')),
        (3, Gen.Choose(0x80, 0xFF).Select(n => (byte)n)),
        (4, Gen.Choose(0x20, 0x7E).Select(n => (byte)n)),
        (2, Gen.Choose(0, 0xFF).Select(n => (byte)n)));

    private static Gen<byte[]> SizedArray(Gen<byte> item, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(item, n));

    private static Gen<T[]> Some<T>(Gen<T> gen, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(gen, n));

    private static Gen<string> Int(int min, int max) => Gen.Choose(min, max).Select(n => n.ToString(CultureInfo.InvariantCulture));

    // SET with or without EX/PX (and NX/XX), SETEX/PSETEX, APPEND, INCR.
    private static Gen<Cmd> StringCommand()
    {
        Gen<object[]> expiry = Gen.Frequency(
            (3, Gen.Constant(Array.Empty<object>())),
            (2, Int(1, (int)(MaxTtlMs / 1000)).Select(t => new object[] { "EX", t })),
            (2, Int(1, (int)MaxTtlMs).Select(t => new object[] { "PX", t })));
        Gen<object[]> cond = Gen.Frequency(
            (5, Gen.Constant(Array.Empty<object>())),
            (1, Gen.Elements<object[]>(["NX"], ["XX"])));
        Gen<Cmd> set = Key.SelectMany(k => Bytes.SelectMany(v => expiry.SelectMany(e => cond.Select(c =>
            Cmd.Of([(object)"SET", k, v, .. e, .. c])))));
        return Gen.Frequency(
            (6, set),
            (1, Key.SelectMany(k => Int(1, (int)(MaxTtlMs / 1000)).SelectMany(t => Bytes.Select(v => Cmd.Of("SETEX", k, t, v))))),
            (1, Key.SelectMany(k => Int(1, (int)MaxTtlMs).SelectMany(t => Bytes.Select(v => Cmd.Of("PSETEX", k, t, v))))),
            (2, Key.SelectMany(k => Bytes.Select(v => Cmd.Of("APPEND", k, v)))),
            (2, Key.Select(k => Cmd.Of("INCR", k))));
    }

    // DEL, the EXPIRE family (relative times may be 0 or negative, absolute ones before the
    // base clock: both delete the key when it exists), PERSIST, RENAME.
    private static Gen<Cmd> KeyspaceCommand()
    {
        const long baseSeconds = BaseNowMs / 1000;
        int maxSeconds = (int)(MaxTtlMs / 1000);
        return Gen.Frequency(
            (3, Some(Key, 1, 3).Select(ks => Cmd.Of(["DEL", .. ks.Cast<object>()]))),
            (2, Key.SelectMany(k => Int(-2, maxSeconds).Select(t => Cmd.Of("EXPIRE", k, t)))),
            (2, Key.SelectMany(k => Int(-1000, (int)MaxTtlMs).Select(t => Cmd.Of("PEXPIRE", k, t)))),
            (1, Key.SelectMany(k => Gen.Choose(-5, maxSeconds).Select(t => Cmd.Of("EXPIREAT", k, baseSeconds + t)))),
            (1, Key.SelectMany(k => Gen.Choose(-5000, (int)MaxTtlMs).Select(t => Cmd.Of("PEXPIREAT", k, BaseNowMs + t)))),
            (1, Key.Select(k => Cmd.Of("PERSIST", k))),
            (2, Key.SelectMany(a => Key.Select(b => Cmd.Of("RENAME", a, b)))));
    }

    // LPUSH/RPUSH/LPOP/LREM/LTRIM.
    private static Gen<Cmd> ListCommand() => Gen.Frequency(
        (3, Gen.Elements("LPUSH", "RPUSH").SelectMany(name => Key.SelectMany(k => Some(Member, 1, 4).Select(vs => Cmd.Of([name, k, .. vs.Cast<object>()]))))),
        (1, Key.Select(k => Cmd.Of("LPOP", k))),
        (1, Key.SelectMany(k => Int(0, 3).Select(n => Cmd.Of("LPOP", k, n)))),
        (1, Key.SelectMany(k => Int(-2, 2).SelectMany(n => Member.Select(v => Cmd.Of("LREM", k, n, v))))),
        (1, Key.SelectMany(k => Int(-4, 4).SelectMany(s => Int(-4, 4).Select(e => Cmd.Of("LTRIM", k, s, e))))));

    // SADD/SREM/SPOP (SPOP is logged as SREM of what it popped, or DEL).
    private static Gen<Cmd> SetCommand() => Gen.Frequency(
        (3, Key.SelectMany(k => Some(Member, 1, 4).Select(ms => Cmd.Of(["SADD", k, .. ms.Cast<object>()])))),
        (2, Key.SelectMany(k => Some(Member, 1, 3).Select(ms => Cmd.Of(["SREM", k, .. ms.Cast<object>()])))),
        (1, Key.Select(k => Cmd.Of("SPOP", k))),
        (1, Key.SelectMany(k => Int(0, 4).Select(n => Cmd.Of("SPOP", k, n)))));

    // ZADD/ZREM/ZINCRBY with infinite, negative and fractional scores.
    private static Gen<Cmd> ZSetCommand()
    {
        Gen<object[]> pair = Score.SelectMany(s => Member.Select(m => new object[] { s, m }));
        Gen<object[]> flags = Gen.Frequency(
            (6, Gen.Constant(Array.Empty<object>())),
            (1, Gen.Elements<object[]>(["NX"], ["XX"], ["CH"], ["GT"], ["LT"])));
        return Gen.Frequency(
            (3, Key.SelectMany(k => flags.SelectMany(f => Some(pair, 1, 3).Select(ps => Cmd.Of([(object)"ZADD", k, .. f, .. ps.SelectMany(p => p)]))))),
            (2, Key.SelectMany(k => Some(Member, 1, 3).Select(ms => Cmd.Of(["ZREM", k, .. ms.Cast<object>()])))),
            (2, Key.SelectMany(k => Score.SelectMany(s => Member.Select(m => Cmd.Of("ZINCRBY", k, s, m))))));
    }

    // HSET/HDEL/HINCRBY.
    private static Gen<Cmd> HashCommand()
    {
        Gen<object[]> pair = Member.SelectMany(f => Gen.Frequency((3, Bytes), (1, Int(-50, 50).Select(B))).Select(v => new object[] { f, v }));
        return Gen.Frequency(
            (3, Key.SelectMany(k => Some(pair, 1, 3).Select(ps => Cmd.Of([(object)"HSET", k, .. ps.SelectMany(p => p)])))),
            (2, Key.SelectMany(k => Some(Member, 1, 3).Select(fs => Cmd.Of(["HDEL", k, .. fs.Cast<object>()])))),
            (2, Key.SelectMany(k => Member.SelectMany(f => Int(-100, 100).Select(n => Cmd.Of("HINCRBY", k, f, n))))));
    }

    // Beyond the families above: the other writes of each family, whose AOF form is the
    // command itself (or, for INCRBYFLOAT/HINCRBYFLOAT, a SET/HSET of the result), and MOVE,
    // which may expire a key in another db.
    private static Gen<Cmd> MoreCommands()
    {
        const long baseSeconds = BaseNowMs / 1000;
        Gen<string> floatArg = Gen.Frequency(
            (3, Gen.Choose(-400, 400).Select(n => (n / 4.0).ToString("R", CultureInfo.InvariantCulture))),
            (1, Gen.Elements("0.1", "1e2", "-0.3", "abc")));
        return Gen.OneOf(
            Key.SelectMany(k => Bytes.SelectMany(v => Gen.Elements<object[]>(
                ["KEEPTTL"], ["GET"], ["EXAT", baseSeconds + 30], ["PXAT", BaseNowMs + 30_000], ["NX", "GET"], ["XX", "KEEPTTL"])
                .Select(o => Cmd.Of([(object)"SET", k, v, .. o])))),
            Key.SelectMany(k => Bytes.Select(v => Cmd.Of("SETNX", k, v))),
            Key.SelectMany(k => Bytes.Select(v => Cmd.Of("GETSET", k, v))),
            Key.SelectMany(a => Bytes.SelectMany(v => Key.SelectMany(b => Bytes.Select(w => Cmd.Of("MSET", a, v, b, w))))),
            Key.SelectMany(k => Int(-20, 20).Select(n => Cmd.Of("DECRBY", k, n))),
            Key.SelectMany(k => floatArg.Select(f => Cmd.Of("INCRBYFLOAT", k, f))),
            Key.SelectMany(a => Key.Select(b => Cmd.Of("RENAMENX", a, b))),
            Key.SelectMany(k => DbId.Select(db => Cmd.Of("MOVE", k, db))),
            Key.SelectMany(k => Int(-1, 2).SelectMany(i => Member.Select(v => Cmd.Of("LSET", k, i, v)))),
            Key.SelectMany(k => Gen.Elements("BEFORE", "AFTER").SelectMany(w => Member.SelectMany(p => Member.Select(v => Cmd.Of("LINSERT", k, w, p, v))))),
            Key.SelectMany(a => Key.Select(b => Cmd.Of("RPOPLPUSH", a, b))),
            Key.SelectMany(a => Key.SelectMany(b => Gen.Elements("LEFT", "RIGHT").SelectMany(x => Gen.Elements("LEFT", "RIGHT").Select(y => Cmd.Of("LMOVE", a, b, x, y))))),
            Key.SelectMany(a => Key.SelectMany(b => Member.Select(m => Cmd.Of("SMOVE", a, b, m)))),
            Gen.Elements("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE").SelectMany(n => Key.SelectMany(d => Some(Key, 1, 3).Select(ks => Cmd.Of([n, d, .. ks.Cast<object>()])))),
            Gen.Elements("ZUNIONSTORE", "ZINTERSTORE").SelectMany(n => Key.SelectMany(d => Some(Key, 1, 3).SelectMany(ks => Gen.Elements<object[]>(
                [], ["AGGREGATE", "MIN"], ["AGGREGATE", "MAX"], ["WEIGHTS", .. ks.Select((_, i) => (object)(i % 2 == 0 ? "2" : "-0.5"))])
                .Select(o => Cmd.Of([n, d, ks.Length, .. ks.Cast<object>(), .. o]))))),
            Key.SelectMany(k => Score.SelectMany(lo => Score.Select(hi => Cmd.Of("ZREMRANGEBYSCORE", k, lo, hi)))),
            Key.SelectMany(k => Int(-3, 3).SelectMany(lo => Int(-3, 3).Select(hi => Cmd.Of("ZREMRANGEBYRANK", k, lo, hi)))),
            Key.SelectMany(k => Member.SelectMany(f => Bytes.Select(v => Cmd.Of("HSETNX", k, f, v)))),
            Key.SelectMany(k => Member.SelectMany(f => floatArg.Select(n => Cmd.Of("HINCRBYFLOAT", k, f, n)))),
            Gen.Elements(Cmd.Of("FLUSHDB"), Cmd.Of("FLUSHALL")).SelectMany(c => Gen.Choose(0, 9).Select(n => n == 0 ? c : Cmd.Of("PING"))));
    }

    // A collection of 60..150 items in one command, so the rewrite has to split it in batches of 64.
    private static Gen<Cmd> BigCollection() =>
        Gen.Choose(60, 150).SelectMany(n => Key.SelectMany(k => Gen.Elements("RPUSH", "SADD", "ZADD", "HSET").Select(name =>
        {
            var args = new List<object> { name, k };
            for (int i = 0; i < n; i++)
            {
                string item = "item" + i.ToString(CultureInfo.InvariantCulture);
                switch (name)
                {
                    case "ZADD":
                        args.Add((i * 0.5).ToString("R", CultureInfo.InvariantCulture));
                        args.Add(item);
                        break;
                    case "HSET":
                        args.Add(item);
                        args.Add("v" + i.ToString(CultureInfo.InvariantCulture));
                        break;
                    default:
                        args.Add(item);
                        break;
                }
            }

            return Cmd.Of([.. args]);
        })));
}
