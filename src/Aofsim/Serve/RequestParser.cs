using System.Text;
using AofSim.Engine.Commands;

namespace AofSim.Sim.Serve;

/// <summary>
/// Splits a client's byte stream into commands: RESP multibulk arrays, or inline commands
/// (words separated by spaces) as redis-server also accepts. Limits follow Redis's
/// (1,048,576 arguments, 512 MB per argument, 64 KB per inline line); past them the client gets
/// an error and is disconnected, never an allocation of the size it claimed.
/// </summary>
internal sealed class RequestParser
{
    private const int MaxArgs = 1024 * 1024;
    private const long MaxBulk = 512L * 1024 * 1024;
    private const int MaxInline = 64 * 1024;

    private byte[] buffer = new byte[16 * 1024];
    private int start;
    private int end;

    /// <summary>Set when the stream is malformed: the error to send before closing.</summary>
    public string? ProtocolError { get; private set; }

    /// <summary>Room to read into.</summary>
    public Memory<byte> FreeSpace()
    {
        if (start > 0 && start == end)
        {
            start = end = 0;
        }

        if (end == buffer.Length)
        {
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            else
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }

        return buffer.AsMemory(end);
    }

    /// <summary>Records that <paramref name="n"/> bytes were read into <see cref="FreeSpace"/>.</summary>
    public void Advance(int n) => end += n;

    /// <summary>The next whole command, if the buffer holds one.</summary>
    public bool TryNext(out CommandArgs? args)
    {
        args = null;
        while (start < end && ProtocolError is null)
        {
            if (buffer[start] == (byte)'*')
            {
                return TryMultibulk(out args);
            }

            int nl = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (nl < 0)
            {
                if (end - start > MaxInline)
                {
                    ProtocolError = "ERR Protocol error: too big inline request";
                }

                return false;
            }

            string line = Encoding.Latin1.GetString(buffer, start, nl - start).TrimEnd('\r');
            start = nl + 1;
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 0)
            {
                args = CommandArgs.Of(words);
                return true;
            }
        }

        return false;
    }

    private bool TryMultibulk(out CommandArgs? args)
    {
        args = null;
        int p = start;
        if (!TryLine(ref p, '*', out long count))
        {
            return false;
        }

        if (count > MaxArgs)
        {
            ProtocolError = "ERR Protocol error: invalid multibulk length";
            return false;
        }

        if (count <= 0)
        {
            start = p;
            return false;
        }

        var parts = new List<(int Start, int Length)>((int)Math.Min(count, 64));
        for (long i = 0; i < count; i++)
        {
            if (!TryLine(ref p, '$', out long len))
            {
                return false;
            }

            if (len < 0 || len > MaxBulk)
            {
                ProtocolError = "ERR Protocol error: invalid bulk length";
                return false;
            }

            if (end - p < len + 2)
            {
                return false;
            }

            parts.Add((p, (int)len));
            p += (int)len + 2;
        }

        var copy = new CommandArgs(buffer[start..p], parts.Count);
        foreach ((int s, int l) in parts)
        {
            copy.Add(s - start, l);
        }

        start = p;
        args = copy;
        return true;
    }

    private bool TryLine(ref int p, char marker, out long value)
    {
        value = 0;
        int nl = Array.IndexOf(buffer, (byte)'\n', p, end - p);
        if (nl < 0)
        {
            if (end - p > MaxInline)
            {
                ProtocolError = "ERR Protocol error: too big count";
            }

            return false;
        }

        if (buffer[p] != marker || nl - p < 3 || buffer[nl - 1] != (byte)'\r' ||
            !long.TryParse(Encoding.ASCII.GetString(buffer, p + 1, nl - p - 2), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value))
        {
            ProtocolError = $"ERR Protocol error: expected '{marker}', got '{(char)buffer[p]}'";
            return false;
        }

        p = nl + 1;
        return true;
    }
}
