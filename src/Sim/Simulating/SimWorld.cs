using System.Globalization;
using AofSim.Engine.Ports;
using AofSim.Engine.Server;
using AofSim.Sim.Checking;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The world the server runs in: the simulated ports (storage with the plan's fault injector and
/// the observer of its facts, clock, background jobs, rewrite children), a new set of them per
/// server process, time passing, killed children and stepped ones, what a power loss keeps, and
/// the engine's log lines routed to the trace. The facts the storage observes go to the
/// durability contract.
/// </summary>
internal sealed class SimWorld : IAofLog, IDisposable
{
    /// <summary>The AOF's file name.</summary>
    public const string AofName = "appendonly.aof";

    private readonly SimOptions options;
    private readonly TraceWriter writer;
    private readonly SeedResult result;
    private readonly DurabilityContract contract;
    private readonly FsyncCadence cadence;
    private readonly SimRandom restarts;
    private readonly AofSim.Faults.FaultyStorage? faulty;
    private readonly SimChildren.ChildCarrier carrier = new();
    private SimRandom process;

    // The longest delay of the plan (fsyncdelay: added to a background fsync), in ms.
    private long longestDelayMs;

    /// <summary>The world of seed <paramref name="seed"/>'s run, its first process's ports ready.</summary>
    public SimWorld(ulong seed, SimOptions options, SimClock clock, TraceWriter writer, SeedResult result, DurabilityContract contract, FsyncCadence cadence)
    {
        this.options = options;
        this.writer = writer;
        this.result = result;
        this.contract = contract;
        this.cadence = cadence;
        Clock = clock;
        CrashRandom = SimRandom.Stream(seed, "crash");

        // Each restart of the server takes its streams (jobs, engine) from its own split of this.
        restarts = SimRandom.Stream(seed, "restarts");
        Storage = new SimStorage(
            new SimStorageOptions { Model = result.Fs, ShortWriteChance = options.Faults.ShortWrite ? 0.01 : 0 },
            SimRandom.Stream(seed, "storage-faults"));
        Storage.OnCall = line => writer.Trace.Add("  sys ", line);
        Storage.OnWritebackFailed = contract.WritebackFailed;
        Storage.OnFault = kind =>
        {
            writer.Line($"fault {kind}");
            result.Count(result.Faults, kind);
            FaultsThisProcess++;
        };

        // The plan: the one given, then the faults drawn for this seed from the plan kinds on.
        var faults = new List<AofSim.Faults.Fault>(options.Plan?.Faults ?? []);
        faults.AddRange(FaultMix.Draw(SimRandom.Stream(seed, "fault-plan"), options.Faults.PlanKinds));
        result.Plan = faults;
        IStorage port = Storage;
        if (faults.Count > 0)
        {
            // The plan's faults on every storage call the engine makes, parent and child alike,
            // and on the background fsyncs (SimJobs.Faults).
            faulty = new AofSim.Faults.FaultyStorage(Storage, new AofSim.Faults.FaultPlan(faults))
            {
                OnFault = Fired,
                Now = () => Clock.NowMs - Simulation.Epoch,
                Sleep = Blocked,
            };
            port = faulty;
            foreach (AofSim.Faults.Fault f in faults)
            {
                if (f.Action is AofSim.Faults.Delay d)
                {
                    longestDelayMs = Math.Max(longestDelayMs, d.Ms);
                }

                writer.Trace.Add($"plan {f.Kind ?? "plan"} {f.Trigger.Describe()}: {f.Action}");
            }
        }

        // What the server's storage calls did, seen from outside it: the contract's facts.
        Observed = new ObservedStorage(port, AofName)
        {
            OnAofClosed = contract.AofClosed,
            OnAofReplaced = () =>
            {
                contract.AofReplaced();
                cadence.Replaced(clock.NowMs);
            },
        };
        Port = Observed;
        LoopStartMs = clock.NowMs;
        NewProcess();
    }

    /// <summary>The simulated disk.</summary>
    public SimStorage Storage { get; }

    /// <summary>The storage port as the server sees it (fault injector and observer included).</summary>
    public IStorage Port { get; }

    /// <summary>The facts of the server's storage calls.</summary>
    public ObservedStorage Observed { get; }

    /// <summary>Virtual time.</summary>
    public SimClock Clock { get; }

    /// <summary>The stream power losses draw from (what survives, how long the machine is down).</summary>
    public SimRandom CrashRandom { get; }

    /// <summary>The current process's background jobs.</summary>
    public SimJobs Jobs { get; private set; }

    // The current step's explicit slow fsyncs, and its fsyncs so far.
    private IReadOnlyList<SlowFsync>? armedSlow;
    private int stepFsyncs;

    /// <summary>The current process's rewrite children.</summary>
    public SimChildren Children { get; private set; }

    /// <summary>
    /// The longest a background fsync can take in this run, in ms, as the durability window counts
    /// it: the jobs' own longest (slow fsyncs included), or the plan's longest fsync delay when that
    /// is longer (a swarm's slow fsyncs may end before fsyncdelay's 3.5 s). As before swarm testing,
    /// the ordinary latency under a delay is left to the window's slack (the default's 3,500 ms
    /// covered fsyncdelay's 3,500 the same way, and the uniform mix keeps its window exactly).
    /// </summary>
    public int MaxFsyncMs => (int)Math.Max(Jobs.MaxFsyncMs, longestDelayMs);

    /// <summary>When the current process's event loop began.</summary>
    public long LoopStartMs { get; set; }

    /// <summary>Records a log line of the engine (IAofLog).</summary>
    public void Log(LogLevel level, string message)
    {
        if (!Children.Holds(level, message))
        {
            Said(message);
        }
    }

    /// <summary>The ports of the process being started (its engine stream split off its process stream).</summary>
    public ServerPorts Ports() => new(Port, Clock, Jobs, Children, this, process.Split("engine"));

    /// <summary>
    /// A new server process (at the start and at every restart): its background jobs and children,
    /// and the streams its jobs and engine draw from, split off for this process alone.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(process), nameof(Jobs), nameof(Children))]
    public void NewProcess()
    {
        FaultsThisProcess = 0;
        Observed.Restarted();
        cadence.Restarted();
        process = restarts.Split("process");
        Jobs = NewJobs(process.Split("jobs"));
        Children = NewChildren();
    }

    /// <summary>Time passes to <paramref name="ms"/>: the background jobs due by then end, then the clock moves.</summary>
    public void PassTimeTo(long ms)
    {
        Jobs.RunUntil(ms);
        Clock.AdvanceTo(ms);
    }

    /// <summary>
    /// Storage faults (the simulator's short writes, the plan's entries) that fired since the
    /// current server process started: while none has, the disk never failed that process.
    /// </summary>
    public int FaultsThisProcess { get; private set; }

    /// <summary>kill -9 of the first running child (a fault), if any.</summary>
    public void KillChild()
    {
        int? pid = Children.FirstRunning;
        writer.Line($"fault kill-child pid={pid?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        if (pid is int p)
        {
            result.Count(result.Faults, "kill");
            Children.Terminate(p);
        }
    }

    /// <summary>The first running child makes <paramref name="steps"/> more syscalls.</summary>
    public void StepChild(int steps)
    {
        int? pid = Children.FirstRunning;
        if (pid is null)
        {
            writer.Line("child-steps none");
            return;
        }

        writer.Line($"child-steps pid={pid} n={steps}");
        Children.Step(pid.Value, steps);
    }

    /// <summary>Traces what a power loss kept on the disk.</summary>
    public void Survived(IReadOnlyList<string> lines)
    {
        foreach (string line in lines)
        {
            writer.Line($"  survived {line}");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Children.Dispose();
        carrier.Dispose();
    }

    private void Said(string message)
    {
        writer.Trace.Add($"  log {message}");
    }

    // A fault of the plan fired: traced and counted by kind; some are facts the contract needs.
    private void Fired(AofSim.Faults.FaultEvent e)
    {
        writer.Line(e.Line);
        result.Count(result.Faults, e.Kind);
        if (e.Fault.Action is AofSim.Faults.WriteCap && e.Op == AofSim.Faults.FaultOp.Write)
        {
            // A capped write is progress, not a failure (the disk takes the rest): it excuses no
            // refusal of writes.
            Observed.NextWriteCapped();
            return;
        }

        FaultsThisProcess++;
        if (e.Fault.Action is AofSim.Faults.Fail && e.Op == AofSim.Faults.FaultOp.Ftruncate)
        {
            contract.FtruncateFailed();
        }

        if (e.Fault.Action is AofSim.Faults.Fail && e.Op == AofSim.Faults.FaultOp.Unlink)
        {
            contract.UnlinkFailed(e.Name);
        }
    }

    // A blocking call that takes ms longer (a slow fsync on the main thread): time passes, the
    // background jobs run, the event loop does not.
    private void Blocked(long ms)
    {
        Jobs.RunUntil(Clock.NowMs + ms);
        Clock.AdvanceTo(Clock.NowMs + ms);
    }

    /// <summary>Called at each seeded slow fsync with its number in the step and its latency (a recorded run makes it explicit: <see cref="SlowFsync"/>).</summary>
    public Action<int, int>? OnSlowFsync { get; set; }

    /// <summary>
    /// A new step begins: its background fsyncs are counted from 1 (across a restart inside it),
    /// and <paramref name="slowFsyncs"/> (a shrunk case's, or null) set the latency of those it names.
    /// </summary>
    public void BeginStep(IReadOnlyList<SlowFsync>? slowFsyncs)
    {
        armedSlow = slowFsyncs is { Count: > 0 } ? slowFsyncs : null;
        stepFsyncs = 0;
    }

    // The latency of the step's next fsync: as drawn, or as the step says.
    private int StepLatency(int drawn, bool slow)
    {
        int nth = ++stepFsyncs;
        if (slow)
        {
            OnSlowFsync?.Invoke(nth, drawn);
        }

        if (armedSlow is not null)
        {
            foreach (SlowFsync f in armedSlow)
            {
                if (f.Nth == nth)
                {
                    return f.Ms;
                }
            }
        }

        return drawn;
    }

    private SimJobs NewJobs(SimRandom random)
    {
        EngineKnobs k = options.Knobs;
        var jobsOptions = new SimJobsOptions
        {
            SlowFsyncChance = options.Faults.SlowFsync ? k.SlowFsyncChance : 0,
            FsyncMaxMs = k.FsyncMaxMs,
            SlowFsyncMaxMs = k.SlowFsyncMaxMs,
            CloseMs = k.CloseMs,
        };
        var j = new SimJobs(Storage, Clock, random, jobsOptions)
        {
            OnEvent = line => writer.Trace.Add("  ", line),
            Latency = StepLatency,
            OnSubmit = type =>
            {
                if (type == BioJobType.AofFsync)
                {
                    cadence.Submitted(Clock.NowMs);
                }
            },
            Faults = faulty is null ? null : fd => faulty.Consult(AofSim.Faults.FaultOp.Fdatasync, fd),
        };
        return j;
    }

    private SimChildren NewChildren() => new(Port, carrier, () => Storage.NextFd)
    {
        Kernel = Storage,
        OnEvent = line => writer.Trace.Add($"  child {line}"),
        OnLog = (_, message) => Said(message),
    };
}
