namespace AofSim.Blackbox.Checking;

/// <summary>A property a recovered target broke.</summary>
/// <param name="Property">lost-acknowledged-write, not-a-prefix, real-time-order, loader-disagreement, unavailable.</param>
/// <param name="Connection">The connection concerned (-1: none in particular).</param>
/// <param name="Detail">One line.</param>
/// <param name="Expected">Canonical lines expected and missing (at most a few).</param>
/// <param name="Actual">Canonical lines found instead (at most a few).</param>
public sealed record BlackboxViolation(string Property, int Connection, string Detail, IReadOnlyList<string> Expected, IReadOnlyList<string> Actual)
{
    /// <summary>A violation with no lines.</summary>
    public BlackboxViolation(string property, int connection, string detail)
        : this(property, connection, detail, [], [])
    {
    }
}
