namespace AofSim.Engine.Text;

/// <summary>Glob-style matching as Redis's stringmatchlen: * ? [abc] [^a] [a-z] and \ escapes.</summary>
public static class Glob
{
    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        // Iterative matching with one backtrack point for the last '*': linear in practice and
        // never recursive, so a hostile pattern cannot blow the stack.
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == (byte)'*')
            {
                starP = p++;
                starT = t;
                continue;
            }

            if (p < pattern.Length && MatchOne(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP + 1;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == (byte)'*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    // Matches one pattern element at p against c; on success moves p past the element.
    private static bool MatchOne(ReadOnlySpan<byte> pattern, ref int p, byte c)
    {
        byte head = pattern[p];
        if (head == (byte)'?')
        {
            p++;
            return true;
        }

        if (head == (byte)'\\' && p + 1 < pattern.Length)
        {
            if (pattern[p + 1] != c)
            {
                return false;
            }

            p += 2;
            return true;
        }

        if (head != (byte)'[')
        {
            if (head != c)
            {
                return false;
            }

            p++;
            return true;
        }

        int i = p + 1;
        bool negate = i < pattern.Length && pattern[i] == (byte)'^';
        if (negate)
        {
            i++;
        }

        bool hit = false;
        while (i < pattern.Length && pattern[i] != (byte)']')
        {
            if (pattern[i] == (byte)'\\' && i + 1 < pattern.Length)
            {
                hit |= pattern[i + 1] == c;
                i += 2;
            }
            else if (i + 2 < pattern.Length && pattern[i + 1] == (byte)'-')
            {
                // As stringmatchlen: any three bytes x-y make a range, even when y is the ']'
                // that would have closed the set ("[a-]" is the range ]..a, swapped).
                byte lo = Math.Min(pattern[i], pattern[i + 2]);
                byte hi = Math.Max(pattern[i], pattern[i + 2]);
                hit |= c >= lo && c <= hi;
                i += 3;
            }
            else
            {
                hit |= pattern[i] == c;
                i++;
            }
        }

        if (negate)
        {
            hit = !hit;
        }

        if (!hit)
        {
            return false;
        }

        p = Math.Min(i + 1, pattern.Length);
        return true;
    }
}
