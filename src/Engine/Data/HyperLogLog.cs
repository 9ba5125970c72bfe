using System.Buffers.Binary;

namespace AofSim.Engine.Data;

/// <summary>
/// A HyperLogLog as Redis keeps it: a plain string value whose bytes are exactly those of Redis's
/// hyperloglog.c, so that a dataset loaded here and one loaded by redis-server hold the same
/// string. Written from the algorithm as hyperloglog.c describes it:
/// </summary>
/// <remarks>
/// <para>A 16-byte header: "HYLL", the encoding (0 dense, 1 sparse), three zero bytes, and the
/// cached cardinality as a little-endian 64-bit integer whose top bit, when set, marks the cache
/// stale. Then 16384 registers of 6 bits, each the longest run of trailing zeros (plus one) seen
/// in the 50 hash bits left after the 14 that pick the register; the hash is MurmurHash64A with
/// seed 0xadc83b19.</para>
/// <para>Dense: the registers packed from the least significant bit of each byte up (12288
/// bytes). Sparse: a run-length code of ZERO (00xxxxxx: 1..64 zero registers), XZERO (01xxxxxx
/// yyyyyyyy: 1..16384 zero registers) and VAL (1vvvvvxx: 1..4 registers of value 1..32). A new
/// HLL is sparse (a single XZERO of 16384); a register that needs a value above 32, or an
/// update that would take the sparse form past <see cref="SparseMaxBytes"/>, turns it dense for
/// good. Each update splits the opcode holding the register and then merges equal adjacent VALs
/// over at most five opcodes from the one before it, as Redis does, so that the bytes match.</para>
/// </remarks>
public sealed class HyperLogLog
{
    /// <summary>Redis's default hll-sparse-max-bytes.</summary>
    public const int SparseMaxBytes = 3000;

    /// <summary>The header's size.</summary>
    public const int HeaderSize = 16;

    /// <summary>Registers: 2^14.</summary>
    public const int Registers = 1 << P;

    /// <summary>The whole dense string's size: header and 12288 bytes of registers.</summary>
    public const int DenseSize = HeaderSize + ((Registers * Bits) + 7) / 8;

    /// <summary>The error for a string that is not an HLL (sent as given: it carries its own prefix).</summary>
    public const string NotHllError = "WRONGTYPE Key is not a valid HyperLogLog string value.";

    /// <summary>The error for a sparse HLL whose opcodes do not cover exactly 16384 registers.</summary>
    public const string CorruptedError = "INVALIDOBJ Corrupted HLL object detected";

    private const int P = 14;
    private const int Q = 64 - P;
    private const int Bits = 6;
    private const int RegisterMax = (1 << Bits) - 1;
    private const byte Dense = 0;
    private const byte Sparse = 1;
    private const int ValMaxValue = 32;
    private const int ValMaxLen = 4;
    private const int ZeroMaxLen = 64;
    private const int XZeroMaxLen = 16384;
    private const double AlphaInf = 0.721347520444481703680;

    // The value's bytes in [0, length), with room after them: one byte past the dense registers
    // (the last register's update touches it, as the sds terminator is touched in Redis) and a
    // few for a sparse split.
    private byte[] buf;
    private int length;

    private HyperLogLog(byte[] buf, int length)
    {
        this.buf = buf;
        this.length = length;
    }

    /// <summary>The current bytes.</summary>
    public ReadOnlySpan<byte> Span => buf.AsSpan(0, length);

    /// <summary>True when the dense encoding is in use.</summary>
    public bool IsDense => buf[4] == Dense;

    /// <summary>True when the cached cardinality may be used.</summary>
    public bool CacheValid => (buf[15] & 0x80) == 0;

