using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using AofSim.Engine.Resp;
using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Server;
using AofSim.Engine.Text;

namespace AofSim.Sim.Serve;

/// <summary>
/// A RESP server on 127.0.0.1 around a <see cref="ServerCore"/>, shaped like Redis's event loop:
/// one loop thread runs every command, one at a time; after each batch it calls beforeSleep
/// (the AOF write, and fsync under always) and only then hands the replies to the connections;
/// serverCron runs every 100 ms. Sockets are read and written on their own tasks; a client is
/// read again only once the commands of its last read have run.
/// </summary>
internal sealed class RespServer
{
    private static readonly byte[] QuitReply = "+OK\r\n"u8.ToArray();

    private readonly ServerCore core;
    private readonly EventLoop loop;
    private readonly IAofLog log;
    private readonly TcpListener listener;
    private readonly Channel<Work> inbox = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<Connection, ClientSocket> sockets = [];

    // Connections to close once the replies they have earned are released (QUIT, a protocol
    // error, the client's end of stream), each with what goes out after those replies: QUIT's
    // +OK, the error, or nothing.
    private readonly Dictionary<Connection, byte[]> closing = [];
    private readonly MemoryReclaimer reclaimer = new();
    private readonly int maxClients;
    private int clients; // connected now: counted by the accept loop, uncounted by each socket's close

    /// <summary>A server on 127.0.0.1:<paramref name="port"/> taking at most <paramref name="maxClients"/> clients at once.</summary>
    public RespServer(ServerCore core, int port, IAofLog log, int maxClients)
    {
        this.core = core;
        loop = new EventLoop(core, Environment.TickCount64);
        this.log = log;
        this.maxClients = maxClients;
        listener = new TcpListener(IPAddress.Loopback, port);
    }

    /// <summary>The port bound (useful when 0 was asked for).</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Binds the port.</summary>
    public void Listen() => listener.Start(511);

    /// <summary>Runs until the core stops (SHUTDOWN, or an error where the seed exits).</summary>
    /// <returns>The exit code.</returns>
    public int Run()
    {
        _ = Task.Run(AcceptLoop);
        while (core.Stopped is null)
        {
            long wait = Math.Max(0, loop.NextCronMs - Environment.TickCount64);
            if (!inbox.Reader.TryPeek(out _))
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(wait));
                try
                {
                    inbox.Reader.WaitToReadAsync(cts.Token).AsTask().GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    // time for cron
                }
            }

            while (core.Stopped is null && inbox.Reader.TryRead(out Work work))
            {
                Handle(work);
            }

