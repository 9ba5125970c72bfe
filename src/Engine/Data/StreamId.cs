using System.Globalization;

namespace AofSim.Engine.Data;

/// <summary>A stream entry ID: milliseconds and sequence, ordered as Redis orders them (ms, then seq).</summary>
/// <param name="Ms">The milliseconds part.</param>
/// <param name="Seq">The sequence part.</param>
public readonly record struct StreamId(ulong Ms, ulong Seq) : IComparable<StreamId>
{
    /// <summary>0-0.</summary>
    public static readonly StreamId Zero = new(0, 0);

    /// <summary>The largest ID.</summary>
    public static readonly StreamId Max = new(ulong.MaxValue, ulong.MaxValue);

    /// <summary>The ID as Redis writes it: "ms-seq".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Ms}-{Seq}");

    /// <summary>The ID's text as bytes.</summary>
    public byte[] ToBytes() => System.Text.Encoding.ASCII.GetBytes(ToString());

    /// <inheritdoc/>
    public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    /// <summary>streamIncrID: the next ID, or false (and 0-0) past the largest.</summary>
    public bool TryIncrement(out StreamId next)
    {
        if (Seq != ulong.MaxValue)
        {
            next = this with { Seq = Seq + 1 };
            return true;
        }

        if (Ms != ulong.MaxValue)
        {
            next = new StreamId(Ms + 1, 0);
            return true;
        }

        next = Zero;
        return false;
    }

    /// <summary>True when this ID sorts before <paramref name="other"/>.</summary>
    public bool IsBefore(StreamId other) => CompareTo(other) < 0;
}
