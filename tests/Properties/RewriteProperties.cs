using System.Text;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using AofSim.Engine.Text;
using FsCheck;
using FsCheck.Fluent;

namespace AofSim.Properties;

/// <summary>The rewrite (AofRewriter.WriteDataset) against the loader.</summary>
public sealed class RewriteProperties
{
    private static readonly Arbitrary<Profile> Profiles = Arb.From(Gen.Elements(Profile.Fixed, Profile.Redis26));

    // How long after the dataset's clock the rewrite runs: anywhere from before the first expiry
    // to after the last.
    private static readonly Arbitrary<long> RewriteDelay = Arb.From(
        Gen.Frequency(
            (1, Gen.Constant(0L)),
            (4, Gen.Choose(1, (int)Generators.MaxTtlMs + 1000).Select(n => (long)n))),
        d => d > 0 ? [0L, d / 2] : []);

    /// <summary>
    /// load(rewrite(d)) == d: for a generated dataset, the rewrite of a fork of it at a time
    /// earlier than every expiry, loaded at that time, has the same dump. For both profiles.
    /// </summary>
    [Fact]
    public void LoadingTheRewriteGivesTheSameDataset() => PropertyConfig.Check(
        nameof(LoadingTheRewriteGivesTheSameDataset),
        Prop.ForAll(Generators.Dataset, Profiles, (spec, profile) =>
        {
            Dataset original = spec.Create();
            long now = Generators.BaseNowMs;
            byte[] aof = Rewrite(original, now, profile);
            Dataset loaded = Harness.Load(aof, profile, now);
            Harness.AssertSameDump(
                Harness.Dump(original, now),
                Harness.Dump(loaded, now),
                $"{profile.Name}: original vs load(rewrite)",
                () => $"rewrite:\n{Harness.ShowAof(aof)}\n");
        }));

    /// <summary>
    /// The rewrite's shape: a <c>SELECT n</c> for each non-empty db in order and only those, then
    /// SET, RPUSH/SADD of at most 64 items, ZADD/HMSET of at most 64 pairs, and PEXPIREAT right
    /// after the key it belongs to.
    /// </summary>
    [Fact]
    public void TheRewriteSelectsEachNonEmptyDbAndBatchesBy64() => PropertyConfig.Check(
        nameof(TheRewriteSelectsEachNonEmptyDbAndBatchesBy64),
        Prop.ForAll(Generators.Dataset, spec =>
        {
            Dataset original = spec.Create();
            byte[] aof = Rewrite(original, Generators.BaseNowMs, Profile.Fixed);
            List<byte[][]> commands = TestResp.ParseAll(aof);
            var selects = new List<int>();
            byte[]? lastKey = null;
            foreach (byte[][] argv in commands)
            {
                string name = Encoding.ASCII.GetString(argv[0]);
                switch (name)
                {
                    case "SELECT":
                        selects.Add(int.Parse(Encoding.ASCII.GetString(argv[1]), System.Globalization.CultureInfo.InvariantCulture));
                        lastKey = null;
                        break;
                    case "SET":
                        Assert.Equal(3, argv.Length);
                        lastKey = argv[1];
                        break;
                    case "RPUSH" or "SADD":
                        Assert.InRange(argv.Length - 2, 1, AofRewriter.ItemsPerCommand);
                        lastKey = argv[1];
                        break;
                    case "ZADD" or "HMSET":
                        Assert.True(argv.Length % 2 == 0, $"{name} with an odd argc {argv.Length}");
                        Assert.InRange((argv.Length - 2) / 2, 1, AofRewriter.ItemsPerCommand);
                        lastKey = argv[1];
                        break;
                    case "PEXPIREAT":
                        Assert.True(lastKey is not null && lastKey.AsSpan().SequenceEqual(argv[1]), $"PEXPIREAT {TestResp.Show(argv[1])} not right after its key");
                        break;
                    default:
                        Assert.Fail($"unexpected command {TestResp.Show(argv)} in a rewrite");
                        break;
                }
            }

            int[] nonEmpty = [.. original.Databases.Where(d => d.Count > 0).Select(d => d.Id)];
            Assert.Equal(nonEmpty, selects);
        }),
        scale: 0.5);

