using AofSim.Engine.Diagnostics;
using AofSim.Engine.Profiles;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Coverage;

/// <summary>
/// A campaign's coverage: the hits of every probe summed over its seeds, and the required probes
/// it never hit. The requirement holds only for a full campaign (docs/simulator.md, "Coverage
/// probes"): a range of seeds with every fault kind, mixed policies and crash models, the default
/// events per seed and scheduler, and no plan; and only for the probes whose path exists under
/// the campaign's profile. A narrowed campaign cannot reach them all, and a single seed is a replay.
/// </summary>
public sealed class ProbeReport
{
    private readonly long[] hits = new long[Probes.Count];

    private ProbeReport(IReadOnlyList<SeedResult> results, SimOptions options, bool campaign)
    {
        foreach (SeedResult r in results)
        {
            foreach (ProbeInfo p in Probes.All)
            {
                hits[(int)p.Id] += r.Probes[p.Id];
            }
        }

        // A swarm seed turns about half of the fault kinds and command families off, so a state
        // that needs several of them at once is reached only every few hundred seeds: under swarm
        // a campaign is held to the required probes from SwarmMinimumSeeds seeds on.
        Enforced = campaign && IsFullMix(options) && (!options.Swarm || results.Count >= SwarmMinimumSeeds);
        Missing = Enforced ? [.. Probes.All.Where(p => p.Required && p.ExistsUnder(options.Profile) && hits[(int)p.Id] == 0)] : [];
    }

    /// <summary>The fewest seeds of a swarm campaign that is held to the required probes.</summary>
    public const int SwarmMinimumSeeds = 1000;

    /// <summary>True when the required probes were checked (a full campaign).</summary>
    public bool Enforced { get; }

    /// <summary>The required probes the campaign never hit (empty when not <see cref="Enforced"/>).</summary>
    public IReadOnlyList<ProbeInfo> Missing { get; }

    /// <summary>Hits of <paramref name="probe"/> over the campaign.</summary>
    public long this[ProbeId probe] => hits[(int)probe];

    /// <summary>
    /// The report of <paramref name="results"/>, run with <paramref name="options"/>;
    /// <paramref name="campaign"/> is false for a single seed (a replay: nothing is required).
    /// </summary>
    public static ProbeReport Of(IReadOnlyList<SeedResult> results, SimOptions options, bool campaign) => new(results, options, campaign);

    /// <summary>True when <paramref name="options"/> are the full mix a campaign must cover with.</summary>
    public static bool IsFullMix(SimOptions options) =>
        options.Faults.On.Count == FaultSet.Kinds.Length &&
        options.Policy == PolicyOption.Mixed &&
        options.Fs == CrashModelOption.Mixed &&
        options.Ops >= new SimOptions().Ops &&
        options.Scheduler == SchedulerWeights.Default &&
        options.Plan is null &&
        options.PowerLossAfterCall is null;

    /// <summary>The one-line message naming the required probes never hit.</summary>
    public string MissingMessage() =>
        $"required coverage probes never hit: {string.Join(", ", Missing.Select(p => p.Name))} (the campaign did not reach these states; docs/simulator.md)";

    /// <summary>Whether <paramref name="p"/> is required of this campaign: "yes", "no", or why not.</summary>
    public string Requirement(ProbeInfo p, Profile profile) =>
        !p.Required ? "no"
        : !p.ExistsUnder(profile) ? $"no ({p.FixSwitch} off)"
        : !Enforced ? "not enforced"
        : "yes";
}
