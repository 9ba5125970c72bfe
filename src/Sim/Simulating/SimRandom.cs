namespace AofSim.Sim.Simulating;

/// <summary>
/// The simulator's one source of choice: a seeded xoshiro256** generator. Components get their
/// own generator split off by <see cref="Split"/>, so that adding a draw in one component does not
/// shift every other component's choices. Same seed, same numbers, on every machine.
/// </summary>
public sealed class SimRandom : AofSim.Engine.Commands.IRandomSource
{
    private ulong s0, s1, s2, s3;

    /// <summary>A generator for <paramref name="seed"/>.</summary>
    public SimRandom(ulong seed)
    {
        // SplitMix64 expands the seed into the 256-bit state.
        ulong x = seed;
        s0 = Next(ref x);
        s1 = Next(ref x);
        s2 = Next(ref x);
        s3 = Next(ref x);

        static ulong Next(ref ulong z)
        {
            ulong r = z += 0x9E3779B97F4A7C15UL;
            r = (r ^ (r >> 30)) * 0xBF58476D1CE4E5B9UL;
            r = (r ^ (r >> 27)) * 0x94D049BB133111EBUL;
            return r ^ (r >> 31);
        }
    }

    /// <summary>A new generator whose stream depends on this one's state and <paramref name="label"/>.</summary>
    public SimRandom Split(string label) => new(NextUInt64() ^ Label(label));

    /// <summary>
    /// The stream named <paramref name="label"/> of <paramref name="seed"/>: a function of the two
    /// alone, not of what any other stream drew or of the order streams are taken in. A run takes
    /// every stream it uses this way up front, so that an option fixed on the command line (which
    /// draws nothing) leaves every other stream as it was.
    /// </summary>
    public static SimRandom Stream(ulong seed, string label)
    {
        // The label's hash mixed once more through SplitMix64's finaliser, so that streams of
        // neighbouring seeds and of similar labels share no state.
        ulong z = seed ^ Label(label);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return new SimRandom(z ^ (z >> 31));
    }

    // FNV-1a over the label's characters.
    private static ulong Label(string label)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in label)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }

    /// <summary>64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;

        static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
    }

    /// <summary>A value in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>A value in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public long Range(long min, long maxExclusive) => min + (long)(NextUInt64() % (ulong)(maxExclusive - min));

    /// <summary>An int in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int min, int maxExclusive) => (int)Range(min, maxExclusive);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => (NextUInt64() >> 11) * (1.0 / (1UL << 53)) < p;

    /// <summary>One of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
