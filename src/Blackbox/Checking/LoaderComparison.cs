using System.Globalization;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Sim.Checking;

namespace AofSim.Blackbox.Checking;

/// <summary>
/// The reference engine against the real loader: the durable image a crash left (the target's
/// AOF as one file, see <see cref="Targets.BlackboxTarget.SingleAof"/>) loaded with the engine's
/// <see cref="AofLoader"/> (aof-load-truncated on, as the targets run), compared key by key with
/// what the real server recovered from the same image.
/// </summary>
public static class LoaderComparison
{
    private const long SlackMs = 50;

    /// <summary>"agrees", or a one-line disagreement and its violation.</summary>
    /// <param name="image">The durable AOF as one file.</param>
    /// <param name="recovered">What the target served after the restart, by real db.</param>
    /// <param name="profile">The engine profile.</param>
    /// <param name="readFrom">Unix ms the readback started.</param>
    /// <param name="readTo">Unix ms it ended.</param>
    /// <param name="targetNeededFix">The target refused the image (its repair tool ran before it started).</param>
    public static (string Verdict, BlackboxViolation? Violation) Compare(byte[] image, Dictionary<int, List<RecoveredKey>> recovered, Engine.Profiles.Profile profile, long readFrom, long readTo, bool targetNeededFix)
    {
        var data = new Dataset();
        LoadResult r = AofLoader.Load(image, data, profile, new LoadOptions { LoadTruncated = true, NowMs = readFrom });
        if (targetNeededFix)
        {
            return r.Succeeded
                ? ("disagrees", new BlackboxViolation("loader-disagreement", -1, $"the target refused the image but the engine loaded it ({r.Outcome}, {r.Commands} commands)"))
                : ("agrees (both refuse)", null);
        }

        if (!r.Succeeded)
        {
            return ("disagrees", new BlackboxViolation("loader-disagreement", -1, $"the target started but the engine's loader refused the image: {r.Outcome} {r.Message}"));
        }

        // A key whose expiry falls in the readback window may or may not have been there when it
        // was read. Either side's expiry decides: the target's is an estimate (PTTL added to the
        // time it was asked, so up to a round trip early), and a key the engine holds just past
        // the window can be one whose estimate falls inside it.
        long lo = readFrom - SlackMs, hi = readTo + SlackMs;
        bool Unsure(long exp) => exp >= 0 && exp >= lo && exp <= hi;
        var engineAll = EngineView.EntriesAt(data, lo)
            .Select(e => DatasetReader.Make(e.Db, e.Key, e.Value, e.ExpireAt)).ToList();
        var realAll = recovered.SelectMany(kv => kv.Value).ToList();
        var unsure = engineAll.Concat(realAll).Where(k => Unsure(k.ExpireAt)).Select(k => (k.Db, k.Key)).ToHashSet();
        var engine = engineAll.Where(k => !unsure.Contains((k.Db, k.Key))).ToDictionary(k => (k.Db, k.Key));
        var real = realAll.Where(k => !unsure.Contains((k.Db, k.Key))).ToDictionary(k => (k.Db, k.Key));
        var differ = new List<string>();
        foreach (((int, string) id, RecoveredKey e) in engine)
        {
            if (!real.TryGetValue(id, out RecoveredKey? k))
            {
                differ.Add($"engine only: {Show(e)}");
            }
            else if (k.Body != e.Body || Math.Abs(k.ExpireAt - e.ExpireAt) > (k.ExpireAt == -1 || e.ExpireAt == -1 ? 0 : SlackMs))
            {
                differ.Add($"engine {Show(e)} / target {Show(k)}");
            }
        }

        differ.AddRange(real.Where(kv => !engine.ContainsKey(kv.Key)).Select(kv => $"target only: {Show(kv.Value)}"));
        if (differ.Count == 0)
        {
            return ("agrees", null);
        }

        return ("disagrees", new BlackboxViolation("loader-disagreement", -1,
            string.Create(CultureInfo.InvariantCulture, $"the engine's loader ({r.Outcome}, {r.Commands} commands) and the target disagree on {differ.Count} key(s)"), [.. differ.Take(12)], []));
    }

    private static string Show(RecoveredKey k) =>
        string.Create(CultureInfo.InvariantCulture, $"{k.Db}|{k.Key}|{k.ExpireAt}|{k.Body}").Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
}
