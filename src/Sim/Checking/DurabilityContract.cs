using AofSim.Engine.Server;

namespace AofSim.Sim.Checking;

/// <summary>
/// The durability contract over the <see cref="AckHistory"/>: which acknowledged commands the
/// fsync policy promises to keep at a crash, and why a promise is withdrawn. Every loosening comes
/// from a fact observed outside the server (a failed write, fsync, ftruncate or unlink on the
/// storage port, a close that left bytes unwritten, a rename that replaced the AOF, a kill, the
/// server's answer to CONFIG SET): never from the server's own flags or log lines
/// (docs/durability.md).
/// </summary>
/// <param name="policy">The run's appendfsync policy.</param>
/// <param name="history">The history the promises are about.</param>
/// <param name="log">Where the contract's changes are traced.</param>
/// <param name="cronMs">The server's cron period (1000 / hz): how often a postponed write is retried.</param>
internal sealed class DurabilityContract(AppendFsync policy, AckHistory history, ICheckLog log, int cronMs = 100)
{
    private readonly HashSet<string> unlinkFailed = new(StringComparer.Ordinal);
    private bool fsyncFailedSinceRewrite;
    private bool ftruncateFailed;
    private bool fsyncErrorUnknown;
    private bool anyUnwritten;
    private bool lastRestartKilled;

    // The AOF's state as the facts show it: on at a start (as configured), off or waiting for a
    // rewrite as the server answered the CONFIG SETs, on again when a rewrite replaced the file.
    private AofState aofState = AofState.On;

    // What the last stop of the AOF left unwritten, from the storage's facts (0: nothing).
    private long droppedAtStop;

    /// <summary>The durability window under everysec, in ms, for a disk whose fsync takes at most <paramref name="maxFsyncMs"/>.</summary>
    /// <remarks>
    /// A write acknowledged at t is in the page cache by t + 2000 + cronMs (a flush postponed behind a
    /// pending fsync is forced after two seconds, checked at each cron, every 100 ms at the default
    /// hz); an fsync covering it starts within the next second (once a second, on the seed's
    /// whole-second clock up to two, seen at the next cron), after at most one fsync still in
    /// flight, and takes at most maxFsyncMs. See docs/durability.md.
    /// </remarks>
    public static long EverysecWindowMs(int maxFsyncMs, int cronMs = 100) => 2000 + cronMs + 2000 + cronMs + (2L * maxFsyncMs);

    /// <summary>The AOF is on (not off, not waiting for its rewrite), as the facts show it.</summary>
    public bool AofOn => aofState == AofState.On;

    /// <summary>Renames that replaced the AOF in the current process (rewrites switched in), plus those checked before it.</summary>
    public int RewritesObserved { get; private set; }

    /// <summary>
    /// Fact: the server's descriptor on the AOF was closed. While the AOF is on, that is a stop
    /// (CONFIG SET appendonly no): what the last failing write left unwritten is dropped for good.
    /// </summary>
    public void AofClosed(long unwritten)
    {
        if (aofState != AofState.Off)
        {
            droppedAtStop = unwritten;
        }
    }

    /// <summary>
    /// Fact: a rename replaced the AOF. A rewrite switched in (counted for the rewrite check), and
    /// an AOF turned on waits for exactly that before it is appended to.
    /// </summary>
    public void AofReplaced()
    {
        RewritesObserved++;
        if (aofState == AofState.WaitRewrite)
        {
            aofState = AofState.On;
        }
    }

    /// <summary>
    /// Fact: an ftruncate of the server failed. It could not cut a short write back: the AOF may
    /// then need truncated loading even after a clean exit.
    /// </summary>
    public void FtruncateFailed()
    {
        ftruncateFailed = true;
        FtruncateFailures++;
    }

    /// <summary>How many ftruncates of the server failed in the run (a restart's truncated load cuts the file too).</summary>
    public long FtruncateFailures { get; private set; }

    /// <summary>
    /// A writeback failed since the AOF was last rewritten (or the disk last lost power): the
    /// pages it dropped may leave a hole in the middle of the AOF that only <c>--fix</c> cuts.
    /// </summary>
    public bool FsyncFailedSinceRewrite => fsyncFailedSinceRewrite;

    /// <summary>Fact: an unlink of <paramref name="name"/> failed (a temp file it leaves is not the server's fault).</summary>
    public void UnlinkFailed(string name) => unlinkFailed.Add(name);

    /// <summary>An unlink of <paramref name="name"/> failed during the run.</summary>
    public bool UnlinkDidFail(string name) => unlinkFailed.Contains(name);

    /// <summary>
    /// Fact: a writeback failed (an fsync reported it). What it covered may be lost at a power
    /// loss whatever the server does from now on, until a rewrite has made the AOF durable again.
    /// </summary>
    public void WritebackFailed()
    {
        fsyncFailedSinceRewrite = true;
        log.Note("contract: an fsync failed; writes acknowledged so far are promised again only after a rewrite completes");
        for (int i = 0; i < history.Count; i++)
        {
            history[i].AfterFsyncError = true;
        }
    }

    /// <summary>
    /// The entries from <paramref name="firstEntry"/> on were acknowledged at <paramref name="now"/>.
    /// Acknowledged while a write error keeps them in the AOF buffer (<paramref name="aofWriteFailing"/>:
    /// everysec and no acknowledge anyway, as Redis does), they are promised only from when they
    /// reach the file.
    /// </summary>
    public void Acknowledged(int firstEntry, long now, bool aofWriteFailing)
    {
        anyUnwritten |= aofWriteFailing;
        for (int i = firstEntry; i < history.Count; i++)
        {
            history[i].AckedAt = now;
            history[i].Unwritten = aofWriteFailing;
            history[i].AfterFsyncError |= fsyncErrorUnknown;
        }
    }

