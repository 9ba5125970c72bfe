using System.Globalization;
using System.Text;

namespace AofSim.Engine.Aof;

/// <summary>What <see cref="AofChecker"/> found.</summary>
public sealed record CheckResult
{
    /// <summary>The file's size.</summary>
    public required long Size { get; init; }

    /// <summary>The offset up to which the file is valid (redis-check-aof's ok_up_to).</summary>
    public required long OkUpTo { get; init; }

    /// <summary>redis-check-aof's ok_up_to_line: 1 + the line ends it consumed.</summary>
    public required long OkUpToLine { get; init; }

    /// <summary>The error line redis-check-aof prints before its summary, if any.</summary>
    public string? Error { get; init; }

    /// <summary>True when the first byte of a command was neither '*' nor '#' ("format error").</summary>
    public bool FormatError { get; init; }

    /// <summary>Bytes past <see cref="OkUpTo"/>.</summary>
    public long Diff => Size - OkUpTo;

    /// <summary>
    /// True when redis-check-aof calls the file valid: nothing of the size taken at open lies past
    /// <see cref="OkUpTo"/>. A file appended to while it was checked may end valid past that size,
    /// a negative diff, which redis-check-aof (diff &gt; 0 is its only failure) accepts.
    /// </summary>
    public bool Valid => Diff <= 0;

    /// <summary>The lines redis-check-aof 7.0 prints for this file when not fixing, and its exit code.</summary>
    public (IReadOnlyList<string> Lines, int ExitCode) Report(string fileName)
    {
        var lines = new List<string> { "Start checking Old-Style AOF" };
        if (Size == 0)
        {
            lines.Add($"AOF {fileName} is empty");
            return (lines, 0);
        }

        if (FormatError)
        {
            lines.Add($"AOF {fileName} format error");
        }

        if (Error is not null)
        {
            lines.Add(Error);
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"AOF analyzed: filename={fileName}, size={Size}, ok_up_to={OkUpTo}, ok_up_to_line={OkUpToLine}, diff={Diff}"));
        if (Valid)
        {
            lines.Add($"AOF {fileName} is valid");
            return (lines, 0);
        }

        lines.Add($"AOF {fileName} is not valid. Use the --fix option to try fixing it.");
        return (lines, 1);
    }
}

/// <summary>
/// The seed's companion tool, redis-check-aof, as Redis 7.0 ships it for a single (old-style)
/// AOF: the same syntax checks, MULTI/EXEC pairing and ok_up_to offset, byte for byte. It reads
/// the file through the same stdio calls the C tool makes (fgets into 128 bytes, strtol, fread),
/// so that odd input gives the same offset; unlike the C tool it never allocates what a length
/// header claims.
/// </summary>
public sealed class AofChecker
{
    private const int LineBuffer = 128;
    private const int AnnotationLineMax = 1024;

    private readonly CFile fp;
    private readonly string fileName;
    private long epos;
    private long line = 1;
    private string? error;

    private AofChecker(Stream stream, string fileName)
    {
        fp = new CFile(stream);
        this.fileName = fileName;
    }

    /// <summary>
    /// Checks the AOF in <paramref name="stream"/>, of <paramref name="size"/> bytes when it was
    /// opened, or -1 when it has no size (a FIFO, stdin); <paramref name="fileName"/> is the path
    /// as given, which some error lines name. The stream is read to its end either way, as
    /// redis-check-aof reads with stdio to EOF: a file that grew since its size was taken is
    /// checked whole, and a stream without a size has the size of what it held.
    /// </summary>
    public static CheckResult Check(Stream stream, long size, string fileName = "appendonly.aof")
    {
        if (size == 0)
        {
            return new CheckResult { Size = 0, OkUpTo = 0, OkUpToLine = 1 };
        }

        var checker = new AofChecker(stream, fileName);
        if (size > 0)
        {
            return checker.Run(size);
        }

        // No size: the checks stop at the first error, the size is what the stream held.
        CheckResult result = checker.Run(0);
        long total = checker.fp.Drain();
        return total == 0 ? new CheckResult { Size = 0, OkUpTo = 0, OkUpToLine = 1 } : result with { Size = total };
    }

