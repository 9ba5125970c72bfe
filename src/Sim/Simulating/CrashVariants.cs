namespace AofSim.Sim.Simulating;

/// <summary>
/// The crash states an exhaustive search visits at one crash point, given the P pending writes a
/// power loss could keep: all of them; none; each in-order prefix; each prefix followed by a torn
/// write; and, where the crash model allows holes (strict POSIX), all but one. The ext4-like model
/// allows only the in-order ones. Variant numbers are stable, so a state can be named and replayed.
/// </summary>
public static class CrashVariants
{
    /// <summary>How many states there are for <paramref name="pending"/> writes (at most <paramref name="cap"/>).</summary>
    public static int Count(int pending, CrashModel model, int cap)
    {
        if (pending == 0)
        {
            return 1;
        }

        int n = 2 + (pending - 1) + pending + (model == CrashModel.StrictPosix ? pending : 0);
        return Math.Min(n, cap);
    }

    /// <summary>The fate of pending write i in state <paramref name="variant"/>.</summary>
    public static Func<int, PendingFate> Fate(int variant, int pending, CrashModel model)
    {
        if (variant == 0 || pending == 0)
        {
            return _ => PendingFate.Whole;
        }

        if (variant == 1)
        {
            return _ => PendingFate.Dropped;
        }

        int v = variant - 2;
        if (v < pending - 1)
        {
            int keep = v + 1; // prefixes of 1 .. pending-1 writes
            return i => i < keep ? PendingFate.Whole : PendingFate.Dropped;
        }

        v -= pending - 1;
        if (v < pending)
        {
            int torn = v; // writes before it whole, it torn, the rest lost
            return i => i < torn ? PendingFate.Whole : i == torn ? PendingFate.Torn : PendingFate.Dropped;
        }

        v -= pending;
        int hole = v; // strict POSIX: all but one
        return model == CrashModel.StrictPosix
            ? i => i == hole ? PendingFate.Dropped : PendingFate.Whole
            : _ => PendingFate.Whole;
    }
}
