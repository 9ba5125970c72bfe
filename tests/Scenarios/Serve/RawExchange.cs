using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AofSim.Scenarios.Serve;

/// <summary>
/// Raw bytes to a RESP server and every byte back: the request goes out in the pieces given
/// (one send each), then the client shuts its sending side and reads until the server closes
/// the connection. A server answers what it was sent and then closes on the client's end of
/// stream (or earlier, after QUIT or a protocol error), so this needs no guess of how many
/// replies to wait for; a read that waits past the timeout fails the test.
/// </summary>
internal static class RawExchange
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Sends <paramref name="pieces"/> to 127.0.0.1:<paramref name="port"/>; returns all the server sent, as ISO-8859-1.</summary>
    public static string Run(int port, params byte[][] pieces)
    {
        using var tcp = new TcpClient { NoDelay = true, ReceiveTimeout = (int)Timeout.TotalMilliseconds, SendTimeout = (int)Timeout.TotalMilliseconds };
        tcp.Connect(IPAddress.Loopback, port);
        Socket s = tcp.Client;
        try
        {
            foreach (byte[] piece in pieces)
            {
                s.Send(piece);
            }

            s.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The server may have closed already (QUIT, a protocol error): what it sent is read below.
        }

        var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = s.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                break; // closed with our unread bytes still queued: what came before is kept
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                throw new TimeoutException($"no end of stream within {Timeout.TotalSeconds} s; received so far: {Show(Encoding.Latin1.GetString(received.ToArray()))}", e);
            }

            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    /// <summary>Sends <paramref name="request"/> (ISO-8859-1) in one piece.</summary>
    public static string Run(int port, string request) => Run(port, Encoding.Latin1.GetBytes(request));

    /// <summary>CR and LF made visible, for failure messages.</summary>
    public static string Show(string s) => s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
