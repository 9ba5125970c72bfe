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

namespace AofSim.Sim.Simulation;

// One simulated run: a pure function of (seed, options).
//
// The engine's ServerCore runs on simulated ports (SimStorage, SimClock, SimJobs, SimChildren)
// and is driven as its event loop would drive it: commands then beforeSleep, cron every 100 ms of
// virtual time, jobs starting and ending at their due times, the rewrite child stepping one
// syscall at a time when the scheduler says. One seeded PRNG, split per component, makes every
// choice: the workload, the scheduling, the timing, the faults and what a power loss keeps.
//
// Checks. After every recovery: replay equivalence (the recovered dataset equals the independent
// model after some prefix P of the executed commands), the durability contract of the fsync
// policy (P holds what the policy promised, see DurableBound), and availability (how the AOF had
// to be loaded). After every completed rewrite: the new AOF alone loads to the live dataset.
// Whenever a rewrite child is gone: it left no temp file behind.

/// <summary>One seeded run of the simulator.</summary>
public sealed class Simulation : IAofLog, ILoopHost
{
    /// <summary>Milliseconds: the time every run starts from (plus a seeded offset inside the second).</summary>
    public const long Epoch = 1_700_000_000_000;

    private const string AofName = "appendonly.aof";

    private static readonly SearchValues<char> Escaped = SearchValues.Create("\r\n\0");

    private readonly ulong seed;
    private readonly SimOptions options;
    private readonly SimRandom restarts;
    private readonly SimRandom sched;
    private readonly SimRandom crashRandom;
    private readonly Workload workload;
    private readonly Trace trace;
    private readonly SimStorage storage;
    private readonly IStorage port;
    private readonly AofSim.Faults.FaultyStorage? faulty;
    private readonly HashSet<string> unlinkFailed = new(StringComparer.Ordinal);
    private bool fsyncFailedSinceRewrite;
    private bool ftruncateFailed;
    private bool fsyncErrorUnknown;
    private bool anyUnwritten;
    private readonly SimClock clock;
    private readonly AppendFsync policy;
    private readonly CrashModel fs;
    private readonly SeedResult result;
    private readonly List<HistoryEntry> history = [];
    private readonly HashSet<int> crashEvents = [];
    private readonly IReadOnlyList<ScriptStep>? script;
    private readonly List<ScriptStep>? recorded;
    private readonly PrefixDigests prefixes;

    // Where trace lines are formatted.
    private readonly LineScratch lineScratch = new(1024);

    // The dataset each rewrite check loads the new AOF into.
    private readonly Dataset checkData = new();

    // A client batch's replies, each as text (the history keeps the strings, not the list).
    private readonly List<string> replies = [];

    // A client batch's scratch: the engine keeps no reference to a command's arguments.
    private readonly List<string[]> sent = [];
    private readonly List<(int Db, string[] Argv)> executed = [];
    private readonly SimChildren.ChildCarrier carrier = new();

    // The system under test, and the same object as the engine it is (the contract's remaining
    // reads of the engine's own flags go through it).
    private readonly ITarget target;
    private readonly InProcessTarget engine;
    private SimRandom process;
    private SimJobs jobs;
    private SimChildren children;
    private int clientDb;
    private long loopStartMs;
    private int eventIndex;
    private int rewritesFinished;
    private bool stopped;

    // What the scheduler knows of appendonly: what its own CONFIG SETs were answered (a restart
    // starts with it on, as configured).
    private bool appendOnlyOn = true;
    private bool lastRestartKilled;

