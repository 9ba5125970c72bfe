using AofSim.Engine.Data;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Commands.Families;

/// <summary>The set commands (Redis 7's t_set.c).</summary>
internal static class SetCommands
{
    private static readonly byte[] SRemName = "SREM"u8.ToArray();
    private static readonly byte[] DelName = "DEL"u8.ToArray();

    private enum SetOp
    {
        Inter,
        Union,
        Diff,
    }

    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("sadd", -3, CommandFlags.Write, SAdd),
        new("srem", -3, CommandFlags.Write, SRem),
        new("spop", -2, CommandFlags.Write, SPop),
        new("srandmember", -2, CommandFlags.ReadOnly, SRandMember),
        new("smove", 4, CommandFlags.Write, SMove),
        new("sinterstore", -3, CommandFlags.Write, (c, a) => Combine(c, a, SetOp.Inter, store: true)),
        new("sunionstore", -3, CommandFlags.Write, (c, a) => Combine(c, a, SetOp.Union, store: true)),
        new("sdiffstore", -3, CommandFlags.Write, (c, a) => Combine(c, a, SetOp.Diff, store: true)),
        new("sinter", -2, CommandFlags.ReadOnly, (c, a) => Combine(c, a, SetOp.Inter, store: false)),
        new("sunion", -2, CommandFlags.ReadOnly, (c, a) => Combine(c, a, SetOp.Union, store: false)),
        new("sdiff", -2, CommandFlags.ReadOnly, (c, a) => Combine(c, a, SetOp.Diff, store: false)),
        new("smembers", 2, CommandFlags.ReadOnly, (c, a) => Combine(c, a, SetOp.Inter, store: false)),
        new("scard", 2, CommandFlags.ReadOnly, SCard),
        new("sismember", 3, CommandFlags.ReadOnly, SIsMember),
    ];

    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SAdd(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.Set, out _, out bool exists))
        {
            return;
        }

        RedisSet set;
        if (exists)
        {
            set = ctx.Db.Mutable<RedisSet>(a[1]);
        }
        else
        {
            set = ctx.Db.Create(new RedisSet());
            ctx.Db.Set(a[1], set, DbEntry.NoExpiry);
        }

        long added = 0;
        for (int i = 2; i < a.Count; i++)
        {
            if (set.Members.GetAlternateLookup<ReadOnlySpan<byte>>().Add(a[i]))
            {
                added++;
            }
        }

        ctx.Dirty += added;
        ctx.Reply.Integer(added);
    }

    private static void SRem(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.Set, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Integer(0);
            return;
        }

        // Only take the (possibly copying) mutable view when something will really go.
        var current = ((RedisSet)e.Value).Members.GetAlternateLookup<ReadOnlySpan<byte>>();
        bool any = false;
        for (int i = 2; i < a.Count && !any; i++)
        {
            any = current.Contains(a[i]);
        }

        if (!any)
        {
            ctx.Reply.Integer(0);
            return;
        }

        RedisSet set = ctx.Db.Mutable<RedisSet>(a[1]);
        var members = set.Members.GetAlternateLookup<ReadOnlySpan<byte>>();
        long removed = 0;
        for (int i = 2; i < a.Count; i++)
        {
            if (members.Remove(a[i]))
            {
                removed++;
            }
        }

        ctx.DeleteIfEmpty(a[1], set.Members.Count);
        ctx.Dirty += removed;
        ctx.Reply.Integer(removed);
    }


    // spopCommand. The members are picked with the injected random source, each uniformly among
    // those left, as an index into the set's enumeration order. Redis 7 replicates a pop as
    // SREM of the popped members, and a pop of the whole set (count >= size) as DEL.
    private static void SPop(CommandContext ctx, CommandArgs a)
    {
        if (a.Count > 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }

        bool hasCount = a.Count == 3;
        long count = 1;
        if (hasCount && !ListCommands.PositiveCount(ctx, a[2], out count))
        {
            return;
        }

        if (!LookupSetOrReplyEmpty(ctx, a[1], hasCount, out DbEntry e))
        {
            return;
        }

        if (count == 0)
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }

        HashSet<byte[]> current = ((RedisSet)e.Value).Members;
        int size = current.Count;
        if (hasCount && count >= size)
        {
            ctx.Reply.Array(current);
            ctx.Delete(a[1]);
            ctx.Dirty += size;
            ctx.Rewrite(DelName, a.ToArray(1));
            return;
        }

        byte[][] popped;
        if (!hasCount)
        {
            popped = [current.ElementAt(ctx.Random.Next(size))];
        }
        else
        {
            byte[][] all = [.. current];
            int[] picks = PickDistinct(ctx.Random, size, (int)count);
            popped = new byte[picks.Length][];
            for (int i = 0; i < picks.Length; i++)
            {
                popped[i] = all[picks[i]];
            }
        }

        RedisSet set = ctx.Db.Mutable<RedisSet>(a[1]);
        foreach (byte[] member in popped)
        {
            set.Members.Remove(member);
        }

        if (hasCount)
        {
            ctx.Reply.Array(popped);
        }
        else
        {
            ctx.Reply.Bulk(popped[0]);
        }

        ctx.DeleteIfEmpty(a[1], set.Members.Count);
        ctx.Dirty += popped.Length;
        var argv = new byte[popped.Length + 2][];
        argv[0] = SRemName;
        argv[1] = a.ToArray(1);
        popped.CopyTo(argv, 2);
        ctx.Rewrite(argv);
    }

    /// <summary>
    /// Picks <paramref name="count"/> distinct positions of [0, <paramref name="n"/>), one after
    /// the other: each is <c>random.Next(left)</c>-th of the positions not yet picked, in order.
    /// A Fenwick tree finds that position in O(log n).
    /// </summary>
    private static int[] PickDistinct(IRandomSource random, int n, int count)
    {
        var tree = new int[n + 1];
        for (int i = 1; i <= n; i++)
        {
            tree[i]++;
            int parent = i + (i & -i);
            if (parent <= n)
            {
                tree[parent] += tree[i];
            }
        }

        int top = 1;
        while (top * 2 <= n)
        {
            top *= 2;
        }

        var picks = new int[count];
        for (int k = 0; k < count; k++)
        {
            // The (rank+1)-th remaining position: binary lifting over the tree.
            int rank = random.Next(n - k);
            int at = 0;
            for (int step = top; step > 0; step >>= 1)
            {
                if (at + step <= n && tree[at + step] <= rank)
                {
                    at += step;
                    rank -= tree[at];
                }
            }

            picks[k] = at;
            for (int i = at + 1; i <= n; i += i & -i)
            {
                tree[i]--;
            }
        }

        return picks;
    }

    // srandmemberWithCountCommand: a positive count gives distinct members (the whole set when
    // count >= size), a negative one |count| members that may repeat. Reads are not propagated.
    private static void SRandMember(CommandContext ctx, CommandArgs a)
    {
        if (a.Count > 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }

        bool hasCount = a.Count == 3;
        long count = 1;
        if (hasCount)
        {
            if (!Args.Int64(ctx, a[2], out count))
            {
                return;
            }

            if (count == long.MinValue)
            {
                ctx.Reply.Error($"ERR value is out of range, value must between {-long.MaxValue} and {long.MaxValue}");
                return;
            }
        }

        if (!LookupSetOrReplyEmpty(ctx, a[1], hasCount, out DbEntry e))
        {
            return;
        }

        HashSet<byte[]> members = ((RedisSet)e.Value).Members;
        int size = members.Count;
        if (!hasCount)
        {
            ctx.Reply.Bulk(members.ElementAt(ctx.Random.Next(size)));
            return;
        }

        if (count == 0)
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }

        if (count > 0 && count >= size)
        {
            ctx.Reply.Array(members);
            return;
        }

        byte[][] all = [.. members];
        if (count < 0)
        {
            // The reply is |count| long, as Redis's is; nothing is allocated from the count.
            long n = -count;
            ctx.Reply.ArrayHeader(n);
            for (long i = 0; i < n; i++)
            {
                ctx.Reply.Bulk(all[ctx.Random.Next(size)]);
            }

            return;
        }

        int[] picks = PickDistinct(ctx.Random, size, (int)count);
        ctx.Reply.ArrayHeader(picks.Length);
        foreach (int p in picks)
        {
            ctx.Reply.Bulk(all[p]);
        }
    }

    // smoveCommand: a missing source replies 0 before any type check; the same key for both is
    // a no-op telling membership. One change for the removal, one more if the member was new
    // to the destination.
    private static void SMove(CommandContext ctx, CommandArgs a)
    {
        bool srcExists = ctx.Lookup(a[1], out DbEntry src);
        bool dstExists = ctx.Lookup(a[2], out DbEntry dst);
        if (!srcExists)
        {
            ctx.Reply.Integer(0);
            return;
        }

        if (src.Type != RedisType.Set || (dstExists && dst.Type != RedisType.Set))
        {
            ctx.Reply.Error(Errors.WrongType);
            return;
        }

        bool isMember = ((RedisSet)src.Value).Members.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(a[3]);
        if (a[1].SequenceEqual(a[2]) || !isMember)
        {
            ctx.Reply.Integer(isMember ? 1 : 0);
            return;
        }

        RedisSet from = ctx.Db.Mutable<RedisSet>(a[1]);
        from.Members.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(a[3]);
        ctx.DeleteIfEmpty(a[1], from.Members.Count);
        RedisSet to;
        if (dstExists)
        {
            to = ctx.Db.Mutable<RedisSet>(a[2]);
        }
        else
        {
            to = ctx.Db.Create(new RedisSet());
            ctx.Db.Set(a[2], to, DbEntry.NoExpiry);
        }

        ctx.Dirty++;
        if (to.Members.GetAlternateLookup<ReadOnlySpan<byte>>().Add(a[3]))
        {
            ctx.Dirty++;
        }

        ctx.Reply.Integer(1);
    }

    private static void SCard(CommandContext ctx, CommandArgs a)
    {
        if (ctx.LookupTyped(a[1], RedisType.Set, out DbEntry e, out bool exists))
        {
            ctx.Reply.Integer(exists ? ((RedisSet)e.Value).Members.Count : 0);
        }
    }

    private static void SIsMember(CommandContext ctx, CommandArgs a)
    {
        if (ctx.LookupTyped(a[1], RedisType.Set, out DbEntry e, out bool exists))
        {
            bool found = exists && ((RedisSet)e.Value).Members.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(a[2]);
            ctx.Reply.Integer(found ? 1 : 0);
        }
    }

    // sinterGenericCommand / sunionDiffGenericCommand. Every source is looked up and type
    // checked first (a missing key is an empty set). The STORE forms overwrite the destination
    // whatever its type, or delete it when the result is empty (a change only if it existed).
    private static void Combine(CommandContext ctx, CommandArgs a, SetOp op, bool store)
    {
        int first = store ? 2 : 1;
        var sources = new HashSet<byte[]>?[a.Count - first];
        for (int i = first; i < a.Count; i++)
        {
            if (!ctx.Lookup(a[i], out DbEntry e))
            {
                continue;
            }

            if (e.Type != RedisType.Set)
            {
                ctx.Reply.Error(Errors.WrongType);
                return;
            }

            sources[i - first] = ((RedisSet)e.Value).Members;
        }

        HashSet<byte[]> result = op switch
        {
            SetOp.Inter => Intersect(sources),
            SetOp.Union => Union(sources),
            _ => Difference(sources),
        };

        if (!store)
        {
            ctx.Reply.Array(result);
            return;
        }

        StoreResult(ctx, a[1], result);
    }

    /// <summary>The end of every STORE command: the result replaces the destination, or an empty one deletes it.</summary>
    private static void StoreResult(CommandContext ctx, ReadOnlySpan<byte> dst, HashSet<byte[]> result)
    {
        RedisSet? set = null;
        if (result.Count > 0)
        {
            set = ctx.Db.Create(new RedisSet());
            set.Members.UnionWith(result);
        }

        ctx.StoreResult(dst, set, result.Count);
    }

    private static HashSet<byte[]> Intersect(HashSet<byte[]>?[] sources)
    {
        var result = new HashSet<byte[]>(ByteKeyComparer.Instance);
        if (sources.Any(s => s is null))
        {
            return result;
        }

        // Walk the smallest set, as Redis does (it decides the reply order).
        HashSet<byte[]>[] sets = [.. sources.Select(s => s!).OrderBy(s => s.Count)];
        foreach (byte[] member in sets[0])
        {
            if (sets.Skip(1).All(s => s.Contains(member)))
            {
                result.Add(member);
            }
        }

        return result;
    }

    private static HashSet<byte[]> Union(HashSet<byte[]>?[] sources)
    {
        var result = new HashSet<byte[]>(ByteKeyComparer.Instance);
        foreach (HashSet<byte[]>? s in sources)
        {
            if (s is not null)
            {
                result.UnionWith(s);
            }
        }

        return result;
    }

    private static HashSet<byte[]> Difference(HashSet<byte[]>?[] sources)
    {
        var result = new HashSet<byte[]>(ByteKeyComparer.Instance);
        if (sources[0] is null)
        {
            return result;
        }

        foreach (byte[] member in sources[0]!)
        {
            bool elsewhere = false;
            for (int j = 1; j < sources.Length && !elsewhere; j++)
            {
                elsewhere = sources[j]?.Contains(member) == true;
            }

            if (!elsewhere)
            {
                result.Add(member);
            }
        }

        return result;
    }

    // The set at key, or false after the reply for a missing key (an empty array with a count,
    // nil without) or a key of another type.
    private static bool LookupSetOrReplyEmpty(CommandContext ctx, ReadOnlySpan<byte> key, bool hasCount, out DbEntry entry)
    {
        if (!ctx.LookupTyped(key, RedisType.Set, out entry, out bool exists))
        {
            return false;
        }

        if (exists)
        {
            return true;
        }

        if (hasCount)
        {
            ctx.Reply.ArrayHeader(0);
        }
        else
        {
            ctx.Reply.Null();
        }

        return false;
    }
}
