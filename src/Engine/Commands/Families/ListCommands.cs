using AofSim.Engine.Data;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Commands.Families;

/// <summary>The list commands (Redis 7's t_list.c).</summary>
internal static class ListCommands
{
    /// <summary>getPositiveLongFromObjectOrReply's message.</summary>
    internal const string NotPositive = "ERR value is out of range, must be positive";

    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("lpush", -3, CommandFlags.Write, (c, a) => Push(c, a, left: true, onlyIfExists: false)),
        new("rpush", -3, CommandFlags.Write, (c, a) => Push(c, a, left: false, onlyIfExists: false)),
        new("lpushx", -3, CommandFlags.Write, (c, a) => Push(c, a, left: true, onlyIfExists: true)),
        new("rpushx", -3, CommandFlags.Write, (c, a) => Push(c, a, left: false, onlyIfExists: true)),
        new("lpop", -2, CommandFlags.Write, (c, a) => Pop(c, a, left: true)),
        new("rpop", -2, CommandFlags.Write, (c, a) => Pop(c, a, left: false)),
        new("lset", 4, CommandFlags.Write, LSet),
        new("lrem", 4, CommandFlags.Write, LRem),
        new("ltrim", 4, CommandFlags.Write, LTrim),
        new("linsert", 5, CommandFlags.Write, LInsert),
        new("rpoplpush", 3, CommandFlags.Write, (c, a) => Move(c, a, fromLeft: false, toLeft: true)),
        new("lmove", 5, CommandFlags.Write, LMove),
        new("lrange", 4, CommandFlags.ReadOnly, LRange),
        new("llen", 2, CommandFlags.ReadOnly, LLen),
        new("lindex", 3, CommandFlags.ReadOnly, LIndex),
    ];

    // pushGenericCommand: every element pushed counts as one change; the X forms do nothing
    // (and reply 0) when the key is missing.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Push(CommandContext ctx, CommandArgs a, bool left, bool onlyIfExists)
    {
        if (!ctx.LookupTyped(a[1], RedisType.List, out _, out bool exists))
        {
            return;
        }

        RedisList list;
        if (exists)
        {
            list = ctx.Db.Mutable<RedisList>(a[1]);
        }
        else if (onlyIfExists)
        {
            ctx.Reply.Integer(0);
            return;
        }
        else
        {
            list = ctx.Db.Create(new RedisList());
            ctx.Db.Set(a[1], list, DbEntry.NoExpiry);
        }

        for (int i = 2; i < a.Count; i++)
        {
            if (left)
            {
                list.Items.PushFront(a.ToArray(i));
            }
            else
            {
                list.Items.PushBack(a.ToArray(i));
            }
        }

        ctx.Dirty += a.Count - 2;
        ctx.Reply.Integer(list.Items.Count);
    }

    // popGenericCommand: LPOP key [count]. The count is checked before the key; a missing key
    // replies a null bulk, or a null array when a count was given; a count of 0 an empty array.
    private static void Pop(CommandContext ctx, CommandArgs a, bool left)
    {
        if (a.Count > 3)
        {
            ctx.Reply.Error(Errors.Arity(left ? "lpop" : "rpop"));
            return;
        }

        bool hasCount = a.Count == 3;
        long count = 0;
        if (hasCount && !PositiveCount(ctx, a[2], out count))
        {
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.List, out _, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            if (hasCount)
            {
                ctx.Reply.NullArray();
            }
            else
            {
                ctx.Reply.Null();
            }

            return;
        }

        if (hasCount && count == 0)
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }

        RedisList list = ctx.Db.Mutable<RedisList>(a[1]);
        if (!hasCount)
        {
            ctx.Reply.Bulk(PopOne(list, left));
        }
        else
        {
            int n = (int)Math.Min(count, list.Items.Count);
            ctx.Reply.ArrayHeader(n);
            for (int i = 0; i < n; i++)
            {
                ctx.Reply.Bulk(PopOne(list, left));
            }

            count = n;
        }

        ctx.DeleteIfEmpty(a[1], list.Items.Count);
        ctx.Dirty += hasCount ? count : 1;
    }

    private static byte[] PopOne(RedisList list, bool left) =>
        left ? list.Items.PopFront() : list.Items.PopBack();


    /// <summary>getPositiveLongFromObjectOrReply: a non-negative integer, else "must be positive".</summary>
    internal static bool PositiveCount(CommandContext ctx, ReadOnlySpan<byte> arg, out long count)
    {
        if (Text.Numbers.TryParseInt64(arg, out count) && count >= 0)
        {
            return true;
        }

        ctx.Reply.Error(NotPositive);
        return false;
    }

    // lsetCommand: the key must exist (checked before the index is parsed).
    private static void LSet(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.List, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Error(Errors.NoSuchKey);
            return;
        }

        if (!Args.Int64(ctx, a[2], out long index))
        {
            return;
        }

        int length = ((RedisList)e.Value).Items.Count;
        if (index < 0)
        {
            index += length;
        }

        if (index < 0 || index >= length)
        {
            ctx.Reply.Error(Errors.IndexOutOfRange);
            return;
        }

        ctx.Db.Mutable<RedisList>(a[1]).Items[(int)index] = a.ToArray(3);
        ctx.Dirty++;
        ctx.Reply.Ok();
    }

    // lremCommand: count > 0 removes from the head, < 0 from the tail, 0 every match; each
    // element removed is one change.
    private static void LRem(CommandContext ctx, CommandArgs a)
    {
        if (!Args.Int64(ctx, a[2], out long toRemove))
        {
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.List, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Integer(0);
            return;
        }

        Deque<byte[]> items = ((RedisList)e.Value).Items;
        ReadOnlySpan<byte> element = a[3];
        long matches = 0;
        for (int i = 0; i < items.Count; i++)
        {
            if (element.SequenceEqual(items[i]))
            {
                matches++;
            }
        }

        if (matches == 0)
        {
            ctx.Reply.Integer(0);
            return;
        }

        // Which matches go: the first |count| from the head, or the last |count| (from the tail).
        long limit = toRemove == 0 ? matches : Math.Min(matches, toRemove == long.MinValue ? long.MaxValue : Math.Abs(toRemove));
        long skip = toRemove < 0 ? matches - limit : 0;
        byte[] target = a.ToArray(3);
        RedisList list = ctx.Db.Mutable<RedisList>(a[1]);
        long seen = 0;
        int removed = list.Items.RemoveWhere((_, item) =>
        {
            if (!target.AsSpan().SequenceEqual(item))
            {
                return false;
            }

            seen++;
            return seen > skip && seen <= skip + limit;
        });

        ctx.DeleteIfEmpty(a[1], list.Items.Count);
        ctx.Dirty += removed;
        ctx.Reply.Integer(removed);
    }

    // ltrimCommand: a missing key is +OK; the changes are the elements dropped, so a trim that
    // keeps everything is not propagated.
    private static void LTrim(CommandContext ctx, CommandArgs a)
    {
        if (!Args.Int64(ctx, a[2], out long start) || !Args.Int64(ctx, a[3], out long end))
        {
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.List, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Ok();
            return;
        }

        int length = ((RedisList)e.Value).Items.Count;
        int dropped;
        if (!Args.ClampRange(start, end, length, out int from, out int to))
        {
            dropped = length;
            ctx.Delete(a[1]);
        }
        else
        {
            dropped = length - (to - from + 1);
            if (dropped > 0)
            {
                ctx.Db.Mutable<RedisList>(a[1]).Items.Trim(from, to);
            }
        }

        ctx.Dirty += dropped;
        ctx.Reply.Ok();
    }

    // linsertCommand: -1 when the pivot is absent, 0 when the key is.
    private static void LInsert(CommandContext ctx, CommandArgs a)
    {
        bool after;
        if (a.Is(2, "AFTER"u8))
        {
            after = true;
        }
        else if (a.Is(2, "BEFORE"u8))
        {
            after = false;
        }
        else
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.List, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Integer(0);
            return;
        }

        Deque<byte[]> items = ((RedisList)e.Value).Items;
        ReadOnlySpan<byte> pivot = a[3];
        int at = -1;
        for (int i = 0; i < items.Count; i++)
        {
            if (pivot.SequenceEqual(items[i]))
            {
                at = i;
                break;
            }
        }

        if (at < 0)
        {
            ctx.Reply.Integer(-1);
            return;
        }

        RedisList list = ctx.Db.Mutable<RedisList>(a[1]);
        list.Items.Insert(after ? at + 1 : at, a.ToArray(4));
        ctx.Dirty++;
        ctx.Reply.Integer(list.Items.Count);
    }

    private static void LMove(CommandContext ctx, CommandArgs a)
    {
        if (!Side(ctx, a, 3, out bool fromLeft) || !Side(ctx, a, 4, out bool toLeft))
        {
            return;
        }

        Move(ctx, a, fromLeft, toLeft);
    }

    private static bool Side(CommandContext ctx, CommandArgs a, int index, out bool left)
    {
        left = a.Is(index, "LEFT"u8);
        if (left || a.Is(index, "RIGHT"u8))
        {
            return true;
        }

        ctx.Reply.Error(Errors.Syntax);
        return false;
    }

    // lmoveGenericCommand: the destination's type is checked before anything is popped; the
    // same key as source and destination rotates the list. One change (listElementsRemoved).
    private static void Move(CommandContext ctx, CommandArgs a, bool fromLeft, bool toLeft)
    {
        if (!ctx.LookupTyped(a[1], RedisType.List, out _, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Null();
            return;
        }

        if (!ctx.LookupTyped(a[2], RedisType.List, out _, out bool dstExists))
        {
            return;
        }

        bool same = a[1].SequenceEqual(a[2]);
        RedisList src = ctx.Db.Mutable<RedisList>(a[1]);
        byte[] value = PopOne(src, fromLeft);
        RedisList dst;
        if (same)
        {
            dst = src;
        }
        else if (dstExists)
        {
            dst = ctx.Db.Mutable<RedisList>(a[2]);
        }
        else
        {
            dst = ctx.Db.Create(new RedisList());
            ctx.Db.Set(a[2], dst, DbEntry.NoExpiry);
        }

        if (toLeft)
        {
            dst.Items.PushFront(value);
        }
        else
        {
            dst.Items.PushBack(value);
        }

        ctx.DeleteIfEmpty(a[1], src.Items.Count);
        ctx.Dirty++;
        ctx.Reply.Bulk(value);
    }

    private static void LRange(CommandContext ctx, CommandArgs a)
    {
        if (!Args.Int64(ctx, a[2], out long start) || !Args.Int64(ctx, a[3], out long end))
        {
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.List, out DbEntry e, out bool exists))
        {
            return;
        }

        Deque<byte[]>? items = exists ? ((RedisList)e.Value).Items : null;
        if (items is null || !Args.ClampRange(start, end, items.Count, out int from, out int to))
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }

        ctx.Reply.ArrayHeader(to - from + 1);
        for (int i = from; i <= to; i++)
        {
            ctx.Reply.Bulk(items[i]);
        }
    }

    private static void LLen(CommandContext ctx, CommandArgs a)
    {
        if (ctx.LookupTyped(a[1], RedisType.List, out DbEntry e, out bool exists))
        {
            ctx.Reply.Integer(exists ? ((RedisList)e.Value).Items.Count : 0);
        }
    }

    // lindexCommand: the key is looked up (and type-checked) before the index is parsed.
    private static void LIndex(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.List, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Null();
            return;
        }

        if (!Args.Int64(ctx, a[2], out long index))
        {
            return;
        }

        Deque<byte[]> items = ((RedisList)e.Value).Items;
        if (index < 0)
        {
            index += items.Count;
        }

        if (index < 0 || index >= items.Count)
        {
            ctx.Reply.Null();
        }
        else
        {
            ctx.Reply.Bulk(items[(int)index]);
        }
    }
}
