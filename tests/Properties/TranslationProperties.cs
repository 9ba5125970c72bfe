using System.Globalization;
using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using AofSim.Engine.Text;
using FsCheck;
using FsCheck.Fluent;

namespace AofSim.Properties;

/// <summary>A relative-expiry command to translate.</summary>
public enum ExpiryForm
{
    /// <summary>EXPIRE k t (after SET k v).</summary>
    Expire,

    /// <summary>PEXPIRE k t*1000 (after SET k v).</summary>
    Pexpire,

    /// <summary>EXPIREAT k now/1000 + t, with now a whole second (after SET k v).</summary>
    ExpireAt,

    /// <summary>SETEX k t v.</summary>
    Setex,

    /// <summary>PSETEX k t*1000 v.</summary>
    Psetex,
}

/// <summary>One translation case: a key and value, a TTL of <see cref="TtlSeconds"/> seconds at <see cref="NowMs"/>, loaded <see cref="LoadDelayMs"/> later.</summary>
/// <param name="Form">The command.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <param name="TtlSeconds">t &gt; 0.</param>
/// <param name="NowMs">When the command ran (a whole second for EXPIREAT).</param>
/// <param name="LoadDelayMs">How long after that the AOF is loaded.</param>
/// <param name="ProfileName">The feed's and the loader's profile.</param>
public sealed record TranslationCase(ExpiryForm Form, byte[] Key, byte[] Value, long TtlSeconds, long NowMs, long LoadDelayMs, string ProfileName)
{
    /// <summary>The profile.</summary>
    public Profile Profile => ProfileName == Profile.Redis26.Name ? Profile.Redis26 : Profile.Fixed;

    /// <summary>The expiry the command means: now + t seconds.</summary>
    public long ExpectedExpireAt => NowMs + (TtlSeconds * 1000);

    /// <summary>The commands run, as the feed gets them.</summary>
    public Cmd[] Commands => Form switch
    {
        ExpiryForm.Expire => [Cmd.Of("SET", Key, Value), Cmd.Of("EXPIRE", Key, TtlSeconds)],
        ExpiryForm.Pexpire => [Cmd.Of("SET", Key, Value), Cmd.Of("PEXPIRE", Key, TtlSeconds * 1000)],
        ExpiryForm.ExpireAt => [Cmd.Of("SET", Key, Value), Cmd.Of("EXPIREAT", Key, (NowMs / 1000) + TtlSeconds)],
        ExpiryForm.Setex => [Cmd.Of("SETEX", Key, TtlSeconds, Value)],
        _ => [Cmd.Of("PSETEX", Key, TtlSeconds * 1000, Value)],
    };

    /// <inheritdoc/>
    public override string ToString() =>
        $"{ProfileName}: at {NowMs.ToString(CultureInfo.InvariantCulture)}: {string.Join("; ", Commands.Select(c => c.ToString()))}; loaded {LoadDelayMs.ToString(CultureInfo.InvariantCulture)} ms later";
}

/// <summary>A sequence of commands, each run in a given db, for the SELECT property.</summary>
/// <param name="Writes">(db, command) pairs.</param>
public sealed record DbSequence((int Db, Cmd Cmd)[] Writes)
{
    /// <inheritdoc/>
    public override string ToString() => string.Join("; ", Writes.Select(w => $"[{w.Db}] {w.Cmd}"));
}

/// <summary>A SET with a relative expiry, loaded later.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <param name="Ttl">The TTL, in the option's unit.</param>
/// <param name="Millis">PX rather than EX.</param>
/// <param name="NowMs">When the SET ran.</param>
/// <param name="LoadDelayMs">How much later the AOF is loaded (&gt; 0).</param>
public sealed record SetExpiryCase(byte[] Key, byte[] Value, long Ttl, bool Millis, long NowMs, long LoadDelayMs)
{
    /// <summary>The SET.</summary>
    public Cmd Command => Cmd.Of("SET", Key, Value, Millis ? "PX" : "EX", Ttl);

    /// <summary>The TTL in ms.</summary>
    public long TtlMs => Millis ? Ttl : Ttl * 1000;

    /// <inheritdoc/>
    public override string ToString() =>
        $"at {NowMs.ToString(CultureInfo.InvariantCulture)}: {Command}; loaded {LoadDelayMs.ToString(CultureInfo.InvariantCulture)} ms later";
}

