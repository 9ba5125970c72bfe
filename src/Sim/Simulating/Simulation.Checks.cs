using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Server;
using AofSim.Sim.Checking;
using AofSim.Sim.Targets;

namespace AofSim.Sim.Simulating;

// The checks: replay equivalence and durability after a recovery, rewrite equivalence after a
// rewrite, no temp file left by a child the server is done with; and how a violation is recorded.

/// <summary>One seeded run of the simulator.</summary>
public sealed partial class Simulation
{
    /// <summary>A cron and its beforeSleep ran (ILoopHost): a finished rewrite is checked, a reaped child's files too.</summary>
    public void AfterCron()
    {
        if (rewritesFinished > result.Rewrites)
        {
            result.Rewrites = rewritesFinished;
            CheckRewriteEquivalence();
            if (fsyncFailedSinceRewrite)
            {
                fsyncFailedSinceRewrite = fsyncErrorUnknown = false;
                Trace("contract: the AOF was rewritten after a failed fsync; earlier writes are promised again");
                ClearFsyncErrorMarks();
            }
        }

        NoteChild();
    }

    // A child the server has reaped (a fact of the process table) must have left no temp file
    // behind: the server has handled its end by then.
    private void NoteChild()
    {
        List<int> reaped = children.Reaped;
        for (int i = 0; i < reaped.Count; i++)
        {
            int pid = reaped[i];
            foreach (string name in new[] { AofRewriter.TempFileName(pid), ServerCore.BackgroundTempFileName(pid) })
            {
                if (storage.Stat(name).Ok && !unlinkFailed.Contains(name))
                {
                    Violate(Property.TempFiles, $"rewrite child {pid} is gone but {name} is left behind", [], [name]);
                }
            }
        }

        reaped.Clear();
    }

    private void CheckRewriteEquivalence()
    {
        // The file is read where the storage holds it: nothing changes it during the check.
        (byte[] aof, int length) = storage.Content(AofName);

        // One dataset serves every check, emptied and sized for the live one's keys first.
        Dataset loaded = checkData;
        Dataset live = target.Data;
        loaded.Clear();
        for (int db = 0; db < Dataset.DbCount; db++)
        {
            loaded[db].EnsureCapacity(live[db].Count);
        }

        LoadResult r = AofLoader.LoadInPlace(aof, length, loaded, options.Profile, new LoadOptions { NowMs = clock.NowMs, StrictReplay = true });
        bool same = r.Succeeded && EngineView.SameAt(live, loaded, clock.NowMs);
        Trace($"check rewrite-equivalence {(same ? "ok" : "FAIL")}");
        if (!same)
        {
            List<string> fromFile = r.Succeeded ? EngineView.LinesAt(loaded, clock.NowMs) : [$"load failed: {r.Message}"];
            Violate(Property.RewriteEquivalence, "the rewritten AOF does not load to the live dataset at the switch", EngineView.LinesAt(live, clock.NowMs), fromFile);
        }
    }

    // Replay equivalence and the durability contract, against the model.
    private void CheckRecovery(long crashAt, bool powerLoss)
    {
        long t = clock.NowMs;
        ulong recovered = EngineView.DigestAt(target.Data, t);

        // The longest prefix whose model matches.
        prefixes.Extend(history.Count);
        int chosen = history.Count;
        while (chosen >= 0 && prefixes.DigestAt(chosen, t) != recovered)
        {
            chosen--;
        }

        int bound = DurableBound(crashAt, powerLoss);
        if (chosen < 0)
        {
            (int closest, List<string> expected) = ClosestPrefix(t);
            Violate(
                Property.ReplayEquivalence,
                $"the recovered dataset equals the model after no prefix of the {history.Count} executed commands (closest: prefix {closest}, diff below)",
                expected,
                EngineView.LinesAt(target.Data, t));

            // Resynchronise: the model goes on from what was recovered.
            history.Clear();
            history.Add(new HistoryEntry([], t) { Base = EngineView.EntriesAt(target.Data, t) });
            prefixes.Reset();
            Trace("resync the model restarts from the recovered dataset");
            return;
        }

        Trace($"check replay-equivalence prefix={chosen}/{history.Count} durable-bound={bound} ok");
        if (chosen < bound)
        {
            HistoryEntry lost = history[chosen];
            Violate(
                Property.Durability,
                $"under appendfsync {result.Policy.Name()} the recovered AOF holds {chosen} of {history.Count} commands, but the first {bound} were acknowledged " +
                $"long enough before the crash to be kept (first lost: '{string.Join(' ', lost.Items.Select(x => string.Join(' ', x.Argv.Select(Show))))}' acknowledged at +{lost.AckedAt - Epoch} ms, crash at +{crashAt - Epoch} ms)",
                ModelAt(bound, t),
                EngineView.LinesAt(target.Data, t));
        }

        history.RemoveRange(chosen, history.Count - chosen);
        prefixes.Truncate(chosen);
    }

    // The prefix whose model differs least from the recovered dataset, for the report.
    private (int Prefix, List<string> Lines) ClosestPrefix(long t)
    {
        var actual = EngineView.LinesAt(target.Data, t).ToHashSet(StringComparer.Ordinal);
        var model = new Model();
        (int Prefix, List<string> Lines) best = (0, model.LinesAt(t));
        int bestDiff = Diff(best.Lines);
        for (int p = 0; p < history.Count; p++)
        {
            ApplyEntry(model, p);
            List<string> lines = model.LinesAt(t);
            int d = Diff(lines);
            if (d <= bestDiff)
            {
                (best, bestDiff) = ((p + 1, lines), d);
            }
        }

        return best;

        int Diff(List<string> lines) => lines.Count(l => !actual.Contains(l)) + actual.Count(l => !lines.Contains(l));
    }

    private List<string> ModelAt(int prefix, long t)
    {
        var model = new Model();
        for (int p = 0; p < prefix && p < history.Count; p++)
        {
            ApplyEntry(model, p);
        }

        return model.LinesAt(t);
    }

    // Records a violation (the first of each property per run). A run goes on after every check
    // (after durability the history is cut to what was recovered, after replay equivalence the
    // model restarts from it) and stops only when the harness cannot go on.
    private void Violate(Property property, string detail, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        Trace($"VIOLATION {property.Name()}: {detail}");
        if (!result.Violations.Any(v => v.Property == property))
        {
            result.Violations.Add(new Violation(property, eventIndex, clock.NowMs - Epoch, detail, expected, actual));
        }

        stopped |= property is Property.Availability or Property.InternalError;
    }
}