    /// <summary>
    /// After a step: once the AOF is written again after a write error, what was acknowledged
    /// meanwhile is in the file: the contract counts it from <paramref name="now"/>, as if
    /// acknowledged then.
    /// </summary>
    public void Settle(long now, bool aofWriteFailing)
    {
        if (!anyUnwritten || aofWriteFailing)
        {
            return;
        }

        anyUnwritten = false;
        for (int i = 0; i < history.Count; i++)
        {
            if (history[i].Unwritten)
            {
                history[i].AckedAt = now;
                history[i].Unwritten = false;
            }
        }
    }

    /// <summary>Fact: the server answered <paramref name="answers"/> to the admin command <paramref name="argv"/>.</summary>
    public void Answered(string[] argv, IReadOnlyList<string> answers)
    {
        if (argv is ["CONFIG", "SET", "appendonly", string value] && answers.Count > 0 && answers[0].StartsWith('+'))
        {
            // What the server answered its own CONFIG SET: off at once; on once a rewrite has
            // replaced the AOF (AofReplaced), as the seed waits for its rewrite before appending.
            aofState = value == "no" ? AofState.Off : aofState == AofState.Off ? AofState.WaitRewrite : aofState;
        }

        if (droppedAtStop > 0 && aofState == AofState.Off && argv[0] == "CONFIG")
        {
            // Turning the AOF off after a write error drops what was still buffered (as Redis 7
            // does): the contract cannot hold those writes, so none before this point is promised.
            log.Note($"contract: appendonly no dropped {droppedAtStop} buffered bytes after a write error; earlier writes are no longer promised");
            for (int i = 0; i < history.Count; i++)
            {
                history[i].AofOn = false;
            }
        }
    }

    /// <summary>A rewrite was checked: after a failed fsync, the rewritten AOF makes earlier writes promised again.</summary>
    public void RewriteChecked()
    {
        if (fsyncFailedSinceRewrite)
        {
            fsyncFailedSinceRewrite = fsyncErrorUnknown = false;
            log.Note("contract: the AOF was rewritten after a failed fsync; earlier writes are promised again");
            ClearFsyncErrorMarks();
        }
    }

    /// <summary>
    /// A new server process (after a power loss, an exit, or a kill when <paramref name="killed"/>):
    /// the AOF is on as configured, nothing is dropped at a stop yet, and a rewrite that replaced
    /// the AOF in the process that died is not checked (<paramref name="rewritesChecked"/>: the
    /// rewrites checked so far).
    /// </summary>
    public void Restarted(bool killed, int rewritesChecked)
    {
        lastRestartKilled = killed;
        aofState = AofState.On;
        droppedAtStop = 0;
        RewritesObserved = rewritesChecked;
    }

    /// <summary>
    /// Whether the restarted AOF may need truncated loading after a process exit: an ftruncate
    /// failed since the last restart, or the process was <paramref name="killed"/>. Asked once per restart.
    /// </summary>
    public bool TakeMayNeedTruncation(bool killed)
    {
        bool may = ftruncateFailed || killed;
        ftruncateFailed = false;
        return may;
    }

    /// <summary>The server came up again after a kill when <paramref name="killed"/>.</summary>
    public void RecoveredAfter(bool killed)
    {
        if (killed && fsyncFailedSinceRewrite && !fsyncErrorUnknown)
        {
            // Linux reports a writeback error once: a process restarted after a kill -9 never
            // learns of it, and what it acknowledges lands after pages that will never be written.
            // (An exit the engine chose is its own doing: no allowance for it.)
            fsyncErrorUnknown = true;
            log.Note("contract: the restarted server cannot know of the earlier fsync error; what it acknowledges is promised only after a rewrite completes");
        }
    }

    /// <summary>The recovery was checked; after a power loss the disk holds only what was durable: nothing is doomed any more.</summary>
    public void RecoveryChecked(bool powerLoss)
    {
        if (powerLoss && fsyncFailedSinceRewrite)
        {
            fsyncFailedSinceRewrite = fsyncErrorUnknown = false;
            ClearFsyncErrorMarks();
        }
    }

    /// <summary>
    /// How many leading history entries the fsync policy promised to keep at a crash at
    /// <paramref name="crashAt"/> (a power loss, or a process exit or kill), on a disk whose fsync
    /// takes at most <paramref name="maxFsyncMs"/>.
    /// </summary>
    public int DurableBound(long crashAt, bool powerLoss, int maxFsyncMs)
    {
        long window = policy switch
        {
            AppendFsync.Always => 0,
            AppendFsync.Everysec => EverysecWindowMs(maxFsyncMs, cronMs),
            _ => long.MaxValue,
        };

        // A process exit keeps the page cache: everything written is kept, whatever the policy;
        // but a kill -9 also loses what everysec had postponed (at most 2 s, checked at each cron).
        if (!powerLoss)
        {
            window = lastRestartKilled && policy == AppendFsync.Everysec ? 2000 + cronMs : 0;
        }

        int bound = 0;
        for (int i = 0; i < history.Count; i++)
        {
            HistoryEntry e = history[i];
            if (e.AofOn && !e.AfterFsyncError && !e.Unwritten && e.AckedAt is long acked && window != long.MaxValue && acked <= crashAt - window && e.HasWrite)
            {
                bound = i + 1;
            }
        }

        return bound;
    }

    private void ClearFsyncErrorMarks()
    {
        for (int i = 0; i < history.Count; i++)
        {
            history[i].AfterFsyncError = false;
        }
    }
}
