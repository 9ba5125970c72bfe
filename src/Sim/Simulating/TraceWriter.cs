using System.Buffers;
using System.Runtime.CompilerServices;

namespace AofSim.Sim.Simulating;

/// <summary>
/// Writes the run's trace lines: "e=&lt;event&gt; t=+&lt;ms&gt; " and the text, formatted into its own
/// buffer and hashed from there (<see cref="Trace"/>); arguments and replies shown escaped.
/// </summary>
internal sealed class TraceWriter
{
    private static readonly SearchValues<char> Escaped = SearchValues.Create("\r\n\0");

    // Where trace lines are formatted.
    private readonly LineScratch lineScratch = new(1024);
    private readonly SimClock clock;
    private readonly long epochMs;

    /// <summary>A writer into <paramref name="trace"/>, stamping lines with <paramref name="clock"/>'s time from <paramref name="epochMs"/>.</summary>
    public TraceWriter(Trace trace, SimClock clock, long epochMs)
    {
        Trace = trace;
        this.clock = clock;
        this.epochMs = epochMs;
    }

    /// <summary>The trace written to (lines added to it directly carry no stamp).</summary>
    public Trace Trace { get; }

    /// <summary>The event the run is at (stamped on each line).</summary>
    public int EventIndex { get; set; }

    /// <summary>Adds the stamped line <paramref name="line"/>.</summary>
    public void Line(string line)
    {
        var text = new EventLine(0, 1, this);
        text.AppendFormatted(line);
        Line(ref text);
    }

    /// <summary>Adds the stamped line, formatted straight into the trace's buffer.</summary>
    public void Line([InterpolatedStringHandlerArgument("")] ref EventLine line)
    {
        Trace.Add(line.Text.Text);
        lineScratch.End(ref line.Text);
    }

    /// <summary><paramref name="s"/> as the trace shows it: CR, LF and NUL escaped.</summary>
    public static string Show(string s) => s.AsSpan().IndexOfAny(Escaped) < 0 ? s
        : s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    /// <summary><see cref="Show"/>, into a span: false when it does not fit.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryShow(string s, Span<char> into, out int written)
    {
        if (s.AsSpan().IndexOfAny(Escaped) < 0)
        {
            // Nothing to escape (almost always): one copy.
            bool fits = s.AsSpan().TryCopyTo(into);
            written = fits ? s.Length : 0;
            return fits;
        }

        written = 0;
        foreach (char c in s)
        {
            bool escaped = c is '\r' or '\n' or '\0';
            if (written + (escaped ? 2 : 1) > into.Length)
            {
                written = 0;
                return false;
            }

            if (escaped)
            {
                into[written++] = '\\';
                into[written++] = c switch { '\r' => 'r', '\n' => 'n', _ => '0' };
            }
            else
            {
                into[written++] = c;
            }
        }

        return true;
    }

    /// <summary>A handler for the next line, its stamp written.</summary>
    internal DefaultInterpolatedStringHandler Begin(int literalLength, int formattedCount)
    {
        DefaultInterpolatedStringHandler text = lineScratch.Begin(literalLength + 8, formattedCount + 2);
        text.AppendLiteral("e=");
        text.AppendFormatted(EventIndex);
        text.AppendLiteral(" t=+");
        text.AppendFormatted(clock.NowMs - epochMs);
        text.AppendLiteral(" ");
        return text;
    }
}
