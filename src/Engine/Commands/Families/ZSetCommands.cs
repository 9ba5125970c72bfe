namespace AofSim.Engine.Commands.Families;

/// <summary>The zset commands (placeholder until written).</summary>
internal static class ZSetCommands
{
    public static IEnumerable<CommandDef> Definitions() => [];
}
