namespace AofSim.Engine.Commands;

/// <summary>What kind of command this is, as the seed's command table flags say.</summary>
[Flags]
public enum CommandFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>May change the dataset ("w").</summary>
    Write = 1,

    /// <summary>Never changes the dataset ("r").</summary>
    ReadOnly = 2,

    /// <summary>MULTI, EXEC, DISCARD: never queued.</summary>
    Transaction = 4,

    /// <summary>Server commands the data layer does not run (BGREWRITEAOF, CONFIG, INFO…).</summary>
    Server = 8,
}

/// <summary>A command's implementation.</summary>
/// <param name="ctx">Execution context: dataset, db, clock, reply, propagation.</param>
/// <param name="args">argv, argv[0] being the command name.</param>
public delegate void CommandHandler(CommandContext ctx, CommandArgs args);

/// <summary>One row of the command table.</summary>
/// <param name="Name">Lower-case name.</param>
/// <param name="Arity">argc if positive; at least -argc if negative (the seed's convention).</param>
/// <param name="Flags">Flags.</param>
/// <param name="Handler">Implementation.</param>
public sealed record CommandDef(string Name, int Arity, CommandFlags Flags, CommandHandler Handler)
{
    /// <summary>True when <paramref name="argc"/> fits the arity.</summary>
    public bool AcceptsArgc(int argc) => Arity >= 0 ? argc == Arity : argc >= -Arity;

    /// <summary>True for a command that may write.</summary>
    public bool IsWrite => (Flags & CommandFlags.Write) != 0;
}
