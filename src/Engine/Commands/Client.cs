namespace AofSim.Engine.Commands;

/// <summary>
/// A connection's state the commands care about: its db and its MULTI queue. The loader's fake
/// client is one of these too.
/// </summary>
public sealed class Client
{
    /// <summary>The selected db.</summary>
    public int Db { get; set; }

    /// <summary>Inside MULTI.</summary>
    public bool InMulti { get; set; }

    /// <summary>A command failed to queue: EXEC will abort (the seed's REDIS_DIRTY_EXEC).</summary>
    public bool ExecAborted { get; set; }

    /// <summary>Commands queued since MULTI.</summary>
    public List<(CommandDef Command, CommandArgs Args)> Queue { get; } = [];

    /// <summary>Leaves MULTI and forgets the queue.</summary>
    public void ResetMulti()
    {
        InMulti = false;
        ExecAborted = false;
        Queue.Clear();
    }
}
