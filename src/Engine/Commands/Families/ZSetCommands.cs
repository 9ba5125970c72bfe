using AofSim.Engine.Data;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Commands.Families;

/// <summary>The sorted-set commands (Redis 7's t_zset.c).</summary>
internal static class ZSetCommands
{
    private const string MinMaxNotFloat = "ERR min or max is not a float";
    private const string MinMaxNotLex = "ERR min or max not valid string range item";

    private enum Aggregate
    {
        Sum,
        Min,
        Max,
    }

    private enum RangeKind
    {
        Auto,
        Rank,
        Score,
        Lex,
    }

    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("zadd", -4, CommandFlags.Write, (c, a) => ZAdd(c, a, incrCommand: false)),
        new("zincrby", 4, CommandFlags.Write, (c, a) => ZAdd(c, a, incrCommand: true)),
        new("zrem", -3, CommandFlags.Write, ZRem),
        new("zpopmin", -2, CommandFlags.Write, (c, a) => ZPop(c, a, max: false)),
        new("zpopmax", -2, CommandFlags.Write, (c, a) => ZPop(c, a, max: true)),
        new("zremrangebyscore", 4, CommandFlags.Write, ZRemRangeByScore),
        new("zremrangebyrank", 4, CommandFlags.Write, ZRemRangeByRank),
        new("zunionstore", -4, CommandFlags.Write, (c, a) => Combine(c, a, inter: false)),
        new("zinterstore", -4, CommandFlags.Write, (c, a) => Combine(c, a, inter: true)),
        new("zrange", -4, CommandFlags.ReadOnly, (c, a) => ZRange(c, a, RangeKind.Auto)),
        new("zrangebyscore", -4, CommandFlags.ReadOnly, (c, a) => ZRange(c, a, RangeKind.Score)),
        new("zcard", 2, CommandFlags.ReadOnly, ZCard),
        new("zscore", 3, CommandFlags.ReadOnly, ZScore),
        new("zrank", -3, CommandFlags.ReadOnly, ZRank),
    ];

    // zaddGenericCommand, shared with ZINCRBY (which is ZADD INCR, option words included, as in
    // Redis). Everything is parsed before the key is touched; the changes are the members added
    // plus the members whose score really changed, so a ZADD that changes nothing is not logged.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ZAdd(CommandContext ctx, CommandArgs a, bool incrCommand)
    {
        bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = incrCommand;
        int scoreIdx = 2;
        for (; scoreIdx < a.Count; scoreIdx++)
        {
            if (a.Is(scoreIdx, "NX"u8))
            {
                nx = true;
            }
            else if (a.Is(scoreIdx, "XX"u8))
            {
                xx = true;
            }
            else if (a.Is(scoreIdx, "CH"u8))
            {
                ch = true;
            }
            else if (a.Is(scoreIdx, "INCR"u8))
            {
                incr = true;
            }
            else if (a.Is(scoreIdx, "GT"u8))
            {
                gt = true;
            }
            else if (a.Is(scoreIdx, "LT"u8))
            {
                lt = true;
            }
            else
            {
                break;
            }
        }

        int elements = a.Count - scoreIdx;
        if (elements == 0 || elements % 2 != 0)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }

        elements /= 2;
        if (nx && xx)
        {
            ctx.Reply.Error("ERR XX and NX options at the same time are not compatible");
            return;
        }

        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            ctx.Reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }

        if (incr && elements > 1)
        {
            ctx.Reply.Error("ERR INCR option supports a single increment-element pair");
            return;
        }

        var scores = new double[elements];
        for (int j = 0; j < elements; j++)
        {
            if (!Args.Double(ctx, a[scoreIdx + (2 * j)], out scores[j]))
            {
                return;
            }
        }

        if (!ctx.LookupTyped(a[1], RedisType.ZSet, out _, out bool exists))
        {
            return;
        }

        long added = 0, updated = 0, processed = 0;
        double score = 0;
        if (exists || !xx)
        {
            RedisZSet zset;
            if (exists)
            {
                zset = ctx.Db.Mutable<RedisZSet>(a[1]);
            }
            else
            {
                zset = ctx.Db.Create(new RedisZSet());
                ctx.Db.Set(a[1], zset, DbEntry.NoExpiry);
            }

            for (int j = 0; j < elements; j++)
            {
                score = scores[j];
                ReadOnlySpan<byte> member = a[scoreIdx + (2 * j) + 1];
                if (zset.TryGetScore(member, out double current))
                {
                    if (nx)
                    {
                        continue;
                    }

                    if (incr)
                    {
                        score += current;
                        if (double.IsNaN(score))
                        {
                            ctx.Reply.Error(Errors.ScoreNan);
                            return;
                        }
                    }

                    if ((lt && score >= current) || (gt && score <= current))
                    {
                        continue;
                    }

                    processed++;
                    if (score != current)
                    {
                        zset.Set(member, score);
                        updated++;
                    }
                }
                else if (!xx)
                {
                    zset.Set(member, score);
                    added++;
                    processed++;
                }
            }

            if (zset.Count == 0)
            {
                ctx.Delete(a[1]);
            }
        }

        ctx.Dirty += added + updated;
        if (incr)
        {
            if (processed > 0)
            {
                ctx.Reply.BulkG17(score);
            }
            else
            {
                ctx.Reply.Null();
            }
        }
        else
        {
            ctx.Reply.Integer(ch ? added + updated : added);
        }
    }

    // zpopMinMaxCommand and genericZpopCommand (7.0): ZPOPMIN|ZPOPMAX key [count] pops up to
    // count members from the low (high) end, replying a flat array of member, score pairs (the
    // RESP2 form). Redis 7 propagates the command as it came (only ZMPOP is rewritten to a
    // ZPOP with the count), so it is logged verbatim.
    private static void ZPop(CommandContext ctx, CommandArgs a, bool max)
    {
        if (a.Count > 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }

        long count = 1;
        if (a.Count == 3)
        {
            if (!Args.Int64(ctx, a[2], out count))
            {
                return;
            }

            if (count < 0)
            {
                ctx.Reply.Error("ERR value is out of range, must be positive");
                return;
            }
        }

        if (!ctx.LookupTyped(a[1], RedisType.ZSet, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists || count == 0)
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }

        RedisZSet zset = ctx.Db.Mutable<RedisZSet>(a[1]);
        int n = (int)Math.Min(count, zset.Count);
        ZEntry[] popped = (max ? zset.Descending : zset.Ordered).Take(n).ToArray();
        ctx.Reply.ArrayHeader(2L * n);
        foreach (ZEntry p in popped)
        {
            zset.Remove(p.Member);
            ctx.Reply.Bulk(p.Member);
            ctx.Reply.BulkG17(p.Score);
        }

        ctx.Dirty += n;
        ctx.DeleteIfEmpty(a[1], zset.Count);
    }

    private static void ZRem(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.ZSet, out DbEntry e, out bool exists))
        {
            return;
        }

        bool any = false;
        for (int i = 2; exists && i < a.Count && !any; i++)
        {
            any = ((RedisZSet)e.Value).TryGetScore(a[i], out _);
        }

        if (!any)
        {
            ctx.Reply.Integer(0);
            return;
        }

        RedisZSet zset = ctx.Db.Mutable<RedisZSet>(a[1]);
        long removed = 0;
        for (int i = 2; i < a.Count; i++)
        {
            if (zset.Remove(a[i]))
            {
                removed++;
            }
        }

        ctx.DeleteIfEmpty(a[1], zset.Count);
        ctx.Dirty += removed;
        ctx.Reply.Integer(removed);
    }


    /// <summary>A score interval (zrangespec): "(" makes a bound exclusive.</summary>
    private readonly record struct ScoreRange(double Min, bool MinEx, double Max, bool MaxEx)
    {
        public bool GteMin(double v) => MinEx ? v > Min : v >= Min;

        public bool LteMax(double v) => MaxEx ? v < Max : v <= Max;
    }

    // zslParseRange: strtod over the text after an optional "(", nothing may follow, NaN is
    // refused. strtod reads an empty string as 0, so "" and "(" are accepted as 0 as in Redis.
    private static bool ParseScoreRange(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out ScoreRange range)
    {
        range = default;
        if (!ParseScoreBound(min, out double lo, out bool loEx) || !ParseScoreBound(max, out double hi, out bool hiEx))
        {
            return false;
        }

        range = new ScoreRange(lo, loEx, hi, hiEx);
        return true;
    }

    private static bool ParseScoreBound(ReadOnlySpan<byte> arg, out double value, out bool exclusive)
    {
        exclusive = !arg.IsEmpty && arg[0] == (byte)'(';
        if (exclusive)
        {
            arg = arg[1..];
        }

        if (arg.IsEmpty)
        {
            value = 0;
            return true;
        }

        return Numbers.TryParseDouble(arg, out value);
    }

    /// <summary>A lexicographic bound (zslParseLexRangeItem): "-" and "+" are the extremes.</summary>
    private readonly record struct LexBound(int Extreme, byte[] Value, bool Exclusive)
    {
        // sdscmplex: -1 stands for the minimum string, +1 for the maximum, 0 for Value.
        public int CompareTo(byte[] member) => Extreme != 0 ? Extreme : Value.AsSpan().SequenceCompareTo(member);
    }

    private static bool ParseLexBound(ReadOnlySpan<byte> arg, out LexBound bound)
    {
        bound = default;
        if (arg.IsEmpty)
        {
            return false;
        }

        switch (arg[0])
        {
            case (byte)'+' when arg.Length == 1:
                bound = new LexBound(1, [], true);
                return true;
            case (byte)'-' when arg.Length == 1:
                bound = new LexBound(-1, [], true);
                return true;
            case (byte)'(':
                bound = new LexBound(0, arg[1..].ToArray(), true);
                return true;
            case (byte)'[':
                bound = new LexBound(0, arg[1..].ToArray(), false);
                return true;
            default:
                return false;
        }
    }

    private static bool LexGteMin(byte[] member, LexBound min)
    {
        int c = -min.CompareTo(member);
        return min.Exclusive ? c > 0 : c >= 0;
    }

    private static bool LexLteMax(byte[] member, LexBound max)
    {
        int c = -max.CompareTo(member);
        return max.Exclusive ? c < 0 : c <= 0;
    }

    // zremrangeGenericCommand (by score): the range is parsed before the key is looked up.
    private static void ZRemRangeByScore(CommandContext ctx, CommandArgs a)
    {
        if (!ParseScoreRange(a[2], a[3], out ScoreRange range))
        {
            ctx.Reply.Error(MinMaxNotFloat);
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.ZSet, out DbEntry e, out bool exists))
        {
            return;
        }

        List<ZEntry> doomed = exists
            ? [.. ((RedisZSet)e.Value).Ordered.SkipWhile(z => !range.GteMin(z.Score)).TakeWhile(z => range.LteMax(z.Score))]
            : [];
        RemoveEntries(ctx, a[1], doomed);
    }

    private static void ZRemRangeByRank(CommandContext ctx, CommandArgs a)
    {
        if (!Args.Int64(ctx, a[2], out long start) || !Args.Int64(ctx, a[3], out long end))
        {
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.ZSet, out DbEntry e, out bool exists))
        {
            return;
        }

        List<ZEntry> doomed = [];
        if (exists)
        {
            var zset = (RedisZSet)e.Value;
            if (Args.ClampRange(start, end, zset.Count, out int from, out int to))
            {
                doomed = [.. zset.Ordered.Skip(from).Take(to - from + 1)];
            }
        }

        RemoveEntries(ctx, a[1], doomed);
    }

    private static void RemoveEntries(CommandContext ctx, ReadOnlySpan<byte> key, List<ZEntry> doomed)
    {
        if (doomed.Count > 0)
        {
            RedisZSet zset = ctx.Db.Mutable<RedisZSet>(key);
            foreach (ZEntry z in doomed)
            {
                zset.Remove(z.Member);
            }

            ctx.DeleteIfEmpty(key, zset.Count);
        }

        ctx.Dirty += doomed.Count;
        ctx.Reply.Integer(doomed.Count);
    }

    /// <summary>One input of ZUNIONSTORE/ZINTERSTORE: a zset, a set (every score 1) or nothing.</summary>
    private sealed class Source
    {
        public RedisZSet? ZSet { get; init; }

        public HashSet<byte[]>? Set { get; init; }

        public double Weight { get; set; } = 1;

        public int Count => ZSet?.Count ?? Set?.Count ?? 0;

        public IEnumerable<ZEntry> Items =>
            ZSet?.Ordered ?? Set?.Select(m => new ZEntry(1, m)) ?? [];

        public bool TryFind(byte[] member, out double score)
        {
            score = 1;
            return ZSet is not null ? ZSet.TryGetScore(member, out score) : Set?.Contains(member) == true;
        }
    }

    // zunionInterDiffGenericCommand for the STORE forms: numkeys, the keys (sets or zsets, all
    // looked up before the options are read), then WEIGHTS and AGGREGATE.
    private static void Combine(CommandContext ctx, CommandArgs a, bool inter)
    {
        string name = inter ? "zinterstore" : "zunionstore";
        if (!Args.Int64(ctx, a[2], out long setNum))
        {
            return;
        }

        if (setNum < 1)
        {
            ctx.Reply.Error($"ERR at least 1 input key is needed for '{name}' command");
            return;
        }

        if (setNum > a.Count - 3)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }

        var sources = new Source[setNum];
        int j = 3;
        for (int i = 0; i < setNum; i++, j++)
        {
            if (!ctx.Lookup(a[j], out DbEntry e))
            {
                sources[i] = new Source();
            }
            else if (e.Type == RedisType.ZSet)
            {
                sources[i] = new Source { ZSet = (RedisZSet)e.Value };
            }
            else if (e.Type == RedisType.Set)
            {
                sources[i] = new Source { Set = ((RedisSet)e.Value).Members };
            }
            else
            {
                ctx.Reply.Error(Errors.WrongType);
                return;
            }
        }

        Aggregate aggregate = Aggregate.Sum;
        while (j < a.Count)
        {
            int remaining = a.Count - j;
            if (remaining >= setNum + 1 && a.Is(j, "WEIGHTS"u8))
            {
                j++;
                for (int i = 0; i < setNum; i++, j++)
                {
                    if (!Numbers.TryParseDouble(a[j], out double weight))
                    {
                        ctx.Reply.Error("ERR weight value is not a float");
                        return;
                    }

                    sources[i].Weight = weight;
                }
            }
            else if (remaining >= 2 && a.Is(j, "AGGREGATE"u8))
            {
                if (a.Is(j + 1, "SUM"u8))
                {
                    aggregate = Aggregate.Sum;
                }
                else if (a.Is(j + 1, "MIN"u8))
                {
                    aggregate = Aggregate.Min;
                }
                else if (a.Is(j + 1, "MAX"u8))
                {
                    aggregate = Aggregate.Max;
                }
                else
                {
                    ctx.Reply.Error(Errors.Syntax);
                    return;
                }

                j += 2;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        // Smallest input first, as Redis sorts them (it fixes the order scores are summed in).
        Source[] ordered = [.. sources.OrderBy(s => s.Count)];
        RedisZSet result = ctx.Db.Create(new RedisZSet());
        if (inter)
        {
            Intersect(ordered, aggregate, result);
        }
        else
        {
            Union(ordered, aggregate, result);
        }

        StoreResult(ctx, a[1], result);
    }

    private static void Intersect(Source[] sources, Aggregate aggregate, RedisZSet result)
    {
        if (sources[0].Count == 0)
        {
            return;
        }

        foreach (ZEntry z in sources[0].Items)
        {
            double score = Weighted(sources[0].Weight, z.Score);
            bool everywhere = true;
            for (int k = 1; k < sources.Length && everywhere; k++)
            {
                everywhere = sources[k].TryFind(z.Member, out double value);
                if (everywhere)
                {
                    score = Combine(score, value * sources[k].Weight, aggregate);
                }
            }

            if (everywhere)
            {
                result.Set(z.Member, score);
            }
        }
    }

    private static void Union(Source[] sources, Aggregate aggregate, RedisZSet result)
    {
        var accumulator = new Dictionary<byte[], double>(ByteKeyComparer.Instance);
        foreach (Source s in sources)
        {
            foreach (ZEntry z in s.Items)
            {
                double score = Weighted(s.Weight, z.Score);
                accumulator[z.Member] = accumulator.TryGetValue(z.Member, out double sofar)
                    ? Combine(sofar, score, aggregate)
                    : score;
            }
        }

        foreach (KeyValuePair<byte[], double> kv in accumulator)
        {
            result.Set(kv.Key, kv.Value);
        }
    }

    // inf * 0 is NaN: Redis makes it 0.
    private static double Weighted(double weight, double score)
    {
        double v = weight * score;
        return double.IsNaN(v) ? 0 : v;
    }

    // zunionInterAggregate: a sum of +inf and -inf is 0, never NaN.
    private static double Combine(double target, double value, Aggregate aggregate)
    {
        switch (aggregate)
        {
            case Aggregate.Sum:
                double sum = target + value;
                return double.IsNaN(sum) ? 0 : sum;
            case Aggregate.Min:
                return value < target ? value : target;
            default:
                return value > target ? value : target;
        }
    }

    /// <summary>The end of a STORE command: the result replaces the destination, or an empty one deletes it.</summary>
    private static void StoreResult(CommandContext ctx, ReadOnlySpan<byte> dst, RedisZSet result)
    {
        ctx.StoreResult(dst, result, result.Count);
    }

    // zrangeGenericCommand: ZRANGE key start stop [BYSCORE|BYLEX] [REV] [WITHSCORES]
    // [LIMIT offset count], and ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count].
    // Options and the range are parsed before the key is looked up.
    private static void ZRange(CommandContext ctx, CommandArgs a, RangeKind kind)
    {
        bool withScores = false, reverse = false;
        bool directionGiven = kind != RangeKind.Auto; // ZRANGEBYSCORE is always forward
        long offset = 0, limit = -1;
        for (int j = 4; j < a.Count; j++)
        {
            int left = a.Count - j - 1;
            if (a.Is(j, "WITHSCORES"u8))
            {
                withScores = true;
            }
            else if (a.Is(j, "LIMIT"u8) && left >= 2)
            {
                if (!Args.Int64(ctx, a[j + 1], out offset) || !Args.Int64(ctx, a[j + 2], out limit))
                {
                    return;
                }

                j += 2;
            }
            else if (!directionGiven && a.Is(j, "REV"u8))
            {
                reverse = directionGiven = true;
            }
            else if (kind == RangeKind.Auto && a.Is(j, "BYLEX"u8))
            {
                kind = RangeKind.Lex;
            }
            else if (kind == RangeKind.Auto && a.Is(j, "BYSCORE"u8))
            {
                kind = RangeKind.Score;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (kind == RangeKind.Auto)
        {
            kind = RangeKind.Rank;
        }

        if (limit != -1 && kind == RangeKind.Rank)
        {
            ctx.Reply.Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }

        if (withScores && kind == RangeKind.Lex)
        {
            ctx.Reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }

        // With REV, a score or lex range is given as max then min.
        ReadOnlySpan<byte> minArg = reverse && kind != RangeKind.Rank ? a[3] : a[2];
        ReadOnlySpan<byte> maxArg = reverse && kind != RangeKind.Rank ? a[2] : a[3];
        long start = 0, end = 0;
        ScoreRange scores = default;
        LexBound lexMin = default, lexMax = default;
        switch (kind)
        {
            case RangeKind.Rank:
                if (!Args.Int64(ctx, minArg, out start) || !Args.Int64(ctx, maxArg, out end))
                {
                    return;
                }

                break;
            case RangeKind.Score:
                if (!ParseScoreRange(minArg, maxArg, out scores))
                {
                    ctx.Reply.Error(MinMaxNotFloat);
                    return;
                }

                break;
            default:
                if (!ParseLexBound(minArg, out lexMin) || !ParseLexBound(maxArg, out lexMax))
                {
                    ctx.Reply.Error(MinMaxNotLex);
                    return;
                }

                break;
        }

        if (!ctx.LookupTyped(a[1], RedisType.ZSet, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }

        var zset = (RedisZSet)e.Value;
        List<ZEntry> found;
        if (kind == RangeKind.Rank)
        {
            found = [];
            if (Args.ClampRange(start, end, zset.Count, out int from, out int to))
            {
                int length = to - from + 1;
                found = [.. zset.Ordered.Skip(reverse ? zset.Count - 1 - to : from).Take(length)];
                if (reverse)
                {
                    found.Reverse();
                }
            }
        }
        else
        {
            IEnumerable<ZEntry> inRange;
            if (kind == RangeKind.Score)
            {
                inRange = reverse
                    ? zset.Ordered.Reverse().SkipWhile(z => !scores.LteMax(z.Score)).TakeWhile(z => scores.GteMin(z.Score))
                    : zset.Ordered.SkipWhile(z => !scores.GteMin(z.Score)).TakeWhile(z => scores.LteMax(z.Score));
            }
            else
            {
                inRange = reverse
                    ? zset.Ordered.Reverse().SkipWhile(z => !LexLteMax(z.Member, lexMax)).TakeWhile(z => LexGteMin(z.Member, lexMin))
                    : zset.Ordered.SkipWhile(z => !LexGteMin(z.Member, lexMin)).TakeWhile(z => LexLteMax(z.Member, lexMax));
            }

            // Redis walks a negative offset off the end (nothing), and a negative count is "all".
            found = offset < 0 || offset >= zset.Count
                ? []
                : [.. limit < 0 ? inRange.Skip((int)offset) : inRange.Skip((int)offset).Take((int)Math.Min(limit, int.MaxValue))];
        }

        ctx.Reply.ArrayHeader(withScores ? found.Count * 2L : found.Count);
        foreach (ZEntry z in found)
        {
            ctx.Reply.Bulk(z.Member);
            if (withScores)
            {
                ctx.Reply.BulkG17(z.Score);
            }
        }
    }

    private static void ZCard(CommandContext ctx, CommandArgs a)
    {
        if (ctx.LookupTyped(a[1], RedisType.ZSet, out DbEntry e, out bool exists))
        {
            ctx.Reply.Integer(exists ? ((RedisZSet)e.Value).Count : 0);
        }
    }

    private static void ZScore(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.ZSet, out DbEntry e, out bool exists))
        {
            return;
        }

        if (exists && ((RedisZSet)e.Value).TryGetScore(a[2], out double score))
        {
            ctx.Reply.BulkG17(score);
        }
        else
        {
            ctx.Reply.Null();
        }
    }

    // zrankGenericCommand: ZRANK key member [WITHSCORE] (Redis 7.2).
    private static void ZRank(CommandContext ctx, CommandArgs a)
    {
        if (a.Count > 4)
        {
            ctx.Reply.Error(Errors.Arity("zrank"));
            return;
        }

        bool withScore = false;
        if (a.Count == 4)
        {
            if (!a.Is(3, "WITHSCORE"u8))
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }

            withScore = true;
        }

        if (!ctx.LookupTyped(a[1], RedisType.ZSet, out DbEntry e, out bool exists))
        {
            return;
        }

        var zset = exists ? (RedisZSet)e.Value : null;
        if (zset is null || !zset.TryGetScore(a[2], out double score))
        {
            if (withScore)
            {
                ctx.Reply.NullArray();
            }
            else
            {
                ctx.Reply.Null();
            }

            return;
        }

        var self = new ZEntry(score, a.ToArray(2));
        long rank = zset.Ordered.TakeWhile(z => RedisZSet.Order.Compare(z, self) < 0).LongCount();
        if (withScore)
        {
            ctx.Reply.ArrayHeader(2);
            ctx.Reply.Integer(rank);
            ctx.Reply.BulkG17(score);
        }
        else
        {
            ctx.Reply.Integer(rank);
        }
    }
}
