using System.Globalization;
using System.Runtime.CompilerServices;
using AofSim.Engine.Aof;
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
// This is the run loop, wiring the parts, each a type of its own:
//   SimWorld            the simulated ports, a new process's set of them, time, killed children
//   Scheduler           the next step of a seeded run (SchedulerWeights: how often each kind)
//   ClientDriver        a client's batch sent, its replies released, the history recorded
//   RecoveryLadder      a server started on what the disk holds, as an operator would
//   TraceWriter         the trace lines and their stamps (Trace: their hash)
// and, in Checking (which sees the server only through ITarget and the observed facts):
//   AckHistory          what the client sent and was acknowledged
//   DurabilityContract  what of it is promised, each loosening from an observed fact
//   RecoveryChecks      replay and rewrite equivalence, durability, temp files: violations
//   FsyncCadence        everysec's fsyncs at most once a second, from the jobs port's facts

/// <summary>One seeded run of the simulator.</summary>
public sealed class Simulation : ILoopHost, ICheckLog
{
    /// <summary>Milliseconds: the time every run starts from (plus a seeded offset inside the second).</summary>
    public const long Epoch = 1_700_000_000_000;

    private readonly ulong seed;
    private readonly SimOptions options;
    private readonly string header;

    // The swarm's choices, shown under the header (null: none, the run of the options as given).
    private readonly string? choices;
    private readonly TraceWriter writer;
    private readonly SimWorld world;
    private readonly SimClock clock;
    private readonly Scheduler scheduler;
    private readonly SeedResult result;
    private readonly AckHistory history = new();
    private readonly DurabilityContract contract;
    private readonly RecoveryChecks checks;
    private readonly RecoveryLadder ladder;
    private readonly ClientDriver client;
    private readonly HashSet<int> crashEvents = [];
    private readonly IReadOnlyList<ScriptStep>? script;
    private readonly List<ScriptStep>? recorded;

    // While recording: the seeded short writes (and the ENOSPC after each) of the step running.
    private readonly List<WriteFault>? seededWrites;
    private readonly List<IReadOnlyDictionary<string, string>>? seededCrashes;
    private readonly List<SlowFsync>? seededSlow;

    // The system under test: the simulator drives it through this alone, and builds the
    // contract from what the world observed, never from what the server says of itself.
    private readonly ITarget target;
    private bool stopped;

