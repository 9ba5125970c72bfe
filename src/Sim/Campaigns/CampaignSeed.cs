using AofSim.Sim.Simulating;

namespace AofSim.Sim.Campaigns;

/// <summary>One seed of a campaign as it ran: where it sits in the campaign, what it found, how long it took.</summary>
/// <param name="Position">Its 0-based position in the campaign (the range or the sequence).</param>
/// <param name="Result">The run's result.</param>
/// <param name="Seconds">Wall-clock seconds the run took (a re-check not included).</param>
public sealed record CampaignSeed(long Position, SeedResult Result, double Seconds);