    private Simulation(ulong seed, SimOptions options, bool keepTrace, IReadOnlyList<ScriptStep>? script, bool record)
    {
        this.seed = seed;
        this.options = options;
        this.script = script;
        recorded = record ? [] : null;
        prefixes = new PrefixDigests(ApplyEntry);
        // Every stream is taken from the seed by its label, up front. The configuration stream
        // draws the policy, the crash model and the clock's offset whether or not the options fix
        // them: a run with --policy always is then the run that --policy mixed gave when it drew
        // always (only the header line, which shows the flags, differs).
        var config = SimRandom.Stream(seed, "configuration");
        AppendFsync drawnPolicy = config.Pick(new[] { AppendFsync.Always, AppendFsync.Everysec, AppendFsync.Everysec, AppendFsync.No });
        CrashModel drawnFs = config.Chance(0.5) ? CrashModel.StrictPosix : CrashModel.Ext4Ordered;
        long clockOffset = config.Range(0, 1000);
        sched = SimRandom.Stream(seed, "scheduler");
        crashRandom = SimRandom.Stream(seed, "crash");
        workload = new Workload(SimRandom.Stream(seed, "workload"));

        // Each restart of the server takes its streams (jobs, engine) from its own split of this.
        restarts = SimRandom.Stream(seed, "restarts");
        trace = new Trace(keepTrace);
        policy = options.Policy switch
        {
            "always" => AppendFsync.Always,
            "everysec" => AppendFsync.Everysec,
            "no" => AppendFsync.No,
            _ => drawnPolicy,
        };
        fs = options.Fs switch
        {
            "posix" => CrashModel.StrictPosix,
            "ext4" => CrashModel.Ext4Ordered,
            _ => drawnFs,
        };
        result = new SeedResult { Seed = seed, Policy = policy.ToString().ToLowerInvariant(), Fs = fs == CrashModel.StrictPosix ? "posix" : "ext4" };
        storage = new SimStorage(
            new SimStorageOptions { Model = fs, ShortWriteChance = options.Faults.ShortWrite ? 0.01 : 0 },
            SimRandom.Stream(seed, "storage-faults"));
        storage.OnCall = line => trace.Add("  sys ", line);
        storage.OnWritebackFailed = WritebackFailed;
        storage.OnFault = kind =>
        {
            Trace($"fault {kind}");
            result.Count(result.Faults, kind);
        };

        // The plan: the one given, then the faults drawn for this seed from the plan kinds on.
        var faults = new List<AofSim.Faults.Fault>(options.Plan?.Faults ?? []);
        faults.AddRange(FaultMix.Draw(SimRandom.Stream(seed, "fault-plan"), options.Faults.PlanKinds));
        result.Plan = faults;
        if (faults.Count == 0)
        {
            port = storage;
        }
        else
        {
            // The plan's faults on every storage call the engine makes, parent and child alike,
            // and on the background fsyncs (SimJobs.Faults).
            faulty = new AofSim.Faults.FaultyStorage(storage, new AofSim.Faults.FaultPlan(faults))
            {
                OnFault = Fired,
                Now = () => clock!.NowMs - Epoch,
                Sleep = Blocked,
            };
            port = faulty;
            foreach (AofSim.Faults.Fault f in faults)
            {
                trace.Add($"plan {f.Kind ?? "plan"} {f.Trigger.Describe()}: {f.Action}");
            }
        }

        clock = new SimClock(Epoch + clockOffset);
        loopStartMs = clock.NowMs;
        NewProcess();
        var serverConfig = new ServerConfig
        {
            AppendOnly = true,
            AppendFsync = policy,
            AutoAofRewritePercentage = 100,
            AutoAofRewriteMinSize = 4096,
            Profile = options.Profile,
        };
        engine = new InProcessTarget(serverConfig, () => new ServerPorts(port, clock, jobs, children, this, process.Split("engine")), () => loopStartMs);
        target = engine;

        if (options.PowerLossAfterCall is long after)
        {
            storage.PowerLossAfterCall = after;
        }
        else if (options.Faults.Crash)
        {
            var crashPlan = SimRandom.Stream(seed, "crash-events");
            int crashes = 1 + crashPlan.Next(3);
            for (int i = 0; i < crashes; i++)
            {
                crashEvents.Add(crashPlan.Next(Math.Max(1, options.Ops)));
            }
        }
    }

    /// <summary>Runs <paramref name="seed"/> with <paramref name="options"/>.</summary>
    public static SeedResult Run(ulong seed, SimOptions options, bool keepTrace = false) => Run(seed, options, null, keepTrace);

