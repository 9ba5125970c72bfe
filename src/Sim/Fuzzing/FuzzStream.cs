namespace AofSim.Sim.Fuzzing;

/// <summary>
/// A read-only stream over one fuzz input that hands out at most <c>chunk</c> bytes per read
/// (a pipe or a slow disk: the loader's refill and resume paths), without seeking or a length,
/// and that counts its reads: more reads than the input has bytes, plus a few at its end, means
/// the reader is spinning, which is reported as a hang (a bound on work, not on time).
/// </summary>
public sealed class FuzzStream(byte[] data, int chunk) : Stream
{
    // Reads that return 0 a reader may fairly make at the end (a retry after EOF, a drain).
    private const int EndReads = 16;

    private int pos;

    /// <summary>Reads made so far.</summary>
    public long Reads { get; private set; }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (++Reads > data.Length + EndReads)
        {
            throw new FuzzHangException($"{Reads} reads of a {data.Length}-byte input");
        }

        int n = Math.Min(Math.Min(buffer.Length, chunk), data.Length - pos);
        data.AsSpan(pos, n).CopyTo(buffer);
        pos += n;
        return n;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A reader went past its work bound on one input: a hang.</summary>
public sealed class FuzzHangException(string message) : Exception(message);
