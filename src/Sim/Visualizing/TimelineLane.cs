namespace AofSim.Sim.Visualizing;

/// <summary>A row of the replay timeline (replay --html): who or what an event belongs to.</summary>
public enum TimelineLane
{
    /// <summary>The client's commands and the replies it got; the admin connection's commands and replies.</summary>
    Client,

    /// <summary>The server's AOF buffer (aof_buf): a chart of the bytes not yet written.</summary>
    AofBuffer,

    /// <summary>The parent process's storage calls: writes, fsyncs, opens, renames.</summary>
    Parent,

    /// <summary>The background jobs (bio): fsyncs and closes off the event loop.</summary>
    Background,

    /// <summary>The rewrite (or save) child: fork, its storage calls, its end.</summary>
    Child,

    /// <summary>The AOF on disk: a chart of its durable bytes and of those only in the page cache.</summary>
    Disk,

    /// <summary>Injected faults and the plan's faults.</summary>
    Faults,

    /// <summary>The start of the run, power losses, kills of the server, what survived, recoveries, process exits.</summary>
    Power,

    /// <summary>The simulator's checks, contract changes and violations.</summary>
    Checks,

    /// <summary>The server's own log lines.</summary>
    Log,
}
