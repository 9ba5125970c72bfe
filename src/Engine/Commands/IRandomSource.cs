namespace AofSim.Engine.Commands;

/// <summary>
/// The engine's only source of chance (SPOP, SRANDMEMBER). Hosts inject it, so that the
/// simulator can derive it from its seed.
/// </summary>
public interface IRandomSource
{
    /// <summary>A value in [0, <paramref name="maxExclusive"/>).</summary>
    int Next(int maxExclusive);
}

/// <summary>SplitMix64: a small, fast, seeded generator with a fixed output for a seed.</summary>
public sealed class SplitMix64 : IRandomSource
{
    private ulong state;

    /// <summary>Creates a generator from a seed.</summary>
    public SplitMix64(ulong seed) => state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <inheritdoc/>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }
}
