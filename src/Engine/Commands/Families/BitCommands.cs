using System.Numerics;
using AofSim.Engine.Data;
using AofSim.Engine.Text;

namespace AofSim.Engine.Commands.Families;

/// <summary>The bit commands on strings (the seed's bitops.c): SETBIT, GETBIT, BITCOUNT.</summary>
internal static class BitCommands
{
    private const string BadOffset = "ERR bit offset is not an integer or out of range";
    private const string BadBit = "ERR bit is not an integer or out of range";

    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("setbit", 4, CommandFlags.Write, SetBit),
        new("getbit", 3, CommandFlags.ReadOnly, GetBit),
        new("bitcount", -2, CommandFlags.ReadOnly, BitCount),
    ];

    // getBitOffsetFromArgument: a non-negative integer whose byte (offset >> 3) stays below
    // 512 MB, so that the string it may grow stays within the limit.
    private static bool Offset(CommandContext ctx, ReadOnlySpan<byte> arg, out long offset)
    {
        if (!Numbers.TryParseInt64(arg, out offset) || offset < 0 || (offset >> 3) >= StringCommands.MaxStringLength)
        {
            ctx.Reply.Error(BadOffset);
            return false;
        }

        return true;
    }

    // setbitCommand: bit 0 is the most significant bit of byte 0; the string is zero-padded up to
    // the bit's byte; the reply is the bit's old value. As in the seed, every SETBIT that passes
    // its checks counts as a change (Redis 7 counts only a real one), so it is always logged.
    private static void SetBit(CommandContext ctx, CommandArgs a)
    {
        if (!Offset(ctx, a[2], out long bitOffset))
        {
            return;
        }

        if (!Numbers.TryParseInt64(a[3], out long on) || (on & ~1L) != 0)
        {
            ctx.Reply.Error(BadBit);
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        RedisString str;
        if (exists)
        {
            str = StringCommands.MutableString(ctx, a[1], e);
        }
        else
        {
            str = ctx.Db.Create(new RedisString([]));
            ctx.Db.Set(a[1], str, DbEntry.NoExpiry);
        }

        int index = (int)(bitOffset >> 3);
        str.GrowZero(index + 1);
        int bit = 7 - (int)(bitOffset & 7);
        ref byte b = ref str.Writable[index];
        int old = (b >> bit) & 1;
        b = (byte)((b & ~(1 << bit)) | ((int)on << bit));
        ctx.Dirty++;
        ctx.Reply.Integer(old);
    }

    private static void GetBit(CommandContext ctx, CommandArgs a)
    {
        if (!Offset(ctx, a[2], out long bitOffset))
        {
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        ReadOnlySpan<byte> str = exists ? CommandContext.StringBytes(e.Value) : [];
        long index = bitOffset >> 3;
        int bit = 7 - (int)(bitOffset & 7);
        ctx.Reply.Integer(index < str.Length ? (str[(int)index] >> bit) & 1 : 0);
    }

    // bitcountCommand (7.0): BITCOUNT key [start end [BYTE|BIT]]. The key is looked up first: a
    // missing key replies 0 whatever the arguments, a key of another type WRONGTYPE.
    private static void BitCount(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Integer(0);
            return;
        }

        ReadOnlySpan<byte> str = CommandContext.StringBytes(e.Value);
        long start, end;
        byte firstMask = 0, lastMask = 0;
        if (a.Count is 4 or 5)
        {
            if (!Args.Int64(ctx, a[2], out start) || !Args.Int64(ctx, a[3], out end))
            {
                return;
            }

            if (start < 0 && end < 0 && start > end)
            {
                ctx.Reply.Integer(0);
                return;
            }

            bool isBit = false;
            if (a.Count == 5)
            {
                if (a.Is(4, "BIT"u8))
                {
                    isBit = true;
                }
                else if (!a.Is(4, "BYTE"u8))
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }
            }

            long total = isBit ? (long)str.Length << 3 : str.Length;
            start = start < 0 ? Math.Max(0, total + start) : start;
            end = end < 0 ? Math.Max(0, total + end) : end;
            if (end >= total)
            {
                end = total - 1;
            }

            if (isBit && start <= end)
            {
                // The bits of the edge bytes outside the range are masked out of the count.
                firstMask = (byte)(~((1 << (8 - (int)(start & 7))) - 1) & 0xFF);
                lastMask = (byte)((1 << (7 - (int)(end & 7))) - 1);
                start >>= 3;
                end >>= 3;
            }
        }
        else if (a.Count == 2)
        {
            start = 0;
            end = str.Length - 1;
        }
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }

        if (start > end)
        {
            ctx.Reply.Integer(0);
            return;
        }

        long count = 0;
        foreach (byte b in str.Slice((int)start, (int)(end - start + 1)))
        {
            count += BitOperations.PopCount(b);
        }

        count -= BitOperations.PopCount((uint)(str[(int)start] & firstMask)) + BitOperations.PopCount((uint)(str[(int)end] & lastMask));
        ctx.Reply.Integer(count);
    }
}
