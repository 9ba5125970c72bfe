namespace AofSim.Blackbox.Campaigns;

/// <summary>
/// One cycle of a schedule: once <paramref name="KillAfter"/> batches were sent (by all
/// connections together) the target is killed at once, with batches in flight; or, with
/// <paramref name="QuietMs"/>, the clients stop, the target idles that long, then the kill (what
/// an fsync policy promises for writes acknowledged long before a crash needs such a quiet
/// tail). Then the power goes out or not.
/// </summary>
/// <param name="KillAfter">Batches sent before the SIGKILL.</param>
/// <param name="PowerLoss">A power loss after the kill.</param>
/// <param name="QuietMs">Ms of idle before the kill (0: killed with batches in flight).</param>
public sealed record CycleStep(int KillAfter, bool PowerLoss, int QuietMs = 0);
