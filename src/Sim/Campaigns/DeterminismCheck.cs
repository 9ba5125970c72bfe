using System.Globalization;
using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Campaigns;

/// <summary>
/// The determinism re-check (<c>run --recheck FRACTION</c>): as FoundationDB re-runs a share of
/// its simulations with the same seed, a sample of seeds is run twice, both times keeping the
/// trace, and the traces are compared line by line. A difference is a violation of its own kind
/// (<see cref="Property.Determinism"/>) naming the first differing line: a seed that does not
/// replay is worth nothing as a bug report, whatever else the run found.
/// </summary>
public static class DeterminismCheck
{
    /// <summary>
    /// Whether <paramref name="seed"/> is in the sample: a draw from the seed's own stream, so the
    /// same seeds are re-checked however the campaign is sharded or ordered.
    /// </summary>
    public static bool Sampled(ulong seed, double fraction) =>
        fraction > 0 && (fraction >= 1 || SimRandom.Stream(seed, "recheck").Chance(fraction));

    /// <summary>
    /// Runs <paramref name="first"/>'s seed again (its trace kept) and compares the two traces;
    /// on a difference adds a <see cref="Property.Determinism"/> violation to <paramref name="first"/>.
    /// The kept lines are dropped afterwards. Returns whether the traces were equal.
    /// </summary>
    public static bool Recheck(SeedResult first, SimOptions options)
    {
        SeedResult second = Simulation.Run(first.Seed, options, keepTrace: true);
        Violation? v = Compare(first.Trace, second.Trace);
        first.Trace = [];
        if (v is null)
        {
            return true;
        }

        first.Violations.Add(v);
        return false;
    }

    /// <summary>The first line where <paramref name="a"/> and <paramref name="b"/> differ, as a violation; null if they are equal.</summary>
    public static Violation? Compare(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        int n = Math.Min(a.Count, b.Count);
        int i = 0;
        while (i < n && string.Equals(a[i], b[i], StringComparison.Ordinal))
        {
            i++;
        }

        if (i == a.Count && i == b.Count)
        {
            return null;
        }

        string left = i < a.Count ? a[i] : "(the trace ended)";
        string right = i < b.Count ? b[i] : "(the trace ended)";
        (int ev, long ms) = Where(i < a.Count ? a[i] : right);
        string line = (i + 1).ToString(CultureInfo.InvariantCulture);
        return new Violation(
            Property.Determinism,
            ev,
            ms,
            string.Create(CultureInfo.InvariantCulture, $"a second run of the seed differs from the first at trace line {line} (of {a.Count}, then {b.Count}): the run is not a function of (seed, options)"),
            [$"line {line} (first run):  {left}"],
            [$"line {line} (second run): {right}"]);
    }

    // The event index and time of a trace line "e=<event> t=+<ms> ...", or zeros.
    private static (int Event, long Ms) Where(string line)
    {
        string[] parts = line.Split(' ', 3);
        return parts.Length >= 2
            && parts[0].StartsWith("e=", StringComparison.Ordinal)
            && int.TryParse(parts[0].AsSpan(2), NumberStyles.Integer, CultureInfo.InvariantCulture, out int ev)
            && parts[1].StartsWith("t=+", StringComparison.Ordinal)
            && long.TryParse(parts[1].AsSpan(3), NumberStyles.Integer, CultureInfo.InvariantCulture, out long ms)
            ? (ev, ms) : (0, 0);
    }
}
