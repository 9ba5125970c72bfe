using AofSim.Blackbox.Checking;
using AofSim.Engine.Server;

namespace AofSim.Blackbox.Campaigns;

/// <summary>One run: a target started on a fresh disk, then crashed and restarted cycle after cycle.</summary>
public sealed record RunResult
{
    /// <summary>The workload and schedule seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>The fsync policy of the run.</summary>
    public required AppendFsync Policy { get; init; }

    /// <summary>The schedule the run followed.</summary>
    public required IReadOnlyList<CycleStep> Schedule { get; init; }

    /// <summary>The disk, as it describes itself.</summary>
    public required string Disk { get; init; }

    /// <summary>The cycles, in order (the last may have stopped the run: a refused start).</summary>
    public required IReadOnlyList<CycleResult> Cycles { get; init; }

    /// <summary>A problem before the first cycle (the target never started), or null.</summary>
    public string? StartFailure { get; init; }

    /// <summary>Seconds the run took.</summary>
    public double Seconds { get; init; }

    /// <summary>Every violation of the run.</summary>
    public IEnumerable<BlackboxViolation> Violations => Cycles.SelectMany(c => c.Violations);

    /// <summary>The first failing cycle's index, or -1.</summary>
    public int FirstFailingCycle => Cycles.FirstOrDefault(c => c.Violations.Count > 0)?.Index ?? -1;
}
