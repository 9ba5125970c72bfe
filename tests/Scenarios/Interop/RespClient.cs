using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AofSim.Scenarios.Interop;

/// <summary>The kinds of RESP2 reply.</summary>
internal enum RespKind
{
    Simple,
    Error,
    Integer,
    Bulk,
    Null,
    Array,
}

/// <summary>One RESP2 reply. Byte strings are kept as bytes; <see cref="Text"/> shows them as ISO-8859-1.</summary>
internal sealed class RespValue
{
    private RespValue(RespKind kind, byte[]? bytes, long integer, IReadOnlyList<RespValue>? items)
    {
        Kind = kind;
        Bytes = bytes;
        Integer = integer;
        Items = items;
    }

    public RespKind Kind { get; }

    public byte[]? Bytes { get; }

    public long Integer { get; }

    public IReadOnlyList<RespValue>? Items { get; }

    public bool IsError => Kind == RespKind.Error;

    /// <summary>A simple string, error or bulk as ISO-8859-1 text; an integer in decimal.</summary>
    public string Text => Kind switch
    {
        RespKind.Simple or RespKind.Error or RespKind.Bulk => Encoding.Latin1.GetString(Bytes!),
        RespKind.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        RespKind.Null => throw new InvalidOperationException("a nil reply has no text"),
        _ => throw new InvalidOperationException("an array reply has no text"),
    };

    /// <summary>The items of an array reply (throws on any other kind).</summary>
    public IReadOnlyList<RespValue> Array => Kind == RespKind.Array ? Items! : throw new InvalidOperationException($"expected an array reply, got {this}");

    public static RespValue Simple(byte[] s) => new(RespKind.Simple, s, 0, null);

    public static RespValue Error(byte[] s) => new(RespKind.Error, s, 0, null);

    public static RespValue Int(long n) => new(RespKind.Integer, null, n, null);

    public static RespValue Bulk(byte[] s) => new(RespKind.Bulk, s, 0, null);

    public static RespValue Nil { get; } = new(RespKind.Null, null, 0, null);

    public static RespValue Arr(IReadOnlyList<RespValue> items) => new(RespKind.Array, null, 0, items);

    public override string ToString() => Kind switch
    {
        RespKind.Simple => "+" + Text,
        RespKind.Error => "-" + Text,
        RespKind.Integer => ":" + Text,
        RespKind.Bulk => "\"" + Text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal) + "\"",
        RespKind.Null => "(nil)",
        _ => "[" + string.Join(", ", Items!.Select(i => i.ToString())) + "]",
    };
}

/// <summary>
/// A minimal RESP2 client over a TcpClient: commands go out as arrays of bulk strings, replies
/// come back as simple strings, errors, integers, bulks (or nil) and arrays (nested). Every
/// socket operation has a timeout, so no call can hang a test.
/// </summary>
internal sealed class RespClient : IDisposable
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient tcp;
    private readonly NetworkStream stream;
    private readonly BufferedStream reader;

    private RespClient(TcpClient tcp)
    {
        this.tcp = tcp;
        stream = tcp.GetStream();
        reader = new BufferedStream(stream, 1 << 16);
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> within <paramref name="timeout"/>.</summary>
    public static RespClient Connect(int port, TimeSpan timeout)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token).AsTask().GetAwaiter().GetResult();
            tcp.ReceiveTimeout = (int)IoTimeout.TotalMilliseconds;
            tcp.SendTimeout = (int)IoTimeout.TotalMilliseconds;
            return new RespClient(tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command (each argument as ISO-8859-1 bytes) and reads its reply.</summary>
    public RespValue Call(params string[] args) => Call(args.Select(a => Encoding.Latin1.GetBytes(a)).ToArray());

    /// <summary>Sends one command and reads its reply.</summary>
    public RespValue Call(params byte[][] args)
    {
        var buf = new MemoryStream();
        WriteAscii(buf, $"*{args.Length}\r\n");
        foreach (byte[] a in args)
        {
            WriteAscii(buf, $"${a.Length}\r\n");
            buf.Write(a);
            buf.Write("\r\n"u8);
        }

        stream.Write(buf.GetBuffer(), 0, (int)buf.Length);
        stream.Flush();
        return Read();
    }

    /// <summary>Sends a command that must not reply an error; returns its reply.</summary>
    public RespValue Must(params string[] args)
    {
        RespValue r = Call(args);
        if (r.IsError || (r.Kind == RespKind.Array && r.Array.Any(i => i.IsError)))
        {
            throw new InvalidOperationException($"redis-server replied an error to {string.Join(' ', args)}: {r}");
        }

        return r;
    }

    public void Dispose()
    {
        reader.Dispose();
        stream.Dispose();
        tcp.Dispose();
    }

    private static void WriteAscii(MemoryStream buf, string s) => buf.Write(Encoding.ASCII.GetBytes(s));

    /// <summary>Parses one reply from <paramref name="bytes"/> (the engine's replies, rendered as Redis's are).</summary>
    public static RespValue Parse(byte[] bytes) => Read(new MemoryStream(bytes));

    private RespValue Read() => Read(reader);

    private static RespValue Read(Stream reader)
    {
        byte[] line = ReadLine(reader);
        if (line.Length == 0)
        {
            throw new IOException("empty RESP line");
        }

        byte[] rest = line[1..];
        switch ((char)line[0])
        {
            case '+':
                return RespValue.Simple(rest);
            case '-':
                return RespValue.Error(rest);
            case ':':
                return RespValue.Int(ParseLong(rest));
            case '$':
                {
                    long len = ParseLong(rest);
                    if (len < 0)
                    {
                        return RespValue.Nil;
                    }

                    byte[] payload = new byte[len + 2];
                    reader.ReadExactly(payload);
                    if (payload[^2] != '\r' || payload[^1] != '\n')
                    {
                        throw new IOException("bulk reply not followed by CRLF");
                    }

                    return RespValue.Bulk(payload[..^2]);
                }

            case '*':
                {
                    long n = ParseLong(rest);
                    if (n < 0)
                    {
                        return RespValue.Nil;
                    }

                    var items = new List<RespValue>((int)n);
                    for (long i = 0; i < n; i++)
                    {
                        items.Add(Read(reader));
                    }

                    return RespValue.Arr(items);
                }

            default:
                throw new IOException($"unexpected RESP reply line: {Encoding.Latin1.GetString(line)}");
        }
    }

    private static long ParseLong(byte[] digits) =>
        long.Parse(Encoding.ASCII.GetString(digits), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    // One reply line without its CRLF.
    private static byte[] ReadLine(Stream reader)
    {
        var line = new List<byte>(32);
        while (true)
        {
            int b = reader.ReadByte();
            if (b < 0)
            {
                throw new IOException("connection closed by redis-server");
            }

            if (b == '\n' && line.Count > 0 && line[^1] == '\r')
            {
                line.RemoveAt(line.Count - 1);
                return [.. line];
            }

            line.Add((byte)b);
        }
    }
}
