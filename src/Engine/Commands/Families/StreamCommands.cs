using System.Globalization;
using System.Text;
using AofSim.Engine.Data;
using AofSim.Engine.Text;

namespace AofSim.Engine.Commands.Families;

/// <summary>
/// The stream commands Redis 7 writes to its AOF (t_stream.c of 7.0): XADD, XTRIM, XDEL, XSETID,
/// XGROUP, XCLAIM, XACK; with XREADGROUP and XAUTOCLAIM, which are logged as XCLAIMs, and XLEN
/// and XRANGE to read. What Redis propagates is what is logged:
/// XADD with the ID it generated and an approximate trim made exact; XCLAIM as one idempotent
/// XCLAIM per entry it touched (and XGROUP SETID when only the group's last ID moved).
/// </summary>
internal static class StreamCommands
{
    private const string InvalidId = "ERR Invalid stream ID specified as stream command argument";
    private static readonly byte[] XClaimName = "XCLAIM"u8.ToArray();

    // XGROUP HELP as Redis 7.0's xgroupCommand words it (its addReplyHelp adds the first line
    // and the closing HELP entry).
    private static readonly string[] XGroupHelp =
    [
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ];

    public static IEnumerable<CommandDef> Definitions() =>
    [
        new("xadd", -5, CommandFlags.Write, XAdd),
        new("xtrim", -4, CommandFlags.Write, XTrim),
        new("xdel", -3, CommandFlags.Write, XDel),
        new("xsetid", -3, CommandFlags.Write, XSetId),
        new("xgroup", -2, CommandFlags.Write, XGroup),
        new("xclaim", -6, CommandFlags.Write, XClaim),
        new("xack", -4, CommandFlags.Write, XAck),
        new("xreadgroup", -7, CommandFlags.Write, XReadGroup),
        new("xautoclaim", -6, CommandFlags.Write, XAutoClaim),
        new("xlen", 2, CommandFlags.ReadOnly, XLen),
        new("xrange", -4, CommandFlags.ReadOnly, XRange),
    ];

    private enum Trim
    {
        None,
        MaxLen,
        MinId,
    }

    // streamGenericParseIDOrReply: "ms-seq", "ms" (the sequence then being missingSeq), "-" and
    // "+" unless strict, and "ms-*" where allowed (seqGiven false).
    private static bool TryParseId(ReadOnlySpan<byte> arg, ulong missingSeq, bool strict, bool allowAutoSeq, out StreamId id, out bool seqGiven)
    {
        id = StreamId.Zero;
        seqGiven = true;
        if (arg.Length > 127)
        {
            return false;
        }

        if (arg.Length == 1 && (arg[0] == '-' || arg[0] == '+'))
        {
            if (strict)
            {
                return false;
            }

            id = arg[0] == '-' ? StreamId.Zero : StreamId.Max;
            return true;
        }

        int dash = arg.IndexOf((byte)'-');
        ReadOnlySpan<byte> msText = dash < 0 ? arg : arg[..dash];
        if (!TryParseUInt64(msText, out ulong ms))
        {
            return false;
        }

        ulong seq = missingSeq;
        if (dash >= 0)
        {
            ReadOnlySpan<byte> seqText = arg[(dash + 1)..];
            if (allowAutoSeq && seqText.Length == 1 && seqText[0] == '*')
            {
                seq = 0;
                seqGiven = false;
            }
            else if (!TryParseUInt64(seqText, out seq))
            {
                return false;
            }
        }

        id = new StreamId(ms, seq);
        return true;
    }

