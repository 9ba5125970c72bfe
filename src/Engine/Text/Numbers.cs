using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Text;

/// <summary>
/// Number parsing and printing with the exact rules of the C library calls the seed uses:
/// string2ll for integers, strtod for doubles, and printf's <c>%.17g</c> for scores.
/// </summary>
public static class Numbers
{
    /// <summary>
    /// Parses a whole byte string as a signed 64-bit decimal integer, as Redis's string2ll:
    /// an optional '-', no '+', no spaces, no leading zeros, no overflow.
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseInt64(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
        {
            return false;
        }

        if (s.Length == 1 && s[0] == (byte)'0')
        {
            return true;
        }

        bool negative = s[0] == (byte)'-';
        int i = negative ? 1 : 0;
        if (i == s.Length || s[i] < (byte)'1' || s[i] > (byte)'9')
        {
            return false;
        }

        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - (byte)'0');
            if (d > 9 || v > (ulong.MaxValue - d) / 10)
            {
                return false;
            }

            v = (v * 10) + d;
        }

        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = (long)(0 - v);
            return true;
        }

        if (v > long.MaxValue)
        {
            return false;
        }

        value = (long)v;
        return true;
    }

    /// <summary>
    /// Parses a whole byte string as a double, as the seed's getDoubleFromObject over strtod:
    /// decimal and exponent forms, "inf"/"infinity" with a sign, no leading space, nothing left
    /// over, and never NaN.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.IsEmpty || s[0] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f')
        {
            return false;
        }

        ReadOnlySpan<byte> body = s[0] is (byte)'+' or (byte)'-' ? s[1..] : s;
        if (System.Text.Ascii.EqualsIgnoreCase(body, "inf"u8) || System.Text.Ascii.EqualsIgnoreCase(body, "infinity"u8))
        {
            value = s[0] == (byte)'-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        // strtod reads C99 hexadecimal floats too ("0x1p3" is 8, ZADD takes it).
        if (body.Length > 1 && body[0] == (byte)'0' && (body[1] | 0x20) == (byte)'x')
        {
            return TryParseHexDouble(body[2..], s[0] == (byte)'-', out value);
        }

        foreach (byte b in body)
        {
            if (!(b is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-'))
            {
                return false;
            }
        }

        // Parsed from the bytes themselves: no copy, so no length limit (the seed's strtod has none).
        if (!double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        // The seed refuses strtod's ERANGE when the result overflowed to HUGE_VAL or underflowed
        // to 0 (a denormal result is kept): "1e400" and "1e-400" are not valid floats.
        if (double.IsInfinity(value) || (value == 0 && HasNonZeroDigit(body)))
        {
            value = 0;
            return false;
        }

        return !double.IsNaN(value);
    }

    // A non-zero digit in the mantissa (before any exponent): its value cannot be 0.
    private static bool HasNonZeroDigit(ReadOnlySpan<byte> body)
    {
        foreach (byte b in body)
        {
            if (b is (byte)'e' or (byte)'E')
            {
                return false;
            }

            if (b is >= (byte)'1' and <= (byte)'9')
            {
                return true;
            }
        }

        return false;
    }

    // strtod's hexadecimal form after "0x": hex digits with an optional point (at least one
    // digit), then an optional binary exponent "p" with a sign and at least one decimal digit.
    // Anything left over makes the whole string invalid, as the seed's eptr check does.
    private static bool TryParseHexDouble(ReadOnlySpan<byte> s, bool negative, out double value)
    {
        value = 0;
        double mantissa = 0;
        long scale = 0;
        int digits = 0, i = 0;
        bool point = false;
        for (; i < s.Length; i++)
        {
            int d = HexDigit(s[i]);
            if (d >= 0)
            {
                // Past 2^60 the digits no longer change a double: count them in the scale.
                if (mantissa < (double)(1UL << 60))
                {
                    mantissa = (mantissa * 16) + d;
                    scale -= point ? 4 : 0;
                }
                else
                {
                    scale += point ? 0 : 4;
                }

                digits++;
            }
            else if (s[i] == (byte)'.' && !point)
            {
                point = true;
            }
            else
            {
                break;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        long exponent = 0;
        if (i < s.Length && (s[i] | 0x20) == (byte)'p')
        {
            i++;
            bool minus = i < s.Length && s[i] == (byte)'-';
            i += i < s.Length && s[i] is (byte)'+' or (byte)'-' ? 1 : 0;
            int expDigits = 0;
            for (; i < s.Length && s[i] is >= (byte)'0' and <= (byte)'9'; i++, expDigits++)
            {
                exponent = Math.Min(100_000, (exponent * 10) + (s[i] - '0')); // far past any double's range
            }

            if (expDigits == 0)
            {
                return false;
            }

            exponent = minus ? -exponent : exponent;
        }

        if (i != s.Length)
        {
            return false;
        }

        value = Math.ScaleB(negative ? -mantissa : mantissa, (int)Math.Clamp(exponent + scale, -200_000, 200_000));
        if (double.IsInfinity(value) || (value == 0 && mantissa != 0))
        {
            value = 0;
            return false;
        }

        return true;
    }

    /// <summary>The value of a hexadecimal digit (either case), or -1 when <paramref name="b"/> is not one.</summary>
    public static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>Formats as C's <c>printf("%.17g")</c>: what the seed writes for scores.</summary>
    public static string FormatG17(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-inf";
        }

        if (double.IsNaN(value))
        {
            return "nan";
        }

        // .NET's G17 chooses fixed or exponent form by the same rule as %g (exponent < -4 or
        // >= precision) and drops trailing zeros; C writes a lower-case 'e'.
        return value.ToString("G17", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    /// <summary>The longest <see cref="FormatG17"/> result, in bytes ("-1.2345678901234567e-308").</summary>
    public const int MaxG17Length = 32;

    /// <summary>
    /// <see cref="FormatG17"/> as ASCII into <paramref name="into"/> (at least
    /// <see cref="MaxG17Length"/> bytes), without a string: scores are formatted per member.
    /// </summary>
    /// <returns>The bytes written.</returns>
    public static int WriteG17(double value, Span<byte> into)
    {
        ReadOnlySpan<byte> special = double.IsPositiveInfinity(value) ? "inf"u8
            : double.IsNegativeInfinity(value) ? "-inf"u8
            : double.IsNaN(value) ? "nan"u8
            : default;
        if (!special.IsEmpty)
        {
            special.CopyTo(into);
            return special.Length;
        }

        // The same formatting as the string form's ToString("G17"), written as UTF-8.
        if (!value.TryFormat(into, out int written, "G17", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("G17 form longer than expected");
        }

        into[..written].Replace((byte)'E', (byte)'e');
        return written;
    }

    /// <summary>Appends <see cref="FormatG17"/> of <paramref name="value"/> as ASCII.</summary>
    public static ByteBuffer AppendG17(this ByteBuffer buffer, double value)
    {
        Span<byte> text = stackalloc byte[MaxG17Length];
        return buffer.Append(text[..WriteG17(value, text)]);
    }

    /// <summary>The ASCII bytes of <paramref name="value"/> in decimal.</summary>
    public static byte[] Int64Bytes(long value)
    {
        Span<byte> tmp = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, tmp, out int n);
        return tmp[..n].ToArray();
    }

    /// <summary>
    /// The string Redis stores after INCRBYFLOAT / HINCRBYFLOAT: the shortest decimal that reads
    /// back as the same value, in plain (non-exponent) notation, no trailing zeros.
    /// </summary>
    /// <remarks>
    /// The seed computes in C's long double and prints "%.17Lf" with trailing zeros removed. C#
    /// has no 80-bit type; the sum is done in decimal when both operands fit (so 0.1 + 0.2 gives
    /// "0.3", as long double does) and in double otherwise. Results are the same for ordinary
    /// inputs; the replay is unaffected because the result is logged as a SET of this string.
    /// </remarks>
    public static string FormatIncrFloat(double value)
    {
        string s = value.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E', StringComparison.Ordinal))
        {
            s = value.ToString("F17", CultureInfo.InvariantCulture);
            if (s.Contains('.', StringComparison.Ordinal))
            {
                s = s.TrimEnd('0').TrimEnd('.');
            }
        }

        return s == "-0" ? "0" : s;
    }

    /// <summary>Adds an increment to a value the way INCRBYFLOAT does (see <see cref="FormatIncrFloat"/>).</summary>
    public static double AddFloat(double current, double increment)
    {
        // Decimal only where both operands survive the trip to decimal and back unchanged.
        if (Math.Abs(current) < 7.9e27 && Math.Abs(increment) < 7.9e27
            && (double)(decimal)current == current && (double)(decimal)increment == increment)
        {
            return (double)((decimal)current + (decimal)increment);
        }

        return current + increment;
    }
}