    /// <summary>Checks an AOF held in memory.</summary>
    public static CheckResult Check(ReadOnlySpan<byte> aof, string fileName = "appendonly.aof") =>
        Check(new MemoryStream(aof.ToArray(), writable: false), aof.Length, fileName);

    private CheckResult Run(long size)
    {
        long pos = 0;
        int multi = 0;
        bool formatError = false;
        while (true)
        {
            if (multi == 0)
            {
                pos = fp.Tell;
            }

            int first = fp.Peek();
            if (first < 0)
            {
                break;
            }

            if (first == '#')
            {
                fp.Fgets(AnnotationLineMax);
            }
            else if (first == '*')
            {
                if (!ProcessResp(ref multi))
                {
                    break;
                }
            }
            else
            {
                formatError = true;
                break;
            }
        }

        if (fp.Eof && multi != 0 && error is null)
        {
            SetError("Reached EOF before reading EXEC for MULTI");
        }

        return new CheckResult { Size = size, OkUpTo = pos, OkUpToLine = line, Error = error, FormatError = formatError };
    }

    private bool ProcessResp(ref int multi)
    {
        if (!ReadLong('*', out long argc))
        {
            return false;
        }

        for (long i = 0; i < argc; i++)
        {
            if (!ReadString(out byte[]? head))
            {
                return false;
            }

            if (i == 0)
            {
                string name = CString(head!);
                if (name.Equals("multi", StringComparison.OrdinalIgnoreCase))
                {
                    if (multi++ != 0)
                    {
                        SetError($"Unexpected MULTI in AOF {fileName}");
                        return false;
                    }
                }
                else if (name.Equals("exec", StringComparison.OrdinalIgnoreCase))
                {
                    if (--multi != 0)
                    {
                        SetError($"Unexpected EXEC in AOF {fileName}");
                        return false;
                    }
                }
            }
        }

        return true;
    }

    private bool ReadLong(char prefix, out long target)
    {
        target = 0;
        epos = fp.Tell;
        byte[]? buf = fp.Fgets(LineBuffer);
        if (buf is null)
        {
            return false;
        }

        byte[] s = CBytes(buf);
        if (s.Length == 0 || s[0] != prefix)
        {
            SetError($"Expected prefix '{prefix}', got: '{(s.Length == 0 ? "\0" : ((char)s[0]).ToString())}'");
            return false;
        }

        // strtol stops at the C string's end (the first NUL); consumeNewline then looks at the
        // bytes fgets really left there, a NUL and what follows it included.
        int eptr = StrTol(s, 1, out target);
        return ConsumeNewline(buf, eptr);
    }

    // readString: only the first 16 bytes of the payload are kept (enough to recognise MULTI and
    // EXEC) and the last two, which must be CRLF; nothing is allocated from the header's claim.
    private bool ReadString(out byte[]? head)
    {
        head = null;
        if (!ReadLong('$', out long len))
        {
            return false;
        }

        if (len < 0 || len > long.MaxValue - 2)
        {
            SetError($"Expected to read string of {len} bytes, which is not in the suitable range");
            return false;
        }

        len += 2;
        epos = fp.Tell;
        long real = fp.Skip(len, out byte[] first, out byte[] last2);
        if (real != len)
        {
            SetError($"Expected to read {len} bytes, got {real} bytes");
            return false;
        }

        if (!ConsumeNewline(last2, 0))
        {
            return false;
        }

        head = first.Length > len - 2 ? first[..(int)(len - 2)] : first;
        return true;
    }

    private bool ConsumeNewline(byte[] s, int at)
    {
        // strncmp(buf, "\r\n", 2) fails on any other pair, and the error prints both bytes as
        // they are in the buffer, a NUL in the first not hiding the second. Past what fgets read
        // lies its terminating NUL (and then stack bytes no one can predict, taken as NUL).
        byte b0 = at < s.Length ? s[at] : (byte)0;
        byte b1 = at + 1 < s.Length ? s[at + 1] : (byte)0;
        if (b0 != '\r' || b1 != '\n')
        {
            SetError($"Expected \\r\\n, got: {Hex(b0)}{Hex(b1)}");
            return false;
        }

        line++;
        return true;
    }