    private static bool TryParseUInt64(ReadOnlySpan<byte> text, out ulong value) =>
        ulong.TryParse(Encoding.ASCII.GetString(text), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool ParseIdOrReply(CommandContext ctx, ReadOnlySpan<byte> arg, bool strict, out StreamId id)
    {
        if (TryParseId(arg, 0, strict, allowAutoSeq: false, out id, out _))
        {
            return true;
        }

        ctx.Reply.Error(InvalidId);
        return false;
    }

    // The parsed options of XADD and XTRIM (streamAddTrimArgs).
    private struct TrimArgs
    {
        public Trim Strategy;
        public int StrategyArgIdx;
        public bool Approx;
        public long Limit;
        public long MaxLen;
        public StreamId MinId;
        public bool IdGiven;
        public bool SeqGiven;
        public StreamId Id;
        public bool NoMkStream;
    }

    // streamParseAddOrTrimArgsOrReply: returns the position of the ID (XADD), or -1 after an error.
    private static int ParseAddOrTrim(CommandContext ctx, CommandArgs a, bool xadd, out TrimArgs t)
    {
        t = default;
        bool limitGiven = false;
        int i = 2;
        for (; i < a.Count; i++)
        {
            int more = a.Count - 1 - i;
            if (xadd && a[i].SequenceEqual("*"u8))
            {
                break;
            }

            if ((a.Is(i, "MAXLEN"u8) || a.Is(i, "MINID"u8)) && more > 0)
            {
                bool maxlen = a.Is(i, "MAXLEN"u8);
                if (t.Strategy != Trim.None)
                {
                    ctx.Reply.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                    return -1;
                }

                t.Approx = false;
                if (more >= 2 && a[i + 1].SequenceEqual("~"u8))
                {
                    t.Approx = true;
                    i++;
                }
                else if (more >= 2 && a[i + 1].SequenceEqual("="u8))
                {
                    i++;
                }

                if (maxlen)
                {
                    if (!Args.Int64(ctx, a[i + 1], out t.MaxLen))
                    {
                        return -1;
                    }

                    if (t.MaxLen < 0)
                    {
                        ctx.Reply.Error("ERR The MAXLEN argument must be >= 0.");
                        return -1;
                    }
                }
                else if (!ParseIdOrReply(ctx, a[i + 1], strict: true, out t.MinId))
                {
                    return -1;
                }

                i++;
                t.Strategy = maxlen ? Trim.MaxLen : Trim.MinId;
                t.StrategyArgIdx = i;
            }
            else if (a.Is(i, "LIMIT"u8) && more > 0)
            {
                if (!Args.Int64(ctx, a[i + 1], out t.Limit))
                {
                    return -1;
                }

                if (t.Limit < 0)
                {
                    ctx.Reply.Error("ERR The LIMIT argument must be >= 0.");
                    return -1;
                }

                limitGiven = true;
                i++;
            }
            else if (xadd && a.Is(i, "NOMKSTREAM"u8))
            {
                t.NoMkStream = true;
            }
            else if (xadd)
            {
                if (!TryParseId(a[i], 0, strict: true, allowAutoSeq: true, out t.Id, out t.SeqGiven))
                {
                    ctx.Reply.Error(InvalidId);
                    return -1;
                }

                t.IdGiven = true;
                break;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return -1;
            }
        }

        if (t.Limit != 0 && t.Strategy == Trim.None)
        {
            ctx.Reply.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            return -1;
        }

        if (!xadd && t.Strategy == Trim.None)
        {
            ctx.Reply.Error("ERR syntax error, XTRIM must be called with a trimming strategy");
            return -1;
        }

        // The AOF (mustObeyClient) is trusted: its trims were made exact when logged.
        if (!ctx.Loading && limitGiven && !t.Approx)
        {
            ctx.Reply.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
            return -1;
        }

        return i;
    }

    // streamTrim. An exact trim drops entries from the head while the stream is longer than
    // MAXLEN, or while they are below MINID. An approximate one would drop only whole radix-tree
    // nodes, which this model does not have: it drops nothing (see RedisStream).
    private static long TrimStream(RedisStream s, in TrimArgs t)
    {
        if (t.Strategy == Trim.None || t.Approx)
        {
            return 0;
        }

        var doomed = new List<StreamId>();
        long length = s.Length;
        foreach (StreamId id in s.Entries.Keys)
        {
            bool stop = t.Strategy == Trim.MaxLen ? length - doomed.Count <= t.MaxLen : id.CompareTo(t.MinId) >= 0;
            if (stop)
            {
                break;
            }

            doomed.Add(id);
        }

        foreach (StreamId id in doomed)
        {
            s.Entries.Remove(id);
        }

        return doomed.Count;
    }

    // streamRewriteApproxSpecifier and streamRewriteTrimArgument: "~" becomes "=" and the
    // threshold the result (the length; the first ID, or the largest ID for an empty stream).
    private static void RewriteApproxTrim(byte[][] argv, RedisStream s, in TrimArgs t)
    {
        argv[t.StrategyArgIdx - 1] = "="u8.ToArray();
        if (t.Strategy == Trim.MaxLen)
        {
            argv[t.StrategyArgIdx] = Numbers.Int64Bytes(s.Length);
        }
        else
        {
            argv[t.StrategyArgIdx] = (s.TryFirst(out StreamId first) ? first : StreamId.Max).ToBytes();
        }
    }

    private static void XAdd(CommandContext ctx, CommandArgs a)
    {
        int idPos = ParseAddOrTrim(ctx, a, xadd: true, out TrimArgs t);
        if (idPos < 0)
        {
            return;
        }

        int fieldPos = idPos + 1;
        if (a.Count - fieldPos < 2 || (a.Count - fieldPos) % 2 == 1)
        {
            ctx.Reply.Error(Errors.Arity("xadd"));
            return;
        }

        if (t.IdGiven && t.SeqGiven && t.Id == StreamId.Zero)
        {
            ctx.Reply.Error("ERR The ID specified in XADD must be greater than 0-0");
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.Stream, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists && t.NoMkStream)
        {
            ctx.Reply.Null();
            return;
        }

        RedisStream s = exists ? ctx.Db.Mutable<RedisStream>(a[1]) : ctx.Db.Create(new RedisStream());
        if (s.LastId == StreamId.Max)
        {
            ctx.Reply.Error("ERR The stream has exhausted the last possible ID, unable to add more items");
            return;
        }

        // streamAppendItem: the ID given, or the next one after the last (the clock's
        // millisecond, or the last ID's sequence plus one), which must be above the last.
        StreamId id;
        bool ok = true;
        if (t.IdGiven && t.SeqGiven)
        {
            id = t.Id;
        }
        else if (t.IdGiven)
        {
            if (s.LastId.Ms == t.Id.Ms)
            {
                ok = s.LastId.Seq != ulong.MaxValue;
                id = s.LastId with { Seq = ok ? s.LastId.Seq + 1 : 0 };
            }
            else
            {
                id = t.Id;
            }
        }
        else
        {
            ulong ms = (ulong)Math.Max(0, ctx.NowMs);
            if (ms > s.LastId.Ms)
            {
                id = new StreamId(ms, 0);
            }
            else
            {
                s.LastId.TryIncrement(out id);
            }
        }

        if (!ok || id.CompareTo(s.LastId) <= 0)
        {
            ctx.Reply.Error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
            return;
        }

        if (!exists)
        {
            ctx.Db.Set(a[1], s, DbEntry.NoExpiry);
        }

        var fields = new byte[a.Count - fieldPos][];
        for (int j = fieldPos; j < a.Count; j++)
        {
            fields[j - fieldPos] = a.ToArray(j);
        }

        s.Entries[id] = fields;
        s.LastId = id;
        s.EntriesAdded++;
        ctx.Dirty++;
        byte[] idText = id.ToBytes();
        ctx.Reply.Bulk(idText);

        TrimStream(s, t);
        bool rewriteTrim = t.Strategy != Trim.None && t.Approx;
        bool rewriteId = !t.IdGiven || !t.SeqGiven;
        if (rewriteTrim || rewriteId)
        {
            byte[][] argv = a.ToArrays();
            if (rewriteTrim)
            {
                RewriteApproxTrim(argv, s, t);
            }

            if (rewriteId)
            {
                argv[idPos] = idText;
            }

            ctx.Rewrite(argv);
        }
    }

    private static void XTrim(CommandContext ctx, CommandArgs a)
    {
        if (ParseAddOrTrim(ctx, a, xadd: false, out TrimArgs t) < 0)
        {
            return;
        }

        if (!ctx.LookupTyped(a[1], RedisType.Stream, out _, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Integer(0);
            return;
        }

        RedisStream s = ctx.Db.Mutable<RedisStream>(a[1]);
        long deleted = TrimStream(s, t);
        if (deleted > 0)
        {
            if (t.Approx)
            {
                byte[][] argv = a.ToArrays();
                RewriteApproxTrim(argv, s, t);
                ctx.Rewrite(argv);
            }

            ctx.Dirty += deleted;
        }

        ctx.Reply.Integer(deleted);
    }

    // xdelCommand: every ID is parsed before anything is deleted; the largest deleted ID is kept.
    private static void XDel(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.Stream, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Integer(0);
            return;
        }

        var ids = new StreamId[a.Count - 2];
        for (int j = 2; j < a.Count; j++)
        {
            if (!ParseIdOrReply(ctx, a[j], strict: true, out ids[j - 2]))
            {
                return;
            }
        }

        var s = (RedisStream)e.Value;
        if (!ids.Any(s.Entries.ContainsKey))
        {
            ctx.Reply.Integer(0);
            return;
        }

        s = ctx.Db.Mutable<RedisStream>(a[1]);
        long deleted = 0;
        foreach (StreamId id in ids)
        {
            if (s.Entries.Remove(id))
            {
                if (id.CompareTo(s.MaxDeletedId) > 0)
                {
                    s.MaxDeletedId = id;
                }

                deleted++;
            }
        }

        ctx.Dirty += deleted;
        ctx.Reply.Integer(deleted);
    }

    // xsetidCommand: XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id].
    private static void XSetId(CommandContext ctx, CommandArgs a)
    {
        if (!ParseIdOrReply(ctx, a[2], strict: true, out StreamId id))
        {
            return;
        }

        long entriesAdded = -1;
        StreamId maxDeleted = StreamId.Zero;
        for (int i = 3; i < a.Count; i += 2)
        {
            bool more = i + 1 < a.Count;
            if (a.Is(i, "ENTRIESADDED"u8) && more)
            {
                if (!Args.Int64(ctx, a[i + 1], out entriesAdded))
                {
                    return;
                }

                if (entriesAdded < 0)
                {
                    ctx.Reply.Error("ERR entries_added must be positive");
                    return;
                }
            }
            else if (a.Is(i, "MAXDELETEDID"u8) && more)
            {
                if (!ParseIdOrReply(ctx, a[i + 1], strict: true, out maxDeleted))
                {
                    return;
                }

                if (id.CompareTo(maxDeleted) < 0)
                {
                    ctx.Reply.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                    return;
                }
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (!ctx.LookupTyped(a[1], RedisType.Stream, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.Error(Errors.NoSuchKey);
            return;
        }

        var current = (RedisStream)e.Value;
        if (current.TryLast(out StreamId top))
        {
            if (id.CompareTo(top) < 0)
            {
                ctx.Reply.Error("ERR The ID specified in XSETID is smaller than the target stream top item");
                return;
            }

            if (entriesAdded != -1 && current.Length > entriesAdded)
            {
                ctx.Reply.Error("ERR The entries_added specified in XSETID is smaller than the target stream length");
                return;
            }
        }

        RedisStream s = ctx.Db.Mutable<RedisStream>(a[1]);
        s.LastId = id;
        if (entriesAdded != -1)
        {
            s.EntriesAdded = entriesAdded;
        }

        if (maxDeleted != StreamId.Zero)
        {
            s.MaxDeletedId = maxDeleted;
        }

        ctx.Dirty++;
        ctx.Reply.Ok();
    }

    // xgroupCommand, with the arity of each of Redis 7's subcommands (CREATE -5, SETID -5,
    // DESTROY 4, CREATECONSUMER 5, DELCONSUMER 5).
    private static void XGroup(CommandContext ctx, CommandArgs a)
    {
        string sub = a.Text(1).ToLowerInvariant();
        (int arity, bool known) = sub switch
        {
            "create" => (-5, true),
            "setid" => (-5, true),
            "destroy" => (4, true),
            "createconsumer" => (5, true),
            "delconsumer" => (5, true),
            "help" => (2, true),
            _ => (0, false),
        };
        if (!known)
        {
            ctx.Reply.Error($"ERR unknown subcommand '{a.Text(1)}'. Try XGROUP HELP.");
            return;
        }

        if (arity >= 0 ? a.Count != arity : a.Count < -arity)
        {
            ctx.Reply.Error($"ERR wrong number of arguments for 'xgroup|{sub}' command");
            return;
        }

        if (sub == "help")
        {
            // addReplyHelp: the lines of xgroupCommand's help, each a status reply.
            ctx.Reply.ArrayHeader(XGroupHelp.Length);
            foreach (string line in XGroupHelp)
            {
                ctx.Reply.Status(line);
            }

            return;
        }

        bool mkstream = false;
        long entriesRead = StreamGroup.InvalidEntriesRead;
        for (int i = 5; i < a.Count;)
        {
            if (sub == "create" && a.Is(i, "MKSTREAM"u8))
            {
                mkstream = true;
                i++;
            }
            else if (sub is "create" or "setid" && a.Is(i, "ENTRIESREAD"u8) && i + 1 < a.Count)
            {
                if (!Args.Int64(ctx, a[i + 1], out entriesRead))
                {
                    return;
                }

                if (entriesRead < 0 && entriesRead != StreamGroup.InvalidEntriesRead)
                {
                    ctx.Reply.Error("ERR value for ENTRIESREAD must be positive or -1");
                    return;
                }

                i += 2;
            }
            else
            {
                ctx.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{a.Text(1)}'. Try XGROUP HELP.");
                return;
            }
        }

        if (!ctx.LookupTyped(a[2], RedisType.Stream, out DbEntry e, out bool exists))
        {
            return;
        }

        RedisStream? s = exists ? (RedisStream)e.Value : null;
        StreamGroup? group = null;
        if (!mkstream)
        {
            if (s is null)
            {
                ctx.Reply.Error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
                return;
            }

            s.Groups.TryGetValue(a.ToArray(3), out group);
            if (group is null && sub is "setid" or "createconsumer" or "delconsumer")
            {
                ctx.Reply.Error($"NOGROUP No such consumer group '{a.Text(3)}' for key name '{a.Text(2)}'");
                return;
            }
        }

        switch (sub)
        {
            case "create":
                {
                    StreamId id;
                    if (a[4].SequenceEqual("$"u8))
                    {
                        id = s?.LastId ?? StreamId.Zero;
                    }
                    else if (!ParseIdOrReply(ctx, a[4], strict: true, out id))
                    {
                        return;
                    }

                    if (s is null)
                    {
                        s = ctx.Db.Create(new RedisStream());
                        ctx.Db.Set(a[2], s, DbEntry.NoExpiry);
                    }
                    else
                    {
                        s = ctx.Db.Mutable<RedisStream>(a[2]);
                    }

                    byte[] name = a.ToArray(3);
                    if (s.Groups.ContainsKey(name))
                    {
                        ctx.Reply.Error("BUSYGROUP Consumer Group name already exists");
                        return;
                    }

                    s.Groups[name] = new StreamGroup { LastId = id, EntriesRead = entriesRead };
                    ctx.Dirty++;
                    ctx.Reply.Ok();
                    return;
                }

            case "setid":
                {
                    StreamId id;
                    if (a[4].SequenceEqual("$"u8))
                    {
                        id = s!.LastId;
                    }
                    else if (!TryParseId(a[4], 0, strict: false, allowAutoSeq: false, out id, out _))
                    {
                        ctx.Reply.Error(InvalidId);
                        return;
                    }

                    StreamGroup g = ctx.Db.Mutable<RedisStream>(a[2]).Groups[a.ToArray(3)];
                    g.LastId = id;
                    g.EntriesRead = entriesRead;
                    ctx.Dirty++;
                    ctx.Reply.Ok();
                    return;
                }

            case "destroy":
                if (group is null)
                {
                    ctx.Reply.Integer(0);
                    return;
                }

                ctx.Db.Mutable<RedisStream>(a[2]).Groups.Remove(a.ToArray(3));
                ctx.Dirty++;
                ctx.Reply.Integer(1);
                return;

            case "createconsumer":
                {
                    if (group!.Consumers.ContainsKey(a.ToArray(4)))
                    {
                        ctx.Reply.Integer(0);
                        return;
                    }

                    StreamGroup g = ctx.Db.Mutable<RedisStream>(a[2]).Groups[a.ToArray(3)];
                    g.Consumers[a.ToArray(4)] = new StreamConsumer { Name = a.ToArray(4), SeenTime = ctx.NowMs };
                    ctx.Dirty++;
                    ctx.Reply.Integer(1);
                    return;
                }

            default: // delconsumer: its pending entries leave the group's PEL with it
                {
                    if (!group!.Consumers.ContainsKey(a.ToArray(4)))
                    {
                        ctx.Reply.Integer(0);
                        return;
                    }

                    StreamGroup g = ctx.Db.Mutable<RedisStream>(a[2]).Groups[a.ToArray(3)];
                    StreamConsumer c = g.Consumers[a.ToArray(4)];
                    foreach (StreamId id in c.Pel.Keys)
                    {
                        g.Pel.Remove(id);
                    }

                    g.Consumers.Remove(c.Name);
                    ctx.Dirty++;
                    ctx.Reply.Integer(c.Pel.Count);
                    return;
                }
        }
    }

    // xclaimCommand. Propagated not as itself but as one XCLAIM per entry it changed, in the
    // form "XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID id", and as
    // XGROUP SETID when only LASTID moved the group.
    private static void XClaim(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.Stream, out DbEntry e, out bool exists))
        {
            return;
        }

        StreamGroup? peek = exists ? ((RedisStream)e.Value).Groups.GetValueOrDefault(a.ToArray(2)) : null;
        if (peek is null)
        {
            ctx.Reply.Error($"NOGROUP No such key '{a.Text(1)}' or consumer group '{a.Text(2)}'");
            return;
        }

        if (!Numbers.TryParseInt64(a[4], out long minIdle))
        {
            ctx.Reply.Error("ERR Invalid min-idle-time argument for XCLAIM");
            return;
        }

        minIdle = Math.Max(0, minIdle);
        var ids = new List<StreamId>();
        int j = 5;
        for (; j < a.Count && TryParseId(a[j], 0, strict: true, allowAutoSeq: false, out StreamId id, out _); j++)
        {
            ids.Add(id);
        }

        long now = ctx.NowMs;
        long retryCount = -1, deliveryTime = -1;
        bool force = false, justId = false;
        StreamId lastId = StreamId.Zero;
        for (; j < a.Count; j++)
        {
            bool more = j + 1 < a.Count;
            if (a.Is(j, "FORCE"u8))
            {
                force = true;
            }
            else if (a.Is(j, "JUSTID"u8))
            {
                justId = true;
            }
            else if (a.Is(j, "IDLE"u8) && more)
            {
                if (!Numbers.TryParseInt64(a[++j], out long idle))
                {
                    ctx.Reply.Error("ERR Invalid IDLE option argument for XCLAIM");
                    return;
                }

                deliveryTime = now - idle;
            }
            else if (a.Is(j, "TIME"u8) && more)
            {
                if (!Numbers.TryParseInt64(a[++j], out deliveryTime))
                {
                    ctx.Reply.Error("ERR Invalid TIME option argument for XCLAIM");
                    return;
                }
            }
            else if (a.Is(j, "RETRYCOUNT"u8) && more)
            {
                if (!Numbers.TryParseInt64(a[++j], out retryCount))
                {
                    ctx.Reply.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM");
                    return;
                }
            }
            else if (a.Is(j, "LASTID"u8) && more)
            {
                if (!ParseIdOrReply(ctx, a[++j], strict: true, out lastId))
                {
                    return;
                }
            }
            else
            {
                ctx.Reply.Error($"ERR Unrecognized XCLAIM option '{a.Text(j)}'");
                return;
            }
        }

        RedisStream s = ctx.Db.Mutable<RedisStream>(a[1]);
        StreamGroup group = s.Groups[a.ToArray(2)];
        var propagate = new List<CommandArgs>();
        bool propagateLastId = false;
        if (lastId.CompareTo(group.LastId) > 0)
        {
            group.LastId = lastId;
            propagateLastId = true;
        }

        if (deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now)
        {
            deliveryTime = now;
        }

        StreamConsumer? consumer = null;
        byte[] name = a.ToArray(3);
        var claimed = new List<StreamId>();
        foreach (StreamId id in ids)
        {
            group.Pel.TryGetValue(id, out StreamNack? nack);
            if (!s.Entries.ContainsKey(id))
            {
                // The entry was deleted: its pending entry goes, and that is logged.
                if (nack is not null)
                {
                    propagate.Add(ClaimArgs(a[1], a[2], nack, id, group.LastId));
                    propagateLastId = false;
                    ctx.Dirty++;
                    group.Pel.Remove(id);
                    nack.Consumer.Pel.Remove(id);
                }

                continue;
            }

            bool created = false;
            if (force && nack is null)
            {
                created = true;
            }

            if (nack is null && !created)
            {
                continue;
            }

            if (nack is not null && minIdle > 0 && now - nack.DeliveryTime < minIdle)
            {
                continue;
            }

            if (consumer is null && !group.Consumers.TryGetValue(name, out consumer))
            {
                consumer = new StreamConsumer { Name = name, SeenTime = now };
                group.Consumers[name] = consumer;
                ctx.Dirty++;
            }

            consumer.SeenTime = now;
            if (nack is null)
            {
                nack = new StreamNack { Consumer = consumer, DeliveryCount = 1 };
                group.Pel[id] = nack;
            }
            else if (nack.Consumer != consumer)
            {
                nack.Consumer.Pel.Remove(id);
            }

            nack.DeliveryTime = deliveryTime;
            if (retryCount >= 0)
            {
                nack.DeliveryCount = retryCount;
            }
            else if (!justId)
            {
                nack.DeliveryCount++;
            }

            nack.Consumer = consumer;
            consumer.Pel[id] = nack;
            claimed.Add(id);
            propagate.Add(ClaimArgs(a[1], a[2], nack, id, group.LastId));
            propagateLastId = false;
            ctx.Dirty++;
        }

        if (propagateLastId)
        {
            propagate.Add(SetIdArgs(a[1], a.ToArray(2), group));
            ctx.Dirty++;
        }

        ctx.Reply.ArrayHeader(claimed.Count);
        foreach (StreamId id in claimed)
        {
            if (justId)
            {
                ctx.Reply.Bulk(id.ToBytes());
            }
            else
            {
                ReplyEntry(ctx, id, s.Entries[id]);
            }
        }

        ctx.PreventPropagation = true;
        ctx.AlsoPropagate(propagate);
    }

    // xreadCommand for XREADGROUP (never blocking here: a BLOCK that finds nothing replies as
    // its timeout would). Not logged itself: each entry delivered is logged as the XCLAIM that
    // gives it to the consumer; with NOACK, the group's new last ID as XGROUP SETID, and a
    // consumer it created as XGROUP CREATECONSUMER.
    private static void XReadGroup(CommandContext ctx, CommandArgs a)
    {
        long count = 0;
        int streamsArg = 0;
        bool noAck = false;
        byte[]? groupName = null, consumerName = null;
        for (int i = 1; i < a.Count; i++)
        {
            int more = a.Count - i - 1;
            if (a.Is(i, "BLOCK"u8) && more > 0)
            {
                if (!Numbers.TryParseInt64(a[++i], out long timeout))
                {
                    ctx.Reply.Error("ERR timeout is not an integer or out of range");
                    return;
                }

                if (timeout < 0)
                {
                    ctx.Reply.Error("ERR timeout is negative");
                    return;
                }
            }
            else if (a.Is(i, "COUNT"u8) && more > 0)
            {
                if (!Args.Int64(ctx, a[++i], out count))
                {
                    return;
                }

                count = Math.Max(0, count);
            }
            else if (a.Is(i, "STREAMS"u8) && more > 0)
            {
                streamsArg = i + 1;
                if ((a.Count - streamsArg) % 2 != 0)
                {
                    ctx.Reply.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                    return;
                }

                break;
            }
            else if (a.Is(i, "GROUP"u8) && more >= 2)
            {
                groupName = a.ToArray(i + 1);
                consumerName = a.ToArray(i + 2);
                i += 2;
            }
            else if (a.Is(i, "NOACK"u8))
            {
                noAck = true;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (streamsArg == 0)
        {
            ctx.Reply.Error(Errors.Syntax);
            return;
        }

        if (groupName is null || consumerName is null)
        {
            ctx.Reply.Error("ERR Missing GROUP option for XREADGROUP");
            return;
        }

        int streams = (a.Count - streamsArg) / 2;
        var ids = new StreamId[streams];
        for (int k = 0; k < streams; k++)
        {
            int keyIdx = streamsArg + k, idIdx = streamsArg + streams + k;
            if (!ctx.LookupTyped(a[keyIdx], RedisType.Stream, out DbEntry e, out bool exists))
            {
                return;
            }

            if (!exists || !((RedisStream)e.Value).Groups.ContainsKey(groupName))
            {
                ctx.Reply.Error($"NOGROUP No such key '{a.Text(keyIdx)}' or consumer group '{Encoding.Latin1.GetString(groupName)}' in XREADGROUP with GROUP option");
                return;
            }

            if (a[idIdx].SequenceEqual("$"u8))
            {
                ctx.Reply.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
                return;
            }

            if (a[idIdx].SequenceEqual(">"u8))
            {
                ids[k] = StreamId.Max;
            }
            else if (!ParseIdOrReply(ctx, a[idIdx], strict: true, out ids[k]))
            {
                return;
            }
        }

        var propagate = new List<CommandArgs>();
        var replies = new List<(int KeyIdx, List<(StreamId Id, byte[][]? Fields)> Entries)>();
        for (int k = 0; k < streams; k++)
        {
            int keyIdx = streamsArg + k;
            ctx.Db.TryGet(a[keyIdx], out DbEntry found);
            var s = (RedisStream)found.Value;
            StreamGroup g0 = s.Groups[groupName];
            bool history = ids[k] != StreamId.Max;
            StreamId gt = ids[k];
            if (!history)
            {
                if (!s.TryLast(out StreamId top) || top.CompareTo(g0.LastId) <= 0)
                {
                    continue;
                }

                gt = g0.LastId;
            }

            s = ctx.Db.Mutable<RedisStream>(a[keyIdx]);
            StreamGroup group = s.Groups[groupName];
            gt.TryIncrement(out StreamId start);
            if (!group.Consumers.TryGetValue(consumerName, out StreamConsumer? consumer))
            {
                // streamCreateConsumer dirties the dataset once for the new consumer, on top
                // of the once per stream served below (redis-server 7.0.15: +2 in all).
                consumer = new StreamConsumer { Name = consumerName, SeenTime = ctx.NowMs };
                group.Consumers[consumerName] = consumer;
                ctx.Dirty++;
                if (noAck)
                {
                    propagate.Add(CommandArgs.Of("XGROUP"u8.ToArray(), "CREATECONSUMER"u8.ToArray(), a.ToArray(keyIdx), groupName, consumerName));
                }
            }

            consumer.SeenTime = ctx.NowMs;
            var delivered = new List<(StreamId, byte[][]?)>();
            if (history)
            {
                foreach ((StreamId id, StreamNack nack) in consumer.Pel.Where(p => p.Key.CompareTo(start) >= 0).ToList())
                {
                    if (count > 0 && delivered.Count == count)
                    {
                        break;
                    }

                    if (s.Entries.TryGetValue(id, out byte[][]? fields))
                    {
                        nack.DeliveryTime = ctx.NowMs;
                        nack.DeliveryCount++;
                    }

                    delivered.Add((id, fields));
                }
            }
            else
            {
                bool propagateLastId = false;
                foreach ((StreamId id, byte[][] fields) in s.Entries.Where(en => en.Key.CompareTo(start) >= 0).ToList())
                {
                    if (id.CompareTo(group.LastId) > 0)
                    {
                        if (group.EntriesRead != StreamGroup.InvalidEntriesRead && !HasTombstones(s, id))
                        {
                            group.EntriesRead++;
                        }
                        else if (s.EntriesAdded != 0)
                        {
                            group.EntriesRead = EstimateDistanceFromFirstEverEntry(s, id);
                        }

                        group.LastId = id;
                        propagateLastId |= noAck;
                    }

                    if (!noAck)
                    {
                        if (group.Pel.TryGetValue(id, out StreamNack? nack))
                        {
                            nack.Consumer.Pel.Remove(id);
                            nack.Consumer = consumer;
                            nack.DeliveryTime = ctx.NowMs;
                            nack.DeliveryCount = 1;
                        }
                        else
                        {
                            nack = new StreamNack { Consumer = consumer, DeliveryTime = ctx.NowMs, DeliveryCount = 1 };
                            group.Pel[id] = nack;
                        }

                        consumer.Pel[id] = nack;
                        propagate.Add(ClaimArgs(a[keyIdx], groupName, nack, id, group.LastId));
                    }

                    delivered.Add((id, fields));
                    if (count > 0 && delivered.Count == count)
                    {
                        break;
                    }
                }

                if (propagateLastId)
                {
                    propagate.Add(SetIdArgs(a[keyIdx], groupName, group));
                }
            }

            ctx.Dirty++;
            replies.Add((keyIdx, delivered));
        }

        if (replies.Count == 0)
        {
            ctx.Reply.NullArray();
            return;
        }

        ctx.Reply.ArrayHeader(replies.Count);
        foreach ((int keyIdx, List<(StreamId Id, byte[][]? Fields)> entries) in replies)
        {
            ctx.Reply.ArrayHeader(2);
            ctx.Reply.Bulk(a[keyIdx]);
            ctx.Reply.ArrayHeader(entries.Count);
            foreach ((StreamId id, byte[][]? fields) in entries)
            {
                if (fields is null)
                {
                    ctx.Reply.ArrayHeader(2);
                    ctx.Reply.Bulk(id.ToBytes());
                    ctx.Reply.NullArray();
                }
                else
                {
                    ReplyEntry(ctx, id, fields);
                }
            }
        }

        ctx.PreventPropagation = true;
        ctx.AlsoPropagate(propagate);
    }

    // streamRangeHasTombstones(s, id, NULL): whether an entry at or after id may have been deleted.
    private static bool HasTombstones(RedisStream s, StreamId start)
    {
        if (s.Length == 0 || s.MaxDeletedId == StreamId.Zero)
        {
            return false;
        }

        if (s.TryFirst(out StreamId first) && first.CompareTo(s.MaxDeletedId) > 0)
        {
            return false;
        }

        return start.CompareTo(s.MaxDeletedId) <= 0;
    }

    // streamEstimateDistanceFromFirstEverEntry: how many entries were added up to id, when that
    // can be known from the counters.
    private static long EstimateDistanceFromFirstEverEntry(RedisStream s, StreamId id)
    {
        if (s.EntriesAdded == 0)
        {
            return 0;
        }

        if (s.Length == 0 && id.CompareTo(s.LastId) < 1)
        {
            return s.EntriesAdded;
        }

        int cmpLast = id.CompareTo(s.LastId);
        if (cmpLast == 0)
        {
            return s.EntriesAdded;
        }

        if (cmpLast > 0)
        {
            return StreamGroup.InvalidEntriesRead;
        }

        s.TryFirst(out StreamId first);
        int cmpIdFirst = id.CompareTo(first);
        if (s.MaxDeletedId == StreamId.Zero || s.MaxDeletedId.CompareTo(first) < 0)
        {
            if (cmpIdFirst < 0)
            {
                return s.EntriesAdded - s.Length;
            }

            if (cmpIdFirst == 0)
            {
                return s.EntriesAdded - s.Length + 1;
            }
        }

        return StreamGroup.InvalidEntriesRead;
    }

    // xautoclaimCommand: XAUTOCLAIM key group consumer min-idle start [COUNT n] [JUSTID]. Walks
    // the group's PEL from start, claiming idle entries for the consumer and dropping those whose
    // entry was deleted; each change is logged as an XCLAIM, as XCLAIM's are.
    private static void XAutoClaim(CommandContext ctx, CommandArgs a)
    {
        if (!Numbers.TryParseInt64(a[4], out long minIdle))
        {
            ctx.Reply.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
            return;
        }

        minIdle = Math.Max(0, minIdle);
        if (!ParseBound(ctx, a[5], 0, out StreamId start, out bool startEx))
        {
            return;
        }

        if (startEx && !start.TryIncrement(out start))
        {
            ctx.Reply.Error("ERR invalid start ID for the interval");
            return;
        }

        long count = 100;
        bool justId = false;
        for (int j = 6; j < a.Count; j++)
        {
            if (a.Is(j, "COUNT"u8) && j + 1 < a.Count)
            {
                if (!Numbers.TryParseInt64(a[j + 1], out count) || count < 1 || count > long.MaxValue / 16)
                {
                    ctx.Reply.Error("ERR COUNT must be > 0");
                    return;
                }

                j++;
            }
            else if (a.Is(j, "JUSTID"u8))
            {
                justId = true;
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (!ctx.LookupTyped(a[1], RedisType.Stream, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists || !((RedisStream)e.Value).Groups.ContainsKey(a.ToArray(2)))
        {
            ctx.Reply.Error($"NOGROUP No such key '{a.Text(1)}' or consumer group '{a.Text(2)}'");
            return;
        }

        RedisStream s = ctx.Db.Mutable<RedisStream>(a[1]);
        StreamGroup group = s.Groups[a.ToArray(2)];
        byte[] name = a.ToArray(3);
        long now = ctx.NowMs;
        long attempts = count * 10;
        StreamConsumer? consumer = null;
        var claimed = new List<StreamId>();
        var deleted = new List<StreamId>();
        var propagate = new List<CommandArgs>();
        List<KeyValuePair<StreamId, StreamNack>> walk = group.Pel.Where(p => p.Key.CompareTo(start) >= 0).ToList();
        int at = 0;
        for (; attempts-- > 0 && count > 0 && at < walk.Count; at++)
        {
            (StreamId id, StreamNack nack) = walk[at];
            if (!s.Entries.ContainsKey(id))
            {
                propagate.Add(ClaimArgs(a[1], a[2], nack, id, group.LastId));
                ctx.Dirty++;
                group.Pel.Remove(id);
                nack.Consumer.Pel.Remove(id);
                deleted.Add(id);
                count--;
                continue;
            }

            if (minIdle > 0 && now - nack.DeliveryTime < minIdle)
            {
                continue;
            }

            if (consumer is null && !group.Consumers.TryGetValue(name, out consumer))
            {
                consumer = new StreamConsumer { Name = name, SeenTime = now };
                group.Consumers[name] = consumer;
                ctx.Dirty++;
            }

            consumer.SeenTime = now;
            if (nack.Consumer != consumer)
            {
                nack.Consumer.Pel.Remove(id);
            }

            nack.DeliveryTime = now;
            if (!justId)
            {
                nack.DeliveryCount++;
            }

            nack.Consumer = consumer;
            consumer.Pel[id] = nack;
            claimed.Add(id);
            count--;
            propagate.Add(ClaimArgs(a[1], a[2], nack, id, group.LastId));
            ctx.Dirty++;
        }

        // The cursor: the next PEL entry after the last one looked at, or 0-0 at the end.
        StreamId next = at < walk.Count ? walk[at].Key : StreamId.Zero;
        ctx.Reply.ArrayHeader(3);
        ctx.Reply.Bulk(next.ToBytes());
        ctx.Reply.ArrayHeader(claimed.Count);
        foreach (StreamId id in claimed)
        {
            if (justId)
            {
                ctx.Reply.Bulk(id.ToBytes());
            }
            else
            {
                ReplyEntry(ctx, id, s.Entries[id]);
            }
        }

        ctx.Reply.ArrayHeader(deleted.Count);
        foreach (StreamId id in deleted)
        {
            ctx.Reply.Bulk(id.ToBytes());
        }

        ctx.PreventPropagation = true;
        ctx.AlsoPropagate(propagate);
    }

    private static CommandArgs SetIdArgs(ReadOnlySpan<byte> key, byte[] groupName, StreamGroup group) =>
        CommandArgs.Of("XGROUP"u8.ToArray(), "SETID"u8.ToArray(), key.ToArray(), groupName, group.LastId.ToBytes(), "ENTRIESREAD"u8.ToArray(), Numbers.Int64Bytes(group.EntriesRead));

    private static CommandArgs ClaimArgs(ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, StreamNack nack, StreamId id, StreamId lastId) =>
        CommandArgs.Of(
            XClaimName, key.ToArray(), group.ToArray(), nack.Consumer.Name, "0"u8.ToArray(), id.ToBytes(),
            "TIME"u8.ToArray(), Numbers.Int64Bytes(nack.DeliveryTime), "RETRYCOUNT"u8.ToArray(), Numbers.Int64Bytes(nack.DeliveryCount),
            "FORCE"u8.ToArray(), "JUSTID"u8.ToArray(), "LASTID"u8.ToArray(), lastId.ToBytes());

    // xackCommand: every ID is parsed first (all or nothing); each one found in the group's PEL
    // leaves it and its consumer's.
    private static void XAck(CommandContext ctx, CommandArgs a)
    {
        if (!ctx.LookupTyped(a[1], RedisType.Stream, out DbEntry e, out bool exists))
        {
            return;
        }

        StreamGroup? peek = exists ? ((RedisStream)e.Value).Groups.GetValueOrDefault(a.ToArray(2)) : null;
        if (peek is null)
        {
            ctx.Reply.Integer(0);
            return;
        }

        var ids = new StreamId[a.Count - 3];
        for (int j = 3; j < a.Count; j++)
        {
            if (!ParseIdOrReply(ctx, a[j], strict: true, out ids[j - 3]))
            {
                return;
            }
        }

        if (!ids.Any(peek.Pel.ContainsKey))
        {
            ctx.Reply.Integer(0);
            return;
        }

        StreamGroup group = ctx.Db.Mutable<RedisStream>(a[1]).Groups[a.ToArray(2)];
        long acked = 0;
        foreach (StreamId id in ids)
        {
            if (group.Pel.Remove(id, out StreamNack? nack))
            {
                nack.Consumer.Pel.Remove(id);
                acked++;
            }
        }

        ctx.Dirty += acked;
        ctx.Reply.Integer(acked);
    }

    private static void XLen(CommandContext ctx, CommandArgs a)
    {
        if (ctx.LookupTyped(a[1], RedisType.Stream, out DbEntry e, out bool exists))
        {
            ctx.Reply.Integer(exists ? ((RedisStream)e.Value).Length : 0);
        }
    }

    // XRANGE key start end [COUNT n]: "-" and "+", an incomplete start (seq 0) and end (seq max),
    // and "(" for an exclusive bound.
    private static void XRange(CommandContext ctx, CommandArgs a)
    {
        if (!ParseBound(ctx, a[2], 0, out StreamId start, out bool startEx) || !ParseBound(ctx, a[3], ulong.MaxValue, out StreamId end, out bool endEx))
        {
            return;
        }

        if (startEx && !start.TryIncrement(out start))
        {
            ctx.Reply.Error("ERR invalid start ID for the interval");
            return;
        }

        if (endEx)
        {
            if (end == StreamId.Zero)
            {
                ctx.Reply.Error("ERR invalid end ID for the interval");
                return;
            }

            end = end.Seq > 0 ? end with { Seq = end.Seq - 1 } : new StreamId(end.Ms - 1, ulong.MaxValue);
        }

        long count = -1;
        for (int j = 4; j < a.Count; j++)
        {
            if (a.Is(j, "COUNT"u8) && j + 1 < a.Count)
            {
                if (!Args.Int64(ctx, a[++j], out count))
                {
                    return;
                }

                count = Math.Max(0, count);
            }
            else
            {
                ctx.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (!ctx.LookupTyped(a[1], RedisType.Stream, out DbEntry e, out bool exists))
        {
            return;
        }

        if (!exists)
        {
            ctx.Reply.ArrayHeader(0);
            return;
        }

        if (count == 0)
        {
            // Redis 7's xrangeGenericCommand: COUNT 0 (or a negative count, made 0) on a stream
            // is the null array, not an empty one.
            ctx.Reply.NullArray();
            return;
        }

        var s = (RedisStream)e.Value;
        var hits = s.Entries.Where(kv => kv.Key.CompareTo(start) >= 0 && kv.Key.CompareTo(end) <= 0);
        List<KeyValuePair<StreamId, byte[][]>> found = (count > 0 ? hits.Take((int)Math.Min(count, int.MaxValue)) : hits).ToList();
        ctx.Reply.ArrayHeader(found.Count);
        foreach ((StreamId id, byte[][] fields) in found)
        {
            ReplyEntry(ctx, id, fields);
        }
    }

    private static bool ParseBound(CommandContext ctx, ReadOnlySpan<byte> arg, ulong missingSeq, out StreamId id, out bool exclusive)
    {
        exclusive = arg.Length > 1 && arg[0] == '(';
        if (exclusive)
        {
            arg = arg[1..];
        }

        if (TryParseId(arg, missingSeq, strict: exclusive, allowAutoSeq: false, out id, out _))
        {
            return true;
        }

        ctx.Reply.Error(InvalidId);
        return false;
    }

    private static void ReplyEntry(CommandContext ctx, StreamId id, byte[][] fields)
    {
        ctx.Reply.ArrayHeader(2);
        ctx.Reply.Bulk(id.ToBytes());
        ctx.Reply.Array(fields);
    }
}