    /// <summary>
    /// Runs <paramref name="seed"/> with <paramref name="options"/>, its events taken from
    /// <paramref name="script"/> when given (the seed then decides only what the steps leave to
    /// chance); with <paramref name="record"/>, the steps run are kept in <see cref="SeedResult.Script"/>.
    /// </summary>
    public static SeedResult Run(ulong seed, SimOptions options, IReadOnlyList<ScriptStep>? script, bool keepTrace = false, bool record = false)
    {
        var sim = new Simulation(seed, options, keepTrace, script, record);
        try
        {
            sim.RunAll();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in the harness or an engine exception: reported for this seed, never a crash
            // of the whole campaign.
            string where = string.Join(" <- ", (e.StackTrace ?? string.Empty).Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("at AofSim", StringComparison.Ordinal)).Take(3));
            sim.Violate("internal-error", $"{e.GetType().Name}: {e.Message.Split('\n')[0]} {where}", [], []);
        }
        finally
        {
            sim.children.Dispose();
            sim.carrier.Dispose();
        }

        sim.result.TraceHash = sim.trace.Hash;
        sim.result.Options = options;
        sim.result.Trace = sim.trace.Lines;
        sim.result.Script = sim.recorded ?? sim.script;
        return sim.result;
    }

    /// <summary>The durability window under everysec, in ms, for a disk whose fsync takes at most <paramref name="maxFsyncMs"/>.</summary>
    /// <remarks>
    /// A write acknowledged at t is in the page cache by t + 2000 + 100 (a flush postponed behind a
    /// pending fsync is forced after two seconds, checked at each 100 ms cron); an fsync covering it
    /// starts within the next second (once a second, on the seed's whole-second clock up to two),
    /// after at most one fsync still in flight, and takes at most maxFsyncMs. See docs/durability.md.
    /// </remarks>
    public static long EverysecWindowMs(int maxFsyncMs) => 2100 + 2000 + 100 + (2L * maxFsyncMs);

    /// <summary>Records a log line of the engine (IAofLog).</summary>
    public void Log(LogLevel level, string message)
    {
        if (!children.Holds(level, message))
        {
            Said(message);
        }
    }

    private void Said(string message)
    {
        trace.Add($"  log {message}");
        if (message == "Background AOF rewrite finished successfully")
        {
            rewritesFinished++;
        }
    }

    private void RunAll()
    {
        Trace($"run seed={seed} {options.Flags} policy={result.Policy} fs={result.Fs}");
        try
        {
            StartServer(loadTruncated: false);
            Events();
        }
        catch (PowerLossException)
        {
            ExhaustivePowerLoss();
        }

        result.Syscalls = storage.Calls;
        Trace($"end events={result.Events} crashes={result.Crashes} rewrites={result.Rewrites} violations={result.Violations.Count}");
    }

    // A power loss right after syscall PowerLossAfterCall, keeping the enumerated variant of the
    // pending writes; then recovery and the checks, and the run ends.
    private void ExhaustivePowerLoss()
    {
        storage.PowerLossAfterCall = null;
        int pending = storage.PendingAtRisk;
        result.PendingAtCrash = pending;
        result.Crashes++;
        result.Count(result.Faults, "crash");
        Trace($"fault power-loss after syscall {options.PowerLossAfterCall} variant {options.CrashVariant} of {CrashVariants.Count(pending, fs, int.MaxValue)}");
        children.Crash();
        foreach (string line in storage.Crash(CrashVariants.Fate(options.CrashVariant, pending, fs)))
        {
            Trace($"  survived {line}");
        }

        long crashAt = clock.NowMs;
        Restart(crashAt, powerLoss: true);
    }

    private void Events()
    {
        int count = script?.Count ?? options.Ops;
        for (eventIndex = 0; eventIndex < count && !stopped; eventIndex++)
        {
            result.Events++;
            ScriptStep step = script is null ? NextStep() : script[eventIndex];
            recorded?.Add(step);
            Guarded(step);
            if (step is PowerLossStep)
            {
                continue;
            }

            SettleUnwritten();
            if (target.Stopped is not null)
            {
                ProcessExit();
            }
        }
    }

    // The scheduler's next event for a seeded run.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ScriptStep NextStep()
    {
        if (crashEvents.Contains(eventIndex))
        {
            // Machines often lose power after a quiet spell: sometimes let time pass first, with
            // no writes, so that what the fsync policy does when writes stop is put to the test.
            long quiet = sched.Chance(0.35) ? sched.Range(1000, 12000) : 0;
            return new PowerLossStep(quiet, sched.Range(0, 2000));
        }

        int roll = sched.Next(100);
        switch (roll)
        {
            case < 55:
                return new ClientStep(workload.NextDb(), workload.NextBatch());
            case < 75:
                return new AdvanceStep(sched.Range(1, 150));
            case < 80:
                return new AdvanceStep(sched.Chance(0.2) ? sched.Range(5000, 16000) : sched.Range(500, 4000));
            case < 91:
                return children.FirstRunning is not null ? new ChildStep(1 + sched.Next(24)) : new AdvanceStep(sched.Range(1, 100));
            case < 94:
                return new AdminStep(["BGREWRITEAOF"]);
            case < 95:
                return new AdminStep(["CONFIG", "SET", "appendonly", appendOnlyOn ? "no" : "yes"]);
            case < 96:
                return new AdminStep(["BGSAVE"]);
            case < 98 when options.Faults.KillChild && children.FirstRunning is not null:
                return new KillChildStep();
            default:
                return new AdvanceStep(sched.Range(1, 50));
        }
    }

    private void Run(ScriptStep step)
    {
        switch (step)
        {
            case ClientStep c:
                ClientBatch(c);
                break;
            case AdvanceStep a:
                Advance(a.Ms);
                break;
            case ChildStep c:
                StepChild(c.Syscalls);
                break;
            case AdminStep a:
                Admin(a.Argv);
                break;
            case KillChildStep:
                KillChild();
                break;
            case PowerLossStep p:
                PowerLoss(p.QuietMs, p.DownMs);
                break;
        }
    }

    private void KillChild()
    {
        int? pid = children.FirstRunning;
        Trace($"fault kill-child pid={pid?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        if (pid is int p)
        {
            result.Count(result.Faults, "kill");
            children.Terminate(p);
        }
    }

    // Runs one event; a kill of the server process at a syscall (a plan's kill action on the
    // parent's side) ends it as kill -9 would: the page cache survives, the process restarts.
    private void Guarded(ScriptStep step)
    {
        try
        {
            Run(step);
        }
        catch (ProcessKilledException e)
        {
            Trace($"fault kill-server {e.Message}");
            children.Crash();
            Restart(clock.NowMs, powerLoss: false, killed: true);
        }
        catch (PowerLossException) when (options.PowerLossAfterCall is null)
        {
            // A plan's power loss at a named step: the machine stops there.
            PowerLossNow();
        }
    }

    // A fault of the plan fired: traced and counted by kind; some change what the checks expect.
    private void Fired(AofSim.Faults.FaultEvent e)
    {
        Trace(e.Line);
        result.Count(result.Faults, e.Kind);
        if (e.Fault.Action is AofSim.Faults.Fail && e.Op == AofSim.Faults.FaultOp.Ftruncate)
        {
            // The engine could not cut a short write back (it says so): the AOF may then need
            // truncated loading even after a clean exit.
            ftruncateFailed = true;
        }

        if (e.Fault.Action is AofSim.Faults.Fail && e.Op == AofSim.Faults.FaultOp.Unlink)
        {
            unlinkFailed.Add(e.Name);
        }
    }

    // Once the AOF is written again after a write error, what was acknowledged meanwhile is in
    // the file: the contract counts it from now, as if acknowledged now.
    private void SettleUnwritten()
    {
        if (!anyUnwritten || !engine.Core.AofLastWriteOk)
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

    // A blocking call that takes ms longer (a slow fsync on the main thread): time passes, the
    // background jobs run, the event loop does not.
    private void Blocked(long ms)
    {
        jobs.RunUntil(clock.NowMs + ms);
        clock.AdvanceTo(clock.NowMs + ms);
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
        bool aofOn = engine.Core.State == AofState.On;
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
            bool unwritten = !engine.Core.AofLastWriteOk;
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

        if (argv is ["CONFIG", "SET", "appendonly", string value] && answers.Count > 0 && answers[0].StartsWith('+'))
        {
            appendOnlyOn = value == "yes";
        }

        if (engine.Core.DroppedAtStop > 0 && engine.Core.State == AofState.Off && argv[0] == "CONFIG")
        {
            // Turning the AOF off after a write error drops what was still buffered (as Redis 7
            // does): the contract cannot hold those writes, so none before this point is promised.
            Trace($"contract: appendonly no dropped {engine.Core.DroppedAtStop} buffered bytes after a write error; earlier writes are no longer promised");
            for (int i = 0; i < history.Count; i++)
            {
                history[i].AofOn = false;
            }
        }


        NoteChild();
    }

    private void StepChild(int steps)
    {
        int? pid = children.FirstRunning;
        if (pid is null)
        {
            Trace("child-steps none");
            return;
        }

        Trace($"child-steps pid={pid} n={steps}");
        children.Step(pid.Value, steps);
    }

    // Moves virtual time forward, running jobs and cron ticks (each followed by beforeSleep) in order.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Advance(long ms)
    {
        Trace($"advance {ms}ms");
        target.RunUntil(clock.NowMs + ms, this);
    }

    /// <summary>Time passes to <paramref name="ms"/> (ILoopHost): the background jobs due by then end, then the clock moves.</summary>
    public void PassTimeTo(long ms)
    {
        jobs.RunUntil(ms);
        clock.AdvanceTo(ms);
    }

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
                    Violate("temp-files", $"rewrite child {pid} is gone but {name} is left behind", [], [name]);
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

        LoadResult r = AofLoader.LoadInPlace(aof, length, loaded, options.Profile, new LoadOptions { NowMs = clock.NowMs });
        bool same = r.Succeeded && EngineView.SameAt(live, loaded, clock.NowMs);
        Trace($"check rewrite-equivalence {(same ? "ok" : "FAIL")}");
        if (!same)
        {
            List<string> fromFile = r.Succeeded ? EngineView.LinesAt(loaded, clock.NowMs) : [$"load failed: {r.Message}"];
            Violate("rewrite-equivalence", "the rewritten AOF does not load to the live dataset at the switch", EngineView.LinesAt(live, clock.NowMs), fromFile);
        }
    }

    // Power loss: the machine stops, the storage keeps what its crash model keeps, then restart.
    private void PowerLoss(long quietMs, long downMs)
    {
        if (quietMs > 0)
        {
            Advance(quietMs);
        }

        PowerLossNow(downMs);
    }

    // downMs: how long the machine stays down (null: drawn from the crash stream).
    private void PowerLossNow(long? downMs = null)
    {
        result.Crashes++;
        result.Count(result.Faults, "crash");
        Trace("fault power-loss");
        children.Crash();
        foreach (string line in storage.Crash(crashRandom))
        {
            Trace($"  survived {line}");
        }

        long crashAt = clock.NowMs;
        clock.AdvanceTo(crashAt + (downMs ?? crashRandom.Range(0, 2000)));
        Restart(crashAt, powerLoss: true);
    }

    // Starts a server on the storage as it is. A plan's power loss can strike during the start
    // itself (its directory fsync, say): the machine goes down again and the start is retried, a
    // few times at most (a plan that fires at every start would otherwise never let it up).
    private void StartServer(bool loadTruncated)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                target.Start(loadTruncated);
                return;
            }
            catch (PowerLossException) when (options.PowerLossAfterCall is null && attempt < 8)
            {
                result.Crashes++;
                result.Count(result.Faults, "crash");
                Trace("fault power-loss during start");
                foreach (string line in storage.Crash(crashRandom))
                {
                    Trace($"  survived {line}");
                }

                NewProcess();
            }
        }
    }

    // The server stopped where the seed exits: a process exit, the page cache survives.
    private void ProcessExit()
    {
        Trace($"process-exit code={target.Stopped!.ExitCode} {target.Stopped.Reason}");
        result.Count(result.Faults, "process-exit");
        children.Crash();
        Restart(clock.NowMs, powerLoss: false);
    }

    private void Restart(long crashAt, bool powerLoss, bool killed = false)
    {
        lastRestartKilled = killed;
        target.Kill();
        NewProcess();
        clientDb = 0;
        appendOnlyOn = true;
        loopStartMs = clock.NowMs;

        string level = "strict";
        StartServer(loadTruncated: false);
        if (target.Stopped is not null)
        {
            level = "truncated";
            StartServer(loadTruncated: true);
        }

        if (target.Stopped is not null)
        {
            level = "fixed";
            byte[] bytes = storage.ReadAll(AofName) ?? [];
            CheckResult check = AofChecker.Check(bytes);
            Trace($"recovery check-aof ok_up_to={check.OkUpTo} size={check.Size}");
            int fd = (int)storage.Open(AofName, OpenFlags.WriteOnly).Value;
            storage.Ftruncate(fd, check.OkUpTo);

            // A careful operator syncs the fix (redis-check-aof itself does not): otherwise the
            // cut can be lost at the next power loss while the writes after it survive.
            storage.Fsync(fd);
            storage.Close(fd);
            StartServer(loadTruncated: false);
        }

        if (target.Stopped is not null)
        {
            level = "unloadable";
            Violate("availability", $"the AOF does not load even after redis-check-aof --fix: {target.Stopped!.Reason}", [], []);
            return;
        }

        result.Count(result.Recoveries, level);
        Trace($"recovery {level} keys={target.Data.KeyCount}");
        bool mayNeedTruncation = ftruncateFailed || killed;
        ftruncateFailed = false;
        if (!powerLoss && level != "strict" && !(mayNeedTruncation && level == "truncated"))
        {
            // The page cache survives a process exit: the file is exactly what the server wrote,
            // so it must load as it is (a short write must have been truncated away, PR #587).
            Violate("availability", $"after a process exit the AOF needed {level} loading", [], []);
        }

        if (killed && fsyncFailedSinceRewrite && !fsyncErrorUnknown)
        {
            // Linux reports a writeback error once: a process restarted after a kill -9 never
            // learns of it, and what it acknowledges lands after pages that will never be written.
            // (An exit the engine chose is its own doing: no allowance for it.)
            fsyncErrorUnknown = true;
            Trace("contract: the restarted server cannot know of the earlier fsync error; what it acknowledges is promised only after a rewrite completes");
        }

        CheckRecovery(crashAt, powerLoss);
        if (powerLoss && fsyncFailedSinceRewrite)
        {
            // After a power loss the disk holds only what was durable: nothing is doomed any more.
            fsyncFailedSinceRewrite = fsyncErrorUnknown = false;
            ClearFsyncErrorMarks();
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
                "replay-equivalence",
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
                "durability",
                $"under appendfsync {result.Policy} the recovered AOF holds {chosen} of {history.Count} commands, but the first {bound} were acknowledged " +
                $"long enough before the crash to be kept (first lost: '{string.Join(' ', lost.Items.Select(x => string.Join(' ', x.Argv.Select(Show))))}' acknowledged at +{lost.AckedAt - Epoch} ms, crash at +{crashAt - Epoch} ms)",
                ModelAt(bound, t),
                EngineView.LinesAt(target.Data, t));
        }

        history.RemoveRange(chosen, history.Count - chosen);
        prefixes.Truncate(chosen);
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
    private void Violate(string property, string detail, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        Trace($"VIOLATION {property}: {detail}");
        if (!result.Violations.Any(v => v.Property == property))
        {
            result.Violations.Add(new Violation(property, eventIndex, clock.NowMs - Epoch, detail, expected, actual));
        }

        stopped |= property is "availability" or "internal-error";
    }

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

    private void Trace(string line)
    {
        var text = new EventLine(0, 1, this);
        text.AppendFormatted(line);
        Trace(ref text);
    }

    // The same line, formatted straight into the trace's buffer.
    private void Trace([InterpolatedStringHandlerArgument("")] ref EventLine line)
    {
        trace.Add(line.Text.Text);
        lineScratch.End(ref line.Text);
    }

    private static string Show(string s) => s.AsSpan().IndexOfAny(Escaped) < 0 ? s
        : s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    // Show, into a span: false when it does not fit.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryShow(string s, Span<char> into, out int written)
    {
        if (s.AsSpan().IndexOfAny(Escaped) < 0)
        {
            // Nothing to escape (almost always): one copy.
            bool fits = s.AsSpan().TryCopyTo(into);
            written = fits ? s.Length : 0;
            return fits;
        }

        written = 0;
        foreach (char c in s)
        {
            bool escaped = c is '\r' or '\n' or '\0';
            if (written + (escaped ? 2 : 1) > into.Length)
            {
                written = 0;
                return false;
            }

            if (escaped)
            {
                into[written++] = '\\';
                into[written++] = c switch { '\r' => 'r', '\n' => 'n', _ => '0' };
            }
            else
            {
                into[written++] = c;
            }
        }

        return true;
    }

    // A new server process (at the start and at every restart): its background jobs and children,
    // and the streams its jobs and engine draw from, split off for this process alone.
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(process), nameof(jobs), nameof(children))]
    private void NewProcess()
    {
        process = restarts.Split("process");
        jobs = NewJobs(process.Split("jobs"));
        children = NewChildren();
    }

    private SimJobs NewJobs(SimRandom random)
    {
        var jobsOptions = new SimJobsOptions { SlowFsyncChance = options.Faults.SlowFsync ? 0.08 : 0 };
        var j = new SimJobs(storage, clock, random, jobsOptions)
        {
            OnEvent = line => trace.Add("  ", line),
            Faults = faulty is null ? null : fd => faulty.Consult(AofSim.Faults.FaultOp.Fdatasync, fd),
        };
        return j;
    }

    private SimChildren NewChildren() => new(port, carrier, () => storage.NextFd)
    {
        Kernel = storage,
        OnEvent = line => trace.Add($"  child {line}"),
        OnLog = (_, message) => Said(message),
    };

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

    // Arguments or replies as the trace shows them: each through Show, space-separated.
    // A command or the replies of a batch: an array or a list, held as itself so that reading
    // an item is no interface call.
    private readonly struct Shown : ISpanFormattable
    {
        private readonly string[]? array;
        private readonly List<string>? list;

        public Shown(string[] items) => array = items;

        public Shown(List<string> items) => list = items;

        private int Count => array?.Length ?? list!.Count;

        private string this[int i] => array is not null ? array[i] : list![i];

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            charsWritten = 0;
            int count = Count;
            for (int i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    if (charsWritten == destination.Length)
                    {
                        charsWritten = 0;
                        return false;
                    }

                    destination[charsWritten++] = ' ';
                }

                if (!TryShow(this[i], destination[charsWritten..], out int n))
                {
                    charsWritten = 0;
                    return false;
                }

                charsWritten += n;
            }

            return true;
        }

        public string ToString(string? format, IFormatProvider? formatProvider) =>
            string.Join(' ', ((IEnumerable<string>?)array ?? list!).Select(Show));

        public override string ToString() => ToString(null, null);
    }

    // A trace line of the run: "e=<event> t=+<ms> " and then the interpolated text.
    [InterpolatedStringHandler]
    private ref struct EventLine
    {
        public DefaultInterpolatedStringHandler Text;

        public EventLine(int literalLength, int formattedCount, Simulation sim)
        {
            Text = sim.lineScratch.Begin(literalLength + 8, formattedCount + 2);
            Text.AppendLiteral("e=");
            Text.AppendFormatted(sim.eventIndex);
            Text.AppendLiteral(" t=+");
            Text.AppendFormatted(sim.clock.NowMs - Epoch);
            Text.AppendLiteral(" ");
        }

        public void AppendLiteral(string value) => Text.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => Text.AppendFormatted(value);

        public void AppendFormatted(string? value) => Text.AppendFormatted(value);
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
