namespace AofSim.Sim.Simulating;

// What one power loss kept of a file's pending operations, made explicit for the shrinker.
//
// A power loss draws the fate of every pending operation from the crash stream, in order, and a
// torn write's cut from the sector boundaries inside it. Both move as soon as the shrinker removes
// a step before the crash: another number of pending writes takes other draws, and a cut that fell
// inside the last command of a write falls elsewhere once the commands before it are gone. A
// recorded run therefore writes each crash's outcome into the step it happened in
// (ScriptStep.Survived), one string of fates per file, and a replay of that step keeps exactly
// that: the fates are counted from the end of the file's pending operations (the last one is the
// last fate; earlier operations beyond the list survive whole), and a torn write keeps all but its
// last N bytes, wherever it now starts. A file the string does not name keeps nothing pending. A
// shrunk case may so tear a write between two sector boundaries, which a seeded crash never does:
// the bytes the loader then reads are the ones a sector-aligned cut gives with other padding.

/// <summary>The explicit fate of one pending operation at a power loss.</summary>
/// <param name="Fate">Whole, torn or dropped.</param>
/// <param name="Lost">For a torn write: bytes lost at its end (at least 1).</param>
public readonly record struct SurvivedFate(PendingFate Fate, int Lost)
{
    /// <summary>
    /// Parses a file's fates, <c>W</c> (whole), <c>-</c> (dropped) or <c>T</c>N (torn, N bytes
    /// lost at its end) separated by spaces; null (and an error) when a token is not one of these.
    /// </summary>
    public static SurvivedFate[]? Parse(string text, out string? error)
    {
        error = null;
        string[] tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var fates = new SurvivedFate[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            string t = tokens[i];
            if (t == "W")
            {
                fates[i] = new SurvivedFate(PendingFate.Whole, 0);
            }
            else if (t == "-")
            {
                fates[i] = new SurvivedFate(PendingFate.Dropped, 0);
            }
            else if (t.Length > 1 && t[0] == 'T' && int.TryParse(t.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int lost) && lost > 0)
            {
                fates[i] = new SurvivedFate(PendingFate.Torn, lost);
            }
            else
            {
                error = $"a survived fate is W, - or T followed by the bytes lost (at least 1), not '{t}'";
                return null;
            }
        }

        return fates;
    }

    /// <summary>The token <see cref="Parse"/> reads back.</summary>
    public override string ToString() => Fate switch
    {
        PendingFate.Whole => "W",
        PendingFate.Torn => $"T{Lost}",
        _ => "-",
    };
}
