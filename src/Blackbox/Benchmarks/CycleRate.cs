using AofSim.Engine.Server;

namespace AofSim.Blackbox.Benchmarks;

/// <summary>How fast one target goes through crash-restart cycles.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Crash">The kind of crash and the disk, in words.</param>
/// <param name="Policy">The fsync policy.</param>
/// <param name="Cycles">Cycles completed.</param>
/// <param name="Seconds">Wall time of the whole run (the first start included).</param>
/// <param name="Violations">Violations the checks found (a speed figure of a failing run is suspect).</param>
/// <param name="StartFailure">Why the target never started, or null.</param>
/// <param name="LoadBefore">The 1-minute load average before.</param>
/// <param name="LoadAfter">The 1-minute load average after.</param>
public sealed record CycleRate(string Target, string Crash, AppendFsync Policy, int Cycles, double Seconds, int Violations, string? StartFailure, double LoadBefore, double LoadAfter)
{
    /// <summary>Cycles per minute of wall time.</summary>
    public double PerMinute => Seconds > 0 ? Cycles * 60 / Seconds : 0;
}
