namespace AofSim.Blackbox.Campaigns;

/// <summary>One cycle of a schedule: the target is killed once <paramref name="KillAfter"/> batches were sent (by all connections together), then the power goes out or not.</summary>
/// <param name="KillAfter">Batches sent before the SIGKILL.</param>
/// <param name="PowerLoss">A power loss after the kill.</param>
public sealed record CycleStep(int KillAfter, bool PowerLoss);
