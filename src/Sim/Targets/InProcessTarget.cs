using System.Runtime.CompilerServices;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Server;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Targets;

/// <summary>
/// The reference engine as the system under test: a <see cref="ServerCore"/> in this process,
/// on the ports the world gives each new process (simulated storage, clock, jobs, children), and
/// driven by the shared <see cref="EventLoop"/>.
/// </summary>
/// <param name="config">The server's configuration (truncated loading is set per start).</param>
/// <param name="ports">The ports of a new process: called once per <see cref="Start"/>.</param>
/// <param name="loopStartMs">When the current process's event loop began (its first cron is a period later).</param>
public sealed class InProcessTarget(ServerConfig config, Func<ServerPorts> ports, Func<long> loopStartMs) : ITarget
{
    // The engine keeps no reference to a command's arguments: one holder serves every command.
    private readonly CommandArgs clientArgs = new();
    private EventLoop? loop;
    private Connection conn = new();

    /// <summary>Where the servers this target starts report their coverage probes (none: not counted).</summary>
    public Engine.Diagnostics.IProbeSink? Probes { get; init; }

    /// <inheritdoc/>
    public StopOutcome? Stopped => Loop.Core.Stopped;

    /// <inheritdoc/>
    public Dataset Data => Loop.Core.Data;

    private EventLoop Loop => loop ?? throw new InvalidOperationException("the server was not started");

    /// <inheritdoc/>
    public void Start(bool loadTruncated)
    {
        ServerPorts given = ports();
        var core = new ServerCore(config with { AofLoadTruncated = loadTruncated }, Probes is null ? given : given with { Probes = Probes });
        conn = new Connection();
        loop = null;
        core.Start();
        loop = new EventLoop(core, loopStartMs());
    }

    /// <inheritdoc/>
    public void Kill() => loop = null;

    /// <inheritdoc/>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(string[] argv)
    {
        clientArgs.Assign(argv);
        Loop.Execute(conn, clientArgs);
    }

    /// <inheritdoc/>
    public void PendingReplies(List<string> into) => RespReplies.Split(conn.Unreleased, into);

    /// <inheritdoc/>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Release()
    {
        IReadOnlyList<ReleasedReply> released = Loop.BeforeSleep();
        bool acked = false;
        for (int i = 0; i < released.Count; i++)
        {
            // Indexed: a foreach over the interface would allocate an enumerator per batch.
            acked |= released[i].Connection == conn && released[i].Bytes.Length > 0;
        }

        return acked;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Admin(string[] argv)
    {
        var admin = new Connection();
        Loop.Execute(admin, CommandArgs.Of(argv));
        var replies = new List<string>();
        foreach (ReleasedReply r in Loop.BeforeSleep())
        {
            replies.Add(RespReplies.Text(r.Bytes));
        }

        return replies;
    }

    /// <inheritdoc/>
    public bool RunUntil(long ms, ILoopHost host) => Loop.RunUntil(ms, host);
}
