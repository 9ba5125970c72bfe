using System.Text;

namespace AofSim.Properties;

/// <summary>
/// A RESP multi-bulk parser written for the tests, independent of the engine's loader: it reads
/// <c>*&lt;n&gt;\r\n</c> followed by n <c>$&lt;len&gt;\r\n&lt;bytes&gt;\r\n</c> elements, strictly,
/// and throws <see cref="FormatException"/> on anything else.
/// </summary>
public static class TestResp
{
    /// <summary>Every command of <paramref name="bytes"/>, in order; the bytes must end on a command boundary.</summary>
    public static List<byte[][]> ParseAll(ReadOnlySpan<byte> bytes)
    {
        var commands = new List<byte[][]>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            commands.Add(ParseOne(bytes, ref pos));
        }

        return commands;
    }

    /// <summary>The one command that makes up <paramref name="bytes"/> exactly.</summary>
    public static byte[][] ParseSingle(ReadOnlySpan<byte> bytes)
    {
        int pos = 0;
        byte[][] argv = ParseOne(bytes, ref pos);
        if (pos != bytes.Length)
        {
            throw new FormatException($"{bytes.Length - pos} bytes after the command");
        }

        return argv;
    }

    /// <summary>Parses one command at <paramref name="pos"/> and moves past it.</summary>
    public static byte[][] ParseOne(ReadOnlySpan<byte> bytes, ref int pos)
    {
        long count = ReadLine(bytes, ref pos, (byte)'*');
        if (count < 0 || count > bytes.Length)
        {
            throw new FormatException($"bad argument count {count}");
        }

        var argv = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            long len = ReadLine(bytes, ref pos, (byte)'$');
            if (len < 0 || len > bytes.Length - pos - 2)
            {
                throw new FormatException($"bad bulk length {len} at {pos}");
            }

            argv[i] = bytes.Slice(pos, (int)len).ToArray();
            pos += (int)len;
            if (bytes[pos] != (byte)'\r' || bytes[pos + 1] != (byte)'\n')
            {
                throw new FormatException($"bulk not followed by CRLF at {pos}");
            }

            pos += 2;
        }

        return argv;
    }

    /// <summary>Shows an argv the way the failure messages do.</summary>
    public static string Show(IEnumerable<byte[]> argv) => string.Join(' ', argv.Select(Show));

    /// <summary>One byte string, quoted with \xNN escapes when it is not a plain word.</summary>
    public static string Show(byte[] arg)
    {
        bool plain = arg.Length > 0 && arg.All(b => b is > 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\');
        if (plain)
        {
            return Encoding.ASCII.GetString(arg);
        }

        var sb = new StringBuilder(arg.Length + 2);
        sb.Append('"');
        foreach (byte b in arg)
        {
            if (b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.Append('"').ToString();
    }

    // A '*' or '$' line: the marker, an optional '-', at least one digit, CRLF.
    private static long ReadLine(ReadOnlySpan<byte> bytes, ref int pos, byte marker)
    {
        if (pos >= bytes.Length || bytes[pos] != marker)
        {
            throw new FormatException($"expected '{(char)marker}' at {pos}");
        }

        int p = pos + 1;
        bool negative = p < bytes.Length && bytes[p] == (byte)'-';
        if (negative)
        {
            p++;
        }

        long value = 0;
        int digits = 0;
        while (p < bytes.Length && bytes[p] >= (byte)'0' && bytes[p] <= (byte)'9')
        {
            value = checked((value * 10) + (bytes[p] - (byte)'0'));
            digits++;
            p++;
        }

        if (digits == 0 || p + 1 >= bytes.Length || bytes[p] != (byte)'\r' || bytes[p + 1] != (byte)'\n')
        {
            throw new FormatException($"bad header line at {pos}");
        }

        pos = p + 2;
        return negative ? -value : value;
    }
}
