using AofSim.Engine.Text;

namespace AofSim.Engine.Resp;

/// <summary>
/// Splits an inline command line into arguments by the rules of Redis's sdssplitargs (what
/// processInlineBuffer calls): words separated by blanks; in "double quotes" the escapes \xHH,
/// \n, \r, \t, \b, \a and backslash before any other character (taken as itself); in 'single
/// quotes' only \' is an escape. A closing quote must be followed by a blank or the end of the
/// line, and a quote left open makes the whole line invalid ("unbalanced quotes").
/// </summary>
public static class InlineSplitter
{
    /// <summary>
    /// Splits <paramref name="line"/> (without its line ending) into <paramref name="argv"/>.
    /// </summary>
    /// <returns>False when the quotes are unbalanced; <paramref name="argv"/> is then empty.</returns>
    public static bool TrySplit(ReadOnlySpan<byte> line, List<byte[]> argv)
    {
        argv.Clear();

        // The seed works on a C string: a NUL ends the line (inside quotes, it leaves them open).
        int nul = line.IndexOf((byte)0);
        if (nul >= 0)
        {
            line = line[..nul];
        }

        var word = new List<byte>();
        int p = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p]))
            {
                p++;
            }

            if (p == line.Length)
            {
                return true;
            }

            word.Clear();
            if (!TryWord(line, ref p, word))
            {
                argv.Clear();
                return false;
            }

            argv.Add([.. word]);
        }
    }

    // One word from line[p]; p ends past it (and past the blank or quote that ended it).
    private static bool TryWord(ReadOnlySpan<byte> line, ref int p, List<byte> word)
    {
        bool inDouble = false, inSingle = false;
        while (true)
        {
            bool atEnd = p == line.Length;
            byte c = atEnd ? (byte)0 : line[p];
            if (inDouble)
            {
                if (atEnd)
                {
                    return false;
                }

                if (c == '\\' && p + 3 < line.Length && line[p + 1] == 'x' && Numbers.HexDigit(line[p + 2]) >= 0 && Numbers.HexDigit(line[p + 3]) >= 0)
                {
                    word.Add((byte)((Numbers.HexDigit(line[p + 2]) << 4) | Numbers.HexDigit(line[p + 3])));
                    p += 4;
                    continue;
                }

                if (c == '\\' && p + 1 < line.Length)
                {
                    byte e = line[p + 1];
                    word.Add(e switch
                    {
                        (byte)'n' => (byte)'\n',
                        (byte)'r' => (byte)'\r',
                        (byte)'t' => (byte)'\t',
                        (byte)'b' => (byte)'\b',
                        (byte)'a' => (byte)'\a',
                        _ => e,
                    });
                    p += 2;
                    continue;
                }

                if (c == '"')
                {
                    return ClosingQuote(line, ref p);
                }

                word.Add(c);
                p++;
            }
            else if (inSingle)
            {
                if (atEnd)
                {
                    return false;
                }

                if (c == '\\' && p + 1 < line.Length && line[p + 1] == '\'')
                {
                    word.Add((byte)'\'');
                    p += 2;
                    continue;
                }

                if (c == '\'')
                {
                    return ClosingQuote(line, ref p);
                }

                word.Add(c);
                p++;
            }
            else
            {
                // Outside quotes only these end a word (the blanks skipped between words are
                // all of isspace's, \v and \f too).
                if (atEnd || c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
                {
                    if (!atEnd)
                    {
                        p++;
                    }

                    return true;
                }

                if (c == '"')
                {
                    inDouble = true;
                }
                else if (c == '\'')
                {
                    inSingle = true;
                }
                else
                {
                    word.Add(c);
                }

                p++;
            }
        }
    }

    // A closing quote must be followed by a blank or nothing at all ("foo"bar is an error).
    private static bool ClosingQuote(ReadOnlySpan<byte> line, ref int p)
    {
        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
        {
            return false;
        }

        p = Math.Min(p + 2, line.Length);
        return true;
    }

    // C's isspace in the C locale.
    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
}