    /// <summary>
    /// #4: a rewrite run after some keys' expiry. Under <c>Profile.Fixed</c> the loaded dataset has
    /// lost exactly those keys (its dump, even at the original clock, is the original's dump at the
    /// rewrite time); under <c>Profile.Redis26</c> those keys come back persistent (the seed writes
    /// the key, then skips its PEXPIREAT).
    /// </summary>
    [Fact]
    public void KeysExpiredAtRewriteTimeAreDroppedWhenFixedAndPersistentInRedis26()
    {
        int cases = 0, withExpired = 0;
        PropertyConfig.Check(
            nameof(KeysExpiredAtRewriteTimeAreDroppedWhenFixedAndPersistentInRedis26),
            Prop.ForAll(Generators.Dataset, RewriteDelay, (spec, delay) =>
            {
                Dataset original = spec.Create();
                long baseNow = Generators.BaseNowMs;
                long rewriteAt = baseNow + delay;
                int expired = original.Databases.Sum(d => d.Entries.Count(kv => kv.Value.IsExpiredAt(rewriteAt)));
                cases++;
                withExpired += expired > 0 ? 1 : 0;

                // Fixed: the expired keys are gone; nothing is hidden behind a past expiry.
                byte[] fixedAof = Rewrite(original, rewriteAt, Profile.Fixed);
                Dataset fixedLoaded = Harness.Load(fixedAof, Profile.Fixed, rewriteAt);
                string[] originalAtRewrite = Harness.Dump(original, rewriteAt);
                Harness.AssertSameDump(originalAtRewrite, Harness.Dump(fixedLoaded, rewriteAt), "fixed: original at rewrite time vs loaded", () => $"rewrite:\n{Harness.ShowAof(fixedAof)}\n");
                Harness.AssertSameDump(originalAtRewrite, Harness.Dump(fixedLoaded, baseNow), "fixed: original at rewrite time vs loaded at the original clock", () => $"rewrite:\n{Harness.ShowAof(fixedAof)}\n");
                Assert.Equal(original.KeyCount - expired, fixedLoaded.KeyCount);

                // Redis26: the expired keys are there, without an expiry; the others as they were.
                byte[] seedAof = Rewrite(original, rewriteAt, Profile.Redis26);
                Dataset seedLoaded = Harness.Load(seedAof, Profile.Redis26, rewriteAt);
                string[] expected = [.. original.Databases.SelectMany(db => DatasetDump.Lines(
                    db.Id,
                    db.Entries.Select(kv => kv.Value.IsExpiredAt(rewriteAt)
                        ? new KeyValuePair<byte[], DbEntry>(kv.Key, kv.Value with { ExpireAt = DbEntry.NoExpiry })
                        : kv),
                    rewriteAt))];
                Harness.AssertSameDump(expected, Harness.Dump(seedLoaded, rewriteAt), "redis26: expired keys made persistent vs loaded", () => $"rewrite:\n{Harness.ShowAof(seedAof)}\n");
                Harness.AssertSameDump(expected, Harness.Dump(seedLoaded, baseNow), "redis26: … at the original clock", () => $"rewrite:\n{Harness.ShowAof(seedAof)}\n");
                Assert.Equal(original.KeyCount, seedLoaded.KeyCount);
            }));

        // Guard against a vacuous pass: a fair share of the datasets must have had expired keys.
        if (cases >= 20)
        {
            Assert.True(withExpired * 10 >= cases, $"only {withExpired} of {cases} cases had a key expired at rewrite time");
        }
    }

    /// <summary>The rewrite of a fork of <paramref name="data"/> at <paramref name="nowMs"/>.</summary>
    public static byte[] Rewrite(Dataset data, long nowMs, Profile profile)
    {
        var rio = new BufferRio(new ByteBuffer());
        Assert.True(AofRewriter.WriteDataset(rio, data.Fork(), nowMs, profile), "WriteDataset failed on a buffer");
        return rio.Buffer.ToArray();
    }
}
