using System.Text;

namespace AofSim.Engine.Aof;

/// <summary>One file named by a Redis 7 manifest.</summary>
/// <param name="Name">File name, relative to the manifest's directory.</param>
/// <param name="Sequence">Its sequence number.</param>
/// <param name="Type">'b' base, 'h' history, 'i' incr.</param>
public sealed record AofManifestEntry(string Name, long Sequence, char Type);

/// <summary>
/// Redis 7's multi-part AOF manifest (<c>appendonly.aof.manifest</c>): lines of
/// <c>file NAME seq N type b|h|i</c>. Loading replays the base, then the incr files in order.
/// </summary>
public static class AofManifest
{
    /// <summary>The files to replay, base first, or an error message.</summary>
    public static (IReadOnlyList<AofManifestEntry> Files, string? Error) Parse(string text)
    {
        var files = new List<AofManifestEntry>();
        int lineNo = 0;
        bool haveBase = false;
        long maxIncrSeq = -1;
        foreach (string raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string? name = null;
            long seq = -1;
            char type = '\0';
            for (int i = 0; i + 1 < words.Length; i += 2)
            {
                switch (words[i])
                {
                    case "file":
                        name = words[i + 1];
                        break;
                    case "seq":
                        // Not a number, or too big for a long: invalid, never 0 (TryParse's failure value).
                        seq = long.TryParse(words[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n : -1;
                        break;
                    case "type":
                        type = words[i + 1].Length == 1 ? words[i + 1][0] : '\0';
                        break;
                }
            }

            // Redis 7 requires a non-zero seq (its "!ai->file_seq").
            if (name is null || seq < 1 || type is not ('b' or 'h' or 'i') || name.Contains('/', StringComparison.Ordinal))
            {
                return ([], $"Invalid AOF manifest file format at line {lineNo}");
            }

            // Redis 7's aofLoadManifestFromFile: at most one base, and incr files listed in
            // strictly increasing sequence order; either breach is a fatal manifest error, so a
            // second base is never loaded on top of the first.
            if (type == 'b' && haveBase)
            {
                return ([], $"Found duplicate base file information at line {lineNo}");
            }

            if (type == 'i' && seq <= maxIncrSeq)
            {
                return ([], $"Found a non-monotonic sequence number at line {lineNo}");
            }

            haveBase |= type == 'b';
            maxIncrSeq = type == 'i' ? seq : maxIncrSeq;
            files.Add(new AofManifestEntry(name, seq, type));
        }

        var ordered = files.Where(f => f.Type == 'b').Concat(files.Where(f => f.Type == 'i')).ToList();
        return ordered.Count == 0 ? ([], "The AOF manifest file names no AOF") : (ordered, null);
    }

    /// <summary>True when the file starts with the RDB signature (a base written with aof-use-rdb-preamble yes).</summary>
    public static bool IsRdb(ReadOnlySpan<byte> head) => head.Length >= 5 && head[..5].SequenceEqual("REDIS"u8);

    /// <summary>The manifest's text from its bytes.</summary>
    public static string Decode(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
