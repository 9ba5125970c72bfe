using AofSim.Sim.Checking;
using AofSim.Sim.Shrinking;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Bugs;

/// <summary>What a blind campaign with one fix removed found.</summary>
/// <param name="Bug">The catalog's entry.</param>
/// <param name="Options">The campaign's options: the default mix, with the one fix removed.</param>
/// <param name="SeedsRun">Seeds run: up to the first failing one when found, all of them otherwise.</param>
/// <param name="FailingSeed">The first failing seed (seeds run from 1 in order), or null.</param>
/// <param name="Seconds">Wall-clock seconds to the first failure (or to the end): for the report only, never given to a run.</param>
/// <param name="Property">The property the first failing seed violated first, or null.</param>
/// <param name="Shrunk">The failure shrunk to a minimal case, or null (not found, or not made explicit).</param>
public sealed record BugHuntResult(BugEntry Bug, SimOptions Options, ulong SeedsRun, ulong? FailingSeed, double Seconds, Property? Property, ShrinkResult? Shrunk)
{
    /// <summary>Failing seeds passed over because they fail under <c>fixed</c> too (not this switch's bug).</summary>
    public IReadOnlyList<ulong> Unattributed { get; init; } = [];

    /// <summary>True when the campaign found a violation.</summary>
    public bool Found => FailingSeed is not null;

    /// <summary>True when the catalog says it should be found and it was not.</summary>
    public bool Missed => Bug.Findable && !Found;
}
