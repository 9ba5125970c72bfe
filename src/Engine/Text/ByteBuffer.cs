using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Text;

/// <summary>
/// A growable byte buffer, the engine's counterpart of the seed's sds strings: the AOF buffer,
/// the rewrite output and client replies are built in one.
/// </summary>
public sealed class ByteBuffer : IBufferWriter<byte>
{
    private byte[] data;

    /// <summary>Creates an empty buffer.</summary>
    public ByteBuffer(int capacity = 256) => data = new byte[Math.Max(16, capacity)];

    /// <summary>Creates an empty buffer over <paramref name="storage"/> (a pooled array, say), used until it must grow.</summary>
    public ByteBuffer(byte[] storage) => data = storage;

    /// <summary>Bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The written bytes.</summary>
    public ReadOnlySpan<byte> Span => data.AsSpan(0, Length);

    /// <summary>The written bytes.</summary>
    public ReadOnlyMemory<byte> Memory => data.AsMemory(0, Length);

    /// <summary>Spare capacity (the seed's sdsavail).</summary>
    public int Available => data.Length - Length;

    /// <summary>Forgets the content and keeps the storage.</summary>
    public void Clear() => Length = 0;

    /// <summary>
    /// Forgets the content, and the storage too if it has grown past <paramref name="keepAtMost"/>
    /// bytes (one big command must not pin its size for the life of the process).
    /// </summary>
    public void Clear(int keepAtMost)
    {
        Length = 0;
        if (data.Length > keepAtMost)
        {
            data = new byte[Math.Min(256, keepAtMost)];
        }
    }

    /// <summary>Drops the first <paramref name="count"/> bytes (after a partial write).</summary>
    public void Consume(int count)
    {
        data.AsSpan(count, Length - count).CopyTo(data);
        Length -= count;
    }

    /// <summary>Appends bytes.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ByteBuffer Append(ReadOnlySpan<byte> bytes)
    {
        int at = Length;
        if (data.Length - at < bytes.Length)
        {
            Ensure(bytes.Length);
        }

        bytes.CopyTo(data.AsSpan(at));
        Length = at + bytes.Length;
        return this;
    }

    /// <summary>Appends one byte.</summary>
    public ByteBuffer Append(byte b)
    {
        GetSpan(1)[0] = b;
        Length++;
        return this;
    }

    /// <summary>Appends the decimal form of <paramref name="value"/> (the seed's ll2string).</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ByteBuffer AppendDecimal(long value)
    {
        Span<byte> span = GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        Length += written;
        return this;
    }

    /// <summary>Appends ASCII text.</summary>
    public ByteBuffer AppendAscii(string text)
    {
        Span<byte> span = GetSpan(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        Length += text.Length;
        return this;
    }

    /// <summary>A copy of the content.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <inheritdoc/>
    public void Advance(int count) => Length += count;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return data.AsMemory(Length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return data.AsSpan(Length);
    }

    private void Ensure(int sizeHint)
    {
        int need = Length + Math.Max(sizeHint, 1);
        if (need > data.Length)
        {
            Array.Resize(ref data, Math.Max(need, data.Length * 2));
        }
    }
}
