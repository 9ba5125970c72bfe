using System.Globalization;
using System.Text;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// Test-side helpers for AOF bytes: Latin-1 conversion (one char = one byte), and a small RESP
/// reader that splits an AOF into its commands so that a test can assert the sequence of
/// multibulk headers without trusting the engine's own parser.
/// </summary>
internal static class AofText
{
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>Splits well-formed RESP into its commands (argument lists); throws on anything else.</summary>
    public static List<string[]> SplitCommands(string aof)
    {
        var commands = new List<string[]>();
        int p = 0;
        while (p < aof.Length)
        {
            int argc = ReadHeader(aof, ref p, '*');
            var argv = new string[argc];
            for (int i = 0; i < argc; i++)
            {
                int len = ReadHeader(aof, ref p, '$');
                argv[i] = aof.Substring(p, len);
                p += len;
                if (aof[p] != '\r' || aof[p + 1] != '\n')
                {
                    throw new FormatException($"no CRLF after a bulk at {p}");
                }

                p += 2;
            }

            commands.Add(argv);
        }

        return commands;
    }

    /// <summary>The argc of every command, in order.</summary>
    public static List<int> HeaderCounts(string aof) => SplitCommands(aof).Select(c => c.Length).ToList();

    private static int ReadHeader(string s, ref int p, char marker)
    {
        if (s[p] != marker)
        {
            throw new FormatException($"expected '{marker}' at {p}");
        }

        int crlf = s.IndexOf("\r\n", p, StringComparison.Ordinal);
        int value = int.Parse(s.AsSpan(p + 1, crlf - p - 1), NumberStyles.None, CultureInfo.InvariantCulture);
        p = crlf + 2;
        return value;
    }
}
