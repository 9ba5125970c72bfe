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

// The history of what the client sent and was acknowledged, and the durability contract over
// it: which acknowledged commands the fsync policy promised to keep at a crash, and why a
// promise is withdrawn (docs/durability.md).

/// <summary>One seeded run of the simulator.</summary>
public sealed partial class Simulation
{
    /// <summary>The durability window under everysec, in ms, for a disk whose fsync takes at most <paramref name="maxFsyncMs"/>.</summary>
    /// <remarks>
    /// A write acknowledged at t is in the page cache by t + 2000 + 100 (a flush postponed behind a
    /// pending fsync is forced after two seconds, checked at each 100 ms cron); an fsync covering it
    /// starts within the next second (once a second, on the seed's whole-second clock up to two),
    /// after at most one fsync still in flight, and takes at most maxFsyncMs. See docs/durability.md.
    /// </remarks>
    public static long EverysecWindowMs(int maxFsyncMs) => 2100 + 2000 + 100 + (2L * maxFsyncMs);

    // Facts of the AOF, observed on the storage port (ObservedStorage): the server's descriptor
    // on it was closed. While the AOF is on, that is a stop (CONFIG SET appendonly no): what the
    // last failing write left unwritten is dropped for good.
    private void AofClosed(long unwritten)
    {
        if (aofState != AofState.Off)
        {
            droppedAtStop = unwritten;
        }
    }

    // A rename replaced the AOF: a rewrite switched in (counted for the rewrite check), and an AOF
    // turned on waits for exactly that before it is appended to.
    private void AofReplaced()
    {
        rewritesFinished++;
        if (aofState == AofState.WaitRewrite)
        {
            aofState = AofState.On;
        }
    }

    // Once the AOF is written again after a write error, what was acknowledged meanwhile is in
    // the file: the contract counts it from now, as if acknowledged now.
    private void SettleUnwritten()
    {
        if (!anyUnwritten || observed.AofWriteFailing)
        {
            return;
        }

        anyUnwritten = false;
        for (int i = 0; i < history.Count; i++)
        {
            if (history[i].Unwritten)
            {
                history[i].AckedAt = clock.NowMs;
                history[i].Unwritten = false;
            }
        }
    }

    // A failed fsync was reported: what it covered may be lost at a power loss whatever the engine
    // does from now on, until a rewrite has made the AOF durable again.
    private void WritebackFailed()
    {
        fsyncFailedSinceRewrite = true;
        Trace("contract: an fsync failed; writes acknowledged so far are promised again only after a rewrite completes");
        for (int i = 0; i < history.Count; i++)
        {
            history[i].AfterFsyncError = true;
        }
    }

    private void ClearFsyncErrorMarks()
    {
        for (int i = 0; i < history.Count; i++)
        {
            history[i].AfterFsyncError = false;
        }
    }

    // A client sends a batch of commands (pipelined), then the loop's beforeSleep releases replies.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ClientBatch(ClientStep step)
    {
        sent.Clear();
        if (step.Db != clientDb)
        {
            sent.Add(["SELECT", step.Db.ToString(CultureInfo.InvariantCulture)]);
        }

        sent.AddRange(step.Argv);
        bool aofOn = aofState == AofState.On;
        executed.Clear();
        foreach (string[] raw in sent)
        {
            string[] argv = Resolve(raw);
            Trace($"cmd db={clientDb} {new Shown(argv)}");
            target.Execute(argv);
            if (argv[0] == "SELECT")
            {
                clientDb = int.Parse(argv[1], CultureInfo.InvariantCulture);
            }

            executed.Add((clientDb, argv));
        }

        // The commands ran: they enter the history now, unacknowledged, with the replies they
        // earned (the model needs an SPOP's member), before beforeSleep writes them, since the
        // power can go out in the middle of it.
        long now = clock.NowMs;
        target.PendingReplies(replies);
        int firstEntry = history.Count;
        Record(executed, replies, now, aofOn);
        bool acked = target.Release();

        if (acked)
        {
            Trace($"ack {new Shown(replies)}");
        }
        else
        {
            Trace("ack none");
        }

        if (acked)
        {
            // Acknowledged while a write error keeps them in the AOF buffer (everysec and no
            // acknowledge anyway, as Redis does): promised only from when they reach the file.
            bool unwritten = observed.AofWriteFailing;
            anyUnwritten |= unwritten;
            for (int i = firstEntry; i < history.Count; i++)
            {
                history[i].AckedAt = now;
                history[i].Unwritten = unwritten;
                history[i].AfterFsyncError |= fsyncErrorUnknown;
            }
        }
    }

