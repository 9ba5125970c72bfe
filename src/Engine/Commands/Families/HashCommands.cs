namespace AofSim.Engine.Commands.Families;

/// <summary>The hash commands (placeholder until written).</summary>
internal static class HashCommands
{
    public static IEnumerable<CommandDef> Definitions() => [];
}
