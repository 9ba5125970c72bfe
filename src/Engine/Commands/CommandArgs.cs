using System.Text;

namespace AofSim.Engine.Commands;

/// <summary>
/// A command's argument vector (argv) as slices of one byte buffer. The loader points it into
/// its read buffer, so parsing a command allocates nothing; <see cref="Clone"/> makes an owned
/// copy where the arguments must outlive the buffer (a queued MULTI command). An argument may
/// also live in an array of its own (<see cref="Add(byte[], int, int)"/>): serve receives a big
/// bulk straight into one, rather than copying it into the buffer of the rest.
/// </summary>
public sealed class CommandArgs
{
    private byte[] buffer;
    private int[] starts;
    private int[] lengths;
    private byte[]?[]? owners; // per argument: the array it lives in, when not buffer

    /// <summary>Creates an empty vector over <paramref name="buffer"/>.</summary>
    public CommandArgs(byte[]? buffer = null, int capacity = 8)
    {
        this.buffer = buffer ?? [];
        starts = new int[Math.Max(1, capacity)];
        lengths = new int[Math.Max(1, capacity)];
    }

    /// <summary>argc.</summary>
    public int Count { get; private set; }

    /// <summary>argv[<paramref name="index"/>].</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            byte[] from = owners?[index] ?? buffer;
            return from.AsSpan(starts[index], lengths[index]);
        }
    }

    /// <summary>A vector of the given byte strings.</summary>
    public static CommandArgs Of(params byte[][] argv)
    {
        int total = argv.Sum(a => a.Length);
        var args = new CommandArgs(new byte[total], argv.Length);
        int at = 0;
        foreach (byte[] a in argv)
        {
            a.CopyTo(args.buffer, at);
            args.Add(at, a.Length);
            at += a.Length;
        }

        return args;
    }

    /// <summary>A vector of the given strings, each char taken as one byte (ISO-8859-1).</summary>
    public static CommandArgs Of(params string[] argv)
    {
        // Latin-1 is one byte per char: the buffer's size is known up front.
        int total = 0;
        foreach (string a in argv)
        {
            total += a.Length;
        }

        var args = new CommandArgs(new byte[total], argv.Length);
        int at = 0;
        foreach (string a in argv)
        {
            int n = Encoding.Latin1.GetBytes(a, args.buffer.AsSpan(at));
            args.Add(at, n);
            at += n;
        }

        return args;
    }

    /// <summary>Refills the vector with <paramref name="argv"/> (as <see cref="Of(string[])"/>), reusing its storage.</summary>
    public void Assign(string[] argv)
    {
        int total = 0;
        foreach (string a in argv)
        {
            total += a.Length;
        }

        if (buffer.Length < total)
        {
            buffer = new byte[Math.Max(total, 2 * buffer.Length)];
        }

        ForgetOwners();
        Count = 0;
        int at = 0;
        foreach (string a in argv)
        {
            int n = Encoding.Latin1.GetBytes(a, buffer.AsSpan(at));
            Add(at, n);
            at += n;
        }
    }

    /// <summary>Parses a line of space-separated words (no quoting): handy in tests and tools.</summary>
    public static CommandArgs Parse(string line) =>
        Of(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Forgets the arguments and points the vector at a new buffer.</summary>
    public void Reset(byte[] newBuffer)
    {
        ForgetOwners();
        buffer = newBuffer;
        Count = 0;
    }

    /// <summary>Appends the slice [start, start+length) of the buffer as the next argument.</summary>
    public void Add(int start, int length)
    {
        if (Count == starts.Length)
        {
            Array.Resize(ref starts, Count * 2);
            Array.Resize(ref lengths, Count * 2);
            if (owners is not null)
            {
                Array.Resize(ref owners, Count * 2);
            }
        }

        starts[Count] = start;
        lengths[Count] = length;
        Count++;
    }

    /// <summary>
    /// Appends the slice [start, start+length) of <paramref name="owner"/>, an array other than
    /// the vector's buffer, as the next argument.
    /// </summary>
    public void Add(byte[] owner, int start, int length)
    {
        owners ??= new byte[]?[starts.Length];
        Add(start, length);
        owners[Count - 1] = owner;
    }

    // Drops the references to arguments' own arrays, so that a reused vector does not keep a
    // big one alive.
    private void ForgetOwners()
    {
        if (owners is not null)
        {
            Array.Clear(owners, 0, Math.Min(Count, owners.Length));
        }
    }

    /// <summary>argv[<paramref name="index"/>] as an owned array.</summary>
    public byte[] ToArray(int index) => this[index].ToArray();

    /// <summary>All arguments as owned arrays.</summary>
    public byte[][] ToArrays()
    {
        var all = new byte[Count][];
        for (int i = 0; i < Count; i++)
        {
            all[i] = ToArray(i);
        }

        return all;
    }

    /// <summary>An owned copy that does not share the buffer.</summary>
    public CommandArgs Clone()
    {
        // One buffer of exactly the arguments' bytes, copied straight from where they are.
        int total = 0;
        for (int i = 0; i < Count; i++)
        {
            total += lengths[i];
        }

        var copy = new CommandArgs(new byte[total], Count);
        int at = 0;
        for (int i = 0; i < Count; i++)
        {
            this[i].CopyTo(copy.buffer.AsSpan(at));
            copy.Add(at, lengths[i]);
            at += lengths[i];
        }

        return copy;
    }

    /// <summary>argv[<paramref name="index"/>] as a string (ISO-8859-1), for messages.</summary>
    public string Text(int index) => Encoding.Latin1.GetString(this[index]);

    /// <summary>True when argv[<paramref name="index"/>] equals <paramref name="word"/> ignoring ASCII case.</summary>
    public bool Is(int index, ReadOnlySpan<byte> word) => System.Text.Ascii.EqualsIgnoreCase(this[index], word);

    /// <inheritdoc/>
    public override string ToString() => string.Join(' ', Enumerable.Range(0, Count).Select(Text));
}
