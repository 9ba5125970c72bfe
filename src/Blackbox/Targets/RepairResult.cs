namespace AofSim.Blackbox.Targets;

/// <summary>What a target's repair tool did.</summary>
/// <param name="Command">The command run.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="BytesCut">Bytes the fix removed from the AOF files.</param>
/// <param name="Output">Its last output lines.</param>
public sealed record RepairResult(string Command, int ExitCode, long BytesCut, IReadOnlyList<string> Output);
