using AofSim.Engine.Data;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Commands.Families;

/// <summary>The string commands (the seed's t_string.c).</summary>
internal static class StringCommands
{
    /// <summary>Redis's proto-max-bulk-len for a string value: 512 MB.</summary>
    public const long MaxStringLength = 512L * 1024 * 1024;

    private static readonly byte[] SetName = "SET"u8.ToArray();
    private static readonly byte[] KeepTtl = "KEEPTTL"u8.ToArray();

    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("set", -3, CommandFlags.Write, Set),
        new("setnx", 3, CommandFlags.Write, SetNx),
        new("setex", 4, CommandFlags.Write, (c, a) => SetEx(c, a, 1000, "setex")),
        new("psetex", 4, CommandFlags.Write, (c, a) => SetEx(c, a, 1, "psetex")),
        new("get", 2, CommandFlags.ReadOnly, Get),
        new("getset", 3, CommandFlags.Write, GetSet),
        new("append", 3, CommandFlags.Write, Append),
        new("strlen", 2, CommandFlags.ReadOnly, StrLen),
        new("incr", 2, CommandFlags.Write, (c, a) => IncrDecr(c, a, 1)),
        new("decr", 2, CommandFlags.Write, (c, a) => IncrDecr(c, a, -1)),
        new("incrby", 3, CommandFlags.Write, (c, a) => IncrDecrBy(c, a, negate: false)),
        new("decrby", 3, CommandFlags.Write, (c, a) => IncrDecrBy(c, a, negate: true)),
        new("incrbyfloat", 3, CommandFlags.Write, IncrByFloat),
        new("mset", -3, CommandFlags.Write, MSet),
        new("msetnx", -3, CommandFlags.Write, MSetNx),
        new("mget", -2, CommandFlags.ReadOnly, MGet),
        new("setrange", 4, CommandFlags.Write, SetRange),
        new("getrange", 4, CommandFlags.ReadOnly, GetRange),
    ];

    /// <summary>
    /// The string at <paramref name="key"/> (which exists and holds <paramref name="e"/>) ready
    /// to be changed in place: a string set whole becomes a growable one first (the seed's
    /// dbUnshareStringValue), one shared with a snapshot is copied.
    /// </summary>
    internal static RedisString MutableString(CommandContext ctx, ReadOnlySpan<byte> key, DbEntry e)
    {
        if (e.Value is byte[] plain)
        {
            var grown = new RedisString(plain) { Epoch = ctx.Data.Epoch };
            ctx.Db.Overwrite(key, grown);
            return grown;
        }

        return ctx.Db.Mutable<RedisString>(key);
    }

    // SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]: Redis 7's grammar, which
    // is a superset of the seed era's (EX/PX/NX/XX) and covers what Redis 7 writes to its AOF.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Set(CommandContext ctx, CommandArgs a)
    {
        bool nx = false, xx = false, get = false, keepTtl = false;
        long expireAt = DbEntry.NoExpiry;
        string? unit = null;
        for (int i = 3; i < a.Count; i++)
        {
            bool hasNext = i + 1 < a.Count;
            if (a.Is(i, "NX"u8) && !xx)
            {
                nx = true;
            }
            else if (a.Is(i, "XX"u8) && !nx)
            {
                xx = true;
            }
            else if (a.Is(i, "GET"u8))
            {
                get = true;
            }
            else if (a.Is(i, "KEEPTTL"u8) && unit is null)
            {
                keepTtl = true;
            }
            else if (hasNext && unit is null && !keepTtl &&
                     (a.Is(i, "EX"u8) || a.Is(i, "PX"u8) || a.Is(i, "EXAT"u8) || a.Is(i, "PXAT"u8)))
            {
                unit = a.Text(i).ToUpperInvariant();
                if (!Args.Int64(ctx, a[++i], out long n))
                {
                    return;
                }

                if (!TryAbsoluteExpiry(ctx, unit, n, out expireAt))
                {
                    ctx.Reply.Error(Errors.InvalidExpire("set"));
                    return;
                }
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        bool exists = ctx.Lookup(a[1], out DbEntry old);
        if (get && exists && old.Type != RedisType.String)
        {
            ctx.Reply.Error(Errors.WrongType);
            return;
        }

        if ((nx && exists) || (xx && !exists))
        {
            if (get)
            {
                ReplyOld(ctx, exists, old);
            }
            else
            {
                ctx.Reply.Null();
            }

            return;
        }

        long keep = keepTtl && exists ? old.ExpireAt : DbEntry.NoExpiry;
        ctx.Db.Set(a[1], a.ToArray(2), unit is not null ? expireAt : keep);
        ctx.Dirty++;
        if (get)
        {
            ReplyOld(ctx, exists, old);
        }
        else
        {
            ctx.Reply.Ok();
        }
    }

    /// <summary>EX/PX/EXAT/PXAT to absolute ms; false when not positive or it would overflow.</summary>
    internal static bool TryAbsoluteExpiry(CommandContext ctx, string unit, long n, out long expireAt)
    {
        expireAt = 0;
        if (n <= 0)
        {
            return false;
        }

        bool seconds = unit is "EX" or "EXAT";
        if (seconds && n > long.MaxValue / 1000)
        {
            return false;
        }

        long ms = seconds ? n * 1000 : n;
        bool relative = unit is "EX" or "PX";
        if (relative && ms > long.MaxValue - ctx.NowMs)
        {
            return false;
        }

        expireAt = relative ? ctx.NowMs + ms : ms;
        return true;
    }

    private static void ReplyOld(CommandContext ctx, bool exists, DbEntry old)
    {
        if (exists)
        {
            ctx.Reply.Bulk(CommandContext.StringBytes(old.Value));
        }
        else
        {
            ctx.Reply.Null();
        }
    }

    private static void SetNx(CommandContext ctx, CommandArgs a)
    {
        if (ctx.Lookup(a[1], out _))
        {
            ctx.Reply.Integer(0);
            return;
        }

        ctx.SetKey(a[1], a.ToArray(2));
        ctx.Dirty++;
        ctx.Reply.Integer(1);
    }

    // SETEX/PSETEX: logged by the feed as SET + PEXPIREAT (catAppendOnlyExpireAtCommand).
    private static void SetEx(CommandContext ctx, CommandArgs a, long unitMs, string name)
    {
        if (!Args.Int64(ctx, a[2], out long n))
        {
            return;
        }

        if (n <= 0 || n > (long.MaxValue - ctx.NowMs) / unitMs)
        {
            ctx.Reply.Error(Errors.InvalidExpire(name));
            return;
        }

        ctx.Lookup(a[1], out _);
        ctx.Db.Set(a[1], a.ToArray(3), ctx.NowMs + (n * unitMs));
        ctx.Dirty++;
        ctx.Reply.Ok();
    }

    private static void Get(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        if (exists)
        {
            ctx.Reply.Bulk(CommandContext.StringBytes(e.Value));
        }
        else
        {
            ctx.Reply.Null();
        }
    }

    private static void MGet(CommandContext ctx, CommandArgs a)
    {
        ctx.Reply.ArrayHeader(a.Count - 1);
        for (int i = 1; i < a.Count; i++)
        {
            if (ctx.Lookup(a[i], out DbEntry e) && e.Type == RedisType.String)
            {
                ctx.Reply.Bulk(CommandContext.StringBytes(e.Value));
            }
            else
            {
                ctx.Reply.Null();
            }
        }
    }

    private static void GetSet(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry old, out bool exists))
        {
            return;
        }

        ReplyOld(ctx, exists, old);
        ctx.SetKey(a[1], a.ToArray(2));
        ctx.Dirty++;
    }

    private static void Append(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Db.Set(a[1], a.ToArray(2), DbEntry.NoExpiry);
            ctx.Dirty++;
            ctx.Reply.Integer(a[2].Length);
            return;
        }

        long total = (long)CommandContext.StringBytes(e.Value).Length + a[2].Length;
        if (total > MaxStringLength)
        {
            ctx.Reply.Error(Errors.StringTooLong);
            return;
        }

        // A string set whole becomes a growable one on its first append (the seed's
        // "unshare and make raw" step), so that repeated appends stay amortised O(1).
        RedisString grown = MutableString(ctx, a[1], e);

        grown.Append(a[2]);
        ctx.Dirty++;
        ctx.Reply.Integer(grown.Length);
    }

    // setrangeCommand (the same in 2.6 and 7.0): the value is written at the offset, the string
    // zero-padded up to it; an empty value changes nothing (and creates no key) but replies the
    // length; the result may not pass 512 MB.
    private static void SetRange(CommandContext ctx, CommandArgs a)
    {
        if (!Args.Int64(ctx, a[2], out long offset))
        {
            return;
        }

        if (offset < 0)
        {
            ctx.Reply.Error("ERR offset is out of range");
            return;
        }

        ReadOnlySpan<byte> value = a[3];
        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        if (value.Length == 0)
        {
            ctx.Reply.Integer(exists ? CommandContext.StringBytes(e.Value).Length : 0);
            return;
        }

        if (offset > MaxStringLength - value.Length)
        {
            ctx.Reply.Error(Errors.StringTooLong);
            return;
        }

        RedisString str;
        if (exists)
        {
            str = MutableString(ctx, a[1], e);
        }
        else
        {
            str = ctx.Db.Create(new RedisString([]));
            ctx.Db.Set(a[1], str, DbEntry.NoExpiry);
        }

        str.SetRange((int)offset, value);
        ctx.Dirty++;
        ctx.Reply.Integer(str.Length);
    }

    // getrangeCommand (7.0): negative indexes count from the end, the range is clamped, and an
    // empty range (or a missing key) is the empty bulk.
    private static void GetRange(CommandContext ctx, CommandArgs a)
    {
        if (!Args.Int64(ctx, a[2], out long start) || !Args.Int64(ctx, a[3], out long end))
        {
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        ReadOnlySpan<byte> str = exists ? CommandContext.StringBytes(e.Value) : [];
        long length = str.Length;
        if (start < 0 && end < 0 && start > end)
        {
            ctx.Reply.Bulk([]);
            return;
        }

        start = start < 0 ? Math.Max(0, length + start) : start;
        end = end < 0 ? Math.Max(0, length + end) : end;
        if (end >= length)
        {
            end = length - 1;
        }

        if (start > end || length == 0)
        {
            ctx.Reply.Bulk([]);
            return;
        }

        ctx.Reply.Bulk(str.Slice((int)start, (int)(end - start + 1)));
    }

    private static void StrLen(CommandContext ctx, CommandArgs a)
    {
        if (ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            ctx.Reply.Integer(exists ? CommandContext.StringBytes(e.Value).Length : 0);
        }
    }

    private static void IncrDecrBy(CommandContext ctx, CommandArgs a, bool negate)
    {
        if (!Args.Int64(ctx, a[2], out long by))
        {
            return;
        }

        if (negate)
        {
            if (by == long.MinValue)
            {
                ctx.Reply.Error("ERR decrement would overflow");
                return;
            }

            by = -by;
        }

        IncrDecr(ctx, a, by);
    }

    // incrDecrCommand: the new value replaces the old one and keeps its expiry (dbOverwrite).
    private static void IncrDecr(CommandContext ctx, CommandArgs a, long by)
    {
        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        long value = 0;
        if (exists && !Numbers.TryParseInt64(CommandContext.StringBytes(e.Value), out value))
        {
            ctx.Reply.Error(Errors.NotInteger);
            return;
        }

        if ((by < 0 && value < 0 && by < long.MinValue - value) || (by > 0 && value > 0 && by > long.MaxValue - value))
        {
            ctx.Reply.Error(Errors.Overflow);
            return;
        }

        value += by;
        byte[] stored = Numbers.Int64Bytes(value);
        if (exists)
        {
            ctx.Db.Overwrite(a[1], stored);
        }
        else
        {
            ctx.Db.Set(a[1], stored, DbEntry.NoExpiry);
        }

        ctx.Dirty++;
        ctx.Reply.Integer(value);
    }

    // INCRBYFLOAT is replicated as a SET of the result, so that float formatting can never make
    // a replay differ (the seed's comment); the fixed profile adds KEEPTTL so the replay keeps
    // the key's expiry as the live command did.
    private static void IncrByFloat(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.String, out DbEntry e, out bool exists))
        {
            return;
        }

        double value = 0;
        if (exists && !Numbers.TryParseDouble(CommandContext.StringBytes(e.Value), out value))
        {
            ctx.Reply.Error(Errors.NotFloat);
            return;
        }

        if (!Args.Double(ctx, a[2], out double by))
        {
            return;
        }

        double result = Numbers.AddFloat(value, by);
        if (double.IsNaN(result) || double.IsInfinity(result))
        {
            ctx.Reply.Error(Errors.NanOrInfinity);
            return;
        }

        byte[] stored = System.Text.Encoding.ASCII.GetBytes(Numbers.FormatIncrFloat(result));
        if (exists)
        {
            ctx.Db.Overwrite(a[1], stored);
        }
        else
        {
            ctx.Db.Set(a[1], stored, DbEntry.NoExpiry);
        }

        ctx.Dirty++;
        ctx.Reply.Bulk(stored);
        if (ctx.Profile.IncrByFloatKeepsTtl)
        {
            ctx.Rewrite(SetName, a.ToArray(1), stored, KeepTtl);
        }
        else
        {
            ctx.Rewrite(SetName, a.ToArray(1), stored);
        }
    }

    private static void MSet(CommandContext ctx, CommandArgs a)
    {
        if (a.Count % 2 == 0)
        {
            ctx.Reply.Error(Errors.Arity("mset"));
            return;
        }

        for (int i = 1; i < a.Count; i += 2)
        {
            ctx.SetKey(a[i], a.ToArray(i + 1));
        }

        ctx.Dirty += (a.Count - 1) / 2;
        ctx.Reply.Ok();
    }

    private static void MSetNx(CommandContext ctx, CommandArgs a)
    {
        if (a.Count % 2 == 0)
        {
            ctx.Reply.Error(Errors.Arity("msetnx"));
            return;
        }

        for (int i = 1; i < a.Count; i += 2)
        {
            if (ctx.Lookup(a[i], out _))
            {
                ctx.Reply.Integer(0);
                return;
            }
        }

        for (int i = 1; i < a.Count; i += 2)
        {
            ctx.SetKey(a[i], a.ToArray(i + 1));
        }

        ctx.Dirty += (a.Count - 1) / 2;
        ctx.Reply.Integer(1);
    }
}
