using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using AofSim.Scenarios.Interop;

namespace AofSim.Scenarios.Serve;

/// <summary>
/// What <c>aofsim serve</c> holds on to: descriptors over many connections under a low limit,
/// memory after big and half-sent requests, and when a reply may leave (after the write and
/// fsync of what it answers).
/// </summary>
public sealed partial class ServeResourceTests
{
    private const int FdLimit = 256;

    [LinuxFact]
    public void SocketsAreClosedOver10000ConnectionsUnderALowDescriptorLimit()
    {
        using var dir = new TempDir("aofsim-serve-fd-");
        using ServeProcess serve = ServeProcess.StartWithFdLimit(FdLimit, dir.Path);
        Assert.Equal("+PONG\r\n", RawExchange.Run(serve.Port, "PING\r\n"));
        int before = OpenDescriptors(serve.Pid);

        // 10,000 connections, 40 times the limit: one left open each time would exhaust it. Half
        // just connect and close; half PING, read the reply, and close once the server has
        // closed its side (which also keeps the client from outrunning the server's closes).
        for (int i = 0; i < 10_000; i++)
        {
            if (i % 2 == 0)
            {
                string reply = RawExchange.Run(serve.Port, "PING\r\n");
                Assert.True(reply == "+PONG\r\n", $"connection {i}: {RawExchange.Show(reply)}");
            }
            else
            {
                using var tcp = new TcpClient();
                tcp.Connect(IPAddress.Loopback, serve.Port);
            }
        }

        // The server closes a socket once it has seen the client's end of stream: wait (bounded)
        // for the last few to be closed.
        int after = WaitFor(() => OpenDescriptors(serve.Pid), n => n <= before + 2);
        Assert.True(after <= before + 2, $"{after} descriptors open after 10,000 connections, {before} before");
        Assert.False(serve.HasExited, serve.Output);
    }

    [LinuxFact]
    public void ClientsPastTheDescriptorLimitAreRefusedAndTheServerGoesOn()
    {
        using var dir = new TempDir("aofsim-serve-maxclients-");
        using ServeProcess serve = ServeProcess.StartWithFdLimit(FdLimit, dir.Path);

        // As redis-server under a low ulimit: maxclients is lowered at start, and said so.
        Assert.Matches(@"maxclients has been reduced to \d+ to compensate for low ulimit", serve.Output);
        Assert.Equal("+PONG\r\n", RawExchange.Run(serve.Port, "PING\r\n"));
        int before = OpenDescriptors(serve.Pid);
        var clients = new List<TcpClient>();
        try
        {
            // More clients at once than the limit allows: the last is told so and closed, and
            // the server never runs out of descriptors itself (which aborted it before).
            for (int i = 0; i < FdLimit + 50; i++)
            {
                var tcp = new TcpClient { ReceiveTimeout = 15_000 };
                clients.Add(tcp);
                tcp.Connect(IPAddress.Loopback, serve.Port);
            }

            byte[] reply = new byte[64];
            int n = clients[^1].Client.Receive(reply);
            Assert.Equal("-ERR max number of clients reached\r\n", Encoding.ASCII.GetString(reply, 0, n));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        // Once they are gone (their sockets closed on the server's side too) it answers again.
        int after = WaitFor(() => OpenDescriptors(serve.Pid), n => n <= before + 2);
        Assert.True(after <= before + 2, $"{after} descriptors open after the clients left, {before} before");
        Assert.Equal("+PONG\r\n", RawExchange.Run(serve.Port, "PING\r\n"));
        Assert.False(serve.HasExited, serve.Output);
    }

    [Fact]
    public void UnderAlwaysSetThenQuitInOnePacketIsAnsweredAfterTheFsync()
    {
        using var dir = new TempDir("aofsim-serve-always-");
        using ServeProcess serve = ServeProcess.Start(dir.Path, "--appendfsync", "always");
        const string set = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n";

        // Both replies, in order, and only once the SET is in the file: the replies are released
        // after beforeSleep's write and fsync, so the file is read here without any waiting.
        Assert.Equal("+OK\r\n+OK\r\n", RawExchange.Run(serve.Port, set + "*1\r\n$4\r\nQUIT\r\n"));
        string aof = File.ReadAllText(Path.Combine(dir.Path, "appendonly.aof"), Encoding.Latin1);
        Assert.Contains(set, aof, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void MemoryGoesBackAfterABigSetAndAfterHalfSentUploads()
    {
        using var dir = new TempDir("aofsim-serve-mem-");
        using ServeProcess serve = ServeProcess.Start(dir.Path, "--appendfsync", "no");
        Assert.Equal("+PONG\r\n", RawExchange.Run(serve.Port, "PING\r\n"));
        long start = ResidentMB(serve.Pid);
        const int size = 32 << 20;
        byte[] value = new byte[size];
        byte[] header = Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${size}\r\n");

        // One 32 MB SET: the value is kept (32 MB); the copies made on the way are given back.
        // Before the fix the server grew by 214 MB and kept it.
        Assert.Equal("+OK\r\n", RawExchange.Run(serve.Port, header, value, "\r\n"u8.ToArray()));
        long afterSet = WaitFor(() => ResidentMB(serve.Pid), mb => mb <= start + 100);
        Assert.True(afterSet <= start + 100, $"RSS {afterSet} MB after one 32 MB SET, {start} MB before");

        // 20 clients send all but the last 100 bytes of a 32 MB value, then go. Before the fix
        // the server held 1.1 GB after they had gone, and never gave it back.
        for (int i = 0; i < 20; i++)
        {
            using var tcp = new TcpClient { NoDelay = true };
            tcp.Connect(IPAddress.Loopback, serve.Port);
            tcp.Client.Send(header);
            tcp.Client.Send(value.AsSpan(0, size - 100));
        }

        long afterUploads = WaitFor(() => ResidentMB(serve.Pid), mb => mb <= afterSet + 64);
        Assert.True(afterUploads <= afterSet + 64, $"RSS {afterUploads} MB after 20 half-sent 32 MB uploads, {afterSet} MB before them");
        Assert.Equal("+PONG\r\n", RawExchange.Run(serve.Port, "PING\r\n"));
    }

    private static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static long ResidentMB(int pid)
    {
        Match m = VmRss().Match(File.ReadAllText($"/proc/{pid}/status"));
        return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) / 1024;
    }

    // Polls `read` until `done` holds or 20 s pass; returns the last value read.
    private static T WaitFor<T>(Func<T> read, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        T value = read();
        while (!done(value) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Yield();
            value = read();
        }

        return value;
    }

    [GeneratedRegex(@"VmRSS:\s+(\d+) kB")]
    private static partial Regex VmRss();
}