/// <summary>An EXPIRE-family command whose time is already past, run live after SET k v.</summary>
/// <param name="Name">EXPIRE, PEXPIRE, EXPIREAT or PEXPIREAT.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">Its value.</param>
/// <param name="PastBy">How far in the past (in the command's unit; 0 is "now", which also deletes).</param>
/// <param name="NowMs">The clock.</param>
/// <param name="ProfileName">The profile.</param>
public sealed record PastExpireCase(string Name, byte[] Key, byte[] Value, long PastBy, long NowMs, string ProfileName)
{
    /// <summary>The commands run live.</summary>
    public Cmd[] Commands =>
    [
        Cmd.Of("SET", Key, Value),
        Name switch
        {
            "EXPIRE" or "PEXPIRE" => Cmd.Of(Name, Key, -PastBy),
            "EXPIREAT" => Cmd.Of(Name, Key, (NowMs / 1000) - PastBy),
            _ => Cmd.Of(Name, Key, NowMs - PastBy),
        },
    ];

    /// <inheritdoc/>
    public override string ToString() =>
        $"{ProfileName}: at {NowMs.ToString(CultureInfo.InvariantCulture)}: {string.Join("; ", Commands.Select(c => c.ToString()))}";
}

/// <summary>The feed's translation of commands into what the AOF holds.</summary>
public sealed class TranslationProperties
{
    private static readonly Gen<string> ProfileNames = Gen.Elements(Profile.Fixed.Name, Profile.Redis26.Name);

