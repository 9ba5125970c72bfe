using AofSim.Engine.Profiles;

namespace AofSim.Sim.Simulating;

/// <summary>The options of a run (with the seed, all that decides it).</summary>
public sealed record SimOptions
{
    /// <summary>Behaviour profile.</summary>
    public Profile Profile { get; init; } = Profile.Fixed;

    /// <summary>always, everysec, no, or mixed (chosen per seed).</summary>
    public PolicyOption Policy { get; init; } = PolicyOption.Mixed;

    /// <summary>posix, ext4, or mixed (chosen per seed).</summary>
    public CrashModelOption Fs { get; init; } = CrashModelOption.Mixed;

    /// <summary>Faults to inject.</summary>
    public FaultSet Faults { get; init; } = FaultSet.CrashOnly;

    /// <summary>
    /// Swarm testing: each seed turns a random subset of <see cref="Faults"/> and of the command
    /// families off and draws the engine's knobs and the scheduler's weights (<see cref="Swarm"/>,
    /// docs/simulator.md). Off here (a library default, and what every saved scenario without the
    /// field means); on by default on the command line.
    /// </summary>
    public bool Swarm { get; init; }

    /// <summary>The command families the workload draws from (all; a swarm run draws its own).</summary>
    public FamilySet Families { get; init; } = FamilySet.All;

    /// <summary>The engine's and the machine's settings (the defaults; a swarm run draws its own).</summary>
    public EngineKnobs Knobs { get; init; } = EngineKnobs.Default;

    /// <summary>Events per run.</summary>
    public int Ops { get; init; } = 1000;

    /// <summary>How often the scheduler draws each kind of step (docs/simulator.md).</summary>
    public SchedulerWeights Scheduler { get; init; } = SchedulerWeights.Default;

    /// <summary>Exhaustive mode: lose power right after this syscall (and then end the run); null otherwise.</summary>
    public long? PowerLossAfterCall { get; init; }

    /// <summary>Exhaustive mode: which surviving set of pending writes the power loss keeps (<see cref="CrashVariants"/>).</summary>
    public int CrashVariant { get; init; }

    /// <summary>Faults as data, applied to every storage call of the run (parent and child), or null.</summary>
    public AofSim.Faults.FaultPlan? Plan { get; init; }

    /// <summary>
    /// With the trace kept: keep a <see cref="TraceStamp"/> beside each line (replay --html). Not
    /// part of the run: the trace and its hash are the same either way, and it is not a flag.
    /// </summary>
    public bool Stamps { get; init; }

    /// <summary>
    /// The flags that give these options on the command line (where <c>--swarm</c> is on unless
    /// turned off). Choices made explicit (a shrunk case's families and knobs) have no flag: such a
    /// case is replayed from its scenario file.
    /// </summary>
    public string Flags => TraceFlags + (Swarm ? string.Empty : " --swarm false");

    /// <summary>The flags as the trace's first line shows them (the swarm's choices follow on a line of their own).</summary>
    public string TraceFlags => $"--profile {Profile.Name} --policy {Policy.Name()} --fs {Fs.Name()} --faults {Faults} --ops {Ops}"
        + (Plan is null ? string.Empty : " --plan PLAN.json")
        + (PowerLossAfterCall is long k ? $" --power-loss-after {k} --crash-variant {CrashVariant}" : string.Empty);

    /// <summary>True when the families or knobs differ from the defaults (explicit swarm choices).</summary>
    public bool HasChoices => Families != FamilySet.All || Knobs != EngineKnobs.Default;
}