    private Simulation(ulong seed, SimOptions options, bool keepTrace, IReadOnlyList<ScriptStep>? script, bool record, Func<ITarget, IAofLog, ITarget>? wrap = null)
    {
        this.seed = seed;

        // A swarm run's choices, from the seed's own stream: from here on they are the options.
        header = $"run seed={seed} {options.TraceFlags}";
        bool showChoices = options.Swarm || options.HasChoices;
        options = Swarm.Apply(seed, options);
        this.options = options;
        this.script = script;
        recorded = record ? [] : null;
        seededWrites = record ? [] : null;
        seededCrashes = record ? [] : null;
        seededSlow = record ? [] : null;

        // Every stream is taken from the seed by its label, up front. The configuration stream
        // draws the policy, the crash model and the clock's offset whether or not the options fix
        // them: a run with --policy always is then the run that --policy mixed gave when it drew
        // always (only the header line, which shows the flags, differs).
        var config = SimRandom.Stream(seed, "configuration");
        AppendFsync drawnPolicy = config.Pick(new[] { AppendFsync.Always, AppendFsync.Everysec, AppendFsync.Everysec, AppendFsync.No });
        CrashModel drawnFs = config.Chance(0.5) ? CrashModel.StrictPosix : CrashModel.Ext4Ordered;
        long clockOffset = config.Range(0, 1000);
        AppendFsync policy = options.Policy.Resolve(drawnPolicy);
        result = new SeedResult { Seed = seed, Policy = policy, Fs = options.Fs.Resolve(drawnFs) };
        clock = new SimClock(Epoch + clockOffset);
        writer = new TraceWriter(new Trace(keepTrace), clock, Epoch);
        contract = new DurabilityContract(policy, history, this, options.Knobs.CronMs);
        checks = new RecoveryChecks(history, contract, this, options.Profile, policy.Name(), Epoch);
        world = new SimWorld(seed, options, clock, writer, result, contract, new FsyncCadence(policy, this, options.Knobs.CronMs));

        var serverConfig = new ServerConfig
        {
            AppendOnly = true,
            AppendFsync = policy,
            AutoAofRewritePercentage = options.Knobs.AutoRewritePercentage,
            AutoAofRewriteMinSize = options.Knobs.AutoRewriteMinSize,
            Hz = options.Knobs.Hz,
            RewriteBufferBlockSize = options.Knobs.RewriteBufferBlockSize,
            Profile = options.Profile,
        };
        var inProcess = new InProcessTarget(serverConfig, world.Ports, () => world.LoopStartMs) { Probes = result.Probes };
        target = wrap is null ? inProcess : wrap(inProcess, world);
        ladder = new RecoveryLadder(target, world, writer, result, options.PowerLossAfterCall);
        client = new ClientDriver(target, world, writer, history, contract);
        if (keepTrace && options.Stamps)
        {
            // A replay's lines carry the world's state for pictures of the run (never hashed).
            writer.Trace.Stamp = () =>
            {
                (long cached, long durable) = world.Storage.Sizes(SimWorld.AofName);
                return new TraceStamp(writer.EventIndex, clock.NowMs - Epoch, inProcess.AofBufferedBytes, cached, durable);
            };
        }

        if (seededWrites is not null)
        {
            world.Storage.OnShortWrite = (nth, bytes) => seededWrites.Add(new WriteFault(nth, bytes));
            world.Storage.OnDiskFull = nth => seededWrites.Add(new WriteFault(nth, null));
            world.Storage.OnCrash = kept => seededCrashes!.Add(kept);
            world.OnSlowFsync = (nth, ms) => seededSlow!.Add(new SlowFsync(nth, ms));
        }

        if (options.PowerLossAfterCall is long after)
        {
            world.Storage.PowerLossAfterCall = after;
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

        scheduler = new Scheduler(SimRandom.Stream(seed, "scheduler"), new Workload(SimRandom.Stream(seed, "workload"), options.Families), options.Scheduler, crashEvents, options.Faults.KillChild);
        choices = showChoices ? Swarm.Describe(options) : null;
    }

    /// <summary>The durability window under everysec, in ms, for a disk whose fsync takes at most <paramref name="maxFsyncMs"/> (<see cref="DurabilityContract.EverysecWindowMs"/>).</summary>
    public static long EverysecWindowMs(int maxFsyncMs) => DurabilityContract.EverysecWindowMs(maxFsyncMs);

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

    /// <summary>Time passes to <paramref name="ms"/> (ILoopHost): the background jobs due by then end, then the clock moves.</summary>
    public void PassTimeTo(long ms) => world.PassTimeTo(ms);

    /// <summary>A cron and its beforeSleep ran (ILoopHost): a finished rewrite is checked, a reaped child's files too.</summary>
    public void AfterCron()
    {
        if (contract.RewritesObserved > result.Rewrites)
        {
            result.Rewrites = contract.RewritesObserved;

            // The file is read where the storage holds it: nothing changes it during the check.
            (byte[] aof, int length) = world.Storage.Content(SimWorld.AofName);
            checks.RewriteEquivalence(aof, length, target.Data, clock.NowMs);
            contract.RewriteChecked();
        }

        NoteChild();
    }

    /// <inheritdoc/>
    void ICheckLog.Note(string line) => writer.Line(line);

    /// <inheritdoc/>
    string ICheckLog.Show(string argument) => TraceWriter.Show(argument);

    /// <summary>
    /// Records a violation (the first of each property per run). A run goes on after every check
    /// (after durability the history is cut to what was recovered, after replay equivalence the
    /// model restarts from it) and stops only when the harness cannot go on.
    /// </summary>
    void ICheckLog.Violate(Property property, string detail, IReadOnlyList<string> expected, IReadOnlyList<string> actual) =>
        Violate(property, detail, expected, actual);

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
            sim.world.Dispose();
        }

