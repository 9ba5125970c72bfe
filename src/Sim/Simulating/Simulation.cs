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

// One simulated run: a pure function of (seed, options).
//
// The system under test (ITarget; here the engine's ServerCore on simulated ports) is driven as
// its event loop would drive it: commands then beforeSleep, cron every 100 ms of virtual time,
// jobs starting and ending at their due times, the rewrite child stepping one syscall at a time
// when the scheduler says. Random streams taken from the seed by label make every choice.
//
// The run is in parts, one file each:
//   Simulation.cs          the run loop: one step after another, a killed server restarted
//   Simulation.World.cs    the simulated ports, a new process's set of them, time, power losses
//   Scheduler.cs           the next step of a seeded run (SchedulerWeights: how often each kind)
//   Simulation.Recovery.cs a server started on what the disk holds, as an operator would
//   Simulation.History.cs  what the client sent and was acknowledged; the durability contract
//   Simulation.Checks.cs   replay and rewrite equivalence, durability, temp files; violations
//   Simulation.Trace.cs    the trace lines and their hash

/// <summary>One seeded run of the simulator.</summary>
public sealed partial class Simulation : IAofLog, ILoopHost
{
    /// <summary>Milliseconds: the time every run starts from (plus a seeded offset inside the second).</summary>
    public const long Epoch = 1_700_000_000_000;

    private const string AofName = "appendonly.aof";

    private readonly ulong seed;
    private readonly SimOptions options;
    private readonly SimRandom restarts;
    private readonly Scheduler scheduler;
    private readonly SimRandom crashRandom;
    private readonly Trace trace;
    private readonly SimStorage storage;
    private readonly IStorage port;
    private readonly ObservedStorage observed;
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

    // The dataset each rewrite check loads the new AOF into.
    private readonly Dataset checkData = new();

    // A client batch's replies, each as text (the history keeps the strings, not the list).
    private readonly List<string> replies = [];

    // A client batch's scratch: the engine keeps no reference to a command's arguments.
    private readonly List<string[]> sent = [];
    private readonly List<(int Db, string[] Argv)> executed = [];
    private readonly SimChildren.ChildCarrier carrier = new();

    // The system under test: the simulator drives it through this alone, and builds the
    // contract from what the world observed, never from what the server says of itself.
    private readonly ITarget target;
    private SimRandom process;
    private SimJobs jobs;
    private SimChildren children;
    private int clientDb;
    private long loopStartMs;
    private int eventIndex;
    private int rewritesFinished;

    // The AOF's state as the facts show it: on at a start (as configured), off or waiting for a
    // rewrite as the server answered the CONFIG SETs, on again when a rewrite replaced the file.
    private AofState aofState = AofState.On;

    // What the last stop of the AOF left unwritten, from the storage's facts (0: nothing).
    private long droppedAtStop;
    private bool stopped;

    private bool lastRestartKilled;

    private Simulation(ulong seed, SimOptions options, bool keepTrace, IReadOnlyList<ScriptStep>? script, bool record, Func<ITarget, IAofLog, ITarget>? wrap = null)
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
        crashRandom = SimRandom.Stream(seed, "crash");

        // Each restart of the server takes its streams (jobs, engine) from its own split of this.
        restarts = SimRandom.Stream(seed, "restarts");
        trace = new Trace(keepTrace);
        policy = options.Policy.Resolve(drawnPolicy);
        fs = options.Fs.Resolve(drawnFs);
        result = new SeedResult { Seed = seed, Policy = policy, Fs = fs };
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

        // What the server's storage calls did, seen from outside it: the contract's facts.
        observed = new ObservedStorage(port, AofName)
        {
            OnAofClosed = AofClosed,
            OnAofReplaced = AofReplaced,
        };
        port = observed;

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
        var inProcess = new InProcessTarget(serverConfig, () => new ServerPorts(port, clock, jobs, children, this, process.Split("engine")), () => loopStartMs) { Probes = result.Probes };
        target = wrap is null ? inProcess : wrap(inProcess, this);
        if (keepTrace && options.Stamps)
        {
            // A replay's lines carry the world's state for pictures of the run (never hashed).
            trace.Stamp = () =>
            {
                (long cached, long durable) = storage.Sizes(AofName);
                return new TraceStamp(eventIndex, clock.NowMs - Epoch, inProcess.AofBufferedBytes, cached, durable);
            };
        }

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

        scheduler = new Scheduler(SimRandom.Stream(seed, "scheduler"), new Workload(SimRandom.Stream(seed, "workload")), options.Scheduler, crashEvents, options.Faults.KillChild);
    }

    /// <summary>Runs <paramref name="seed"/> with <paramref name="options"/>.</summary>
    public static SeedResult Run(ulong seed, SimOptions options, bool keepTrace = false) => Run(seed, options, (IReadOnlyList<ScriptStep>?)null, keepTrace);

    /// <summary>
    /// Runs <paramref name="seed"/> with <paramref name="options"/>, its events taken from
    /// <paramref name="script"/> when given (the seed then decides only what the steps leave to
    /// chance); with <paramref name="record"/>, the steps run are kept in <see cref="SeedResult.Script"/>.
    /// </summary>
    public static SeedResult Run(ulong seed, SimOptions options, IReadOnlyList<ScriptStep>? script, bool keepTrace = false, bool record = false) =>
        Run(new Simulation(seed, options, keepTrace, script, record), options);

    /// <summary>
    /// Runs <paramref name="seed"/> against the in-process engine as <paramref name="wrap"/> presents
    /// it (a decorator over the system under test, given the log it speaks into).
    /// </summary>
    public static SeedResult Run(ulong seed, SimOptions options, Func<ITarget, IAofLog, ITarget> wrap, bool keepTrace = false) =>
        Run(new Simulation(seed, options, keepTrace, null, false, wrap), options);

    private static SeedResult Run(Simulation sim, SimOptions options)
    {
        try
        {
            sim.RunAll();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in the harness or an engine exception: reported for this seed, never a crash
            // of the whole campaign.
            string where = string.Join(" <- ", (e.StackTrace ?? string.Empty).Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("at AofSim", StringComparison.Ordinal)).Take(3));
            sim.Violate(Property.InternalError, $"{e.GetType().Name}: {e.Message.Split('\n')[0]} {where}", [], []);
        }
        finally
        {
            sim.children.Dispose();
            sim.carrier.Dispose();
        }

        sim.result.TraceHash = sim.trace.Hash;
        sim.result.Options = options;
        sim.result.Trace = sim.trace.Lines;
        sim.result.Stamps = sim.trace.Stamps;
        sim.result.Script = sim.recorded ?? sim.script;
        return sim.result;
    }

    private void RunAll()
    {
        Trace($"run seed={seed} {options.Flags} policy={result.Policy.Name()} fs={result.Fs.Name()}");
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
            ScriptStep step = script is null ? scheduler.Next(eventIndex, children.FirstRunning is not null) : script[eventIndex];
            recorded?.Add(step);
            Guarded(step);
            if (TestNondeterminism)
            {
                MixWallClockForTest(count);
            }

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
}
