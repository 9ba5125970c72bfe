namespace AofSim.Sim.Fuzzing;

/// <summary>What a fuzz run found and measured.</summary>
public sealed record FuzzReport
{
    /// <summary>Inputs run through the loader, the checker and the manifest parser.</summary>
    public long Inputs { get; init; }

    /// <summary>Their total size.</summary>
    public long Bytes { get; init; }

    /// <summary>Inputs on which a target threw (anything but its own error results).</summary>
    public long Crashes { get; init; }

    /// <summary>Inputs on which a target went past its work bound (reads per input byte).</summary>
    public long Hangs { get; init; }

    /// <summary>Inputs whose allocation went past <see cref="AofFuzzer.AllocationBound"/>.</summary>
    public long OverAllocations { get; init; }

    /// <summary>The most bytes one input made the targets allocate.</summary>
    public long MaxAllocated { get; init; }

    /// <summary>The largest allocation as a share of its input's bound (at most 1 when none went over).</summary>
    public double MaxAllocationRatio { get; init; }

    /// <summary>The largest allocation per input byte, over inputs of 4 KB or more.</summary>
    public double MaxBytesPerInputByte { get; init; }

    /// <summary>Seconds spent running inputs (the comparison with redis-check-aof not included).</summary>
    public double Seconds { get; init; }

    /// <summary>How many loads ended in each outcome.</summary>
    public IReadOnlyDictionary<string, long> Outcomes { get; init; } = new Dictionary<string, long>();

    /// <summary>Inputs the checker called valid.</summary>
    public long CheckerValid { get; init; }

    /// <summary>Inputs compared with the real redis-check-aof.</summary>
    public long Compared { get; init; }

    /// <summary>Of those, the ones where its output and exit code were the checker's, line for line.</summary>
    public long Agreed { get; init; }

    /// <summary>Of those, the ones where redis-check-aof died (a huge zmalloc aborts it) or timed out.</summary>
    public long RedisDied { get; init; }

    /// <summary>
    /// Of those, the ones that agreed but for a byte redis-check-aof printed without reading it
    /// (<see cref="RedisCheckAofOracle.Verdict.Unpredictable"/>).
    /// </summary>
    public long Unpredictable { get; init; }

    /// <summary>The first failures (crash, hang, allocation, disagreement), one line each.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>Compared inputs on which the two disagreed.</summary>
    public long Disagreed => Compared - Agreed - RedisDied - Unpredictable;

    /// <summary>True when nothing crashed, hung, over-allocated or disagreed.</summary>
    public bool Clean => Crashes == 0 && Hangs == 0 && OverAllocations == 0 && Disagreed == 0;
}
