using AofSim.Engine.Data;
using AofSim.Sim.Checking;
using FsCheck;
using FsCheck.Fluent;

namespace AofSim.Properties;

/// <summary>The checker's reading of an engine dataset.</summary>
public sealed class CheckerProperties
{
    /// <summary>
    /// The digest a recovery is judged by, read straight from the engine's bytes, equals the sum of
    /// the canonical hashes of the same keys read as model values (text, sorted collections): the
    /// two routes agree on every dataset, binary members and expiries included, at any time.
    /// </summary>
    [Fact]
    public void TheEngineDigestEqualsTheCanonicalHashesOfItsKeys() => PropertyConfig.Check(
        nameof(TheEngineDigestEqualsTheCanonicalHashesOfItsKeys),
        Prop.ForAll(Generators.Dataset, Arb.From(Gen.Choose(0, (int)Generators.MaxTtlMs + 1000)), (spec, delay) =>
        {
            Dataset data = spec.Create();
            long t = Generators.BaseNowMs + delay;
            ulong viaText = 0;
            foreach ((int db, string key, object value, long expireAt) in EngineView.EntriesAt(data, t))
            {
                viaText += Canonical.Hash(db, key, value, expireAt);
            }

            Assert.Equal(viaText, EngineView.DigestAt(data, t));
        }));
}
