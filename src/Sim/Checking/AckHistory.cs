using System.Runtime.CompilerServices;

namespace AofSim.Sim.Checking;

/// <summary>
/// What the client sent and was acknowledged, in order: the history the model replays and the
/// durability contract promises a prefix of. Each prefix's model digest is kept as the history
/// grows (<see cref="Prefixes"/>), so a recovered dataset is matched to a prefix cheaply.
/// </summary>
internal sealed class AckHistory
{
    private readonly List<HistoryEntry> entries = [];

    /// <summary>An empty history.</summary>
    public AckHistory() => Prefixes = new PrefixDigests(Apply);

    /// <summary>The model digests of the history's prefixes.</summary>
    public PrefixDigests Prefixes { get; }

    /// <summary>Entries held.</summary>
    public int Count => entries.Count;

    /// <summary>Entry <paramref name="i"/>.</summary>
    public HistoryEntry this[int i] => entries[i];

    /// <summary>Appends an entry (not acknowledged yet).</summary>
    public void Add(HistoryEntry entry) => entries.Add(entry);

    /// <summary>Keeps the first <paramref name="count"/> entries: what a recovery showed the disk kept.</summary>
    public void Truncate(int count)
    {
        entries.RemoveRange(count, entries.Count - count);
        Prefixes.Truncate(count);
    }

    /// <summary>The model restarts from <paramref name="recovered"/> (the dataset a recovery loaded), read at <paramref name="t"/>.</summary>
    public void ResyncTo(List<(int Db, string Key, object Value, long ExpireAt)> recovered, long t)
    {
        entries.Clear();
        entries.Add(new HistoryEntry([], t) { Base = recovered });
        Prefixes.Reset();
    }

    /// <summary>
    /// Applies entry <paramref name="p"/> to <paramref name="model"/>: its commands, or, for a
    /// resynchronisation base, the whole state it carries.
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(Model model, int p)
    {
        HistoryEntry e = entries[p];
        if (e.Base is not null)
        {
            model.Reset(e.Base);
            return;
        }

        foreach ((int db, string[] argv, string reply) in e.Items)
        {
            model.Apply(db, argv, e.ExecutedAt, reply);
        }
    }

    /// <summary>The model after the first <paramref name="prefix"/> entries, as lines at <paramref name="t"/>.</summary>
    public List<string> ModelAt(int prefix, long t)
    {
        var model = new Model();
        for (int p = 0; p < prefix && p < entries.Count; p++)
        {
            Apply(model, p);
        }

        return model.LinesAt(t);
    }

    /// <summary>The prefix whose model differs least from <paramref name="actualLines"/> at <paramref name="t"/>, for a report.</summary>
    public (int Prefix, List<string> Lines) ClosestPrefix(List<string> actualLines, long t)
    {
        var actual = actualLines.ToHashSet(StringComparer.Ordinal);
        var model = new Model();
        (int Prefix, List<string> Lines) best = (0, model.LinesAt(t));
        int bestDiff = Diff(best.Lines);
        for (int p = 0; p < entries.Count; p++)
        {
            Apply(model, p);
            List<string> lines = model.LinesAt(t);
            int d = Diff(lines);
            if (d <= bestDiff)
            {
                (best, bestDiff) = ((p + 1, lines), d);
            }
        }

        return best;

        int Diff(List<string> lines) => lines.Count(l => !actual.Contains(l)) + actual.Count(l => !lines.Contains(l));
    }
}