            loop.CronIfDue(Environment.TickCount64);
            Deliver(loop.BeforeSleep());
        }

        listener.Stop();
        foreach (ClientSocket s in sockets.Values)
        {
            s.Close();
        }

        return core.Stopped.ExitCode;
    }

    // Hands the replies beforeSleep released to the sockets, then closes the connections that
    // asked for it, each after its replies: nothing is sent before the AOF write (and, under
    // always, its fsync) of the commands it answers, and replies go out in the order of requests.
    private void Deliver(IReadOnlyList<ReleasedReply> released)
    {
        foreach (ReleasedReply reply in released)
        {
            Connection conn = reply.Connection;
            if (sockets.TryGetValue(conn, out ClientSocket? socket))
            {
                socket.Send(reply.Bytes, close: conn.CloseAfterReply);
                if (conn.CloseAfterReply)
                {
                    sockets.Remove(conn);
                    closing.Remove(conn);
                }
            }
        }

        foreach ((Connection conn, byte[] last) in closing)
        {
            if (sockets.Remove(conn, out ClientSocket? socket))
            {
                socket.Send(last, close: true);
            }
        }

        closing.Clear();
    }

    private void Handle(Work work)
    {
        switch (work.Kind)
        {
            case WorkKind.Open:
                sockets[work.Connection] = work.Socket;
                break;
            case WorkKind.Batch:
                RunBatch(work.Connection, work.Batch!);
                break;
            case WorkKind.Closed:
                // The client's end of stream: what it asked before is still answered, then the
                // socket is closed.
                if (sockets.ContainsKey(work.Connection))
                {
                    closing.TryAdd(work.Connection, []);
                }

                break;
        }
    }

    // processInputBuffer's loop over the commands of one read: nothing more runs after QUIT, a
    // SHUTDOWN, or for a connection already closing; a protocol error comes after the replies
    // of the commands before it.
    private void RunBatch(Connection conn, RequestBatch batch)
    {
        bool open = sockets.ContainsKey(conn) && !closing.ContainsKey(conn);
        foreach (CommandArgs args in batch.Commands)
        {
            if (!open || core.Stopped is not null)
            {
                break;
            }

            if (args.Is(0, "QUIT"u8))
            {
                closing[conn] = QuitReply;
                open = false;
                break;
            }

            loop.Execute(conn, args);
            open = !conn.CloseAfterReply;
        }

        if (open && batch.ProtocolError is { } error)
        {
            var line = new ByteBuffer(64);
            new ReplyWriter(line).Error(error);
            closing[conn] = line.ToArray();
            open = false;
        }

        batch.Complete(keepReading: open && core.Stopped is null);
    }

    private async Task AcceptLoop()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode != SocketError.OperationAborted)
            {
                // Out of descriptors (EMFILE) or a connection reset before it was accepted: the
                // server goes on, as redis-server does, and tries again a moment later (the
                // pending connection keeps the listener readable, so at once would spin).
                log.Log(LogLevel.Warning, $"Accepting client connection: {e.Message}");
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // the listener was stopped
            }

            if (Volatile.Read(ref clients) >= maxClients)
            {
                // acceptCommonHandler: a best-effort error, then the connection is closed.
                try
                {
                    client.Client.Blocking = false;
                    client.Client.Send(MaxClients.Reached);
                }
                catch (SocketException)
                {
                    // best effort
                }

                client.Dispose();
                continue;
            }

            Interlocked.Increment(ref clients);
            client.NoDelay = true;
            var socket = new ClientSocket(client, () => Interlocked.Decrement(ref clients));
            var conn = new Connection();
            await inbox.Writer.WriteAsync(new Work(WorkKind.Open, conn, socket, null)).ConfigureAwait(false);
            _ = Task.Run(() => ReadLoop(conn, socket));
        }
    }

    private async Task ReadLoop(Connection conn, ClientSocket socket)
    {
        var parser = new RequestParser();
        try
        {
            while (true)
            {
                Memory<byte> room = parser.FreeSpace();
                if (parser.Overflowed)
                {
                    log.Log(LogLevel.Warning, "Closing client that reached max query buffer length");
                    break;
                }

                int n = await socket.Stream.ReadAsync(room).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                parser.Advance(n);
                reclaimer.Released(parser.TakeReleased());
                if (parser.Parse() == 0 && parser.ProtocolError is null)
                {
                    continue;
                }

                var batch = new RequestBatch(parser.Ready, parser.ProtocolError);
                await inbox.Writer.WriteAsync(new Work(WorkKind.Batch, conn, socket, batch)).ConfigureAwait(false);
                bool keepReading = await batch.Done.ConfigureAwait(false);
                parser.Recycle();
                reclaimer.Released(parser.TakeReleased());
                if (!keepReading)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // the client went away
        }

        parser.Release();
        reclaimer.Released(parser.TakeReleased());
        await inbox.Writer.WriteAsync(new Work(WorkKind.Closed, conn, socket, null)).ConfigureAwait(false);
    }

    private enum WorkKind
    {
        Open,
        Batch,
        Closed,
    }

    private readonly record struct Work(WorkKind Kind, Connection Connection, ClientSocket Socket, RequestBatch? Batch);
}
