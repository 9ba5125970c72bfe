namespace AofSim.Sim.Checking;

/// <summary>
/// Where the contract and the checks report: a line for the run's trace, a violation for the
/// run's result. The run decides how lines are stamped and violations recorded.
/// </summary>
internal interface ICheckLog
{
    /// <summary>A line for the trace.</summary>
    void Note(string line);

    /// <summary>A property did not hold: <paramref name="detail"/>, with the expected and actual state.</summary>
    void Violate(Property property, string detail, IReadOnlyList<string> expected, IReadOnlyList<string> actual);

    /// <summary>A command argument as the trace shows it (escaped).</summary>
    string Show(string argument);
}
