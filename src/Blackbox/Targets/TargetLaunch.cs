namespace AofSim.Blackbox.Targets;

/// <summary>How to start a target: the program and its arguments (no shell in between, so SIGKILL reaches the server itself).</summary>
/// <param name="FileName">The program.</param>
/// <param name="Arguments">Its arguments.</param>
public sealed record TargetLaunch(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The command line, for reports.</summary>
    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(a => a.Length == 0 || a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
}
