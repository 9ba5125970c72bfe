using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The record of a run: one line per event (command, syscall and result, job, child, fault,
/// crash, recovery, check). Its hash identifies the run; the lines themselves are kept only when
/// asked (replay), so a campaign pays for hashing alone: lines are formatted into a pooled
/// buffer and hashed from there, and become strings only when kept.
/// </summary>
public sealed class Trace(bool keepLines)
{
    private readonly List<string>? lines = keepLines ? [] : null;
    private readonly List<TraceStamp>? stamps = keepLines ? [] : null;
    private Func<TraceStamp>? stamp;
    private ulong hash = 14695981039346656037UL;

    /// <summary>The lines, when kept.</summary>
    public IReadOnlyList<string> Lines => lines ?? [];

    /// <summary>
    /// When lines are kept: the world as each line is added, kept beside it (lines added before
    /// this was set get a default stamp). Not part of the hash.
    /// </summary>
    public Func<TraceStamp>? Stamp
    {
        get => stamp;
        set
        {
            stamp = value;
            while (stamps is not null && lines is not null && stamps.Count < lines.Count)
            {
                stamps.Add(default);
            }
        }
    }

    /// <summary>The stamps, one per kept line once <see cref="Stamp"/> was set; otherwise none.</summary>
    public IReadOnlyList<TraceStamp> Stamps => stamps ?? [];

    /// <summary>Lines added.</summary>
    public long Count { get; private set; }

    /// <summary>The trace hash as 16 hex digits.</summary>
    public string Hash => hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Adds a line.</summary>
    public void Add(string line)
    {
        Mix(line);
        if (lines is not null)
        {
            lines.Add(line);
            if (stamp is not null)
            {
                stamps!.Add(stamp());
            }
        }
    }

    /// <summary>Adds a line.</summary>
    public void Add(ReadOnlySpan<char> line)
    {
        Mix(line);
        if (lines is not null)
        {
            lines.Add(line.ToString());
            if (stamp is not null)
            {
                stamps!.Add(stamp());
            }
        }
    }

    /// <summary>Adds a line formatted by an interpolated string (its buffer goes back to the pool).</summary>
    public void Add(ref DefaultInterpolatedStringHandler line)
    {
        Add(line.Text);
        line.Clear();
    }

    /// <summary>Adds the line <paramref name="prefix"/> followed by <paramref name="rest"/>.</summary>
    public void Add(string prefix, ReadOnlySpan<char> rest)
    {
        int n = prefix.Length + rest.Length;
        char[]? rented = null;
        Span<char> line = n <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(n));
        prefix.CopyTo(line);
        rest.CopyTo(line[prefix.Length..]);
        Add(line[..n]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Mix(ReadOnlySpan<char> line)
    {
        // A fixed 64-bit hash over the line's UTF-16 bytes, 8 at a time, read little-endian so
        // that every machine computes the same value.
        ReadOnlySpan<byte> bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(line);
        ulong h = hash ^ (ulong)bytes.Length;
        while (bytes.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0x9E3779B97F4A7C15UL, 29);
            bytes = bytes[8..];
        }

        ulong tail = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (8 * i);
        }

        h = (h ^ tail) * 0xFF51AFD7ED558CCDUL;
        hash = h ^ (h >> 32);
        Count++;
    }
}
