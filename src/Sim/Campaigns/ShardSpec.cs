using System.Globalization;

namespace AofSim.Sim.Campaigns;

/// <summary>
/// One of <see cref="Count"/> parts of a campaign, numbered 1..Count (<c>--shard K/N</c>).
/// The parts are interleaved: shard K takes the seeds at positions K-1, K-1+N, K-1+2N, … of the
/// campaign. Interleaving rather than contiguous blocks because neighbouring seeds are not alike
/// in cost only by chance: every shard gets the same mix of policies, crash models and workloads,
/// so N shards finish at about the same time; and a time-budgeted run (an unbounded sequence of
/// seeds) can be split only this way. Either way the shards' union is the whole campaign, so the
/// merged campaign hash is the unsharded one (the hash is taken in seed order, not run order).
/// </summary>
/// <param name="Index">K, 1..Count.</param>
/// <param name="Count">N, at least 1.</param>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The most shards a campaign may be split into.</summary>
    public const int MaxCount = 1_000_000;

    /// <summary>The whole campaign as one shard.</summary>
    public static ShardSpec Whole { get; } = new(1, 1);

    /// <summary>Whether the campaign position <paramref name="position"/> (0-based) belongs to this shard.</summary>
    public bool Holds(long position) => position % Count == Index - 1;

    /// <summary>The <paramref name="nth"/> (0-based) campaign position this shard runs.</summary>
    public long Position(long nth) => Index - 1 + (nth * Count);

    /// <summary>How many of a campaign of <paramref name="positions"/> positions this shard runs.</summary>
    public long CountOf(long positions) => positions < Index ? 0 : ((positions - Index) / Count) + 1;

    /// <summary>"K/N".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>Parses "K/N" (1 &lt;= K &lt;= N &lt;= <see cref="MaxCount"/>), or returns null.</summary>
    public static ShardSpec? Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n is >= 1 and <= MaxCount && k >= 1 && k <= n)
        {
            return new ShardSpec(k, n);
        }

        return null;
    }
}
