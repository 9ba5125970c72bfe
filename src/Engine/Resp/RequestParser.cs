using AofSim.Engine.Commands;
using AofSim.Engine.Text;

namespace AofSim.Engine.Resp;

/// <summary>
/// Splits a client's byte stream into commands the way Redis 7's processInputBuffer does:
/// RESP multibulk arrays, or inline lines (split by <see cref="InlineSplitter"/>), with Redis's
/// limits and its "Protocol error: ..." words. The commands of one read are parsed together
/// (<see cref="Parse"/>) and point into the parser's buffers, so they are valid until
/// <see cref="Recycle"/>: the reader hands them to the loop and waits for them to run before it
/// reads again, as redis-server reads a client only between its commands.
/// </summary>
/// <remarks>
/// Memory: small arguments stay where they were read, in the query buffer; a bulk of 32 KB or
/// more that has not arrived whole is received straight into an array of its own (Redis's
/// PROTO_MBULK_BIG_ARG), which ends exactly the bulk's size. That array grows with the bytes
/// that actually arrive (never more than twice them), so a client that claims 512 MB and sends
/// nothing costs nothing. The query buffer goes back to its first size once a big request is
/// done, and everything is dropped when the client goes.
/// </remarks>
public sealed class RequestParser
{
    /// <summary>PROTO_IOBUF_LEN: the query buffer's size, and what a read asks for.</summary>
    public const int IoBufLen = 16 * 1024;

    /// <summary>PROTO_INLINE_MAX_SIZE: the longest inline line, or count line, waited for.</summary>
    public const int InlineMax = 64 * 1024;

    /// <summary>PROTO_MBULK_BIG_ARG: bulks this long are received into an array of their own.</summary>
    public const int BigArg = 32 * 1024;

    /// <summary>PROTO_RESIZE_THRESHOLD: a query buffer past this size is given back once empty.</summary>
    public const int ResizeThreshold = 32 * 1024;

    /// <summary>proto-max-bulk-len's default (512 MB).</summary>
    public const long MaxBulk = 512L * 1024 * 1024;

    /// <summary>client-query-buffer-limit's default (1 GB): past it the client is closed.</summary>
    public const long MaxQuery = 1L << 30;

    // A big bulk's array starts at this size (or at twice what has arrived, or at the bulk's
    // size if smaller) and doubles as bytes arrive.
    private const int FirstBigChunk = 256 * 1024;

    private const int SpareArgsMax = 64;
    private const int SpareVectorsMax = 1024;

    private readonly List<CommandArgs> ready = [];
    private readonly List<CommandArgs> spare = [];
    private readonly List<(byte[]? Owner, int Start, int Length)> parts = [];
    private readonly List<byte[]> inlineArgs = [];

    private byte[] query = new byte[IoBufLen];
    private int pos;      // the first byte not parsed yet
    private int end;      // the bytes held
    private int cmdStart; // where the command being parsed began: its small arguments are kept from here

    private long multibulkLeft; // bulks the current multibulk still expects (0: none under way)
    private long bulkLen = -1;  // the announced length of the bulk being read, -1 before its header
    private byte[]? big;        // that bulk's own array, when big
    private int bigFilled;
    private long heldBig;       // bytes of big arrays the ready commands hold
    private long partsBig;      // and those the command under way holds
    private long released;      // bytes of big storage let go since TakeReleased

    /// <summary>Set when the stream is malformed: the error (with its ERR prefix) to send before closing.</summary>
    public string? ProtocolError { get; private set; }

    /// <summary>Set when the client's request outgrew <see cref="MaxQuery"/>: it is closed without a reply.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The commands <see cref="Parse"/> found, valid until <see cref="Recycle"/>.</summary>
    public IReadOnlyList<CommandArgs> Ready => ready;

    /// <summary>Where the next read goes; empty once <see cref="Overflowed"/>.</summary>
    public Memory<byte> FreeSpace()
    {
        if (big is not null && bigFilled < bulkLen)
        {
            if (bigFilled == big.Length)
            {
                // The bytes arrived fill the array: double it, up to the bulk's exact size.
                byte[] grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(bulkLen, 2L * big.Length));
                big.AsSpan().CopyTo(grown);
                released += big.Length;
                big = grown;
            }

            return big.AsMemory(bigFilled);
        }

