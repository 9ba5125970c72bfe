using AofSim.Engine.Data;
using AofSim.Engine.Server;

namespace AofSim.Sim.Targets;

/// <summary>
/// The system under test: "a server with an AOF", as the simulator drives it. One client sends
/// batches of commands; an admin connection sends server commands; the event loop's timer runs
/// as time passes; the process can die (a power loss, kill -9) and start again on what the disk
/// holds; its dataset can be read back. Nothing else: the workload, the model, the durability
/// contract and the checks see the server only through this, and take what it says about itself
/// (its log, its replies) as its word, never as a fact (docs/durability.md).
/// </summary>
/// <remarks>
/// <see cref="InProcessTarget"/> is the reference engine's <c>ServerCore</c> on the simulated
/// ports. A real server process on a real, fault-injecting file system is meant to be another:
/// it would send the commands over a socket, pass time by sleeping, and read the dataset back
/// with a dump.
/// </remarks>
public interface ITarget
{
    /// <summary>Where the server stopped by itself (its exit code and last words), or null while it runs.</summary>
    StopOutcome? Stopped { get; }

    /// <summary>The live dataset (read back; the caller does not change it).</summary>
    Dataset Data { get; }

    /// <summary>
    /// Starts a new server process on what the disk holds (the AOF loaded, truncated loading
    /// allowed when <paramref name="loadTruncated"/>). It may stop at once (<see cref="Stopped"/>):
    /// an AOF that does not load.
    /// </summary>
    void Start(bool loadTruncated);

    /// <summary>The process is gone (power loss or kill -9): nothing of it runs from now on.</summary>
    void Kill();

    /// <summary>The client's next command, executed as it is read; its reply waits for <see cref="Release"/>.</summary>
    void Execute(string[] argv);

    /// <summary>The replies the client's commands earned and that are not released yet, each as RESP text, into <paramref name="into"/>.</summary>
    void PendingReplies(List<string> into);

    /// <summary>The loop goes to sleep (beforeSleep): true when the client's replies went out.</summary>
    bool Release();

    /// <summary>A server command on a connection of its own, then beforeSleep: every reply released, as RESP text.</summary>
    IReadOnlyList<string> Admin(string[] argv);

    /// <summary>
    /// Virtual time passes to <paramref name="ms"/> through the event loop (crons and their
    /// beforeSleeps), <paramref name="host"/> moving the world's time; false when the server stopped first.
    /// </summary>
    bool RunUntil(long ms, ILoopHost host);
}
