using AofSim.Engine.Data;

namespace AofSim.Engine.Commands.Families;

/// <summary>
/// PFADD, PFCOUNT, PFMERGE (Redis 2.8.9's hyperloglog.c, as 7.0 has it). An HLL is a string
/// value (<see cref="HyperLogLog"/> keeps its bytes exactly as Redis does); every command that
/// changes those bytes is logged verbatim, PFCOUNT included when it refreshes the cached
/// cardinality (Redis 7 propagates it for that reason).
/// </summary>
internal static class HyperLogLogCommands
{
    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("pfadd", -2, CommandFlags.Write, PfAdd),
        new("pfcount", -2, CommandFlags.ReadOnly, PfCount),
        new("pfmerge", -2, CommandFlags.Write, PfMerge),
    ];

    // isHLLObjectOrReply: WRONGTYPE for another type, the HLL error for a string that is not one.
    private static bool Check(CommandContext ctx, DbEntry e)
    {
        if (e.Type != RedisType.String)
        {
            ctx.Reply.Error(Errors.WrongType);
            return false;
        }

        if (!HyperLogLog.IsValidObject(CommandContext.StringBytes(e.Value)))
        {
            ctx.Reply.Error(HyperLogLog.NotHllError);
            return false;
        }

        return true;
    }

    // Stores the HLL's bytes: a new key has no expiry, an existing one keeps its own.
    private static void Store(CommandContext ctx, ReadOnlySpan<byte> key, bool existed, HyperLogLog h)
    {
        if (existed)
        {
            ctx.Db.Overwrite(key, h.ToArray());
        }
        else
        {
            ctx.Db.Set(key, h.ToArray(), DbEntry.NoExpiry);
        }
    }

    // pfaddCommand: creating the key counts as an update, so PFADD of no element on a missing key
    // replies 1 and makes an empty HLL.
    private static void PfAdd(CommandContext ctx, CommandArgs a)
    {
        bool exists = ctx.Lookup(a[1], out DbEntry e);
        if (exists && !Check(ctx, e))
        {
            return;
        }

        HyperLogLog h = exists ? HyperLogLog.From(CommandContext.StringBytes(e.Value)) : HyperLogLog.CreateEmpty();
        int updated = exists ? 0 : 1;
        for (int j = 2; j < a.Count; j++)
        {
            int r = h.Add(a[j]);
            if (r < 0)
            {
                // Redis changes the value in place as it goes: what was added before stays.
                Store(ctx, a[1], exists, h);
                ctx.Reply.Error(HyperLogLog.CorruptedError);
                return;
            }

            updated += r;
        }

        if (updated > 0)
        {
            h.InvalidateCache();
            Store(ctx, a[1], exists, h);
            ctx.Dirty += updated;
        }

        ctx.Reply.Integer(updated > 0 ? 1 : 0);
    }

    // pfcountCommand: the union of several keys is counted without changing them; one key's
    // count comes from its cache, or is computed and cached, which changes the value.
    private static void PfCount(CommandContext ctx, CommandArgs a)
    {
        if (a.Count > 2)
        {
            byte[] max = new byte[HyperLogLog.Registers];
            for (int j = 1; j < a.Count; j++)
            {
                if (!ctx.Lookup(a[j], out DbEntry src))
                {
                    continue;
                }

                if (!Check(ctx, src))
                {
                    return;
                }

                if (!HyperLogLog.Merge(max, CommandContext.StringBytes(src.Value)))
                {
                    ctx.Reply.Error(HyperLogLog.CorruptedError);
                    return;
                }
            }

            ctx.Reply.Integer((long)HyperLogLog.CountRaw(max));
            return;
        }

        if (!ctx.Lookup(a[1], out DbEntry e))
        {
            ctx.Reply.Integer(0);
            return;
        }

        if (!Check(ctx, e))
        {
            return;
        }

        HyperLogLog h = HyperLogLog.From(CommandContext.StringBytes(e.Value));
        if (h.CacheValid)
        {
            ctx.Reply.Integer((long)h.CachedCardinality);
            return;
        }

        ulong card = h.Count(out bool invalid);
        if (invalid)
        {
            ctx.Reply.Error(HyperLogLog.CorruptedError);
            return;
        }

        h.CachedCardinality = card;
        Store(ctx, a[1], existed: true, h);
        ctx.Dirty++;
        ctx.Reply.Integer((long)card);
    }

    // pfmergeCommand: the registers' maximum over every key given (the destination included),
    // written into the destination, which turns dense first if any input was dense.
    private static void PfMerge(CommandContext ctx, CommandArgs a)
    {
        byte[] max = new byte[HyperLogLog.Registers];
        bool useDense = false;
        for (int j = 1; j < a.Count; j++)
        {
            if (!ctx.Lookup(a[j], out DbEntry src))
            {
                continue;
            }

            if (!Check(ctx, src))
            {
                return;
            }

            ReadOnlySpan<byte> bytes = CommandContext.StringBytes(src.Value);
            useDense |= bytes[4] == 0;
            if (!HyperLogLog.Merge(max, bytes))
            {
                ctx.Reply.Error(HyperLogLog.CorruptedError);
                return;
            }
        }

        bool exists = ctx.Lookup(a[1], out DbEntry dst);
        HyperLogLog h = exists ? HyperLogLog.From(CommandContext.StringBytes(dst.Value)) : HyperLogLog.CreateEmpty();
        if (!exists)
        {
            Store(ctx, a[1], existed: false, h);
        }

        if (useDense && !h.ToDense())
        {
            ctx.Reply.Error(HyperLogLog.CorruptedError);
            return;
        }

        for (int j = 0; j < HyperLogLog.Registers; j++)
        {
            if (max[j] != 0)
            {
                h.Set(j, max[j]);
            }
        }

        h.InvalidateCache();
        Store(ctx, a[1], existed: true, h);
        ctx.Dirty++;
        ctx.Reply.Ok();
    }
}