    private static readonly Arbitrary<TranslationCase> TranslationArb = Arb.From(
        from form in Gen.Elements(Enum.GetValues<ExpiryForm>())
        from key in Generators.Key
        from value in Generators.Bytes
        from ttl in Gen.Frequency((3, Gen.Choose(1, 100)), (2, Gen.Choose(1, 10_000_000)))
        from now in Generators.NowMs
        from delay in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 100_000_000)))
        from profile in ProfileNames
        select new TranslationCase(form, key, value, ttl, form == ExpiryForm.ExpireAt ? now - (now % 1000) : now, delay, profile),
        ShrinkTranslation);

    // SET, DEL and RPUSH; list keys start with 'L' so no command ever meets a key of the wrong
    // type, and every command fed replays without an error.
    private static readonly Arbitrary<DbSequence> DbSequenceArb = Arb.From(
        Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(
            from db in Gen.Frequency((3, Gen.Choose(0, 2)), (1, Gen.Choose(0, 15)))
            from cmd in Gen.OneOf(
                Generators.Key.SelectMany(k => Generators.Bytes.Select(v => Cmd.Of("SET", k, v))),
                Generators.Key.Select(k => Cmd.Of("DEL", k)),
                Generators.Key.SelectMany(k => Generators.Member.Select(m => Cmd.Of("RPUSH", (byte[])[(byte)'L', .. k], m))))
            select (db, cmd),
            n)).Select(w => new DbSequence(w)),
        s => Generators.ShrinkArray(s.Writes).Select(w => new DbSequence(w)));

    private static readonly Arbitrary<SetExpiryCase> SetExpiryArb = Arb.From(
        from key in Generators.Key
        from value in Generators.Bytes
        from millis in Gen.Elements(false, true)
        from ttl in Gen.Choose(1, 1_000_000)
        from now in Generators.NowMs
        from delay in Gen.Frequency((3, Gen.Choose(1, 10_000)), (1, Gen.Choose(1, 2_000_000_000)))
        select new SetExpiryCase(key, value, ttl, millis, now, delay));

    private static readonly Arbitrary<PastExpireCase> PastExpireArb = Arb.From(
        from name in Gen.Elements("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT")
        from key in Generators.Key
        from value in Generators.Bytes
        from past in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 1_000_000)))
        from now in Generators.NowMs.Select(n => n + 1_000_000_000)
        from profile in ProfileNames
        select new PastExpireCase(name, key, value, past, now, profile),
        ShrinkPastExpire);

    private static readonly Arbitrary<(long Ttl, int Start, int IncrementTenths, long Now)> IncrByFloatArb = Arb.From(
        from ttl in Gen.Choose(1, 100_000)
        from start in Gen.Choose(-1000, 1000)
        from incr in Gen.Choose(-1000, 1000)
        from now in Generators.NowMs
        select ((long)ttl, start, incr, now));

    /// <summary>
    /// EXPIRE k t, PEXPIRE k t*1000, EXPIREAT k now/1000+t, SETEX k t v and PSETEX k t*1000 v,
    /// translated at any now and replayed at any later time, give the key the absolute expiry
    /// now + t*1000: the same dataset as replaying <c>SET k v; PEXPIREAT k now+t*1000</c>.
    /// </summary>
    [Fact]
    public void RelativeExpiriesReplayAsTheSameAbsoluteExpiry() => PropertyConfig.Check(
        nameof(RelativeExpiriesReplayAsTheSameAbsoluteExpiry),
        Prop.ForAll(TranslationArb, c =>
        {
            var feed = new ByteBuffer();
            int selected = -1;
            foreach (Cmd cmd in c.Commands)
            {
                AofFeed.Append(feed, cmd.Name, 0, cmd.ToArgs(), c.NowMs, ref selected, c.Profile);
            }

            long loadAt = c.NowMs + c.LoadDelayMs;
            Dataset translated = Harness.Load(feed.Span, c.Profile, loadAt);

            var reference = new ByteBuffer();
            RespCommand.Append(reference, CommandArgs.Of("SELECT", "0"));
            RespCommand.Append(reference, Cmd.Of("SET", c.Key, c.Value).ToArgs());
            RespCommand.Append(reference, Cmd.Of("PEXPIREAT", c.Key, c.ExpectedExpireAt).ToArgs());
            Dataset direct = Harness.Load(reference.Span, c.Profile, loadAt);

            Assert.True(translated[0].TryGet(c.Key, out DbEntry entry), $"key missing after the replay of\n{Harness.ShowAof(feed.Span)}");
            Assert.True(entry.ExpireAt == c.ExpectedExpireAt, $"expireAt {entry.ExpireAt}, expected {c.ExpectedExpireAt}; AOF:\n{Harness.ShowAof(feed.Span)}");
            Harness.AssertSameDump(
                Harness.Dump(direct, c.NowMs),
                Harness.Dump(translated, c.NowMs),
                "translated vs SET + PEXPIREAT",
                () => $"AOF:\n{Harness.ShowAof(feed.Span)}\n");
        }));

    /// <summary>
    /// Over any sequence of dbs, the feed (starting from no selected db) emits <c>SELECT n</c>
    /// exactly before the commands whose db differs from the previous command's, and the other
    /// commands verbatim; replaying it puts every key in its own db.
    /// </summary>
    [Fact]
    public void TheFeedSelectsExactlyWhenTheDbChanges() => PropertyConfig.Check(
        nameof(TheFeedSelectsExactlyWhenTheDbChanges),
        Prop.ForAll(DbSequenceArb, Arb.From(ProfileNames), (s, profileName) =>
        {
            Profile profile = profileName == Profile.Redis26.Name ? Profile.Redis26 : Profile.Fixed;
            var feed = new ByteBuffer();
            int selected = -1;
            var expected = new List<string>();
            int previous = -1;
            foreach ((int db, Cmd cmd) in s.Writes)
            {
                AofFeed.Append(feed, cmd.Name, db, cmd.ToArgs(), Generators.BaseNowMs, ref selected, profile);
                Assert.Equal(db, selected);
                if (db != previous)
                {
                    expected.Add("SELECT " + db.ToString(CultureInfo.InvariantCulture));
                    previous = db;
                }

                expected.Add(cmd.ToString());
            }

            string[] actual = [.. TestResp.ParseAll(feed.Span).Select(c => TestResp.Show(c))];
            Assert.Equal(expected, actual);

            // Replaying it is running each command in its db.
            var live = new Dataset();
            var processor = new CommandProcessor(live, profile, new SplitMix64(1));
            var client = new Client();
            foreach ((int db, Cmd cmd) in s.Writes)
            {
                client.Db = db;
                processor.Execute(client, cmd.ToArgs(), new ReplyWriter(null), Generators.BaseNowMs);
            }

            Harness.AssertSameDump(
                Harness.Dump(live, Generators.BaseNowMs),
                Harness.Dump(Harness.Load(feed.Span, profile, Generators.BaseNowMs), Generators.BaseNowMs),
                "run in place vs replayed");
        }));

    /// <summary>
    /// #9: <c>SET k v EX t</c> (or PX) translated at now and loaded later keeps its absolute
    /// expiry now + t under <c>Profile.Fixed</c> (logged as SET … PXAT), even when that is already
    /// past at load time; under <c>Profile.Redis26</c> it is logged verbatim and the TTL restarts at
    /// the load time.
    /// </summary>
    [Fact]
    public void SetWithExpiryKeepsItsAbsoluteExpiryOnlyWhenFixed() => PropertyConfig.Check(
        nameof(SetWithExpiryKeepsItsAbsoluteExpiryOnlyWhenFixed),
        Prop.ForAll(SetExpiryArb, c =>
        {
            long loadAt = c.NowMs + c.LoadDelayMs;
            foreach ((Profile profile, long expected) in new[] { (Profile.Fixed, c.NowMs + c.TtlMs), (Profile.Redis26, loadAt + c.TtlMs) })
            {
                var feed = new ByteBuffer();
                int selected = -1;
                AofFeed.Append(feed, "set", 0, c.Command.ToArgs(), c.NowMs, ref selected, profile);
                Dataset loaded = Harness.Load(feed.Span, profile, loadAt);
                Assert.True(loaded[0].TryGet(c.Key, out DbEntry entry), $"{profile.Name}: key missing");
                Assert.True(
                    entry.ExpireAt == expected,
                    $"{profile.Name}: expireAt {entry.ExpireAt}, expected {expected}; AOF:\n{Harness.ShowAof(feed.Span)}");
                Assert.True(c.Value.AsSpan().SequenceEqual(CommandContext.StringBytes(entry.Value)), $"{profile.Name}: value changed");
            }
        }));

    /// <summary>
    /// EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT with a time at or before now delete the key live
    /// and are propagated as <c>DEL k</c> (the seed's rewriteClientCommandVector): the feed, given
    /// what the command processor propagates, must log that DEL, and the replay must lose the key
    /// as the live dataset did.
    /// </summary>
    [Fact]
    public void AnExpireInThePastIsFedAsDel() => PropertyConfig.Check(
        nameof(AnExpireInThePastIsFedAsDel),
        Prop.ForAll(PastExpireArb, c =>
        {
            Profile profile = c.ProfileName == Profile.Redis26.Name ? Profile.Redis26 : Profile.Fixed;
            var live = new Dataset();
            var sink = new AofFeedSink(profile);
            var run = new LiveRun(live, profile, 1, sink);
            run.Run(new Step(0, false, c.Commands), c.NowMs);
            Assert.False(live[0].TryGet(c.Key, out _), "the key survived an expire in the past");

            List<byte[][]> fed = TestResp.ParseAll(sink.Buffer.Span);
            Assert.Equal(Cmd.Of("DEL", c.Key).ToString(), TestResp.Show(fed[^1]));
            Harness.AssertSameDump(
                Harness.Dump(live, c.NowMs),
                Harness.Dump(Harness.Load(sink.Buffer.Span, profile, c.NowMs), c.NowMs),
                "live vs replayed",
                () => $"AOF:\n{Harness.ShowAof(sink.Buffer.Span)}\n");
        }));

    /// <summary>
    /// INCRBYFLOAT on a key with a TTL is logged as a SET of the result: with KEEPTTL under
    /// <c>Profile.Fixed</c>, so the replay keeps the expiry; plain under <c>Profile.Redis26</c>,
    /// so the replayed key has none (the seed's behaviour).
    /// </summary>
    [Fact]
    public void IncrByFloatKeepsTheTtlOnReplayOnlyWhenFixed() => PropertyConfig.Check(
        nameof(IncrByFloatKeepsTheTtlOnReplayOnlyWhenFixed),
        Prop.ForAll(IncrByFloatArb, c =>
        {
            (long ttl, int start, int incrementTenths, long now) = c;
            foreach (Profile profile in new[] { Profile.Fixed, Profile.Redis26 })
            {
                var live = new Dataset();
                var sink = new AofFeedSink(profile);
                var run = new LiveRun(live, profile, 1, sink);
                string increment = (incrementTenths / 10.0).ToString("R", CultureInfo.InvariantCulture);
                run.Run(new Step(0, false, [Cmd.Of("SETEX", "k", ttl, start), Cmd.Of("INCRBYFLOAT", "k", increment)]), now);
                Dataset loaded = Harness.Load(sink.Buffer.Span, profile, now);
                Assert.True(live[0].TryGet("k"u8, out DbEntry liveEntry), $"{profile.Name}: key missing live");
                Assert.True(loaded[0].TryGet("k"u8, out DbEntry loadedEntry), $"{profile.Name}: key missing after the replay");
                Assert.Equal(now + (ttl * 1000), liveEntry.ExpireAt);
                Assert.Equal(CommandContext.StringBytes(liveEntry.Value).ToArray(), CommandContext.StringBytes(loadedEntry.Value).ToArray());
                long expected = profile.IncrByFloatKeepsTtl ? liveEntry.ExpireAt : DbEntry.NoExpiry;
                Assert.True(loadedEntry.ExpireAt == expected, $"{profile.Name}: replayed expireAt {loadedEntry.ExpireAt}, expected {expected}; AOF:\n{Harness.ShowAof(sink.Buffer.Span)}");
            }
        }),
        scale: 0.5);

    private static IEnumerable<PastExpireCase> ShrinkPastExpire(PastExpireCase c)
    {
        if (c.PastBy != 0)
        {
            yield return c with { PastBy = 0 };
        }

        if (c.Value.Length > 0)
        {
            yield return c with { Value = [] };
        }

        if (c.Key is not [(byte)'a'])
        {
            yield return c with { Key = "a"u8.ToArray() };
        }
    }

    private static IEnumerable<TranslationCase> ShrinkTranslation(TranslationCase c)
    {
        if (c.LoadDelayMs != 0)
        {
            yield return c with { LoadDelayMs = 0 };
        }

        if (c.TtlSeconds > 1)
        {
            yield return c with { TtlSeconds = 1 };
            yield return c with { TtlSeconds = c.TtlSeconds / 2 };
        }

        if (c.Value.Length > 0)
        {
            yield return c with { Value = [] };
        }
    }
}
