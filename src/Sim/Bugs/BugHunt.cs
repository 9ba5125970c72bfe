using System.Diagnostics;
using AofSim.Engine.Profiles;
using AofSim.Sim.Shrinking;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Bugs;

/// <summary>
/// A blind campaign per fix switch: the default mix (every fault kind, mixed policies and crash
/// models, 1,000 events a seed, swarm testing unless turned off) with that one fix removed, nothing aimed at the bug, seeds 1, 2,
/// 3 … until the first violation, a seed limit or a wall-clock budget; then the failure shrunk.
/// </summary>
public static class BugHunt
{
    /// <summary>The options of the campaign for <paramref name="bug"/>: the default campaign's (swarm testing unless <paramref name="swarm"/> is false), under <c>fixed-Switch</c>.</summary>
    public static SimOptions OptionsFor(BugEntry bug, bool swarm = true)
    {
        if (!Profile.TryGet($"fixed-{bug.Switch}", out Profile profile))
        {
            throw new ArgumentException($"no profile switch named {bug.Switch}", nameof(bug));
        }

        return new SimOptions { Profile = profile, Faults = FaultSet.All, Swarm = swarm };
    }

    /// <summary>
    /// Hunts <paramref name="bug"/>: seeds from 1 in chunks run in parallel, stopping at the chunk
    /// holding the first failing seed (the lowest failing seed is reported, so the count does not
    /// depend on timing), after <paramref name="maxSeeds"/> seeds, or once
    /// <paramref name="budgetSeconds"/> of wall-clock time have passed (checked between chunks).
    /// A failure counts only when the switch is its cause: the same seed under <c>fixed</c> (the fix
    /// back on) must not violate the same property; a seed that does is a failure of <c>fixed</c>
    /// itself, reported in <see cref="BugHuntResult.Unattributed"/> and passed over. A failure
    /// found is shrunk with at most <paramref name="shrinkBudget"/> runs (0: not shrunk).
    /// </summary>
    public static BugHuntResult Hunt(BugEntry bug, double budgetSeconds, ulong maxSeeds, int parallelism, int shrinkBudget = ScriptShrinker.DefaultBudget, bool swarm = true)
    {
        SimOptions options = OptionsFor(bug, swarm);
        ulong chunk = (ulong)Math.Max(8, parallelism * 4);
        var clock = Stopwatch.StartNew();
        var unattributed = new List<ulong>();
        ulong next = 1;
        while (next <= maxSeeds)
        {
            ulong last = Math.Min(maxSeeds, next + chunk - 1);
            (IReadOnlyList<SeedResult> results, _) = Campaign.Run(next, last, options, parallelism);
            foreach (SeedResult failing in results.Where(r => r.Violations.Count > 0))
            {
                Checking.Property property = failing.Violations[0].Property;
                if (Simulation.Run(failing.Seed, options with { Profile = Profile.Fixed }).Violations.Any(v => v.Property == property))
                {
                    unattributed.Add(failing.Seed);
                    continue;
                }

                double seconds = clock.Elapsed.TotalSeconds;
                ShrinkResult? shrunk = shrinkBudget > 0 ? ScriptShrinker.ShrinkSeed(failing.Seed, options, property, shrinkBudget) : null;
                return new BugHuntResult(bug, options, failing.Seed, failing.Seed, seconds, property, shrunk) { Unattributed = unattributed };
            }

            next = last + 1;
            if (clock.Elapsed.TotalSeconds >= budgetSeconds)
            {
                break;
            }
        }

        return new BugHuntResult(bug, options, next - 1, null, clock.Elapsed.TotalSeconds, null, null) { Unattributed = unattributed };
    }
}
