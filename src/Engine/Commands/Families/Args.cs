using AofSim.Engine.Text;

namespace AofSim.Engine.Commands.Families;

/// <summary>Argument parsing shared by the command families, replying the seed's errors.</summary>
internal static class Args
{
    /// <summary>getLongLongFromObjectOrReply.</summary>
    public static bool Int64(CommandContext ctx, ReadOnlySpan<byte> arg, out long value)
    {
        if (Numbers.TryParseInt64(arg, out value))
        {
            return true;
        }

        ctx.Reply.Error(Errors.NotInteger);
        return false;
    }

    /// <summary>getLongFromObjectOrReply for values that must fit an int (indexes, counts).</summary>
    public static bool Int32(CommandContext ctx, ReadOnlySpan<byte> arg, out int value)
    {
        value = 0;
        if (!Numbers.TryParseInt64(arg, out long v) || v < int.MinValue || v > int.MaxValue)
        {
            ctx.Reply.Error(Errors.NotInteger);
            return false;
        }

        value = (int)v;
        return true;
    }

    /// <summary>getDoubleFromObjectOrReply.</summary>
    public static bool Double(CommandContext ctx, ReadOnlySpan<byte> arg, out double value)
    {
        if (Numbers.TryParseDouble(arg, out value))
        {
            return true;
        }

        ctx.Reply.Error(Errors.NotFloat);
        return false;
    }

    /// <summary>
    /// Turns a (start, end) pair of possibly negative indexes into a clamped inclusive range over
    /// a sequence of <paramref name="length"/> items, as LRANGE/ZRANGE/LTRIM do.
    /// </summary>
    /// <returns>False when the range is empty.</returns>
    public static bool ClampRange(long start, long end, long length, out int from, out int to)
    {
        if (start < 0)
        {
            start += length;
        }

        if (end < 0)
        {
            end += length;
        }

        if (start < 0)
        {
            start = 0;
        }

        if (end >= length)
        {
            end = length - 1;
        }

        from = (int)Math.Max(0, Math.Min(start, int.MaxValue));
        to = (int)Math.Max(-1, Math.Min(end, int.MaxValue));
        return start <= end && start < length && length > 0;
    }
}
