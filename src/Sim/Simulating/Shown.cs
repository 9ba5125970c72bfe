namespace AofSim.Sim.Simulating;

/// <summary>
/// Arguments or replies as the trace shows them: each through <see cref="TraceWriter.Show"/>,
/// space-separated. A command or the replies of a batch: an array or a list, held as itself so
/// that reading an item is no interface call.
/// </summary>
internal readonly struct Shown : ISpanFormattable
{
    private readonly string[]? array;
    private readonly List<string>? list;

    /// <summary>A command's arguments.</summary>
    public Shown(string[] items) => array = items;

    /// <summary>A batch's replies.</summary>
    public Shown(List<string> items) => list = items;

    private int Count => array?.Length ?? list!.Count;

    private string this[int i] => array is not null ? array[i] : list![i];

    /// <inheritdoc/>
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

            if (!TraceWriter.TryShow(this[i], destination[charsWritten..], out int n))
            {
                charsWritten = 0;
                return false;
            }

            charsWritten += n;
        }

        return true;
    }

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) =>
        string.Join(' ', ((IEnumerable<string>?)array ?? list!).Select(TraceWriter.Show));

    /// <inheritdoc/>
    public override string ToString() => ToString(null, null);
}