        sim.result.TraceHash = sim.writer.Trace.Hash;
        sim.result.Options = options;
        sim.result.Trace = sim.writer.Trace.Lines;
        sim.result.Stamps = sim.writer.Trace.Stamps;
        sim.result.Script = sim.recorded ?? sim.script;
        return sim.result;
    }

    private void RunAll()
    {
        writer.Line($"{header} policy={result.Policy.Name()} fs={result.Fs.Name()}");
        if (choices is not null)
        {
            writer.Line(choices);
        }

        try
        {
            ladder.Start(loadTruncated: false);
            Events();
        }
        catch (PowerLossException)
        {
            ExhaustivePowerLoss();
        }

        result.Syscalls = world.Storage.Calls;
        writer.Line($"end events={result.Events} crashes={result.Crashes} rewrites={result.Rewrites} violations={result.Violations.Count}");
    }

    // A power loss right after syscall PowerLossAfterCall, keeping the enumerated variant of the
    // pending writes; then recovery and the checks, and the run ends.
    private void ExhaustivePowerLoss()
    {
        SimStorage storage = world.Storage;
        storage.PowerLossAfterCall = null;
        int pending = storage.PendingAtRisk;
        result.PendingAtCrash = pending;
        result.Crashes++;
        result.Count(result.Faults, "crash");
        writer.Line($"fault power-loss after syscall {options.PowerLossAfterCall} variant {options.CrashVariant} of {CrashVariants.Count(pending, result.Fs, int.MaxValue)}");
        world.Children.Crash();
        world.Survived(storage.Crash(CrashVariants.Fate(options.CrashVariant, pending, result.Fs)));
        long crashAt = clock.NowMs;
        Restart(crashAt, powerLoss: true);
    }

    // A deliberately broken build for one test of the determinism re-check (docs/campaigns.md):
    // with AOFSIM_TEST_NONDETERMINISM=1 in the environment, the run writes the wall clock into its
    // trace halfway through its events, so that two runs of one seed differ there and run
    // --recheck must name that line. Read once per process into a static readonly field: the JIT
    // takes it as a constant, and the normal path pays nothing for the check.
    private static readonly bool TestNondeterminism =
        Environment.GetEnvironmentVariable("AOFSIM_TEST_NONDETERMINISM") == "1";

    // Called after each event when the switch is on: writes the wall clock into the trace at the middle one.
    private void MixWallClockForTest(int count)
    {
        if (writer.EventIndex == count / 2)
        {
            writer.Line($"test-nondeterminism wall-clock ticks {System.Diagnostics.Stopwatch.GetTimestamp()}");
        }
    }

    private void Events()
    {
        int count = script?.Count ?? options.Ops;
        for (writer.EventIndex = 0; writer.EventIndex < count && !stopped; writer.EventIndex++)
        {
            result.Events++;
            ScriptStep step = script is null ? scheduler.Next(writer.EventIndex, world.Children.FirstRunning is not null) : script[writer.EventIndex];
            recorded?.Add(step);
            world.Storage.BeginStep(step.WriteFaults, step.Survived);
            world.BeginStep(step.SlowFsyncs);
            Guarded(step);
            if (seededWrites is { Count: > 0 })
            {
                // The seeded short writes of this step, made explicit for the shrinker.
                recorded![^1] = recorded[^1] with { WriteFaults = [.. seededWrites] };
                seededWrites.Clear();
            }

            if (seededSlow is { Count: > 0 })
            {
                // Its seeded slow fsyncs.
                recorded![^1] = recorded[^1] with { SlowFsyncs = [.. seededSlow] };
                seededSlow.Clear();
            }

            if (seededCrashes is { Count: > 0 })
            {
                // And what its power losses kept.
                recorded![^1] = recorded[^1] with { Survived = [.. seededCrashes] };
                seededCrashes.Clear();
            }

            if (TestNondeterminism)
            {
                MixWallClockForTest(count);
            }

            if (step is PowerLossStep)
            {
                continue;
            }

            contract.Settle(clock.NowMs, world.Observed.AofWriteFailing);
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
                client.Batch(c);
                if (client.RefusedWithoutFault)
                {
                    client.RefusedWithoutFault = false;
                    Violate(Property.Availability, "writes were refused (-MISCONF) although no storage call of the server had failed since it started", [], []);
                }

                break;
            case AdvanceStep a:
                Advance(a.Ms);
                break;
            case ChildStep c:
                world.StepChild(c.Syscalls);
                break;
            case AdminStep a:
                Admin(a.Argv);
                break;
            case KillChildStep:
                world.KillChild();
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
            writer.Line($"fault kill-server {e.Message}");
            world.Children.Crash();
            Restart(clock.NowMs, powerLoss: false, killed: true);
        }
        catch (PowerLossException) when (options.PowerLossAfterCall is null)
        {
            // A plan's power loss at a named step: the machine stops there.
            PowerLossNow();
        }
    }

    // The admin connection: server commands are not part of the model's history.
    private void Admin(params string[] argv)
    {
        writer.Line($"admin {string.Join(' ', argv)}");
        IReadOnlyList<string> answers = target.Admin(argv);
        foreach (string r in answers)
        {
            writer.Line($"admin-reply {TraceWriter.Show(r)}");
        }

        scheduler.Answered(argv, answers);
        contract.Answered(argv, answers);
        NoteChild();
    }

    // Moves virtual time forward, running jobs and cron ticks (each followed by beforeSleep) in order.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Advance(long ms)
    {
        writer.Line($"advance {ms}ms");
        target.RunUntil(clock.NowMs + ms, this);
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
        writer.Line("fault power-loss");
        world.Children.Crash();
        world.Survived(world.Storage.Crash(world.CrashRandom));
        long crashAt = clock.NowMs;
        clock.AdvanceTo(crashAt + (downMs ?? world.CrashRandom.Range(0, 2000)));
        Restart(crashAt, powerLoss: true);
    }

    // The server stopped where the seed exits: a process exit, the page cache survives.
    private void ProcessExit()
    {
        writer.Line($"process-exit code={target.Stopped!.ExitCode} {target.Stopped.Reason}");
        result.Count(result.Faults, "process-exit");
        world.Children.Crash();
        Restart(clock.NowMs, powerLoss: false);
    }

    // A new process on what the disk kept, recovered up the ladder, then the recovery checked.
    private void Restart(long crashAt, bool powerLoss, bool killed = false)
    {
        target.Kill();
        world.NewProcess();
        client.Restarted();
        scheduler.Restarted();

        // A rewrite that replaced the AOF in the process that died is not checked against the
        // live dataset (there is none left); the recovery checks what the disk kept.
        contract.Restarted(killed, result.Rewrites);
        world.LoopStartMs = clock.NowMs;

        long cutsFailedBefore = contract.FtruncateFailures;
        string level = ladder.Recover();
        if (level == "unloadable")
        {
            Violate(Property.Availability, $"the AOF does not load even after redis-check-aof --fix: {target.Stopped!.Reason}", [], []);
            return;
        }

        result.Count(result.Recoveries, level);
        writer.Line($"recovery {level} keys={target.Data.KeyCount}");
        // The only ftruncate of the server during a recovery is its truncated load's cut; when
        // the injector failed it the server stopped (as Redis 7 does), and --fix is then the
        // operator's only way back: the disk failed, not the engine.
        bool cutFailedAtStart = contract.FtruncateFailures > cutsFailedBefore && level == "fixed";
        bool mayNeedTruncation = contract.TakeMayNeedTruncation(killed);
        if (!powerLoss && level != "strict" && !(mayNeedTruncation && (level == "truncated" || cutFailedAtStart)))
        {
            // The page cache survives a process exit: the file is exactly what the server wrote,
            // so it must load as it is (a short write must have been truncated away, PR #587).
            Violate(Property.Availability, $"after a process exit the AOF needed {level} loading", [], []);
        }

        if (powerLoss && level == "fixed" && result.Fs == CrashModel.Ext4Ordered && !contract.FsyncFailedSinceRewrite && !mayNeedTruncation && !cutFailedAtStart)
        {
            // Under ext4's ordered model a power loss keeps an in-order prefix of the writes, the
            // last perhaps torn: a cut tail, never a hole. The profile's own truncated loading must
            // then bring it up; needing redis-check-aof --fix is an outage the operator pays for.
            // (Holes come only from a failed fsync's dropped pages or a short write left in place.)
            Violate(Property.Availability, "after a power loss under ext4 (a torn tail, no hole) the AOF needed redis-check-aof --fix", [], []);
        }

        contract.RecoveredAfter(killed);
        checks.Recovery(target.Data, crashAt, powerLoss, clock.NowMs, world.MaxFsyncMs);
        contract.RecoveryChecked(powerLoss);
    }

    // A child the server has reaped (a fact of the process table) must have left no temp file
    // behind: the server has handled its end by then.
    private void NoteChild()
    {
        List<int> reaped = world.Children.Reaped;
        for (int i = 0; i < reaped.Count; i++)
        {
            int pid = reaped[i];
            foreach (string name in new[] { AofRewriter.TempFileName(pid), ServerCore.BackgroundTempFileName(pid) })
            {
                checks.TempFile(pid, name, world.Storage.Stat(name).Ok);
            }
        }

        reaped.Clear();
    }

    private void Violate(Property property, string detail, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        writer.Line($"VIOLATION {property.Name()}: {detail}");
        if (!result.Violations.Any(v => v.Property == property))
        {
            result.Violations.Add(new Violation(property, writer.EventIndex, clock.NowMs - Epoch, detail, expected, actual));
        }

        stopped |= property is Property.Availability or Property.InternalError;
    }
}