    /// <summary>The cached cardinality (meaningful when <see cref="CacheValid"/>).</summary>
    public ulong CachedCardinality
    {
        get => BinaryPrimitives.ReadUInt64LittleEndian(buf.AsSpan(8));
        set => BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(8), value);
    }

    /// <summary>createHLLObject: an empty sparse HLL (one XZERO covering every register), cache 0.</summary>
    public static HyperLogLog CreateEmpty()
    {
        var h = new HyperLogLog(new byte[HeaderSize + 2 + 8], HeaderSize + 2);
        "HYLL"u8.CopyTo(h.buf);
        h.buf[4] = Sparse;
        WriteXZero(h.buf.AsSpan(HeaderSize), XZeroMaxLen);
        return h;
    }

    /// <summary>An HLL over a copy of <paramref name="value"/>, which must pass <see cref="IsValidObject"/>.</summary>
    public static HyperLogLog From(ReadOnlySpan<byte> value)
    {
        var h = new HyperLogLog(new byte[value.Length + 8], value.Length);
        value.CopyTo(h.buf);
        return h;
    }

    /// <summary>isHLLObjectOrReply: the magic, a known encoding, and the exact size when dense.</summary>
    public static bool IsValidObject(ReadOnlySpan<byte> value) =>
        value.Length >= HeaderSize && value.StartsWith("HYLL"u8) && value[4] <= Sparse
        && (value[4] != Dense || value.Length == DenseSize);

    /// <summary>Marks the cached cardinality stale (sets the top bit of its last byte only).</summary>
    public void InvalidateCache() => buf[15] |= 0x80;

    /// <summary>The bytes as a new array.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>hllAdd: 1 if a register grew, 0 if not, -1 if the sparse form is corrupt.</summary>
    public int Add(ReadOnlySpan<byte> element)
    {
        int count = PatternLength(element, out int index);
        return Set(index, count);
    }

    /// <summary>Raises register <paramref name="index"/> to <paramref name="count"/> if lower: 1 if it grew, 0 if not, -1 on a corrupt sparse form.</summary>
    public int Set(int index, int count) => IsDense ? DenseSet(buf.AsSpan(HeaderSize), index, count) : SparseSet(index, count);

    /// <summary>
    /// hllSparseToDense: the dense form of the same registers, the header (magic, cached
    /// cardinality) copied. False when the sparse opcodes do not cover exactly 16384 registers.
    /// </summary>
    public bool ToDense()
    {
        if (IsDense)
        {
            return true;
        }

        byte[] dense = new byte[DenseSize + 1];
        buf.AsSpan(0, HeaderSize).CopyTo(dense);
        dense[4] = Dense;
        Span<byte> registers = dense.AsSpan(HeaderSize);
        int idx = 0;
        int p = HeaderSize;
        while (p < length)
        {
            byte op = buf[p];
            if (IsZero(op))
            {
                idx += ZeroLen(op);
                p++;
            }
            else if (IsXZero(op))
            {
                idx += XZeroLen(op, p + 1 < length ? buf[p + 1] : (byte)0);
                p += 2;
            }
            else
            {
                int run = ValLen(op);
                int value = ValValue(op);
                if (run + idx > Registers)
                {
                    break;
                }

                for (; run > 0; run--, idx++)
                {
                    SetDenseRegister(registers, idx, value);
                }

                p++;
            }
        }

        if (idx != Registers)
        {
            return false;
        }

        buf = dense;
        length = DenseSize;
        return true;
    }

    /// <summary>
    /// hllMerge: raises each of <paramref name="max"/>'s 16384 registers to the HLL's
    /// <paramref name="value"/> (already checked by <see cref="IsValidObject"/>). False on a
    /// corrupt sparse form.
    /// </summary>
    public static bool Merge(Span<byte> max, ReadOnlySpan<byte> value)
    {
        if (value[4] == Dense)
        {
            ReadOnlySpan<byte> registers = value[HeaderSize..];
            for (int i = 0; i < Registers; i++)
            {
                int v = GetDenseRegister(registers, i);
                if (v > max[i])
                {
                    max[i] = (byte)v;
                }
            }

            return true;
        }

        int idx = 0;
        int p = HeaderSize;
        while (p < value.Length)
        {
            byte op = value[p];
            if (IsZero(op))
            {
                idx += ZeroLen(op);
                p++;
            }
            else if (IsXZero(op))
            {
                idx += XZeroLen(op, p + 1 < value.Length ? value[p + 1] : (byte)0);
                p += 2;
            }
            else
            {
                int run = ValLen(op);
                int v = ValValue(op);
                if (run + idx > Registers)
                {
                    break;
                }

                for (; run > 0; run--, idx++)
                {
                    if (v > max[idx])
                    {
                        max[idx] = (byte)v;
                    }
                }

                p++;
            }
        }

        return idx == Registers;
    }

    /// <summary>hllCount of this HLL; <paramref name="invalid"/> is set when a sparse form does not cover every register.</summary>
    public ulong Count(out bool invalid)
    {
        Span<int> histo = stackalloc int[64];
        invalid = false;
        if (IsDense)
        {
            ReadOnlySpan<byte> registers = buf.AsSpan(HeaderSize);
            for (int i = 0; i < Registers; i++)
            {
                histo[GetDenseRegister(registers, i)]++;
            }
        }
        else
        {
            int idx = 0;
            int p = HeaderSize;
            while (p < length)
            {
                byte op = buf[p];
                if (IsZero(op))
                {
                    histo[0] += ZeroLen(op);
                    idx += ZeroLen(op);
                    p++;
                }
                else if (IsXZero(op))
                {
                    int run = XZeroLen(op, p + 1 < length ? buf[p + 1] : (byte)0);
                    histo[0] += run;
                    idx += run;
                    p += 2;
                }
                else
                {
                    histo[ValValue(op)] += ValLen(op);
                    idx += ValLen(op);
                    p++;
                }
            }

            invalid = idx != Registers;
        }

        return Estimate(histo);
    }

    /// <summary>hllCount over plain registers, one byte each (the union PFCOUNT computes).</summary>
    public static ulong CountRaw(ReadOnlySpan<byte> registers)
    {
        Span<int> histo = stackalloc int[64];
        foreach (byte r in registers)
        {
            histo[r & 63]++;
        }

        return Estimate(histo);
    }

    /// <summary>MurmurHash64A, the 64-bit MurmurHash2, reading 8-byte blocks little-endian.</summary>
    public static ulong MurmurHash64A(ReadOnlySpan<byte> key, ulong seed)
    {
        const ulong m = 0xc6a4a7935bd1e995;
        const int r = 47;
        ulong h = seed ^ unchecked((ulong)key.Length * m);
        int blocks = key.Length & ~7;
        for (int i = 0; i < blocks; i += 8)
        {
            ulong k = BinaryPrimitives.ReadUInt64LittleEndian(key[i..]);
            k = unchecked(k * m);
            k ^= k >> r;
            k = unchecked(k * m);
            h ^= k;
            h = unchecked(h * m);
        }

        int rest = key.Length & 7;
        if (rest > 0)
        {
            for (int i = rest - 1; i >= 0; i--)
            {
                h ^= (ulong)key[blocks + i] << (8 * i);
            }

            h = unchecked(h * m);
        }

        h ^= h >> r;
        h = unchecked(h * m);
        h ^= h >> r;
        return h;
    }

    /// <summary>hllPatLen: the register an element picks and the run of zeros (plus one) of the rest of its hash.</summary>
    public static int PatternLength(ReadOnlySpan<byte> element, out int index)
    {
        ulong hash = MurmurHash64A(element, 0xadc83b19UL);
        index = (int)(hash & (Registers - 1));
        hash >>= P;
        hash |= 1UL << Q; // so the run ends by bit Q: the count is at most Q + 1
        return System.Numerics.BitOperations.TrailingZeroCount(hash) + 1;
    }

    // The estimator of Otmar Ertl's "New cardinality estimation algorithms for HyperLogLog
    // sketches", over the register histogram, in the order of operations Redis uses so that the
    // double results (and so the cached cardinality) are the same.
    private static ulong Estimate(ReadOnlySpan<int> histo)
    {
        double m = Registers;
        double z = m * Tau((m - histo[Q + 1]) / m);
        for (int j = Q; j >= 1; j--)
        {
            z += histo[j];
            z *= 0.5;
        }

        z += m * Sigma(histo[0] / m);
        double e = Math.Round(AlphaInf * m * m / z, MidpointRounding.AwayFromZero); // llroundl
        return (ulong)(long)e;
    }

    private static double Sigma(double x)
    {
        if (x == 1.0)
        {
            return double.PositiveInfinity;
        }

        double y = 1, z = x, zPrime;
        do
        {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        }
        while (zPrime != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0.0 || x == 1.0)
        {
            return 0.0;
        }

        double y = 1.0, z = 1 - x, zPrime;
        do
        {
            x = Math.Sqrt(x);
            zPrime = z;
            y *= 0.5;
            z -= Math.Pow(1 - x, 2) * y;
        }
        while (zPrime != z);
        return z / 3;
    }

    private static bool IsZero(byte op) => (op & 0xc0) == 0;

    private static bool IsXZero(byte op) => (op & 0xc0) == 0x40;

    private static bool IsVal(byte op) => (op & 0x80) != 0;

    private static int ZeroLen(byte op) => (op & 0x3f) + 1;

    private static int XZeroLen(byte op, byte next) => (((op & 0x3f) << 8) | next) + 1;

    private static int ValValue(byte op) => ((op >> 2) & 0x1f) + 1;

    private static int ValLen(byte op) => (op & 0x3) + 1;

    private static byte Val(int value, int len) => (byte)(0x80 | ((value - 1) << 2) | (len - 1));

    private static void WriteXZero(Span<byte> at, int len)
    {
        at[0] = (byte)(((len - 1) >> 8) | 0x40);
        at[1] = (byte)((len - 1) & 0xff);
    }

    // Register i takes bits [6i, 6i + 6) counting from the least significant bit of byte 0; it
    // may straddle two bytes.
    private static int GetDenseRegister(ReadOnlySpan<byte> registers, int i)
    {
        int bit = i * Bits;
        int b = bit >> 3, shift = bit & 7;
        int b1 = b + 1 < registers.Length ? registers[b + 1] : 0;
        return ((registers[b] >> shift) | (b1 << (8 - shift))) & RegisterMax;
    }

    private static void SetDenseRegister(Span<byte> registers, int i, int value)
    {
        int bit = i * Bits;
        int b = bit >> 3, shift = bit & 7;
        registers[b] = (byte)((registers[b] & ~(RegisterMax << shift)) | (value << shift));
        int high = value >> (8 - shift);
        int highMask = RegisterMax >> (8 - shift);
        if (highMask != 0)
        {
            registers[b + 1] = (byte)((registers[b + 1] & ~highMask) | high);
        }
    }

    private static int DenseSet(Span<byte> registers, int index, int count)
    {
        if (count > GetDenseRegister(registers, index))
        {
            SetDenseRegister(registers, index, count);
            return 1;
        }

        return 0;
    }

    // hllSparseSet.
    private int SparseSet(int index, int count)
    {
        if (count > ValMaxValue)
        {
            return Promote(index, count);
        }

        // Step 1: find the opcode covering the register, and the one before it.
        int p = HeaderSize, first = 0, span = 0, prev = -1;
        while (p < length)
        {
            byte op = buf[p];
            int oplen = 1;
            if (IsZero(op))
            {
                span = ZeroLen(op);
            }
            else if (IsVal(op))
            {
                span = ValLen(op);
            }
            else
            {
                span = XZeroLen(op, p + 1 < length ? buf[p + 1] : (byte)0);
                oplen = 2;
            }

            if (index <= first + span - 1)
            {
                break;
            }

            prev = p;
            p += oplen;
            first += span;
        }

        if (span == 0 || p >= length)
        {
            return -1;
        }

        byte cur = buf[p];
        bool isZero = IsZero(cur), isXZero = IsXZero(cur), isVal = IsVal(cur);
        int runlen = isZero ? ZeroLen(cur) : isXZero ? XZeroLen(cur, buf[p + 1]) : ValLen(cur);

        // Step 2: the easy cases in place (a VAL already high enough; a VAL or ZERO of one
        // register), else the opcode is split into up to three.
        bool inPlace = false;
        if (isVal)
        {
            if (ValValue(cur) >= count)
            {
                return 0;
            }

            if (runlen == 1)
            {
                buf[p] = Val(count, 1);
                inPlace = true;
            }
        }

        if (isZero && runlen == 1)
        {
            buf[p] = Val(count, 1);
            inPlace = true;
        }

        if (!inPlace)
        {
            Span<byte> seq = stackalloc byte[5];
            int n = 0;
            int last = first + span - 1;
            if (isZero || isXZero)
            {
                if (index != first)
                {
                    n += WriteZeros(seq[n..], index - first);
                }

                seq[n++] = Val(count, 1);
                if (index != last)
                {
                    n += WriteZeros(seq[n..], last - index);
                }
            }
            else
            {
                int curval = ValValue(cur);
                if (index != first)
                {
                    seq[n++] = Val(curval, index - first);
                }

                seq[n++] = Val(count, 1);
                if (index != last)
                {
                    seq[n++] = Val(curval, last - index);
                }
            }

            // Step 3: put the new sequence in place of the old opcode.
            int oldlen = isXZero ? 2 : 1;
            int delta = n - oldlen;
            if (delta > 0 && length + delta > SparseMaxBytes)
            {
                return Promote(index, count);
            }

            EnsureRoom(length + delta);
            int next = p + oldlen;
            if (delta != 0 && next < length)
            {
                Buffer.BlockCopy(buf, next, buf, next + delta, length - next);
            }

            length += delta;
            seq[..n].CopyTo(buf.AsSpan(p));
        }

        // Step 4: merge equal adjacent VALs, scanning at most five opcodes from the one before.
        int q = prev >= 0 ? prev : HeaderSize;
        int scan = 5;
        while (q < length && scan-- > 0)
        {
            byte op = buf[q];
            if (IsXZero(op))
            {
                q += 2;
                continue;
            }

            if (IsZero(op))
            {
                q++;
                continue;
            }

            if (q + 1 < length && IsVal(buf[q + 1]))
            {
                int v1 = ValValue(op), v2 = ValValue(buf[q + 1]);
                int len = ValLen(op) + ValLen(buf[q + 1]);
                if (v1 == v2 && len <= ValMaxLen)
                {
                    buf[q + 1] = Val(v1, len);
                    Buffer.BlockCopy(buf, q + 1, buf, q, length - q - 1);
                    length--;
                    buf[length] = 0;
                    continue;
                }
            }

            q++;
        }

        InvalidateCache();
        return 1;
    }

    // The sparse form cannot take this update: go dense, then set the register there.
    private int Promote(int index, int count)
    {
        if (!ToDense())
        {
            return -1;
        }

        return DenseSet(buf.AsSpan(HeaderSize), index, count);
    }

    private static int WriteZeros(Span<byte> at, int len)
    {
        if (len > ZeroMaxLen)
        {
            WriteXZero(at, len);
            return 2;
        }

        at[0] = (byte)(len - 1);
        return 1;
    }

    private void EnsureRoom(int needed)
    {
        if (needed + 1 > buf.Length)
        {
            Array.Resize(ref buf, Math.Max(needed + 8, buf.Length * 2));
        }
    }
}
