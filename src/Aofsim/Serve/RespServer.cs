using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using AofSim.Engine.Commands;
using AofSim.Engine.Server;

namespace AofSim.Sim.Serve;

/// <summary>
/// A RESP server on 127.0.0.1 around a <see cref="ServerCore"/>, shaped like Redis's event loop:
/// one loop thread runs every command, one at a time; after each batch it calls beforeSleep
/// (the AOF write, and fsync under always) and only then hands the replies to the connections;
/// serverCron runs every 100 ms. Sockets are read and written on their own tasks.
/// </summary>
internal sealed class RespServer
{
    private readonly ServerCore core;
    private readonly EventLoop loop;
    private readonly TcpListener listener;
    private readonly Channel<Work> inbox = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<Connection, ClientSocket> sockets = [];

    public RespServer(ServerCore core, int port)
    {
        this.core = core;
        loop = new EventLoop(core, Environment.TickCount64);
        listener = new TcpListener(IPAddress.Loopback, port);
    }

    /// <summary>The port bound (useful when 0 was asked for).</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Binds the port.</summary>
    public void Listen() => listener.Start();

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
            foreach (ReleasedReply reply in loop.BeforeSleep())
            {
                if (sockets.TryGetValue(reply.Connection, out ClientSocket? socket))
                {
                    socket.Send(reply.Bytes, close: reply.Connection.CloseAfterReply);
                }
            }
        }

        listener.Stop();
        foreach (ClientSocket s in sockets.Values)
        {
            s.Close();
        }

        return core.Stopped.ExitCode;
    }

    private void Handle(Work work)
    {
        switch (work.Kind)
        {
            case WorkKind.Open:
                sockets[work.Connection] = work.Socket!;
                break;
            case WorkKind.Command:
                if (work.Args!.Is(0, "QUIT"u8))
                {
                    work.Socket!.Send("+OK\r\n"u8.ToArray(), close: true);
                    sockets.Remove(work.Connection);
                }
                else
                {
                    loop.Execute(work.Connection, work.Args);
                }

                break;
            case WorkKind.Closed:
                sockets.Remove(work.Connection);
                break;
        }
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
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            client.NoDelay = true;
            var socket = new ClientSocket(client);
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
                int n = await socket.Stream.ReadAsync(parser.FreeSpace()).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                parser.Advance(n);
                while (parser.TryNext(out CommandArgs? args))
                {
                    await inbox.Writer.WriteAsync(new Work(WorkKind.Command, conn, socket, args)).ConfigureAwait(false);
                }

                if (parser.ProtocolError is not null)
                {
                    socket.Send(System.Text.Encoding.ASCII.GetBytes($"-{parser.ProtocolError}\r\n"), close: true);
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // the client went away
        }

        await inbox.Writer.WriteAsync(new Work(WorkKind.Closed, conn, socket, null)).ConfigureAwait(false);
    }

    private enum WorkKind
    {
        Open,
        Command,
        Closed,
    }

    private readonly record struct Work(WorkKind Kind, Connection Connection, ClientSocket? Socket, CommandArgs? Args);

    // Writes go through a queue drained by one task per connection, so a slow reader never
    // blocks the loop.
    private sealed class ClientSocket
    {
        private readonly TcpClient client;
        private readonly Channel<(byte[] Bytes, bool Close)> outbox = Channel.CreateUnbounded<(byte[], bool)>(new UnboundedChannelOptions { SingleReader = true });

        public ClientSocket(TcpClient client)
        {
            this.client = client;
            Stream = client.GetStream();
            _ = Task.Run(WriteLoop);
        }

        public NetworkStream Stream { get; }

        public void Send(byte[] bytes, bool close) => outbox.Writer.TryWrite((bytes, close));

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
        }
    }
}
