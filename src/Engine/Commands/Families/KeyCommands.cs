using AofSim.Engine.Data;
using AofSim.Engine.Text;

namespace AofSim.Engine.Commands.Families;

/// <summary>The keyspace commands (the seed's db.c): DEL, EXPIRE family, TTL, TYPE, RENAME, MOVE.</summary>
internal static class KeyCommands
{
    private static readonly byte[] DelName = "DEL"u8.ToArray();

    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("del", -2, CommandFlags.Write, Del),
        new("unlink", -2, CommandFlags.Write, Del),
        new("copy", -3, CommandFlags.Write, Copy),
        new("swapdb", 3, CommandFlags.Write, SwapDb),
        new("exists", -2, CommandFlags.ReadOnly, Exists),
        new("expire", -3, CommandFlags.Write, (c, a) => Expire(c, a, relative: true, seconds: true)),
        new("pexpire", -3, CommandFlags.Write, (c, a) => Expire(c, a, relative: true, seconds: false)),
        new("expireat", -3, CommandFlags.Write, (c, a) => Expire(c, a, relative: false, seconds: true)),
        new("pexpireat", -3, CommandFlags.Write, (c, a) => Expire(c, a, relative: false, seconds: false)),
        new("persist", 2, CommandFlags.Write, Persist),
        new("ttl", 2, CommandFlags.ReadOnly, (c, a) => Ttl(c, a, seconds: true)),
        new("pttl", 2, CommandFlags.ReadOnly, (c, a) => Ttl(c, a, seconds: false)),
        new("type", 2, CommandFlags.ReadOnly, Type),
        new("rename", 3, CommandFlags.Write, (c, a) => Rename(c, a, nx: false)),
        new("renamenx", 3, CommandFlags.Write, (c, a) => Rename(c, a, nx: true)),
        new("move", 3, CommandFlags.Write, Move),
        new("keys", 2, CommandFlags.ReadOnly, Keys),
    ];

    /// <summary>The type name TYPE replies.</summary>
    public static string TypeName(RedisType type) => type switch
    {
        RedisType.String => "string",
        RedisType.List => "list",
        RedisType.Set => "set",
        RedisType.ZSet => "zset",
        RedisType.Stream => "stream",
        _ => "hash",
    };

    private static void Del(CommandContext ctx, CommandArgs a)
    {
        long deleted = 0;
        for (int i = 1; i < a.Count; i++)
        {
            ctx.ExpireIfNeeded(a[i]);
            if (ctx.Delete(a[i]))
            {
                deleted++;
            }
        }

        ctx.Dirty += deleted;
        ctx.Reply.Integer(deleted);
    }

    // copyCommand (6.2): COPY source destination [DB destination-db] [REPLACE]. The copy is a
    // new value (a change to either key never shows in the other) and takes the source's expiry.
    private static void Copy(CommandContext ctx, CommandArgs a)
    {
        bool replace = false;
        int target = ctx.DbIndex;
        for (int j = 3; j < a.Count; j++)
        {
            if (a.Is(j, "REPLACE"u8))
            {
                replace = true;
            }
            else if (a.Is(j, "DB"u8) && j + 1 < a.Count)
            {
                if (!Args.Int32(ctx, a[++j], out target))
                {
                    return;
                }

                if (target < 0 || target >= Dataset.DbCount)
                {
                    ctx.Reply.Error(Errors.DbIndexOutOfRange);
                    return;
                }
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (target == ctx.DbIndex && a[1].SequenceEqual(a[2]))
        {
            ctx.Reply.Error(Errors.SameObject);
            return;
        }

        if (!ctx.Lookup(a[1], out DbEntry e))
        {
            ctx.Reply.Integer(0);
            return;
        }

        // lookupKeyWrite on the target db: an expired destination is reclaimed there (and its
        // DEL logged against that db) before it is judged present.
        int here = ctx.DbIndex;
        ctx.DbIndex = target;
        bool present = ctx.Lookup(a[2], out _);
        if (present && !replace)
        {
            ctx.DbIndex = here;
            ctx.Reply.Integer(0);
            return;
        }

        object copy = e.Value is RedisObject obj ? ctx.Db.Create(obj.Clone()) : e.Value;
        ctx.Db.Set(a[2], copy, e.ExpireAt);
        ctx.DbIndex = here;
        ctx.Dirty++;
        ctx.Reply.Integer(1);
    }

    // swapdbCommand: the two databases exchange their keys and expiries; each keeps its number,
    // so a client stays in the db it selected and sees the other's keys.
    private static void SwapDb(CommandContext ctx, CommandArgs a)
    {
        if (!Numbers.TryParseInt64(a[1], out long id1) || id1 < int.MinValue || id1 > int.MaxValue)
        {
            ctx.Reply.Error("ERR invalid first DB index");
            return;
        }

        if (!Numbers.TryParseInt64(a[2], out long id2) || id2 < int.MinValue || id2 > int.MaxValue)
        {
            ctx.Reply.Error("ERR invalid second DB index");
            return;
        }

        if (id1 < 0 || id1 >= Dataset.DbCount || id2 < 0 || id2 >= Dataset.DbCount)
        {
            ctx.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }

        if (id1 != id2)
        {
            ctx.Data[(int)id1].SwapWith(ctx.Data[(int)id2]);
        }

        ctx.Dirty++;
        ctx.Reply.Ok();
    }

    private static void Exists(CommandContext ctx, CommandArgs a)
    {
        long found = 0;
        for (int i = 1; i < a.Count; i++)
        {
            if (ctx.Lookup(a[i], out _))
            {
                found++;
            }
        }

        ctx.Reply.Integer(found);
    }

    // expireGenericCommand. A time already past deletes the key and is propagated as DEL (the
    // seed's rewriteClientCommandVector), except while loading, when the expiry is just set:
    // the replay must rebuild history, and the key will expire lazily afterwards.
    private static void Expire(CommandContext ctx, CommandArgs a, bool relative, bool seconds)
    {
        string name = a.Text(0).ToLowerInvariant();
        if (!Args.Int64(ctx, a[2], out long when))
        {
            return;
        }

        bool nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < a.Count; i++)
        {
            if (a.Is(i, "NX"u8))
            {
                nx = true;
            }
            else if (a.Is(i, "XX"u8))
            {
                xx = true;
            }
            else if (a.Is(i, "GT"u8))
            {
                gt = true;
            }
            else if (a.Is(i, "LT"u8))
            {
                lt = true;
            }
            else
            {
                ctx.Reply.Error($"ERR Unsupported option {a.Text(i)}");
                return;
            }
        }

        if (nx && (xx || gt || lt))
        {
            ctx.Reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }

        if (gt && lt)
        {
            ctx.Reply.Error("ERR GT and LT options at the same time are not compatible");
            return;
        }

        if (seconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
            {
                ctx.Reply.Error(Errors.InvalidExpire(name));
                return;
            }

            when *= 1000;
        }

        if (relative)
        {
            if ((when > 0 && ctx.NowMs > long.MaxValue - when) || (when < 0 && ctx.NowMs < long.MinValue - when))
            {
                ctx.Reply.Error(Errors.InvalidExpire(name));
                return;
            }

            when += ctx.NowMs;
        }

        if (!ctx.Lookup(a[1], out DbEntry e))
        {
            ctx.Reply.Integer(0);
            return;
        }

        long current = e.ExpireAt;
        bool skip = (nx && current != DbEntry.NoExpiry)
            || (xx && current == DbEntry.NoExpiry)
            || (gt && (current == DbEntry.NoExpiry || when <= current))
            || (lt && current != DbEntry.NoExpiry && when >= current);
        if (skip)
        {
            ctx.Reply.Integer(0);
            return;
        }

        if (when <= ctx.NowMs && !ctx.Loading)
        {
            ctx.Delete(a[1]);
            ctx.Rewrite(DelName, a.ToArray(1));
        }
        else
        {
            ctx.Db.SetExpire(a[1], when);
        }

        ctx.Dirty++;
        ctx.Reply.Integer(1);
    }

    private static void Persist(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.Lookup(a[1], out DbEntry e) || e.ExpireAt == DbEntry.NoExpiry)
        {
            ctx.Reply.Integer(0);
            return;
        }

        ctx.Db.SetExpire(a[1], DbEntry.NoExpiry);
        ctx.Dirty++;
        ctx.Reply.Integer(1);
    }

    private static void Ttl(CommandContext ctx, CommandArgs a, bool seconds)
    {
        if (!ctx.Lookup(a[1], out DbEntry e))
        {
            ctx.Reply.Integer(-2);
            return;
        }

        if (e.ExpireAt == DbEntry.NoExpiry)
        {
            ctx.Reply.Integer(-1);
            return;
        }

        long ms = Math.Max(0, e.ExpireAt - ctx.NowMs);
        ctx.Reply.Integer(seconds ? (ms + 500) / 1000 : ms);
    }

    private static void Type(CommandContext ctx, CommandArgs a) =>
        ctx.Reply.Status(ctx.Lookup(a[1], out DbEntry e) ? TypeName(e.Type) : "none");

    // renameGenericCommand: the value moves with its expiry; the target is replaced.
    private static void Rename(CommandContext ctx, CommandArgs a, bool nx)
    {
        if (!ctx.Lookup(a[1], out DbEntry e))
        {
            ctx.Reply.Error(Errors.NoSuchKey);
            return;
        }

        if (a[1].SequenceEqual(a[2]))
        {
            if (nx)
            {
                ctx.Reply.Integer(0);
            }
            else
            {
                ctx.Reply.Ok();
            }

            return;
        }

        if (ctx.Lookup(a[2], out _))
        {
            if (nx)
            {
                ctx.Reply.Integer(0);
                return;
            }

            ctx.Delete(a[2]);
        }

        ctx.Db.Set(a[2], e.Value, e.ExpireAt);
        ctx.Delete(a[1]);
        ctx.Dirty++;
        if (nx)
        {
            ctx.Reply.Integer(1);
        }
        else
        {
            ctx.Reply.Ok();
        }
    }

    private static void Move(CommandContext ctx, CommandArgs a)
    {
        if (!Numbers.TryParseInt64(a[2], out long target) || target < 0 || target >= Dataset.DbCount)
        {
            ctx.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }

        if (target == ctx.DbIndex)
        {
            ctx.Reply.Error(Errors.SameObject);
            return;
        }

        if (!ctx.Lookup(a[1], out DbEntry e))
        {
            ctx.Reply.Integer(0);
            return;
        }

        Database dst = ctx.Data[(int)target];
        if (dst.TryGet(a[1], out DbEntry there))
        {
            if (!there.IsExpiredAt(ctx.NowMs) || ctx.Loading)
            {
                ctx.Reply.Integer(0);
                return;
            }

            // The target db holds an expired copy: reclaim it there first, as lookupKeyWrite
            // on the target db does, and log that DEL against the target db.
            int here = ctx.DbIndex;
            ctx.DbIndex = (int)target;
            ctx.ExpireIfNeeded(a[1]);
            ctx.DbIndex = here;
        }

        dst.Set(a[1], e.Value, e.ExpireAt);
        ctx.Delete(a[1]);
        ctx.Dirty++;
        ctx.Reply.Integer(1);
    }

    private static void Keys(CommandContext ctx, CommandArgs a)
    {
        var found = new List<byte[]>();
        foreach (KeyValuePair<byte[], DbEntry> kv in ctx.Db.Entries)
        {
            if ((ctx.Loading || !kv.Value.IsExpiredAt(ctx.NowMs)) && Glob.IsMatch(a[1], kv.Key))
            {
                found.Add(kv.Key);
            }
        }

        ctx.Reply.Array(found);
    }
}
