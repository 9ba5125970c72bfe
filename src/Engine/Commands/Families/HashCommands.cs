using AofSim.Engine.Data;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Commands.Families;

/// <summary>The hash commands (Redis 7's t_hash.c).</summary>
internal static class HashCommands
{
    private static readonly byte[] HSetName = "HSET"u8.ToArray();

    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("hset", -4, CommandFlags.Write, (c, a) => HSet(c, a, "hset")),
        new("hmset", -4, CommandFlags.Write, (c, a) => HSet(c, a, "hmset")),
        new("hsetnx", 4, CommandFlags.Write, HSetNx),
        new("hdel", -3, CommandFlags.Write, HDel),
        new("hincrby", 4, CommandFlags.Write, HIncrBy),
        new("hincrbyfloat", 4, CommandFlags.Write, HIncrByFloat),
        new("hget", 3, CommandFlags.ReadOnly, HGet),
        new("hmget", -3, CommandFlags.ReadOnly, HMGet),
        new("hgetall", 2, CommandFlags.ReadOnly, (c, a) => HGetAll(c, a, keys: true, values: true)),
        new("hkeys", 2, CommandFlags.ReadOnly, (c, a) => HGetAll(c, a, keys: true, values: false)),
        new("hvals", 2, CommandFlags.ReadOnly, (c, a) => HGetAll(c, a, keys: false, values: true)),
        new("hlen", 2, CommandFlags.ReadOnly, HLen),
        new("hexists", 3, CommandFlags.ReadOnly, HExists),
    ];

    /// <summary>
    /// hashTypeLookupWriteOrCreate: the hash at <paramref name="key"/> ready to change, created
    /// (and stored) if missing; null after replying WRONGTYPE.
    /// </summary>
    private static RedisHash? WritableHash(CommandContext ctx, ReadOnlySpan<byte> key)
    {
        if (!ctx.LookupTyped(key, RedisType.Hash, out _, out bool exists))
        {
            return null;
        }

        if (exists)
        {
            return ctx.Db.Mutable<RedisHash>(key);
        }

        RedisHash hash = ctx.Db.Create(new RedisHash());
        ctx.Db.Set(key, hash, DbEntry.NoExpiry);
        return hash;
    }

    /// <summary>Reads the hash at <paramref name="key"/>; false after replying WRONGTYPE.</summary>
    private static bool ReadHash(CommandContext ctx, ReadOnlySpan<byte> key, out RedisHash? hash)
    {
        hash = null;
        if (!ctx.LookupTyped(key, RedisType.Hash, out DbEntry e, out bool exists))
        {
            return false;
        }

        if (exists)
        {
            hash = (RedisHash)e.Value;
        }

        return true;
    }

    private static bool TryGetField(RedisHash? hash, ReadOnlySpan<byte> field, out byte[] value)
    {
        value = [];
        return hash is not null && hash.Fields.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(field, out value!);
    }

    // hsetCommand: HSET replies the fields created, HMSET +OK. Every pair counts as a change,
    // whether or not the value was new (server.dirty += pairs), so HSET is always logged.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HSet(CommandContext ctx, CommandArgs a, string name)
    {
        if (a.Count % 2 == 1)
        {
            ctx.Reply.Error(Errors.Arity(name));
            return;
        }

        RedisHash? hash = WritableHash(ctx, a[1]);
        if (hash is null)
        {
            return;
        }

        var fields = hash.Fields.GetAlternateLookup<ReadOnlySpan<byte>>();
        long created = 0;
        for (int i = 2; i < a.Count; i += 2)
        {
            if (!fields.ContainsKey(a[i]))
            {
                created++;
            }

            fields[a[i]] = a.ToArray(i + 1);
        }

        ctx.Dirty += (a.Count - 2) / 2;
        if (name == "hset")
        {
            ctx.Reply.Integer(created);
        }
        else
        {
            ctx.Reply.Ok();
        }
    }

    private static void HSetNx(CommandContext ctx, CommandArgs a)
    {
        if (!ReadHash(ctx, a[1], out RedisHash? current))
        {
            return;
        }

        if (TryGetField(current, a[2], out _))
        {
            ctx.Reply.Integer(0);
            return;
        }

        RedisHash hash = WritableHash(ctx, a[1])!;
        hash.Fields.GetAlternateLookup<ReadOnlySpan<byte>>()[a[2]] = a.ToArray(3);
        ctx.Dirty++;
        ctx.Reply.Integer(1);
    }

    private static void HDel(CommandContext ctx, CommandArgs a)
    {
        if (!ReadHash(ctx, a[1], out RedisHash? current))
        {
            return;
        }

        bool any = false;
        for (int i = 2; i < a.Count && !any; i++)
        {
            any = TryGetField(current, a[i], out _);
        }

        if (!any)
        {
            ctx.Reply.Integer(0);
            return;
        }

        RedisHash hash = ctx.Db.Mutable<RedisHash>(a[1]);
        var fields = hash.Fields.GetAlternateLookup<ReadOnlySpan<byte>>();
        long removed = 0;
        for (int i = 2; i < a.Count; i++)
        {
            if (fields.Remove(a[i]))
            {
                removed++;
            }
        }

        ctx.DeleteIfEmpty(a[1], hash.Fields.Count);

        ctx.Dirty += removed;
        ctx.Reply.Integer(removed);
    }

    // hincrbyCommand: the increment is parsed before the key is looked up.
    private static void HIncrBy(CommandContext ctx, CommandArgs a)
    {
        if (!Args.Int64(ctx, a[3], out long by) || !ReadHash(ctx, a[1], out RedisHash? current))
        {
            return;
        }

        long value = 0;
        if (TryGetField(current, a[2], out byte[] old) && !Numbers.TryParseInt64(old, out value))
        {
            ctx.Reply.Error(Errors.HashNotInteger);
            return;
        }

        if ((by < 0 && value < 0 && by < long.MinValue - value) || (by > 0 && value > 0 && by > long.MaxValue - value))
        {
            ctx.Reply.Error(Errors.Overflow);
            return;
        }

        value += by;
        RedisHash hash = WritableHash(ctx, a[1])!;
        hash.Fields.GetAlternateLookup<ReadOnlySpan<byte>>()[a[2]] = Numbers.Int64Bytes(value);
        ctx.Dirty++;
        ctx.Reply.Integer(value);
    }

    // hincrbyfloatCommand: always replicated as HSET key field <result>, so that float
    // precision or formatting can never make a replay differ.
    private static void HIncrByFloat(CommandContext ctx, CommandArgs a)
    {
        if (!Args.Double(ctx, a[3], out double by))
        {
            return;
        }

        if (double.IsInfinity(by))
        {
            ctx.Reply.Error("ERR value is NaN or Infinity");
            return;
        }

        if (!ReadHash(ctx, a[1], out RedisHash? current))
        {
            return;
        }

        double value = 0;
        if (TryGetField(current, a[2], out byte[] old) && !Numbers.TryParseDouble(old, out value))
        {
            ctx.Reply.Error(Errors.HashNotFloat);
            return;
        }

        double result = Numbers.AddFloat(value, by);
        if (double.IsNaN(result) || double.IsInfinity(result))
        {
            ctx.Reply.Error(Errors.NanOrInfinity);
            return;
        }

        byte[] stored = System.Text.Encoding.ASCII.GetBytes(Numbers.FormatIncrFloat(result));
        RedisHash hash = WritableHash(ctx, a[1])!;
        hash.Fields.GetAlternateLookup<ReadOnlySpan<byte>>()[a[2]] = stored;
        ctx.Dirty++;
        ctx.Reply.Bulk(stored);
        ctx.Rewrite(HSetName, a.ToArray(1), a.ToArray(2), stored);
    }

    private static void HGet(CommandContext ctx, CommandArgs a)
    {
        if (!ReadHash(ctx, a[1], out RedisHash? hash))
        {
            return;
        }

        if (TryGetField(hash, a[2], out byte[] value))
        {
            ctx.Reply.Bulk(value);
        }
        else
        {
            ctx.Reply.Null();
        }
    }

    // hmgetCommand: a missing key is an empty hash (a null per field), a wrong type an error.
    private static void HMGet(CommandContext ctx, CommandArgs a)
    {
        if (!ReadHash(ctx, a[1], out RedisHash? hash))
        {
            return;
        }

        ctx.Reply.ArrayHeader(a.Count - 2);
        for (int i = 2; i < a.Count; i++)
        {
            if (TryGetField(hash, a[i], out byte[] value))
            {
                ctx.Reply.Bulk(value);
            }
            else
            {
                ctx.Reply.Null();
            }
        }
    }

    // genericHgetallCommand: HGETALL replies field, value, field, value… (a flat array in RESP2).
    private static void HGetAll(CommandContext ctx, CommandArgs a, bool keys, bool values)
    {
        if (!ReadHash(ctx, a[1], out RedisHash? hash))
        {
            return;
        }

        if (hash is null)
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }

        int per = keys && values ? 2 : 1;
        ctx.Reply.ArrayHeader((long)hash.Fields.Count * per);
        foreach (KeyValuePair<byte[], byte[]> kv in hash.Fields)
        {
            if (keys)
            {
                ctx.Reply.Bulk(kv.Key);
            }

            if (values)
            {
                ctx.Reply.Bulk(kv.Value);
            }
        }
    }

    private static void HLen(CommandContext ctx, CommandArgs a)
    {
        if (ReadHash(ctx, a[1], out RedisHash? hash))
        {
            ctx.Reply.Integer(hash?.Fields.Count ?? 0);
        }
    }

    private static void HExists(CommandContext ctx, CommandArgs a)
    {
        if (ReadHash(ctx, a[1], out RedisHash? hash))
        {
            ctx.Reply.Integer(TryGetField(hash, a[2], out _) ? 1 : 0);
        }
    }
}
