using AofSim.Engine.Diagnostics;

namespace AofSim.Sim.Coverage;

/// <summary>
/// The hits of every coverage probe in one seed's run: the sink the simulator gives the engine.
/// Kept apart from the trace, so that counting changes no trace hash.
/// </summary>
public sealed class ProbeCounts : IProbeSink
{
    private readonly int[] hits = new int[Probes.Count];

    /// <summary>Hits of <paramref name="probe"/>.</summary>
    public int this[ProbeId probe] => hits[(int)probe];

    /// <inheritdoc/>
    public void Hit(ProbeId probe) => hits[(int)probe]++;

    /// <summary>Adds <paramref name="count"/> hits of <paramref name="probe"/> (counts read back from a record).</summary>
    public void Add(ProbeId probe, int count) => hits[(int)probe] += count;
}