        if (query.Length - end < IoBufLen / 4)
        {
            // Keep only the command under way (or nothing, between commands).
            int keep = InCommand ? cmdStart : pos;
            if (keep > 0)
            {
                query.AsSpan(keep, end - keep).CopyTo(query);
                pos -= keep;
                end -= keep;
                cmdStart -= keep;
            }

            if (query.Length - end < IoBufLen / 4)
            {
                long size = 2L * query.Length;
                if (size > MaxQuery)
                {
                    Overflowed = true;
                    return Memory<byte>.Empty;
                }

                Array.Resize(ref query, (int)size);
            }
        }

        return query.AsMemory(end);
    }

    /// <summary>Records that <paramref name="n"/> bytes were read into <see cref="FreeSpace"/>.</summary>
    public void Advance(int n)
    {
        if (big is not null && bigFilled < bulkLen)
        {
            bigFilled += n;
        }
        else
        {
            end += n;
        }
    }

    /// <summary>
    /// Parses every whole command held into <see cref="Ready"/>, stopping at a protocol error
    /// (<see cref="ProtocolError"/>): the commands before it still run, and their replies go
    /// out before the error, as in processInputBuffer.
    /// </summary>
    /// <returns>The number of commands ready.</returns>
    public int Parse()
    {
        while (ProtocolError is null)
        {
            if (big is not null)
            {
                if (!TryFinishBig())
                {
                    break;
                }
            }
            else if (multibulkLeft > 0)
            {
                if (!TryBulk())
                {
                    break;
                }
            }
            else if (pos == end)
            {
                break;
            }
            else
            {
                cmdStart = pos;
                bool whole = query[pos] == (byte)'*' ? TryMultibulkCount() : TryInline();
                if (!whole)
                {
                    break;
                }
            }
        }

        return ready.Count;
    }

    /// <summary>
    /// Bytes of big storage let go since the last call (arrays outgrown, big commands done, a
    /// grown query buffer given back), for a host that gives big frees back to the OS (aofsim serve's MemoryReclaimer).
    /// </summary>
    public long TakeReleased()
    {
        long bytes = released;
        released = 0;
        return bytes;
    }

    /// <summary>
    /// Forgets the commands of the last <see cref="Parse"/> once they have run, and gives the
    /// query buffer back its first size if a big request had grown it past
    /// <see cref="ResizeThreshold"/> (a client that pipelines keeps a buffer up to that size).
    /// </summary>
    public void Recycle()
    {
        released += heldBig;
        heldBig = 0;
        foreach (CommandArgs args in ready)
        {
            // Vectors are reused, but not a huge one, nor more than a pipeline's worth.
            bool keep = args.Count <= SpareArgsMax && spare.Count < SpareVectorsMax;
            args.Reset([]);
            if (keep)
            {
                spare.Add(args);
            }
        }

        ready.Clear();
        if (!InCommand && pos == end && query.Length > ResizeThreshold)
        {
            released += query.Length;
            query = new byte[IoBufLen];
            pos = end = cmdStart = 0;
        }
    }

    /// <summary>Lets go of every buffer (the client is gone).</summary>
    public void Release()
    {
        Recycle();
        released += partsBig + (big?.Length ?? 0) + (query.Length > IoBufLen ? query.Length : 0);
        parts.Clear();
        partsBig = 0;
        big = null;
        query = [];
        pos = end = cmdStart = 0;
        spare.Clear();
    }

    private bool InCommand => multibulkLeft > 0;

    private void Fail(string error) => ProtocolError = "ERR " + error;

    // The count line: "*<count>\r\n". As Redis, the line ends at the first '\r', and the byte
    // after it (the '\n') is taken on trust.
    private bool TryMultibulkCount()
    {
        int cr = query.AsSpan(pos, end - pos).IndexOf((byte)'\r');
        if (cr < 0)
        {
            if (end - pos > InlineMax)
            {
                Fail("Protocol error: too big mbulk count string");
            }

            return false;
        }

        cr += pos;
        if (cr + 1 >= end)
        {
            return false;
        }

        if (!Numbers.TryParseInt64(query.AsSpan(pos + 1, cr - pos - 1), out long count) || count > int.MaxValue)
        {
            Fail("Protocol error: invalid multibulk length");
            return false;
        }

        pos = cr + 2;

        // *0 and *-1 are empty commands: nothing runs, and parsing goes on with what follows.
        if (count > 0)
        {
            multibulkLeft = count;
            parts.Clear();
        }

        return true;
    }

    // One bulk of the current multibulk: its "$<len>\r\n" header, then its bytes and CRLF.
    private bool TryBulk()
    {
        if (bulkLen < 0)
        {
            int cr = query.AsSpan(pos, end - pos).IndexOf((byte)'\r');
            if (cr < 0)
            {
                if (end - pos > InlineMax)
                {
                    Fail("Protocol error: too big bulk count string");
                }

                return false;
            }

            cr += pos;
            if (cr + 1 >= end)
            {
                return false;
            }

            if (query[pos] != (byte)'$')
            {
                Fail($"Protocol error: expected '$', got '{(char)query[pos]}'");
                return false;
            }

            if (!Numbers.TryParseInt64(query.AsSpan(pos + 1, cr - pos - 1), out long len) || len < 0 || len > MaxBulk)
            {
                Fail("Protocol error: invalid bulk length");
                return false;
            }

            pos = cr + 2;
            bulkLen = len;
            if (len >= BigArg && end - pos < len + 2)
            {
                StartBig();
                return true;
            }
        }

        if (end - pos < bulkLen + 2)
        {
            return false;
        }

        parts.Add((null, pos - cmdStart, (int)bulkLen));
        pos += (int)bulkLen + 2;
        BulkDone();
        return true;
    }

    // A big bulk not held whole: what has arrived of it moves to an array of its own, and the
    // rest is read straight into that array.
    private void StartBig()
    {
        int have = (int)Math.Min(end - pos, bulkLen);
        big = GC.AllocateUninitializedArray<byte>((int)Math.Min(bulkLen, Math.Max(FirstBigChunk, 2L * have)));
        query.AsSpan(pos, have).CopyTo(big);
        bigFilled = have;

        // Whatever followed the bytes moved (a part of the CRLF) stays where they were.
        query.AsSpan(pos + have, end - pos - have).CopyTo(query.AsSpan(pos));
        end -= have;
    }

    // A big bulk is done once all its bytes are in its array and its CRLF in the query buffer.
    private bool TryFinishBig()
    {
        if (bigFilled < bulkLen || end - pos < 2)
        {
            return false;
        }

        pos += 2;
        parts.Add((big, 0, (int)bulkLen));
        partsBig += big!.Length;
        big = null;
        bigFilled = 0;
        BulkDone();
        return true;
    }

    private void BulkDone()
    {
        bulkLen = -1;
        if (--multibulkLeft > 0)
        {
            return;
        }

        CommandArgs args = NextArgs(query, parts.Count);
        foreach ((byte[]? owner, int start, int length) in parts)
        {
            if (owner is null)
            {
                args.Add(cmdStart + start, length);
            }
            else
            {
                args.Add(owner, start, length);
            }
        }

        parts.Clear();
        heldBig += partsBig;
        partsBig = 0;
        ready.Add(args);
    }

    // An inline command: one line, split as sdssplitargs does. An empty line is no command.
    private bool TryInline()
    {
        int nl = query.AsSpan(pos, end - pos).IndexOf((byte)'\n');
        if (nl < 0)
        {
            if (end - pos > InlineMax)
            {
                Fail("Protocol error: too big inline request");
            }

            return false;
        }

        nl += pos;
        int lineEnd = nl > pos && query[nl - 1] == (byte)'\r' ? nl - 1 : nl;
        if (!InlineSplitter.TrySplit(query.AsSpan(pos, lineEnd - pos), inlineArgs))
        {
            Fail("Protocol error: unbalanced quotes in request");
            return false;
        }

        pos = nl + 1;
        if (inlineArgs.Count > 0)
        {
            int total = 0;
            foreach (byte[] a in inlineArgs)
            {
                total += a.Length;
            }

            byte[] bytes = new byte[total];
            CommandArgs args = NextArgs(bytes, inlineArgs.Count);
            int at = 0;
            foreach (byte[] a in inlineArgs)
            {
                a.CopyTo(bytes, at);
                args.Add(at, a.Length);
                at += a.Length;
            }

            ready.Add(args);
        }

        return true;
    }

    private CommandArgs NextArgs(byte[] buffer, int count)
    {
        if (spare.Count == 0)
        {
            return new CommandArgs(buffer, count);
        }

        CommandArgs args = spare[^1];
        spare.RemoveAt(spare.Count - 1);
        args.Reset(buffer);
        return args;
    }
}
