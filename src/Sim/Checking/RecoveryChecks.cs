using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;

namespace AofSim.Sim.Checking;

/// <summary>
/// The checks of a run: replay equivalence and durability of a recovered dataset (against the
/// <see cref="Model"/> of the <see cref="AckHistory"/> and the <see cref="DurabilityContract"/>),
/// rewrite equivalence of a rewritten AOF, no temp file left by a child the server is done with.
/// Each failure is reported to the <see cref="ICheckLog"/> as a violation; the checks see the
/// server only through what it holds (its dataset, read back) and what the disk holds.
/// </summary>
/// <param name="history">What the client sent and was acknowledged.</param>
/// <param name="contract">What of it is promised.</param>
/// <param name="log">Where lines and violations go.</param>
/// <param name="profile">The behaviour profile the rewritten AOF is loaded under.</param>
/// <param name="policyName">The appendfsync policy, as a durability violation names it.</param>
/// <param name="epochMs">The run's time origin (times in a violation are shown from it).</param>
internal sealed class RecoveryChecks(AckHistory history, DurabilityContract contract, ICheckLog log, Profile profile, string policyName, long epochMs)
{
    // The dataset each rewrite check loads the new AOF into.
    private readonly Dataset checkData = new();

    /// <summary>
    /// Rewrite equivalence: the AOF a rewrite switched in (<paramref name="length"/> bytes of
    /// <paramref name="aof"/>, read where the disk holds it) loads to the <paramref name="live"/>
    /// dataset at <paramref name="now"/>.
    /// </summary>
    public void RewriteEquivalence(byte[] aof, int length, Dataset live, long now)
    {
        // One dataset serves every check, emptied and sized for the live one's keys first.
        Dataset loaded = checkData;
        loaded.Clear();
        for (int db = 0; db < Dataset.DbCount; db++)
        {
            loaded[db].EnsureCapacity(live[db].Count);
        }

        LoadResult r = AofLoader.LoadInPlace(aof, length, loaded, profile, new LoadOptions { NowMs = now, StrictReplay = true });
        bool same = r.Succeeded && EngineView.SameAt(live, loaded, now);
        log.Note($"check rewrite-equivalence {(same ? "ok" : "FAIL")}");
        if (!same)
        {
            List<string> fromFile = r.Succeeded ? EngineView.LinesAt(loaded, now) : [$"load failed: {r.Message}"];
            log.Violate(Property.RewriteEquivalence, "the rewritten AOF does not load to the live dataset at the switch", EngineView.LinesAt(live, now), fromFile);
        }
    }

    /// <summary>
    /// A child the server has reaped (<paramref name="pid"/>, a fact of the process table) must
    /// have left no temp file (<paramref name="name"/>, which <paramref name="exists"/> or not)
    /// behind, unless removing it failed.
    /// </summary>
    public void TempFile(int pid, string name, bool exists)
    {
        if (exists && !contract.UnlinkDidFail(name))
        {
            log.Violate(Property.TempFiles, $"rewrite child {pid} is gone but {name} is left behind", [], [name]);
        }
    }

    /// <summary>
    /// Replay equivalence and the durability contract: the <paramref name="recovered"/> dataset,
    /// read at <paramref name="t"/>, equals the model after a prefix of the history, and that
    /// prefix holds every entry promised at a crash at <paramref name="crashAt"/>. The history is
    /// then cut to that prefix (or, when no prefix matches, the model restarts from what was recovered).
    /// </summary>
    public void Recovery(Dataset recovered, long crashAt, bool powerLoss, long t, int maxFsyncMs)
    {
        ulong digest = EngineView.DigestAt(recovered, t);

        // The longest prefix whose model matches.
        history.Prefixes.Extend(history.Count);
        int chosen = history.Count;
        while (chosen >= 0 && history.Prefixes.DigestAt(chosen, t) != digest)
        {
            chosen--;
        }

        int bound = contract.DurableBound(crashAt, powerLoss, maxFsyncMs);
        if (chosen < 0)
        {
            (int closest, List<string> expected) = history.ClosestPrefix(EngineView.LinesAt(recovered, t), t);
            log.Violate(
                Property.ReplayEquivalence,
                $"the recovered dataset equals the model after no prefix of the {history.Count} executed commands (closest: prefix {closest}, diff below)",
                expected,
                EngineView.LinesAt(recovered, t));

            // Resynchronise: the model goes on from what was recovered.
            history.ResyncTo(EngineView.EntriesAt(recovered, t), t);
            log.Note("resync the model restarts from the recovered dataset");
            return;
        }

        log.Note($"check replay-equivalence prefix={chosen}/{history.Count} durable-bound={bound} ok");
        if (chosen < bound)
        {
            HistoryEntry lost = history[chosen];
            log.Violate(
                Property.Durability,
                $"under appendfsync {policyName} the recovered AOF holds {chosen} of {history.Count} commands, but the first {bound} were acknowledged " +
                $"long enough before the crash to be kept (first lost: '{string.Join(' ', lost.Items.Select(x => string.Join(' ', x.Argv.Select(log.Show))))}' acknowledged at +{lost.AckedAt - epochMs} ms, crash at +{crashAt - epochMs} ms)",
                history.ModelAt(bound, t),
                EngineView.LinesAt(recovered, t));
        }

        history.Truncate(chosen);
    }
}
