using AofSim.Engine.Profiles;

namespace AofSim.Sim.Simulation;

/// <summary>Which faults a run may inject.</summary>
/// <param name="Crash">Power loss at seeded events (then recovery and checks).</param>
/// <param name="SlowFsync">Background fsyncs that sometimes take 0.5 s to 3.5 s.</param>
/// <param name="KillChild">The rewrite child killed at a seeded step (as the OOM killer would).</param>
/// <param name="ShortWrite">Writes to the AOF that write fewer bytes than asked.</param>
public sealed record FaultSet(bool Crash, bool SlowFsync, bool KillChild, bool ShortWrite = false)
{
    /// <summary>The fault names <see cref="Parse"/> knows.</summary>
    public static readonly string[] Kinds = ["crash", "slowfsync", "kill", "shortwrite"];

    /// <summary>Parses none|crash|all|a comma list of <see cref="Kinds"/>.</summary>
    public static FaultSet? Parse(string text)
    {
        switch (text)
        {
            case "none":
                return new FaultSet(false, false, false);
            case "all":
                return new FaultSet(true, true, true, true);
        }

        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Any(p => !Kinds.Contains(p)))
        {
            return null;
        }

        return new FaultSet(parts.Contains("crash"), parts.Contains("slowfsync"), parts.Contains("kill"), parts.Contains("shortwrite"));
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var on = new List<string>();
        if (Crash)
        {
            on.Add("crash");
        }

        if (SlowFsync)
        {
            on.Add("slowfsync");
        }

        if (KillChild)
        {
            on.Add("kill");
        }

        if (ShortWrite)
        {
            on.Add("shortwrite");
        }

        return on.Count == 0 ? "none" : on.Count == Kinds.Length ? "all" : string.Join(',', on);
    }
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
    public FaultSet Faults { get; init; } = new(true, false, false);

    /// <summary>Events per run.</summary>
    public int Ops { get; init; } = 1000;

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

/// <summary>A property a run found broken.</summary>
/// <param name="Property">replay-equivalence, durability, rewrite-equivalence, availability or temp-files.</param>
/// <param name="Event">The event index at which it was found.</param>
/// <param name="TimeMs">Virtual time then.</param>
/// <param name="Detail">What was found, in words.</param>
/// <param name="Expected">The expected dataset or state (lines).</param>
/// <param name="Actual">The actual one (lines).</param>
public sealed record Violation(string Property, int Event, long TimeMs, string Detail, IReadOnlyList<string> Expected, IReadOnlyList<string> Actual);

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

    /// <summary>The trace lines, when kept.</summary>
    public IReadOnlyList<string> Trace { get; set; } = [];

    internal void Count(SortedDictionary<string, int> map, string key) => map[key] = map.GetValueOrDefault(key) + 1;
}
