using System.Runtime.CompilerServices;

namespace AofSim.Sim.Checking;

/// <summary>
/// The model along a history that grows and is cut back: the digest, at any time, of the model
/// after each prefix. Each entry is applied once, when first needed, instead of the whole history
/// being replayed at every recovery; cutting the history back restarts from a checkpoint.
/// </summary>
public sealed class PrefixDigests
{
    private const int CheckpointEvery = 64;

    private readonly Action<Model, int> apply;
    private readonly List<DigestState> states = [];
    private readonly List<Model> checkpoints = [];
    private Model model = new();

    /// <summary>Prefixes of a history whose entry p <paramref name="apply"/> applies to a model.</summary>
    public PrefixDigests(Action<Model, int> apply)
    {
        this.apply = apply;
        Reset();
    }

    /// <summary>Entries applied so far.</summary>
    public int Applied => states.Count - 1;

    /// <summary>Applies the entries up to <paramref name="count"/> (they must not change afterwards).</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Extend(int count)
    {
        while (Applied < count)
        {
            apply(model, Applied);
            states.Add(model.State);
            if (Applied % CheckpointEvery == 0)
            {
                checkpoints.Add(model.Clone());
            }
        }
    }

    /// <summary>The digest at <paramref name="t"/> of the model after the first <paramref name="prefix"/> entries (applied already).</summary>
    public ulong DigestAt(int prefix, long t) => states[prefix].DigestAt(t);

    /// <summary>The history was cut to its first <paramref name="count"/> entries.</summary>
    public void Truncate(int count)
    {
        if (count >= Applied)
        {
            return;
        }

        states.RemoveRange(count + 1, states.Count - count - 1);
        int c = count / CheckpointEvery;
        checkpoints.RemoveRange(c + 1, checkpoints.Count - c - 1);
        model = checkpoints[c].Clone();
        for (int p = c * CheckpointEvery; p < count; p++)
        {
            apply(model, p);
        }
    }

    /// <summary>The history starts again, empty.</summary>
    public void Reset()
    {
        model = new Model();
        states.Clear();
        states.Add(model.State);
        checkpoints.Clear();
        checkpoints.Add(model.Clone());
    }
}
