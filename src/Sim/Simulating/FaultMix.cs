using AofSim.Engine.Ports;
using AofSim.Faults;

namespace AofSim.Sim.Simulating;

// The campaign's fault plans, drawn per seed.
//
// Each plan kind below is a family of faults as data (src/Faults): a seed draws zero to three of
// them from the kinds it may inject, each with a seeded trigger (the nth matching call, a few
// calls in a row) and seeded parameters, and the run applies them through FaultyStorage to every
// storage call and background fsync. Triggers aim at the calls where the seed reacts: the AOF's
// writes and fsyncs, the rewrite child's file, and the named steps of the rewrite. A trigger that
// is never reached fires nothing; the summary counts only faults that fired.

/// <summary>Draws a seed's fault plan from the plan kinds it may inject.</summary>
public static class FaultMix
{
    /// <summary>
    /// The plan kinds: <c>writeerr</c> (an AOF write fails with EIO or ENOSPC), <c>diskfull</c>
    /// (the AOF or the rewrite's temp file cannot grow past an offset), <c>ftruncate</c> (a short
    /// AOF write whose truncation then fails), <c>fsyncerr</c> (an AOF fsync fails with EIO, the
    /// Linux way), <c>fsyncdelay</c> (AOF fsyncs just below, at and above the 2-second postpone,
    /// several in a row), <c>open</c> (EMFILE or ENOENT opening a rewrite file), <c>rename</c> (a
    /// rewrite rename fails), <c>unlink</c> (removing a temp file fails), <c>tempfile</c> (the
    /// rewrite's fsync or close fails, ENOSPC found only at close), <c>writecap</c> (a write
    /// capped at a few bytes, as Linux caps one at 2 GB), <c>killstep</c> (the rewrite child killed
    /// at a named step), <c>killserver</c> (kill -9 of the server at a syscall), <c>powerstep</c>
    /// (power loss at a named step of the rename dance, before or after it).
    /// </summary>
    public static readonly string[] Kinds = FaultCatalog.Names(FaultInjection.PlanEntries);

    private const string Aof = "appendonly.aof";
    private const string AnyTemp = "temp-rewriteaof-*";

    /// <summary>Zero to three faults of <paramref name="kinds"/>, drawn from <paramref name="random"/>.</summary>
    public static List<Fault> Draw(SimRandom random, IReadOnlyList<string> kinds)
    {
        var faults = new List<Fault>();
        if (kinds.Count == 0)
        {
            return faults;
        }

        int n = random.Next(4);
        for (int i = 0; i < n; i++)
        {
            faults.AddRange(One(random, random.Pick(kinds.ToArray())));
        }

        return faults;
    }

    /// <summary>One fault (or a pair that only makes sense together) of <paramref name="kind"/>.</summary>
    public static IEnumerable<Fault> One(SimRandom r, string kind)
    {
        int nth = (int)r.Range(1, 150);
        switch (kind)
        {
            case "writeerr":
                yield return new Fault(new Trigger(FaultOp.Write, nth, Aof, (int)r.Range(1, 4)), new Fail(r.Chance(0.5) ? Errno.EIO : Errno.ENOSPC), kind);
                break;
            case "diskfull":
                yield return r.Chance(0.5)
                    ? new Fault(new Trigger(FaultOp.Write, nth, Aof, (int)r.Range(1, 5)), new DiskFull(r.Range(0, 8192)), kind)
                    : new Fault(Trigger.At(RewriteStep.ChildWrite, 1, 200), new DiskFull(r.Range(0, 4096)), kind);
                break;
            case "ftruncate":
                yield return new Fault(new Trigger(FaultOp.Write, nth, Aof), new ShortWrite(r.Range(1, 12)), kind);
                yield return new Fault(new Trigger(FaultOp.Ftruncate, 1, Aof), new Fail(Errno.EIO), kind);
                break;
            case "fsyncerr":
                yield return new Fault(new Trigger(FaultOp.Fdatasync, (int)r.Range(1, 40), Aof), new Fail(Errno.EIO), kind);
                break;
            case "fsyncdelay":
                long[] around = [1000, 1999, 2000, 2001, 2500, 3500];
                yield return new Fault(new Trigger(FaultOp.Fdatasync, (int)r.Range(1, 40), Aof, (int)r.Range(1, 5)), new Delay(r.Pick(around)), kind);
                break;
            case "open":
                yield return new Fault(
                    Trigger.At(r.Chance(0.5) ? RewriteStep.ChildOpen : RewriteStep.ParentOpen, (int)r.Range(1, 4)),
                    new Fail(r.Chance(0.5) ? Errno.EMFILE : Errno.ENOENT),
                    kind);
                break;
            case "rename":
                yield return new Fault(Trigger.At(r.Chance(0.5) ? RewriteStep.ChildRename : RewriteStep.ParentRename, (int)r.Range(1, 4)), new Fail(Errno.EIO), kind);
                break;
            case "unlink":
                yield return new Fault(new Trigger(FaultOp.Unlink, (int)r.Range(1, 3), AnyTemp), new Fail(Errno.EIO), kind);
                break;
            case "tempfile":
                yield return new Fault(
                    Trigger.At(r.Chance(0.5) ? RewriteStep.ChildFsync : RewriteStep.ChildClose, (int)r.Range(1, 4)),
                    new Fail(r.Chance(0.5) ? Errno.ENOSPC : Errno.EIO),
                    kind);
                break;
            case "writecap":
                yield return new Fault(new Trigger(FaultOp.Write, nth, Aof, (int)r.Range(1, 6)), new WriteCap(r.Range(1, 64)), kind);
                break;
            case "killstep":
                RewriteStep[] childSteps = [RewriteStep.ChildOpen, RewriteStep.ChildWrite, RewriteStep.ChildFsync, RewriteStep.ChildClose, RewriteStep.ChildRename];
                RewriteStep step = r.Pick(childSteps);
                yield return new Fault(Trigger.At(step, step == RewriteStep.ChildWrite ? (int)r.Range(1, 8) : (int)r.Range(1, 4)), new Kill(), kind);
                break;
            case "killserver":
                yield return r.Chance(0.5)
                    ? new Fault(new Trigger(FaultOp.Write, nth, Aof), new Kill(), kind)
                    : new Fault(Trigger.At(r.Chance(0.5) ? RewriteStep.ParentOpen : RewriteStep.ParentRename, (int)r.Range(1, 4)), new Kill(), kind);
                break;
            case "powerstep":
                RewriteStep[] dance = [RewriteStep.ChildRename, RewriteStep.ParentOpen, RewriteStep.ParentWriteDiff, RewriteStep.ParentRename, RewriteStep.ParentDirFsync];
                yield return new Fault(Trigger.At(r.Pick(dance), (int)r.Range(1, 4)), new PowerLoss(r.Chance(0.5)), kind);
                break;
            default:
                throw new ArgumentException($"unknown fault kind '{kind}'", nameof(kind));
        }
    }
}
