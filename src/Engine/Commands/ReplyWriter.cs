using AofSim.Engine.Text;

namespace AofSim.Engine.Commands;

/// <summary>
/// Where a command's reply goes: RESP bytes for a real client, or nothing for the loader's
/// fake client. Either way errors are counted, which is how the loader notices a command that
/// failed while replaying.
/// </summary>
public sealed class ReplyWriter
{
    private readonly ByteBuffer? output;

    /// <summary>A writer that keeps RESP bytes in <paramref name="output"/>, or discards them if null.</summary>
    public ReplyWriter(ByteBuffer? output) => this.output = output;

    /// <summary>Errors replied since creation.</summary>
    public long ErrorCount { get; private set; }

    /// <summary>The text of the last error replied.</summary>
    public string? LastError { get; private set; }

    /// <summary>The RESP bytes, when kept.</summary>
    public ByteBuffer? Output => output;

    /// <summary>+OK.</summary>
    public void Ok() => Status("OK");

    /// <summary>A status reply.</summary>
    public void Status(string text) => output?.Append((byte)'+').AppendAscii(text).Append("\r\n"u8);

    /// <summary>
    /// An error reply; <paramref name="text"/> carries its own prefix (ERR, WRONGTYPE…). CR and
    /// LF in it go out as spaces, as Redis 7's addReplyErrorFormat and rejectCommandFormat send
    /// them: an error that echoes the client's bytes (an unknown command's name, a CONFIG SET
    /// parameter) would otherwise end early, and its rest be read as the next reply.
    /// </summary>
    public void Error(string text)
    {
        ErrorCount++;
        LastError = text;
        if (output is not null)
        {
            string line = text.AsSpan().IndexOfAny('\r', '\n') < 0 ? text : text.Replace('\r', ' ').Replace('\n', ' ');
            output.Append((byte)'-').AppendAscii(line).Append("\r\n"u8);
        }
    }

    /// <summary>An integer reply.</summary>
    public void Integer(long value) => output?.Append((byte)':').AppendDecimal(value).Append("\r\n"u8);

    /// <summary>A bulk reply.</summary>
    public void Bulk(ReadOnlySpan<byte> value) =>
        output?.Append((byte)'$').AppendDecimal(value.Length).Append("\r\n"u8).Append(value).Append("\r\n"u8);

    /// <summary>A bulk reply of ASCII text.</summary>
    public void Bulk(string value)
    {
        if (output is not null)
        {
            Bulk(System.Text.Encoding.Latin1.GetBytes(value));
        }
    }

    /// <summary>A bulk reply of a score in the <c>%.17g</c> form (<see cref="Numbers.FormatG17(double)"/>).</summary>
    public void BulkG17(double value)
    {
        if (output is not null)
        {
            Span<byte> text = stackalloc byte[Numbers.MaxG17Length];
            Bulk(text[..Numbers.WriteG17(value, text)]);
        }
    }

    /// <summary>The null bulk ($-1).</summary>
    public void Null() => output?.Append("$-1\r\n"u8);

    /// <summary>The null multi-bulk (*-1).</summary>
    public void NullArray() => output?.Append("*-1\r\n"u8);

    /// <summary>A multi-bulk header for <paramref name="count"/> items.</summary>
    public void ArrayHeader(long count) => output?.Append((byte)'*').AppendDecimal(count).Append("\r\n"u8);

    /// <summary>A multi-bulk of byte strings.</summary>
    public void Array(IReadOnlyCollection<byte[]> items)
    {
        ArrayHeader(items.Count);
        foreach (byte[] item in items)
        {
            Bulk(item);
        }
    }
}
