using System.Buffers;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Aof;

/// <summary>
/// The seed's loadAppendOnlyFile: replays an AOF into a dataset through a fake client.
/// </summary>
/// <remarks>
/// <para>Parsing works on spans of a read buffer: a command's arguments are slices of it, so a
/// command costs no allocation beyond what the dataset keeps. The buffer grows only to hold one
/// command, and only as its bytes really arrive: a length in a header is never allocated, so a
/// huge or lying claim costs what the file holds, never what it claims. The file is read to its
/// end whatever its size was at open (a file still being appended to, a FIFO), as Redis does.</para>
/// <para>Where the seed would crash, the load fails with a typed outcome (docs/loader.md lists
/// each case): a negative length, a known command with the wrong arity. Where it loads what a
/// stricter reader would refuse (a header parsed by atoi/strtol, a bulk not followed by CRLF),
/// <c>redis26</c> does as the seed and a profile switch refuses it. A command that replies an
/// error is counted and its reply dropped, as the seed's fake client drops it.</para>
/// </remarks>
public sealed class AofLoader
{
    /// <summary>The seed's fmterr line.</summary>
    public const string BadFormatMessage =
        "Bad file format reading the append only file: make a backup of your AOF file, then use ./redis-check-aof --fix <filename>";

    /// <summary>The seed's readerr line at end of file.</summary>
    public const string UnexpectedEofMessage = "Unexpected end of file reading the append only file";

    // A header line is '*' or '$', at most 20 digits and CRLF; the seed reads it with
    // fgets(buf,128): anything longer cannot be a header.
    private const int MaxHeaderLine = 128;
    private const int ChunkSize = 1 << 20;

    // A stream of unknown size (a FIFO, stdin) starts with what one pipe read delivers at most,
    // and grows like any other buffer, only when a command does not fit.
    private const int PipeChunkSize = 1 << 16;

    private readonly Stream input;
    private readonly Func<long>? currentSize;
    private long fileSize;
    private readonly CommandProcessor processor;
    private readonly Profile profile;
    private readonly LoadOptions options;
    private readonly IAofLog log;
    private readonly Client client = new();
    private readonly ReplyWriter discard = new(null);
    private readonly CommandArgs args;
    private readonly List<(CommandDef Cmd, CommandArgs Args, long Offset)> queued = [];

    // The read buffer: rented from the shared pool (a restart loads the file again, and a rented
    // array is bigger than asked), so its logical size is cap, never buf.Length. A caller's
    // filled buffer (LoadInPlace) is used as given and never returned to the pool.
    private byte[] buf;
    private int cap;
    private bool rented;
    private int pos;
    private int end;
    private long bufStart;
    private bool eof;
    private string? readError;
    private Stall stall;
    private long replayErrors;
    private long firstReplayErrorAt = -1;
    private string? firstReplayError;

    private AofLoader(Stream input, long fileSize, Dataset data, Profile profile, IRandomSource random, LoadOptions options, IAofLog log, byte[]? filled = null, Func<long>? currentSize = null)
    {
        this.input = input;
        this.fileSize = fileSize;
        this.currentSize = currentSize;
        this.profile = profile;
        this.options = options;
        this.log = log;
        processor = new CommandProcessor(data, profile, random);
        processor.Context.Loading = true;
        processor.Context.Reply = discard;
        cap = filled?.Length ?? (int)Math.Clamp(fileSize, 16, fileSize == long.MaxValue ? PipeChunkSize : ChunkSize);
        rented = filled is null;
        buf = filled ?? ArrayPool<byte>.Shared.Rent(cap);
        if (filled is not null)
        {
            // The whole file is in the buffer: there is nothing left to read, and so no reason to
            // move or grow the buffer, which stays as the caller gave it.
            end = (int)fileSize;
            eof = true;
        }

        args = new CommandArgs(buf, 16);
    }

    private enum Parse
    {
        Ok,
        NeedMore,
        BadFormat,
        ShortBulk,
    }

    // Where parsing stopped for want of bytes: decides what the end of the file there means.
    private enum Stall
    {
        None,
        Annotation,
        CountLine,
        CountLineNoDigits,
        LengthLine,
        Payload,
    }

