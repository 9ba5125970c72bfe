using System.Text;
using AofSim.Engine.Resp;

namespace AofSim.Engine.Aof;

/// <summary>
/// Redis 7's multi-part AOF manifest (<c>appendonly.aof.manifest</c>): lines of
/// <c>file NAME seq N type b|h|i</c>. Loading replays the base, then the incr files in order.
/// <see cref="Parse"/> follows Redis 7.0's <c>aofLoadManifestFromFile</c> rule by rule, with its
/// error words, so that a manifest Redis refuses is refused here and one it takes is taken.
/// </summary>
public static class AofManifest
{
    // AOF_ANNOTATION_LINE_MAX_LEN: Redis reads the manifest with fgets into a buffer of this
    // many characters (plus the NUL), so a longer line arrives in pieces.
    private const int LineMax = 1024;

    /// <summary>The files to replay, base first, or an error message ending in the line it was found at.</summary>
    public static (IReadOnlyList<AofManifestEntry> Files, string? Error) Parse(string text)
    {
        AofManifestEntry? baseFile = null;
        var incr = new List<AofManifestEntry>();
        long maxIncrSeq = 0; // Redis's maxseq starts at 0: an incr file's seq must be above it
        int lineNo = 0;
        int at = 0;
        var argv = new List<byte[]>();
        while (true)
        {
            // fgets: up to LineMax characters, through the first newline.
            if (at >= text.Length)
            {
                if (lineNo == 0)
                {
                    return ([], "Found an empty AOF manifest");
                }

                break;
            }

            int newline = text.IndexOf('\n', at, Math.Min(LineMax, text.Length - at));
            int end = newline >= 0 ? newline + 1 : Math.Min(at + LineMax, text.Length);
            string buf = text[at..end];
            at = end;
            lineNo++;

            // Comment lines are skipped before anything else is asked of them.
            if (buf[0] == '#')
            {
                continue;
            }

            if (newline < 0)
            {
                return ([], $"The AOF manifest file contains too long line at line {lineNo}");
            }

            string line = buf.Trim(' ', '\t', '\r', '\n');
            // Fewer than six words, or an odd count, is malformed; more pairs are allowed (Redis
            // keeps room for future keys), and a blank line is an error, not a separator.
            if (line.Length == 0 || !InlineSplitter.TrySplit(Encoding.Latin1.GetBytes(line), argv) || argv.Count < 6 || argv.Count % 2 != 0)
            {
                return ([], Invalid(lineNo));
            }

            string? name = null;
            long seq = 0;
            char type = '\0';
            for (int i = 0; i < argv.Count; i += 2)
            {
                string key = Encoding.Latin1.GetString(argv[i]);
                string value = Encoding.Latin1.GetString(argv[i + 1]);
                if (key.Equals("file", StringComparison.OrdinalIgnoreCase))
                {
                    name = value;
                    if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
                    {
                        return ([], $"File can't be a path, just a filename at line {lineNo}");
                    }
                }
                else if (key.Equals("seq", StringComparison.OrdinalIgnoreCase))
                {
                    seq = Atoll(value);
                }
                else if (key.Equals("type", StringComparison.OrdinalIgnoreCase))
                {
                    type = value.Length > 0 ? value[0] : '\0';
                }
            }

            // "We have to make sure we load all the information": a name, a non-zero seq, a type.
            if (name is null || seq == 0 || type == '\0')
            {
                return ([], Invalid(lineNo));
            }

            // At most one base, and incr files in strictly increasing sequence order: either
            // breach is fatal, so a second base is never loaded on top of the first.
            switch (type)
            {
                case 'b' when baseFile is not null:
                    return ([], $"Found duplicate base file information at line {lineNo}");
                case 'b':
                    baseFile = new AofManifestEntry(name, seq, type);
                    break;
                case 'h':
                    break; // history files are waiting to be deleted, never loaded
                case 'i' when seq <= maxIncrSeq:
                    return ([], $"Found a non-monotonic sequence number at line {lineNo}");
                case 'i':
                    incr.Add(new AofManifestEntry(name, seq, type));
                    maxIncrSeq = seq;
                    break;
                default:
                    return ([], $"Unknown AOF file type at line {lineNo}");
            }
        }

        // A manifest that names only history files (or nothing but comments) is valid: Redis
        // then loads nothing, and the dataset starts empty.
        return (baseFile is null ? incr : [baseFile, .. incr], null);
    }

    /// <summary>True when the file starts with the RDB signature (a base written with aof-use-rdb-preamble yes).</summary>
    public static bool IsRdb(ReadOnlySpan<byte> head) => head.Length >= 5 && head[..5].SequenceEqual("REDIS"u8);

    /// <summary>The manifest's text from its bytes.</summary>
    public static string Decode(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private static string Invalid(int lineNo) => $"Invalid AOF manifest file format at line {lineNo}";

    // C's atoll as glibc has it (strtoll): leading blanks, a sign, digits up to the first other
    // character; an overflow saturates. "12abc" is 12 and "abc" is 0, which the caller refuses.
    private static long Atoll(string s)
    {
        int i = 0;
        while (i < s.Length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
        {
            i++;
        }

        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        ulong magnitude = 0;
        ulong limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        for (; i < s.Length && s[i] >= '0' && s[i] <= '9'; i++)
        {
            ulong digit = (ulong)(s[i] - '0');
            magnitude = magnitude > (limit - digit) / 10 ? limit : (magnitude * 10) + digit;
        }

        return negative ? unchecked((long)(0 - magnitude)) : (long)magnitude;
    }
}
