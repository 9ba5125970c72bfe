using AofSim.Engine.Commands;
using AofSim.Engine.Text;

namespace AofSim.Engine.Server;

/// <summary>
/// A client connection as the server core sees it: its command state, and the replies it has
/// earned but not yet been given. Replies are released by <see cref="ServerCore.BeforeSleep"/>,
/// after the AOF has been written (and, under always, fsynced).
/// </summary>
public sealed class Connection
{
    private ReplyWriter? replies;

    /// <summary>The selected db and MULTI state.</summary>
    public Client Client { get; } = new();

    /// <summary>Set when the connection must be closed once its replies are sent (SHUTDOWN, QUIT).</summary>
    public bool CloseAfterReply { get; internal set; }

    /// <summary>
    /// The replies earned but not released yet, for tools that observe the server (the simulator
    /// learns what an unacknowledged SPOP popped). Never sent before <see cref="ServerCore.BeforeSleep"/>.
    /// </summary>
    public ReadOnlySpan<byte> Unreleased => Pending.Span;

    internal ByteBuffer Pending { get; } = new(64);

    // Every reply to this connection goes to Pending through this one writer (its error count
    // is never read on the server's side).
    internal ReplyWriter Replies => replies ??= new ReplyWriter(Pending);
}

/// <summary>Replies released to a connection.</summary>
/// <param name="Connection">The connection.</param>
/// <param name="Bytes">RESP bytes to send.</param>
public readonly record struct ReleasedReply(Connection Connection, byte[] Bytes);