    /// <summary>Loads <paramref name="path"/> from <paramref name="storage"/> into <paramref name="data"/>.</summary>
    public static LoadResult Load(IStorage storage, string path, Dataset data, Profile profile, LoadOptions options, IAofLog? log = null, IRandomSource? random = null)
    {
        log ??= NullLog.Instance;
        SysResult opened = storage.Open(path, OpenFlags.ReadOnly);
        if (!opened.Ok)
        {
            string msg = $"Fatal error: can't open the append log file for reading: {ErrnoText.Strerror(opened.Error)}";
            log.Log(LogLevel.Warning, msg);
            return new LoadResult { Outcome = LoadOutcome.OpenFailed, Message = msg };
        }

        int fd = (int)opened.Value;
        try
        {
            SysResult size = storage.Fstat(fd);
            using var stream = new StorageReadStream(storage, fd);

            // A file can be asked its size again: a claim past the size at open is checked
            // against the size now (fstat), so that a file that has not grown fails at once
            // instead of being read whole into memory in search of the claimed bytes.
            Func<long> now = () => storage.Fstat(fd) is { Ok: true } r ? r.Value : -1;
            return Load(stream, size.Ok ? size.Value : -1, data, profile, options, log, random, size.Ok ? now : null);
        }
        finally
        {
            storage.Close(fd);
        }
    }

    /// <summary>Loads an AOF from <paramref name="input"/> (of <paramref name="fileSize"/> bytes, or -1 if unknown).</summary>
    public static LoadResult Load(Stream input, long fileSize, Dataset data, Profile profile, LoadOptions options, IAofLog? log = null, IRandomSource? random = null) =>
        Load(input, fileSize, data, profile, options, log, random, null);

    private static LoadResult Load(Stream input, long fileSize, Dataset data, Profile profile, LoadOptions options, IAofLog? log, IRandomSource? random, Func<long>? currentSize)
    {
        if (fileSize == 0)
        {
            // A zero-length AOF is an empty dataset, not an error (the seed's early return).
            return new LoadResult { Outcome = LoadOutcome.Empty };
        }

        var loader = new AofLoader(input, fileSize < 0 ? long.MaxValue : fileSize, data, profile, random ?? new SplitMix64(0), options, log ?? NullLog.Instance, currentSize: currentSize);
        try
        {
            LoadResult result = loader.Finish(loader.Run());
            // The bytes read when there was no size, or when the file grew while it was read.
            return result with { FileSize = Math.Max(fileSize, loader.bufStart + loader.end) };
        }
        finally
        {
            loader.ReturnBuffer();
        }
    }

    /// <summary>
    /// Loads an AOF held in the first <paramref name="length"/> bytes of <paramref name="aof"/>,
    /// read in place (never written): no second copy of the file for a check that holds one.
    /// </summary>
    public static LoadResult LoadInPlace(byte[] aof, int length, Dataset data, Profile profile, LoadOptions options, IAofLog? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, aof.Length);
        if (length == 0)
        {
            return new LoadResult { Outcome = LoadOutcome.Empty };
        }