    // Turns the executed commands and their replies into history entries for the model.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Record(List<(int Db, string[] Argv)> executed, List<string> replies, long now, bool aofOn)
    {
        for (int i = 0; i < executed.Count; i++)
        {
            string name = executed[i].Argv[0];
            if (name == "SELECT")
            {
                continue;
            }

            string reply = i < replies.Count ? replies[i] : string.Empty;
            if (name == "MULTI")
            {
                int exec = executed.FindIndex(i, x => x.Argv[0] == "EXEC");
                if (exec < 0)
                {
                    // A MULTI never closed (a shrunk script may leave one): nothing ran.
                    break;
                }

                var items = new List<(int, string[], string)>();
                string execReply = exec < replies.Count ? replies[exec] : string.Empty;
                List<string> inner = execReply.StartsWith('*') ? RespReplies.Items(execReply) : [];
                for (int j = i + 1; j < exec; j++)
                {
                    items.Add((executed[j].Db, executed[j].Argv, j - i - 1 < inner.Count ? inner[j - i - 1] : "-ERR not executed"));
                }

                if (execReply.StartsWith('*'))
                {
                    history.Add(new HistoryEntry(items, now) { AofOn = aofOn });
                }

                i = exec;
                continue;
            }

            history.Add(new HistoryEntry([(executed[i].Db, executed[i].Argv, reply)], now) { AofOn = aofOn });
        }
    }

    // The admin connection: server commands are not part of the model's history.
    private void Admin(params string[] argv)
    {
        Trace($"admin {string.Join(' ', argv)}");
        IReadOnlyList<string> answers = target.Admin(argv);
        foreach (string r in answers)
        {
            Trace($"admin-reply {Show(r)}");
        }

        scheduler.Answered(argv, answers);
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
            Trace($"contract: appendonly no dropped {droppedAtStop} buffered bytes after a write error; earlier writes are no longer promised");
            for (int i = 0; i < history.Count; i++)
            {
                history[i].AofOn = false;
            }
        }


        NoteChild();
    }

    // How many leading history entries the fsync policy promised to keep at a crash at crashAt.
    private int DurableBound(long crashAt, bool powerLoss)
    {
        long window = policy switch
        {
            AppendFsync.Always => 0,
            AppendFsync.Everysec => EverysecWindowMs(jobs.MaxFsyncMs),
            _ => long.MaxValue,
        };

        // A process exit keeps the page cache: everything written is kept, whatever the policy;
        // but a kill -9 also loses what everysec had postponed (at most 2 s, checked each 100 ms).
        if (!powerLoss)
        {
            window = lastRestartKilled && policy == AppendFsync.Everysec ? 2100 : 0;
        }

        int bound = 0;
        for (int i = 0; i < history.Count; i++)
        {
            HistoryEntry e = history[i];
            if (e.AofOn && !e.AfterFsyncError && !e.Unwritten && e.AckedAt is long acked && window != long.MaxValue && acked <= crashAt - window && HasWrite(e))
            {
                bound = i + 1;
            }
        }

        return bound;
    }

    private static bool HasWrite(HistoryEntry e) => e.Base is null && e.Items.Any(x => !x.Reply.StartsWith('-'));

    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string[] Resolve(string[] argv)
    {
        // Most commands have no placeholder: they are sent as drawn (the array is not shared).
        // A plain loop: this runs for every command sent.
        bool placeholder = false;
        foreach (string a in argv)
        {
            placeholder |= a.StartsWith("{now+", StringComparison.Ordinal);
        }

        if (!placeholder)
        {
            return argv;
        }

        return [.. argv.Select(a => a.StartsWith("{now+", StringComparison.Ordinal)
            ? (clock.NowMs + long.Parse(a[5..^1], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture)
            : a)];
    }

    // Applies history entry p to the model: its commands, or, for a resynchronisation base, the
    // whole state it carries.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyEntry(Model model, int p)
    {
        HistoryEntry e = history[p];
        if (e.Base is not null)
        {
            model.Reset(e.Base);
            return;
        }

        foreach ((int db, string[] argv, string reply) in e.Items)
        {
            model.Apply(db, argv, e.ExecutedAt, reply);
        }
    }

    private sealed record HistoryEntry(List<(int Db, string[] Argv, string Reply)> Items, long ExecutedAt)
    {
        // Set in place when the replies are released (no copy of the entry).
        public long? AckedAt { get; set; }

        public bool AofOn { get; set; }

        // When set, the entry is a resynchronisation: after a replay-equivalence violation the
        // model restarts from the recovered dataset, so the run can go on finding other bugs.
        public List<(int Db, string Key, object Value, long ExpireAt)>? Base { get; init; }

        // Set while it was acknowledged but is still in the AOF buffer after a write error.
        public bool Unwritten { get; set; }

        // Set while an AOF fsync failed after this entry and no rewrite has completed since.
        public bool AfterFsyncError { get; set; }
    }
}
