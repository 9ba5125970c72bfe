using System.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Sim.Simulating;

/// <summary>Splits a stream of RESP replies into its top-level replies (and an array into its items).</summary>
public static class RespReplies
{
    /// <summary>The top-level replies in <paramref name="stream"/>, each as its raw (Latin-1) text, into <paramref name="into"/>.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Split(ReadOnlySpan<byte> stream, List<string> into)
    {
        into.Clear();
        int at = 0;
        while (at < stream.Length)
        {
            int start = at;
            Skip(stream, ref at);
            into.Add(Text(stream[start..at]));
        }
    }

    /// <summary>The items of an array reply, each as its raw text.</summary>
    public static List<string> Items(string array)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(array);
        int nl = Array.IndexOf(bytes, (byte)'\n');
        int n = int.Parse(bytes.AsSpan(1, nl - 2), System.Globalization.CultureInfo.InvariantCulture);
        var items = new List<string>();
        int at = nl + 1;
        for (int i = 0; i < n; i++)
        {
            int start = at;
            Skip(bytes, ref at);
            items.Add(Text(bytes.AsSpan(start..at)));
        }

        return items;
    }

    /// <summary>Latin-1 text of reply bytes.</summary>
    public static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    // The replies most commands give share one string each.
    private static string Text(ReadOnlySpan<byte> reply) =>
        reply.SequenceEqual("+OK\r\n"u8) ? "+OK\r\n"
        : reply.SequenceEqual(":1\r\n"u8) ? ":1\r\n"
        : reply.SequenceEqual(":0\r\n"u8) ? ":0\r\n"
        : reply.SequenceEqual("$-1\r\n"u8) ? "$-1\r\n"
        : reply.SequenceEqual("+QUEUED\r\n"u8) ? "+QUEUED\r\n"
        : Encoding.Latin1.GetString(reply);

    private static void Skip(ReadOnlySpan<byte> s, ref int at)
    {
        byte kind = s[at];
        int nl = at + s[at..].IndexOf((byte)'\n');
        ReadOnlySpan<byte> head = s[(at + 1)..(nl - 1)];
        at = nl + 1;
        switch (kind)
        {
            case (byte)'$':
                int len = int.Parse(head, System.Globalization.CultureInfo.InvariantCulture);
                if (len >= 0)
                {
                    at += len + 2;
                }

                break;
            case (byte)'*':
                int n = int.Parse(head, System.Globalization.CultureInfo.InvariantCulture);
                for (int i = 0; i < n; i++)
                {
                    Skip(s, ref at);
                }

                break;
        }
    }
}
