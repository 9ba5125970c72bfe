using AofSim.Engine.Server;
using AofSim.Sim.Checking;

namespace AofSim.Sim.Simulating;

/// <summary>What one seed's run did and found.</summary>
public sealed class SeedResult
{
    /// <summary>The seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>The fsync policy the run used.</summary>
    public required AppendFsync Policy { get; init; }

    /// <summary>The crash model the run used.</summary>
    public required CrashModel Fs { get; init; }

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

    /// <summary>
    /// How often the run hit each coverage probe (<see cref="Engine.Diagnostics.ProbeId"/>): kept
    /// out of the trace, so the trace hash does not depend on it.
    /// </summary>
    public Coverage.ProbeCounts Probes { get; } = new();

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
