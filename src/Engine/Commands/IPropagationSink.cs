namespace AofSim.Engine.Commands;

/// <summary>
/// Receives what a command propagates: the seed's propagate() into feedAppendOnlyFile. During
/// loading there is none, as the seed turns the AOF off while it replays.
/// </summary>
public interface IPropagationSink
{
    /// <summary>A write executed in db <paramref name="dbId"/>, as it must be replayed.</summary>
    void Propagate(CommandDef command, int dbId, CommandArgs argv);
}
