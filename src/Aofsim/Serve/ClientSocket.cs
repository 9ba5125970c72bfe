using System.Net.Sockets;
using System.Threading.Channels;

namespace AofSim.Sim.Serve;

/// <summary>
/// A client's socket. Replies go through a queue drained by one task, so a slow reader never
/// blocks the loop; the socket is closed by that task once the last queued bytes are written
/// (<see cref="Send"/> with close, or <see cref="Close"/>), or at once if a write fails, so its
/// descriptor never waits for a garbage collection.
/// </summary>
internal sealed class ClientSocket
{
    private readonly TcpClient client;
    private readonly Action closed;
    private readonly Channel<(byte[] Bytes, bool Close)> outbox = Channel.CreateUnbounded<(byte[], bool)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Wraps an accepted client and starts its writer; <paramref name="closed"/> is called once the socket is closed.</summary>
    public ClientSocket(TcpClient client, Action closed)
    {
        this.client = client;
        this.closed = closed;
        Stream = client.GetStream();
        _ = Task.Run(WriteLoop);
    }

    /// <summary>The stream requests are read from.</summary>
    public NetworkStream Stream { get; }

    /// <summary>Queues <paramref name="bytes"/>; with <paramref name="close"/>, the socket is closed after them.</summary>
    public void Send(byte[] bytes, bool close) => outbox.Writer.TryWrite((bytes, close));

    /// <summary>Closes the socket once what is queued is written.</summary>
    public void Close() => outbox.Writer.TryWrite(([], true));

    private async Task WriteLoop()
    {
        try
        {
            await foreach ((byte[] bytes, bool close) in outbox.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (bytes.Length > 0)
                {
                    await Stream.WriteAsync(bytes).ConfigureAwait(false);
                }

                if (close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // the client went away
        }

        client.Close();
        closed();
        outbox.Writer.TryComplete();
        while (outbox.Reader.TryRead(out _))
        {
            // what was queued after the close will never be written: let it go
        }
    }
}
