namespace AofSim.Sim.Simulation;

/// <summary>
/// The record of a run: one line per event (command, syscall and result, job, child, fault,
/// crash, recovery, check). Its hash identifies the run; the lines themselves are kept only when
/// asked (replay), so a campaign pays for hashing alone.
/// </summary>
public sealed class Trace(bool keepLines)
{
    private readonly List<string>? lines = keepLines ? [] : null;
    private ulong hash = 14695981039346656037UL;

    /// <summary>The lines, when kept.</summary>
    public IReadOnlyList<string> Lines => lines ?? [];

    /// <summary>Lines added.</summary>
    public long Count { get; private set; }

    /// <summary>The trace hash as 16 hex digits.</summary>
    public string Hash => hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Adds a line.</summary>
    public void Add(string line)
    {
        foreach (char c in line)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ '\n') * 1099511628211UL;
        Count++;
        lines?.Add(line);
    }
}
