using AofSim.Engine.Data;
using AofSim.Engine.Text;

namespace AofSim.Engine.Commands.Families;

/// <summary>SELECT, FLUSHDB, FLUSHALL, DBSIZE, SCAN, PING, ECHO and the transaction words.</summary>
internal static class ServerCommands
{
    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("select", 2, CommandFlags.ReadOnly, Select),
        new("flushdb", -1, CommandFlags.Write, FlushDb),
        new("flushall", -1, CommandFlags.Write, FlushAll),
        new("dbsize", 1, CommandFlags.ReadOnly, (c, _) => c.Reply.Integer(c.Db.Count)),
        new("scan", -2, CommandFlags.ReadOnly, Scan),
        new("ping", -1, CommandFlags.ReadOnly, Ping),
        new("echo", 2, CommandFlags.ReadOnly, (c, a) => c.Reply.Bulk(a[1])),

        // Run by the server core (ServerCore), which owns the AOF state they act on.
        new("bgrewriteaof", 1, CommandFlags.Server, Server),
        new("bgsave", -1, CommandFlags.Server, Server),
        new("config", -2, CommandFlags.Server, Server),
        new("info", -1, CommandFlags.Server, Server),
        new("shutdown", -1, CommandFlags.Server, Server),

        // Run by CommandProcessor itself: they act on the client, not the dataset.
        new("multi", 1, CommandFlags.Transaction, NotDirect),
        new("exec", 1, CommandFlags.Transaction, NotDirect),
        new("discard", 1, CommandFlags.Transaction, NotDirect),
    ];

    private static void Server(CommandContext ctx, CommandArgs a)
    {
        if (ctx.ServerCommands is null)
        {
            ctx.Reply.Error($"ERR '{a.Text(0).ToLowerInvariant()}' needs a running server");
            return;
        }

        ctx.ServerCommands(ctx, a);
    }

    private static void NotDirect(CommandContext ctx, CommandArgs a) =>
        throw new InvalidOperationException($"{a.Text(0)} is run by the command processor");

    private static void Select(CommandContext ctx, CommandArgs a)
    {
        if (!Numbers.TryParseInt64(a[1], out long id))
        {
            ctx.Reply.Error(Errors.NotInteger);
            return;
        }

        if (id < 0 || id >= Dataset.DbCount)
        {
            ctx.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }

        ctx.DbIndex = (int)id;
        ctx.Reply.Ok();
    }

    // flushdbCommand: dirty grows by the keys dropped, so an empty FLUSHDB is not logged.
    private static void FlushDb(CommandContext ctx, CommandArgs a)
    {
        if (!FlushOptionOk(ctx, a))
        {
            return;
        }

        ctx.Dirty += ctx.Db.Count;
        ctx.Db.Clear();
        ctx.Reply.Ok();
    }

    // flushallCommand: always dirty, as the seed's is (it also triggers an RDB save there).
    private static void FlushAll(CommandContext ctx, CommandArgs a)
    {
        if (!FlushOptionOk(ctx, a))
        {
            return;
        }

        ctx.Dirty += ctx.Data.KeyCount + 1;
        ctx.Data.Clear();
        ctx.Reply.Ok();
    }

    private static bool FlushOptionOk(CommandContext ctx, CommandArgs a)
    {
        if (a.Count == 1 || (a.Count == 2 && (a.Is(1, "ASYNC"u8) || a.Is(1, "SYNC"u8))))
        {
            return true;
        }

        ctx.Reply.Error(Errors.Syntax);
        return false;
    }

    private static void Ping(CommandContext ctx, CommandArgs a)
    {
        if (a.Count > 2)
        {
            ctx.Reply.Error(Errors.Arity("ping"));
        }
        else if (a.Count == 2)
        {
            ctx.Reply.Bulk(a[1]);
        }
        else
        {
            ctx.Reply.Status("PONG");
        }
    }

    // SCAN cursor [MATCH pattern] [COUNT n] [TYPE t]. The cursor is a position in the order of
    // the keys' (fixed) hashes: every key present for a whole iteration is returned at least
    // once whatever is added or removed meanwhile, which is the guarantee Redis gives.
    private static void Scan(CommandContext ctx, CommandArgs a)
    {
        if (!ulong.TryParse(a.Text(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong cursor))
        {
            ctx.Reply.Error("ERR invalid cursor");
            return;
        }

        byte[]? pattern = null;
        string? type = null;
        long count = 10;
        for (int i = 2; i < a.Count; i++)
        {
            if (i + 1 >= a.Count)
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }

            if (a.Is(i, "MATCH"u8))
            {
                pattern = a.ToArray(++i);
            }
            else if (a.Is(i, "COUNT"u8))
            {
                if (!Args.Int64(ctx, a[++i], out count))
                {
                    return;
                }

                if (count < 1)
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }
            }
            else if (a.Is(i, "TYPE"u8))
            {
                type = a.Text(++i).ToLowerInvariant();
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var ordered = ctx.Db.Entries
            .Select(kv => (Slot: (ulong)(uint)ByteKeyComparer.Hash(kv.Key) + 1, kv.Key, kv.Value))
            .Where(x => x.Slot >= cursor)
            .OrderBy(x => x.Slot)
            .ThenBy(x => x.Key, ByteKeyComparer.Instance)
            .ToList();

        var batch = new List<byte[]>();
        ulong next = 0;
        int taken = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            // Stop between slots only, so that keys sharing a hash are never split.
            if (taken >= count && ordered[i].Slot != ordered[i - 1].Slot)
            {
                next = ordered[i].Slot;
                break;
            }

            taken++;
            var (_, key, entry) = ordered[i];
            bool live = ctx.Loading || !entry.IsExpiredAt(ctx.NowMs);
            if (live && (pattern is null || Glob.IsMatch(pattern, key)) && (type is null || KeyCommands.TypeName(entry.Type) == type))
            {
                batch.Add(key);
            }
        }

        ctx.Reply.ArrayHeader(2);
        ctx.Reply.Bulk(next.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ctx.Reply.Array(batch);
    }
}
