using System.Buffers.Text;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Resp;

/// <summary>
/// The seed's rio: a sink for bytes with the bulk helpers the AOF format is made of
/// (rioWriteBulkCount, rioWriteBulkString, rioWriteBulkLongLong, rioWriteBulkDouble). Each
/// returns false on a write error, as the C functions return 0.
/// </summary>
public abstract class Rio
{
    /// <summary>Writes raw bytes; false on error.</summary>
    public abstract bool Write(ReadOnlySpan<byte> data);

    /// <summary>rioWriteBulkCount: <c>*&lt;count&gt;\r\n</c> (or another prefix such as '$').</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool WriteBulkCount(char prefix, long count)
    {
        Span<byte> tmp = stackalloc byte[24];
        tmp[0] = (byte)prefix;
        Utf8Formatter.TryFormat(count, tmp[1..], out int n);
        tmp[n + 1] = (byte)'\r';
        tmp[n + 2] = (byte)'\n';
        return Write(tmp[..(n + 3)]);
    }

    /// <summary>rioWriteBulkString: <c>$&lt;len&gt;\r\n&lt;bytes&gt;\r\n</c>.</summary>
    public bool WriteBulkString(ReadOnlySpan<byte> value) =>
        WriteBulkCount('$', value.Length) && (value.IsEmpty || Write(value)) && Write("\r\n"u8);

    /// <summary>rioWriteBulkLongLong: the decimal form as a bulk string.</summary>
    public bool WriteBulkLongLong(long value)
    {
        Span<byte> tmp = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, tmp, out int n);
        return WriteBulkString(tmp[..n]);
    }

    /// <summary>rioWriteBulkDouble: the <c>%.17g</c> form as a bulk string.</summary>
    public bool WriteBulkDouble(double value)
    {
        Span<byte> text = stackalloc byte[Numbers.MaxG17Length];
        return WriteBulkString(text[..Numbers.WriteG17(value, text)]);
    }
}

/// <summary>A rio over an in-memory buffer (rioInitWithBuffer): never fails.</summary>
public sealed class BufferRio : Rio
{
    /// <summary>A rio appending to <paramref name="buffer"/>.</summary>
    public BufferRio(ByteBuffer buffer) => Buffer = buffer;

    /// <summary>The bytes written.</summary>
    public ByteBuffer Buffer { get; }

    /// <inheritdoc/>
    public override bool Write(ReadOnlySpan<byte> data)
    {
        Buffer.Append(data);
        return true;
    }
}
