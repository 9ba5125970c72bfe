using System.Buffers.Binary;

namespace AofSim.Engine.Data;

/// <summary>
/// Equality and hashing of byte-string keys, usable with a <see cref="ReadOnlySpan{T}"/> as an
/// alternate key so that the loader can look a key up without allocating it.
/// </summary>
/// <remarks>
/// The hash is a fixed function of the bytes (no per-process seed), so that every run of the
/// simulator lays out its dictionaries the same way: determinism is a feature here.
/// </remarks>
public sealed class ByteKeyComparer :
    IEqualityComparer<byte[]>,
    IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>,
    IComparer<byte[]>
{
    /// <summary>The one instance.</summary>
    public static readonly ByteKeyComparer Instance = new();

    private ByteKeyComparer()
    {
    }

    /// <inheritdoc/>
    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    /// <inheritdoc/>
    public int GetHashCode(byte[] obj) => Hash(obj);

    /// <inheritdoc/>
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    /// <inheritdoc/>
    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    /// <inheritdoc/>
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    /// <summary>Orders byte strings as memcmp does, shorter first on a common prefix (Redis's order).</summary>
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    /// <summary>A seed-free 32-bit hash of the bytes: multiply-xorshift over 8-byte words.</summary>
    public static int Hash(ReadOnlySpan<byte> s)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)s.Length;
        while (s.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(s)) * 0xFF51AFD7ED558CCDUL;
            h ^= h >> 32;
            s = s[8..];
        }

        ulong tail = 0;
        for (int i = 0; i < s.Length; i++)
        {
            tail |= (ulong)s[i] << (8 * i);
        }

        h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 29;
        return (int)h ^ (int)(h >> 32);
    }
}
