namespace AofSim.Engine.Commands.Families;

/// <summary>The set commands (placeholder until written).</summary>
internal static class SetCommands
{
    public static IEnumerable<CommandDef> Definitions() => [];
}