        // The whole file is in the buffer already, as the first read of a stream of this size would
        // leave it; the end of the file comes next.
        var loader = new AofLoader(Stream.Null, length, data, profile, new SplitMix64(0), options, log ?? NullLog.Instance, aof);
        LoadResult result = loader.Finish(loader.Run());
        return result with { FileSize = length };
    }

    /// <summary>Loads an AOF held in memory.</summary>
    public static LoadResult Load(ReadOnlySpan<byte> aof, Dataset data, Profile profile, LoadOptions options, IAofLog? log = null) =>
        Load(new MemoryStream(aof.ToArray(), writable: false), aof.Length, data, profile, options, log);

    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private LoadResult Run()
    {
        long commands = 0;
        long validUpTo = 0;
        long multiAt = -1;
        while (true)
        {
            long cmdStart = bufStart + pos;
            Parse parsed = ParseCommand();
            while (parsed == Parse.NeedMore)
            {
                if (!Refill())
                {
                    break;
                }

                parsed = ParseCommand();
            }

            if (readError is not null)
            {
                return Fail(LoadOutcome.ReadError, $"Unrecoverable error reading the append only file: {readError}", commands, cmdStart);
            }

            if (parsed == Parse.NeedMore)
            {
                if (pos == end)
                {
                    break; // clean end of file between commands
                }

                switch (stall)
                {
                    case Stall.Annotation:
                        // Redis 7 skips a '#' line even when the file ends inside it.
                        pos = end;
                        continue;
                    case Stall.LengthLine or Stall.Payload or Stall.CountLineNoDigits when !profile.LoaderShortBulkIsTruncation:
                        // The seed: a cut '$' line still parses (strtol), then its fread fails;
                        // a bare '*' is atoi("") = 0: both reach fmterr, which truncated loading
                        // does not rescue (aof-load-truncated acts at readerr only).
                        return Fail(LoadOutcome.BadFormat, BadFormatMessage, commands, cmdStart);
                    default:
                        return Eof(validUpTo, multiAt, commands, cmdStart);
                }
            }

            if (parsed == Parse.ShortBulk)
            {
                // The seed reaches fmterr here (fread of the bulk fails); Redis 2.8 on treats
                // a bulk cut by the end of the file as a truncation. aof-load-truncated (Redis
                // 2.8.15) acts at readerr only, so under the seed's loader it does not rescue
                // this: the file needs redis-check-aof --fix.
                return profile.LoaderShortBulkIsTruncation
                    ? Eof(validUpTo, multiAt, commands, cmdStart)
                    : Fail(LoadOutcome.BadFormat, BadFormatMessage, commands, cmdStart);
            }

            if (parsed == Parse.BadFormat)
            {
                return Fail(LoadOutcome.BadFormat, BadFormatMessage, commands, cmdStart);
            }

            if (args.Count == 0)
            {
                continue; // an annotation line
            }

            CommandDef? cmd = CommandTable.Lookup(args[0]);
            if (cmd is null)
            {
                return Fail(LoadOutcome.UnknownCommand, $"Unknown command '{CString(args.Text(0))}' reading the append only file", commands, cmdStart);
            }

            if (!cmd.AcceptsArgc(args.Count))
            {
                return Fail(LoadOutcome.WrongArity, $"Wrong number of arguments for '{cmd.Name}' at offset {cmdStart} reading the append only file", commands, cmdStart);
            }

            string? error = cmd.Name switch
            {
                "multi" => BeginMulti(ref multiAt, cmdStart),
                "exec" => Exec(ref multiAt, cmdStart),
                "discard" => Discard(ref multiAt, cmdStart),
                _ when client.InMulti && profile.LoaderQueuesMulti => Queue(cmd, cmdStart),
                _ => Replay(cmd, args, cmdStart),
            };
            if (error is not null)
            {
                return Fail(LoadOutcome.CommandFailed, error, commands, cmdStart);
            }

            commands++;
            validUpTo = bufStart + pos;
        }

        if (client.InMulti)
        {
            // The end of the file came inside MULTI: the seed logs it as an unexpected end of file.
            return Eof(validUpTo, multiAt, commands, bufStart + pos);
        }

        return new LoadResult { Outcome = LoadOutcome.Loaded, Commands = commands, ValidUpTo = validUpTo };
    }

    // The replay errors, counted on whatever outcome, and the one warning line that reports them.
    private LoadResult Finish(LoadResult result)
    {
        if (replayErrors > 0)
        {
            log.Log(LogLevel.Warning, $"{replayErrors} command(s) replied an error while loading the append only file and were ignored; the first at offset {firstReplayErrorAt}: {firstReplayError}");
        }

        return result with { ReplayErrors = replayErrors, FirstReplayErrorOffset = firstReplayErrorAt };
    }

    // A command replied an error. The seed's fake client has no socket, so the reply is never
    // buffered and loading goes on; Redis 7.0 logs it as CRITICAL and goes on too. Counted here;
    // returned as a fatal message only for a strict load.
    private string? ReplayError(string name, long offset, string error)
    {
        if (options.StrictReplay)
        {
            return $"Error replaying '{name}' at offset {offset} reading the append only file: {error}";
        }

        if (replayErrors++ == 0)
        {
            firstReplayErrorAt = offset;
            firstReplayError = $"'{name}': {error}";
        }

        return null;
    }

    private string? BeginMulti(ref long multiAt, long offset)
    {
        if (client.InMulti)
        {
            // The block stays open: what follows is queued (or run) until its EXEC, as in Redis.
            return ReplayError("multi", offset, Errors.NestedMulti);
        }

        client.InMulti = true;
        multiAt = offset;
        return null;
    }

    private string? Exec(ref long multiAt, long offset)
    {
        if (!client.InMulti)
        {
            return ReplayError("exec", offset, Errors.ExecWithoutMulti);
        }

        client.InMulti = false;
        multiAt = -1;

        // EXEC runs every queued command even when one of them fails, as Redis's execCommand does.
        foreach ((CommandDef cmd, CommandArgs a, long at) in queued)
        {
            string? error = Replay(cmd, a, at);
            if (error is not null)
            {
                queued.Clear();
                return error;
            }
        }

        queued.Clear();
        return null;
    }

    private string? Discard(ref long multiAt, long offset)
    {
        if (!client.InMulti)
        {
            return ReplayError("discard", offset, Errors.DiscardWithoutMulti);
        }

        client.InMulti = false;
        multiAt = -1;
        queued.Clear();
        return null;
    }

    private string? Queue(CommandDef cmd, long offset)
    {
        queued.Add((cmd, args.Clone(), offset));
        return null;
    }

    private string? Replay(CommandDef cmd, CommandArgs a, long offset)
    {
        long errorsBefore = discard.ErrorCount;
        processor.Call(client, cmd, a, options.NowMs);
        return discard.ErrorCount == errorsBefore ? null : ReplayError(cmd.Name, offset, discard.LastError!);
    }

    /// <summary>The line logged once a truncated AOF has loaded (Redis 7's words).</summary>
    /// <param name="fileName">The AOF's name as logged.</param>
    public static string LoadedAnywayMessage(string fileName) => $"AOF {fileName} loaded anyway because aof-load-truncated is enabled";

    private LoadResult Eof(long validUpTo, long multiAt, long commands, long at)
    {
        if (options.LoadTruncated)
        {
            // A MULTI left open is reverted whole: the file is cut before it (PR #5201).
            bool reverted = client.InMulti && multiAt >= 0;
            if (reverted)
            {
                log.Log(LogLevel.Warning, "Revert incomplete MULTI/EXEC transaction in AOF file");
                validUpTo = multiAt;
            }

            log.Log(LogLevel.Warning, $"!!! Warning: short read while loading the AOF file {options.FileName}!!!");
            log.Log(LogLevel.Warning, $"!!! Truncating the AOF {options.FileName} at offset {validUpTo} !!!");
            if (!options.CallerTruncates)
            {
                log.Log(LogLevel.Warning, LoadedAnywayMessage(options.FileName));
            }

            return new LoadResult { Outcome = LoadOutcome.Truncated, Commands = commands, ValidUpTo = validUpTo, RevertedMulti = reverted };
        }

        return Fail(LoadOutcome.UnexpectedEof, UnexpectedEofMessage, commands, at, validUpTo);
    }

    private LoadResult Fail(LoadOutcome outcome, string message, long commands, long at, long? validUpTo = null)
    {
        log.Log(LogLevel.Warning, message);
        return new LoadResult { Outcome = outcome, Message = message, Commands = commands, ValidUpTo = validUpTo ?? at };
    }

    // The seed prints argv[0] with %s: it stops at the first NUL.
    private static string CString(string s)
    {
        int nul = s.IndexOf('\0', StringComparison.Ordinal);
        return nul < 0 ? s : s[..nul];
    }

    /// <summary>
    /// Parses one command at <see cref="pos"/> into <see cref="args"/>. On success moves
    /// <see cref="pos"/> past it; on NeedMore leaves <see cref="pos"/> where it was.
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Parse ParseCommand()
    {
        args.Reset(buf);
        stall = Stall.None;
        int p = pos;
        if (p >= end)
        {
            return Parse.NeedMore;
        }

        if (buf[p] == (byte)'#')
        {
            // Redis 7 annotation (#TS:…): skipped whole.
            int nl = buf.AsSpan(p, end - p).IndexOf((byte)'\n');
            if (nl < 0)
            {
                stall = Stall.Annotation;
                return Parse.NeedMore;
            }

            pos = p + nl + 1;
            return Parse.Ok;
        }

        Parse header = ReadHeader(ref p, (byte)'*', out long argc);
        if (header != Parse.Ok)
        {
            return header;
        }

        if (argc < 1)
        {
            return Parse.BadFormat;
        }

        for (long j = 0; j < argc; j++)
        {
            header = ReadHeader(ref p, (byte)'$', out long len);
            if (header != Parse.Ok)
            {
                return header;
            }

            if (len < 0)
            {
                return Parse.BadFormat;
            }

            // Overflow-safe: len may be anything up to long.MaxValue, so it is compared with what
            // the buffer holds minus the CRLF (end - p - 2 >= -2), never as len + 2. A claim
            // beyond the buffer reads on, to the end of the file if need be, rather than trusting
            // the size taken at open: the file may be growing (redis-server and redis-check-aof
            // read to EOF too), or be a FIFO with no size at all. The buffer grows only as bytes
            // really arrive (Refill), so a huge claim costs what the file holds, never what it
            // claims; and a file that can be asked its size again is, before it is read on.
            if (len > end - p - 2)
            {
                if (ClaimPastEnd(len, bufStart + p))
                {
                    return Parse.ShortBulk;
                }

                stall = Stall.Payload;
                return Parse.NeedMore;
            }

            // The seed discards the two bytes after a bulk unread (fread(buf,2,1,fp)).
            if (profile.LoaderChecksBulkCrlf && (buf[p + (int)len] != (byte)'\r' || buf[p + (int)len + 1] != (byte)'\n'))
            {
                return Parse.BadFormat;
            }

            args.Add(p, (int)len);
            p += (int)len + 2;
        }

        pos = p;
        return Parse.Ok;
    }

    // True when the file cannot hold a payload of len bytes and its CRLF at offset: it had too
    // few bytes left at open, and asked again (fstat) it still has. Only a file can be asked; a
    // stream without that reads on to its end. Overflow-safe as above.
    private bool ClaimPastEnd(long len, long offset)
    {
        if (currentSize is null || len <= fileSize - offset - 2)
        {
            return false;
        }

        long now = currentSize();
        if (now > fileSize)
        {
            fileSize = now; // grown since: the claim may fit now, and the buffer may grow to it
        }

        return len > fileSize - offset - 2;
    }

    // A '*' or '$' line: the marker, an optional '-', decimal digits, CRLF.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Parse ReadHeader(ref int p, byte marker, out long value)
    {
        if (!profile.LoaderStrictHeaders)
        {
            return ReadHeaderAsTheSeed(ref p, marker, out value);
        }

        value = 0;
        int avail = end - p;
        if (avail <= 0)
        {
            // Nothing of the line yet: the seed's fgets returns NULL, its readerr at end of file.
            stall = Stall.CountLine;
            return Parse.NeedMore;
        }

        if (buf[p] != marker)
        {
            return Parse.BadFormat;
        }

        ReadOnlySpan<byte> window = buf.AsSpan(p, Math.Min(avail, MaxHeaderLine));
        int nl = window.IndexOf((byte)'\n');
        if (nl < 0)
        {
            if (avail >= MaxHeaderLine)
            {
                return Parse.BadFormat;
            }

            stall = marker == (byte)'$' ? Stall.LengthLine
                : window.Length > 1 && window[1] is >= (byte)'1' and <= (byte)'9' ? Stall.CountLine
                : Stall.CountLineNoDigits;
            return Parse.NeedMore;
        }

        if (nl < 2 || window[nl - 1] != (byte)'\r')
        {
            return Parse.BadFormat;
        }

        ReadOnlySpan<byte> digits = window[1..(nl - 1)];
        if (!Numbers.TryParseInt64(digits, out value))
        {
            return Parse.BadFormat;
        }

        p += nl + 1;
        return Parse.Ok;
    }

    // The seed's header: fgets(buf,128) reads through the LF or 127 bytes, whichever comes
    // first (the rest of a longer line is what the next read sees); atoi (a count) or strtol (a
    // length) parse what they can of it after the marker.
    private Parse ReadHeaderAsTheSeed(ref int p, byte marker, out long value)
    {
        value = 0;
        int avail = end - p;
        if (avail <= 0)
        {
            stall = Stall.CountLine;
            return Parse.NeedMore;
        }

        if (buf[p] != marker)
        {
            return Parse.BadFormat;
        }

        ReadOnlySpan<byte> window = buf.AsSpan(p, Math.Min(avail, MaxHeaderLine - 1));
        int nl = window.IndexOf((byte)'\n');
        int lineLength = nl >= 0 ? nl + 1 : window.Length;
        if (nl < 0 && window.Length < MaxHeaderLine - 1)
        {
            // Not the whole line yet: at the end of the file the stall decides, as in the strict path.
            stall = marker == (byte)'$' ? Stall.LengthLine
                : window.Length > 1 && window[1] is >= (byte)'1' and <= (byte)'9' ? Stall.CountLine
                : Stall.CountLineNoDigits;
            return Parse.NeedMore;
        }

        long parsed = Strtol(window[1..lineLength]);

        // atoi is (int)strtol on glibc; a length is capped where no file could hold it, so that
        // adding the CRLF to it cannot overflow (the check against the file then calls it short).
        value = marker == (byte)'*' ? unchecked((int)parsed) : Math.Min(parsed, long.MaxValue / 4);
        p += lineLength;
        return Parse.Ok;
    }

    // strtol(s, NULL, 10): leading white space, a sign, then digits up to the first non-digit,
    // saturating at the range of a long; 0 when there are no digits.
    private static long Strtol(ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            i++;
        }

        bool negative = false;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
        {
            negative = s[i] == (byte)'-';
            i++;
        }

        long v = 0;
        for (; i < s.Length && s[i] is >= (byte)'0' and <= (byte)'9'; i++)
        {
            int d = s[i] - '0';
            if (v > (long.MaxValue - d) / 10)
            {
                return negative ? long.MinValue : long.MaxValue;
            }

            v = (v * 10) + d;
        }

        return negative ? -v : v;
    }

    // Moves the unparsed tail to the front and reads more; grows the buffer when one command
    // does not fit, but never past the bytes the file has left.
    private bool Refill()
    {
        if (eof)
        {
            return false;
        }

        int tail = end - pos;
        if (pos > 0)
        {
            Buffer.BlockCopy(buf, pos, buf, 0, tail);
            bufStart += pos;
            pos = 0;
            end = tail;
        }

        if (end == cap)
        {
            // Up to what the file had left at open when that is more than the buffer holds. When
            // the buffer holds all of it already, only a file that has grown since can give more:
            // a quarter more room (at least 16 KB) finds out without doubling the buffer of every
            // file cut in its last command. A stream with no size (a FIFO) has left = MaxValue.
            long left = fileSize - bufStart;
            long want = left > cap ? Math.Min((long)cap * 2, left) : cap + Math.Max(16L * 1024, cap / 4);
            if (want > Array.MaxLength)
            {
                eof = true;
                return false;
            }

            Grow((int)want);
        }

        int n;
        try
        {
            n = input.Read(buf, end, cap - end);
        }
        catch (IOException e)
        {
            readError = e.Message;
            n = 0;
        }

        if (n <= 0)
        {
            eof = true;
            return false;
        }

        end += n;
        return true;
    }

    // A bigger buffer for a command that does not fit: the bytes so far move over, the old
    // buffer goes back to the pool (nothing keeps a reference to it: queued commands are copies).
    private void Grow(int want)
    {
        byte[] bigger = ArrayPool<byte>.Shared.Rent(want);
        Buffer.BlockCopy(buf, 0, bigger, 0, end);
        if (rented)
        {
            ArrayPool<byte>.Shared.Return(buf);
        }

        buf = bigger;
        cap = want;
        rented = true;
    }

    // The load is over: the read buffer goes back to the pool (not a caller's filled buffer).
    private void ReturnBuffer()
    {
        if (rented)
        {
            ArrayPool<byte>.Shared.Return(buf);
            buf = [];
        }
    }
}