    // printf("%02x", (char)b): x86's char is signed, so bytes >= 0x80 print as ffffffXX.
    private static string Hex(byte b) => b >= 0x80
        ? unchecked((uint)(sbyte)b).ToString("x2", CultureInfo.InvariantCulture)
        : b.ToString("x2", CultureInfo.InvariantCulture);

    // ERROR() formats into a buffer with snprintf and copies it with %s: a NUL that %c put into
    // the message ends it there.
    private void SetError(string message)
    {
        int nul = message.IndexOf('\0', StringComparison.Ordinal);
        error = string.Create(CultureInfo.InvariantCulture, $"0x{epos,16:x}: {(nul < 0 ? message : message[..nul])}");
    }

    // strtol(s + start, &eptr, 10): returns the index eptr points at.
    private static int StrTol(byte[] s, int start, out long value)
    {
        value = 0;
        int i = start;
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

        int digitsStart = i;
        decimal acc = 0;
        while (i < s.Length && s[i] >= (byte)'0' && s[i] <= (byte)'9')
        {
            if (acc <= long.MaxValue + 1m)
            {
                acc = (acc * 10) + (s[i] - (byte)'0');
            }

            i++;
        }

        if (i == digitsStart)
        {
            return start; // no digits: eptr = nptr
        }

        if (negative)
        {
            value = acc > long.MaxValue + 1m ? long.MinValue : (long)-acc;
        }
        else
        {
            value = acc > long.MaxValue ? long.MaxValue : (long)acc;
        }

        return i;
    }

    private static byte[] CBytes(byte[] s)
    {
        int nul = Array.IndexOf(s, (byte)0);
        return nul < 0 ? s : s[..nul];
    }

    private static string CString(byte[] s) => Encoding.Latin1.GetString(CBytes(s));

    /// <summary>The few stdio calls redis-check-aof makes, over a stream, with ftello.</summary>
    private sealed class CFile(Stream stream)
    {
        private readonly byte[] buffer = new byte[1 << 16];
        private int pos;
        private int end;

        public long Tell { get; private set; }

        public bool Eof { get; private set; }

        public int Peek()
        {
            if (pos == end && !Fill())
            {
                return -1;
            }

            return buffer[pos];
        }

        // fgets(buf, size): up to size-1 bytes, stopping after '\n'; null at EOF with nothing read.
        public byte[]? Fgets(int size)
        {
            var line = new List<byte>(32);
            while (line.Count < size - 1)
            {
                int b = Next();
                if (b < 0)
                {
                    break;
                }

                line.Add((byte)b);
                if (b == '\n')
                {
                    break;
                }
            }

            return line.Count == 0 ? null : line.ToArray();
        }

        // fread(target, 1, n): returns how many bytes were there; keeps the first 16 and last 2.
        public long Skip(long n, out byte[] first, out byte[] last2)
        {
            var head = new List<byte>(16);
            byte prev = 0, cur = 0;
            long got = 0;
            while (got < n)
            {
                if (pos == end && !Fill())
                {
                    break;
                }

                int take = (int)Math.Min(end - pos, n - got);
                for (int k = 0; k < take && head.Count < 16; k++)
                {
                    head.Add(buffer[pos + k]);
                }

                if (take >= 2)
                {
                    prev = buffer[pos + take - 2];
                    cur = buffer[pos + take - 1];
                }
                else
                {
                    prev = cur;
                    cur = buffer[pos];
                }

                pos += take;
                Tell += take;
                got += take;
            }

            first = [.. head];
            last2 = got >= 2 ? [prev, cur] : got == 1 ? [cur] : [];
            return got;
        }

        // Reads what is left to the end of the stream: what ftello would then say.
        public long Drain()
        {
            Tell += end - pos;
            pos = end;
            while (Fill())
            {
                Tell += end;
                pos = end;
            }

            return Tell;
        }

        private int Next()
        {
            if (pos == end && !Fill())
            {
                return -1;
            }

            Tell++;
            return buffer[pos++];
        }

        private bool Fill()
        {
            pos = 0;
            end = stream.Read(buffer, 0, buffer.Length);
            if (end <= 0)
            {
                end = 0;
                Eof = true;
                return false;
            }

            return true;
        }
    }
}
