namespace AofSim.Blackbox.Checking;

/// <summary>What the checker needs to know of one crash and the readback after it.</summary>
/// <param name="CrashAtMs">Unix ms of the SIGKILL.</param>
/// <param name="PowerLoss">A power loss followed the kill (else a process crash).</param>
/// <param name="LossWindowMs">The acknowledged writes the promise lets the crash lose: those acknowledged within this window before it (long.MaxValue: any).</param>
/// <param name="ReadFromMs">Unix ms when the readback started.</param>
/// <param name="ReadToMs">Unix ms when it ended.</param>
/// <param name="SkipSets">Leave set keys out of the comparison (a target whose AOF replays SPOP at random: <see cref="Targets.BlackboxTarget.ComparesSets"/>).</param>
public sealed record CrashFacts(long CrashAtMs, bool PowerLoss, long LossWindowMs, long ReadFromMs, long ReadToMs, bool SkipSets = false);
