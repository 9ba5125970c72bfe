using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Server;
using AofSim.Sim.Checking;
using AofSim.Sim.Targets;

namespace AofSim.Sim.Simulating;

// The run's trace lines: "e=<event> t=+<ms> " and the text, formatted into the run's own
// buffer and hashed from there (Trace), with arguments and replies shown escaped.

/// <summary>One seeded run of the simulator.</summary>
public sealed partial class Simulation
{
    private static readonly SearchValues<char> Escaped = SearchValues.Create("\r\n\0");

    // Where trace lines are formatted.
    private readonly LineScratch lineScratch = new(1024);

    private void Trace(string line)
    {
        var text = new EventLine(0, 1, this);
        text.AppendFormatted(line);
        Trace(ref text);
    }

    // The same line, formatted straight into the trace's buffer.
    private void Trace([InterpolatedStringHandlerArgument("")] ref EventLine line)
    {
        trace.Add(line.Text.Text);
        lineScratch.End(ref line.Text);
    }

    private static string Show(string s) => s.AsSpan().IndexOfAny(Escaped) < 0 ? s
        : s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    // Show, into a span: false when it does not fit.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryShow(string s, Span<char> into, out int written)
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

    // Arguments or replies as the trace shows them: each through Show, space-separated.
    // A command or the replies of a batch: an array or a list, held as itself so that reading
    // an item is no interface call.
    private readonly struct Shown : ISpanFormattable
    {
        private readonly string[]? array;
        private readonly List<string>? list;

        public Shown(string[] items) => array = items;

        public Shown(List<string> items) => list = items;

        private int Count => array?.Length ?? list!.Count;

        private string this[int i] => array is not null ? array[i] : list![i];

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            charsWritten = 0;
            int count = Count;
            for (int i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    if (charsWritten == destination.Length)
                    {
                        charsWritten = 0;
                        return false;
                    }

                    destination[charsWritten++] = ' ';
                }

                if (!TryShow(this[i], destination[charsWritten..], out int n))
                {
                    charsWritten = 0;
                    return false;
                }

                charsWritten += n;
            }

            return true;
        }

        public string ToString(string? format, IFormatProvider? formatProvider) =>
            string.Join(' ', ((IEnumerable<string>?)array ?? list!).Select(Show));

        public override string ToString() => ToString(null, null);
    }

    // A trace line of the run: "e=<event> t=+<ms> " and then the interpolated text.
    [InterpolatedStringHandler]
    private ref struct EventLine
    {
        public DefaultInterpolatedStringHandler Text;

        public EventLine(int literalLength, int formattedCount, Simulation sim)
        {
            Text = sim.lineScratch.Begin(literalLength + 8, formattedCount + 2);
            Text.AppendLiteral("e=");
            Text.AppendFormatted(sim.eventIndex);
            Text.AppendLiteral(" t=+");
            Text.AppendFormatted(sim.clock.NowMs - Epoch);
            Text.AppendLiteral(" ");
        }

        public void AppendLiteral(string value) => Text.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => Text.AppendFormatted(value);

        public void AppendFormatted(string? value) => Text.AppendFormatted(value);
    }
}
