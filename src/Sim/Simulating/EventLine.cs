using System.Runtime.CompilerServices;

namespace AofSim.Sim.Simulating;

/// <summary>A trace line of the run: "e=&lt;event&gt; t=+&lt;ms&gt; " and then the interpolated text (<see cref="TraceWriter"/>).</summary>
[InterpolatedStringHandler]
internal ref struct EventLine
{
    /// <summary>The line so far.</summary>
    public DefaultInterpolatedStringHandler Text;

    /// <summary>A line of <paramref name="writer"/>, its stamp written.</summary>
    public EventLine(int literalLength, int formattedCount, TraceWriter writer) => Text = writer.Begin(literalLength, formattedCount);

    /// <summary>Appends literal text.</summary>
    public void AppendLiteral(string value) => Text.AppendLiteral(value);

    /// <summary>Appends a value.</summary>
    public void AppendFormatted<T>(T value) => Text.AppendFormatted(value);

    /// <summary>Appends a string.</summary>
    public void AppendFormatted(string? value) => Text.AppendFormatted(value);
}
