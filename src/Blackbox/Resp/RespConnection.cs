using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace AofSim.Blackbox.Resp;

/// <summary>
/// A minimal RESP2 client over TCP to 127.0.0.1: commands out as arrays of bulk strings, replies
/// in as <see cref="RespReply"/>. Strings are Latin-1 both ways (one char per byte), so the
/// workload's values with CR, LF and NUL go through unchanged.
/// </summary>
public sealed class RespConnection : IDisposable
{
    // A reply longer than this is refused: the target is not trusted to send sane lengths.
    private const int MaxBulk = 64 * 1024 * 1024;
    private const int MaxItems = 16 * 1024 * 1024;

    private readonly TcpClient tcp;
    private readonly Stream stream;
    private readonly byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>.</summary>
    public RespConnection(int port, TimeSpan timeout)
    {
        tcp = new TcpClient { NoDelay = true, ReceiveTimeout = (int)timeout.TotalMilliseconds, SendTimeout = (int)timeout.TotalMilliseconds };
        tcp.Connect("127.0.0.1", port);
        stream = tcp.GetStream();
    }

    /// <summary>Sends <paramref name="argv"/> without waiting for the reply (pipelining).</summary>
    public void Send(IReadOnlyList<string> argv)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(argv.Count.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (string a in argv)
        {
            sb.Append('$').Append(a.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n").Append(a).Append("\r\n");
        }

        byte[] bytes = Encoding.Latin1.GetBytes(sb.ToString());
        stream.Write(bytes, 0, bytes.Length);
    }

    /// <summary>Sends several commands in one write (a MULTI block goes out at once).</summary>
    public void SendAll(IEnumerable<IReadOnlyList<string>> commands)
    {
        foreach (IReadOnlyList<string> c in commands)
        {
            Send(c);
        }
    }

    /// <summary>Sends <paramref name="argv"/> and reads its reply.</summary>
    public RespReply Call(params string[] argv)
    {
        Send(argv);
        return Read();
    }

    /// <summary>Sends <paramref name="argv"/>, reads its reply, and throws on an error reply.</summary>
    public RespReply Must(params string[] argv)
    {
        RespReply r = Call(argv);
        return r.IsError ? throw new IOException($"{argv[0]} answered {r.Text}") : r;
    }

    /// <summary>Reads one reply (blocks until it arrives, the timeout passes, or the peer closes).</summary>
    public RespReply Read()
    {
        var raw = new StringBuilder();
        return ReadInto(raw, depth: 0);
    }

    private RespReply ReadInto(StringBuilder raw, int depth)
    {
        int from = raw.Length;
        string line = ReadLine();
        raw.Append(line).Append("\r\n");
        if (line.Length == 0)
        {
            throw new IOException("empty RESP line");
        }

        char kind = line[0];
        string rest = line[1..];
        switch (kind)
        {
            case '+' or '-' or ':':
                return new RespReply(kind, rest, null, raw.ToString(from, raw.Length - from));
            case '$':
                int n = Length(rest, MaxBulk);
                if (n < 0)
                {
                    return new RespReply(kind, null, null, raw.ToString(from, raw.Length - from));
                }

                string bulk = ReadExactly(n + 2);
                raw.Append(bulk);
                return new RespReply(kind, bulk[..n], null, raw.ToString(from, raw.Length - from));
            case '*':
                int count = Length(rest, MaxItems);
                if (count < 0)
                {
                    return new RespReply(kind, null, null, raw.ToString(from, raw.Length - from));
                }

                if (depth > 8)
                {
                    throw new IOException("RESP arrays nested too deep");
                }

                var items = new List<RespReply>();
                for (int i = 0; i < count; i++)
                {
                    items.Add(ReadInto(raw, depth + 1));
                }

                return new RespReply(kind, null, items, raw.ToString(from, raw.Length - from));
            default:
                throw new IOException($"not a RESP reply: '{kind}'");
        }
    }

    private static int Length(string text, int max)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) || n < -1 || n > max)
        {
            throw new IOException($"bad RESP length '{text}'");
        }

        return n;
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (start == end)
            {
                Fill();
            }

            byte b = buffer[start++];
            if (b == '\n' && sb.Length > 0 && sb[^1] == '\r')
            {
                sb.Length--;
                return sb.ToString();
            }

            sb.Append((char)b);
            if (sb.Length > MaxBulk)
            {
                throw new IOException("RESP line too long");
            }
        }
    }

    private string ReadExactly(int n)
    {
        var sb = new StringBuilder(Math.Min(n, 1 << 16));
        while (sb.Length < n)
        {
            if (start == end)
            {
                Fill();
            }

            int take = Math.Min(n - sb.Length, end - start);
            for (int i = 0; i < take; i++)
            {
                sb.Append((char)buffer[start + i]);
            }

            start += take;
        }

        return sb.ToString();
    }

    private void Fill()
    {
        start = 0;
        end = stream.Read(buffer, 0, buffer.Length);
        if (end <= 0)
        {
            end = 0;
            throw new IOException("the connection was closed");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        stream.Dispose();
        tcp.Dispose();
    }
}
