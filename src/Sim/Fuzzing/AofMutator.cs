using System.Globalization;
using System.Text;
using AofSim.Engine.Commands;

namespace AofSim.Sim.Fuzzing;

/// <summary>
/// Makes damaged AOFs from a corpus of good (and some already damaged) ones: bit flips, byte
/// inserts and deletes, edits of a '*' count or '$' length to huge, negative, off-by-one or
/// malformed numbers, splices of two corpus entries, duplicated chunks and truncations. All
/// chance comes from the generator passed in, so an input is a function of (seed, index).
/// </summary>
public sealed class AofMutator
{
    /// <summary>No input grows past this: a fuzz input is small, its claims are not.</summary>
    public const int MaxInput = 1 << 17;

    // What a length field is replaced with: past long.MaxValue - 2 (the checker's range limit),
    // at and around long/int/uint limits, negative, zero, and forms strtol reads but a strict
    // parser refuses (sign, spaces, leading zeros, nothing).
    private static readonly string[] Claims =
    [
        "9223372036854775807", "9223372036854775806", "9223372036854775805", "9223372036854775808",
        "18446744073709551615", "18446744073709551616", "99999999999999999999999", "2147483647",
        "2147483648", "4294967295", "4294967296", "1099511627776", "536870912", "-1", "-2",
        "-9223372036854775808", "-9223372036854775809", "-2147483648", "0", "00", "+3", " 3", "3 ",
        "03", string.Empty, "-", "1e3", "0x10",
    ];

    private static readonly byte[] Interesting = [(byte)'*', (byte)'$', (byte)'\r', (byte)'\n', (byte)'#', (byte)'-', (byte)'+', (byte)'0', (byte)'1', (byte)'2', (byte)'9', (byte)' ', 0, 0xff];

    private readonly IReadOnlyList<byte[]> corpus;

    /// <summary>Creates a mutator over <paramref name="corpus"/> (at least one entry).</summary>
    public AofMutator(IReadOnlyList<byte[]> corpus)
    {
        ArgumentOutOfRangeException.ThrowIfZero(corpus.Count);
        this.corpus = corpus;
    }

    /// <summary>The kinds of mutation, in the order <see cref="Apply"/> numbers them.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        ["bit-flip", "insert-byte", "delete-bytes", "length-edit", "splice", "truncate", "duplicate-chunk", "overwrite-byte"];

    /// <summary>
    /// One input: a corpus entry with one mutation, or (one time in four) two to four; a third
    /// of them length edits. The loader stops at the first damage, so most inputs carry one, to
    /// reach past it into the commands.
    /// </summary>
    public byte[] Next(SplitMix64 rng)
    {
        var data = new List<byte>(corpus[rng.Next(corpus.Count)]);
        int n = rng.Next(4) == 0 ? 2 + rng.Next(3) : 1;
        for (int i = 0; i < n; i++)
        {
            Apply(data, rng.Next(3) == 0 ? 3 : rng.Next(Kinds.Count), rng);
        }

        if (data.Count > MaxInput)
        {
            data.RemoveRange(MaxInput, data.Count - MaxInput);
        }

        return [.. data];
    }

    /// <summary>Applies mutation <paramref name="kind"/> (an index in <see cref="Kinds"/>) to <paramref name="data"/>.</summary>
    public void Apply(List<byte> data, int kind, SplitMix64 rng)
    {
        int count = data.Count;
        switch (kind)
        {
            case 0 when count > 0:
                int at = rng.Next(count);
                data[at] ^= (byte)(1 << rng.Next(8));
                break;
            case 1:
                data.Insert(rng.Next(count + 1), rng.Next(2) == 0 ? Interesting[rng.Next(Interesting.Length)] : (byte)rng.Next(256));
                break;
            case 2 when count > 0:
                int from = rng.Next(count);
                data.RemoveRange(from, 1 + rng.Next(Math.Min(16, count - from)));
                break;
            case 3:
                EditLength(data, rng);
                break;
            case 4:
                byte[] other = corpus[rng.Next(corpus.Count)];
                if (other.Length > 0)
                {
                    int a = rng.Next(other.Length);
                    int len = 1 + rng.Next(other.Length - a);
                    int to = rng.Next(count + 1);
                    if (rng.Next(2) == 0)
                    {
                        data.RemoveRange(to, count - to); // the other's chunk replaces the tail
                    }

                    data.InsertRange(Math.Min(to, data.Count), other.AsSpan(a, len).ToArray());
                }

                break;
            case 5 when count > 0:
                int cut = rng.Next(count);
                data.RemoveRange(cut, count - cut);
                break;
            case 6 when count > 0:
                int s = rng.Next(count);
                int l = 1 + rng.Next(Math.Min(256, count - s));
                data.InsertRange(rng.Next(count + 1), data.GetRange(s, l));
                break;
            case 7 when count > 0:
                data[rng.Next(count)] = Interesting[rng.Next(Interesting.Length)];
                break;
        }
    }

    // Replaces the number of one '*' or '$' header (a marker at the start of a line) with a
    // claim from the table or the old value off by one or two.
    private static void EditLength(List<byte> data, SplitMix64 rng)
    {
        int count = data.Count;
        if (count == 0)
        {
            return;
        }

        int start = rng.Next(count);
        int header = -1;
        for (int k = 0; k < count; k++)
        {
            int p = (start + k) % count;
            if (data[p] is (byte)'*' or (byte)'$' && (p == 0 || data[p - 1] == (byte)'\n'))
            {
                header = p;
                break;
            }
        }

        if (header < 0)
        {
            return;
        }

        int digits = header + 1;
        int end = digits;
        while (end < count && end - digits < 24 && data[end] is not ((byte)'\r' or (byte)'\n'))
        {
            end++;
        }

        string old = Encoding.Latin1.GetString([.. data.GetRange(digits, end - digits)]);
        string claim;
        if (rng.Next(3) == 0 && long.TryParse(old, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) && v is > long.MinValue + 2 and < long.MaxValue - 2)
        {
            claim = (v + (rng.Next(4) switch { 0 => -2, 1 => -1, 2 => 1, _ => 2 })).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            claim = Claims[rng.Next(Claims.Length)];
        }

        data.RemoveRange(digits, end - digits);
        data.InsertRange(digits, Encoding.Latin1.GetBytes(claim));
    }
}
