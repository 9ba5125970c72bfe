using AofSim.Engine.Profiles;
using AofSim.Sim.Checking;

namespace AofSim.Sim.Simulation;

/// <summary>Which fault kinds a run may inject (docs/faults.md has what each one does).</summary>
/// <remarks>
/// The simulator's own kinds: <c>crash</c> (power loss at seeded events, then recovery and
/// checks), <c>slowfsync</c> (background fsyncs that sometimes take 0.5 s to 3.5 s), <c>kill</c>
/// (the rewrite child killed at a seeded step), <c>shortwrite</c> (an AOF write cut short by a
/// full disk). The others are drawn as a fault plan per seed (<see cref="FaultMix"/>).
/// </remarks>
public sealed record FaultSet
{
    /// <summary>The simulator's own kinds.</summary>
    public static readonly string[] SimKinds = ["crash", "slowfsync", "kill", "shortwrite"];

    /// <summary>Every kind <see cref="Parse"/> knows.</summary>
    public static readonly string[] Kinds = [.. SimKinds, .. FaultMix.Kinds];

    private readonly string[] on;

    /// <summary>The kinds in <paramref name="kinds"/> (each one of <see cref="Kinds"/>).</summary>
    public FaultSet(IEnumerable<string> kinds) => on = [.. Kinds.Where(kinds.Contains)];

    /// <summary>No fault.</summary>
    public static FaultSet None { get; } = new([]);

    /// <summary>Every kind.</summary>
    public static FaultSet All { get; } = new(Kinds);

    /// <summary>Power losses alone.</summary>
    public static FaultSet CrashOnly { get; } = new(["crash"]);

    /// <summary>The kinds on, in <see cref="Kinds"/> order.</summary>
    public IReadOnlyList<string> On => on;

    /// <summary>Power loss at seeded events.</summary>
    public bool Crash => Has("crash");

    /// <summary>Slow background fsyncs.</summary>
    public bool SlowFsync => Has("slowfsync");

    /// <summary>Killed rewrite children.</summary>
    public bool KillChild => Has("kill");

    /// <summary>Short AOF writes from a full disk.</summary>
    public bool ShortWrite => Has("shortwrite");

    /// <summary>The plan kinds on.</summary>
    public IReadOnlyList<string> PlanKinds => [.. on.Where(FaultMix.Kinds.Contains)];

    /// <summary>True when <paramref name="kind"/> is on.</summary>
    public bool Has(string kind) => on.Contains(kind);

    /// <summary>Parses none|crash|all|a comma list of <see cref="Kinds"/>; null when a name is unknown.</summary>
    public static FaultSet? Parse(string text)
    {
        switch (text)
        {
            case "none":
                return None;
            case "all":
                return All;
        }

        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 || parts.Any(p => !Kinds.Contains(p)) ? null : new FaultSet(parts);
    }

    /// <inheritdoc/>
    public bool Equals(FaultSet? other) => other is not null && on.SequenceEqual(other.on);

    /// <inheritdoc/>
    public override int GetHashCode() => string.Join(',', on).GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => on.Length == 0 ? "none" : on.Length == Kinds.Length ? "all" : string.Join(',', on);
}

/// <summary>The options of a run (with the seed, all that decides it).</summary>
public sealed record SimOptions
{
    /// <summary>Behaviour profile.</summary>
    public Profile Profile { get; init; } = Profile.Fixed;

    /// <summary>always, everysec, no, or mixed (chosen per seed).</summary>
    public string Policy { get; init; } = "mixed";

    /// <summary>posix, ext4, or mixed (chosen per seed).</summary>
    public string Fs { get; init; } = "mixed";

    /// <summary>Faults to inject.</summary>
    public FaultSet Faults { get; init; } = FaultSet.CrashOnly;

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

    /// <summary>The flags that give these options on the command line.</summary>
    public string Flags => $"--profile {Profile.Name} --policy {Policy} --fs {Fs} --faults {Faults} --ops {Ops}"
        + (Plan is null ? string.Empty : " --plan PLAN.json")
        + (PowerLossAfterCall is long k ? $" --power-loss-after {k} --crash-variant {CrashVariant}" : string.Empty);
}

/// <summary>What one seed's run did and found.</summary>
public sealed class SeedResult
{
    /// <summary>The seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>The fsync policy the run used.</summary>
    public required string Policy { get; init; }

    /// <summary>The crash model the run used.</summary>
    public required string Fs { get; init; }

    /// <summary>Events run.</summary>
    public int Events { get; set; }

    /// <summary>Power losses.</summary>
    public int Crashes { get; set; }

    /// <summary>Faults injected, by kind.</summary>
    public SortedDictionary<string, int> Faults { get; } = new(StringComparer.Ordinal);

    /// <summary>How recoveries loaded: strict, truncated, fixed, unloadable.</summary>
    public SortedDictionary<string, int> Recoveries { get; } = new(StringComparer.Ordinal);

    /// <summary>Rewrites completed and checked.</summary>
    public int Rewrites { get; set; }

    /// <summary>Syscalls the run made (the crash points an exhaustive search visits).</summary>
    public long Syscalls { get; set; }

    /// <summary>Exhaustive mode: the pending operations a power loss could choose from, at the crash.</summary>
    public int PendingAtCrash { get; set; }

    /// <summary>Violations found (a run stops at the first).</summary>
    public List<Violation> Violations { get; } = [];

    /// <summary>The trace hash.</summary>
    public string TraceHash { get; set; } = string.Empty;

    /// <summary>The options the run used (for its replay command).</summary>
    public SimOptions? Options { get; set; }

    /// <summary>The fault plan the run applied: the one given, then those drawn for the seed.</summary>
    public IReadOnlyList<AofSim.Faults.Fault> Plan { get; set; } = [];

    /// <summary>The steps the run took, when recorded or given (see <see cref="ScriptStep"/>).</summary>
    public IReadOnlyList<ScriptStep>? Script { get; set; }

    /// <summary>The trace lines, when kept.</summary>
    public IReadOnlyList<string> Trace { get; set; } = [];

    internal void Count(SortedDictionary<string, int> map, string key) => map[key] = map.GetValueOrDefault(key) + 1;
}
