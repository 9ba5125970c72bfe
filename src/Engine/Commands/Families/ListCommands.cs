namespace AofSim.Engine.Commands.Families;

/// <summary>The list commands (placeholder until written).</summary>
internal static class ListCommands
{
    public static IEnumerable<CommandDef> Definitions() => [];
}
