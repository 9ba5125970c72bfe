namespace AofSim.Sim.Campaigns;

/// <summary>
/// The seeds of a time-budgeted or soak run (<c>--duration</c>, <c>--until-fail</c>): an
/// unbounded sequence that is a function of its first seed alone, so that the run is reproducible
/// from that one number however long it ran and however it was sharded. The first seed is itself;
/// the others are SplitMix64 outputs keyed by the first seed and the position, spread over the
/// whole 64-bit space, so that a soak does not walk over the small seeds every CI gate already runs.
/// </summary>
public static class SeedSequence
{
    /// <summary>The seed at <paramref name="position"/> (0-based) of the sequence that starts with <paramref name="first"/>.</summary>
    public static ulong At(ulong first, long position)
    {
        if (position == 0)
        {
            return first;
        }

        ulong z = first + ((ulong)position * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
