using System.Runtime.CompilerServices;

namespace AofSim.Sim.Simulating;

/// <summary>
/// Where a component formats its trace lines, one at a time: into its own buffer, so that a line
/// costs no rent from the pool. A line begun while another one is still being formatted (a hole
/// whose value traces too) is formatted in a pooled buffer instead.
/// </summary>
internal sealed class LineScratch(int chars)
{
    private readonly char[] buffer = new char[chars];
    private int open;

    /// <summary>A handler for the next line, over the buffer when it is free.</summary>
    public DefaultInterpolatedStringHandler Begin(int literalLength, int formattedCount) =>
        open++ == 0
            ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, null, buffer)
            : new DefaultInterpolatedStringHandler(literalLength, formattedCount);

    /// <summary>The line begun last is done with: its text is no longer needed.</summary>
    public void End(ref DefaultInterpolatedStringHandler line)
    {
        line.Clear();
        open--;
    }
}
