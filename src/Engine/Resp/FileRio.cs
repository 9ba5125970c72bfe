using AofSim.Engine.Ports;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Resp;

/// <summary>
/// rioInitWithFile over a stdio FILE: writes are buffered (4096 bytes, the st_blksize glibc
/// uses) and reach the descriptor when the buffer fills or on <see cref="Flush"/>. So, as in the
/// seed, a write error shows up only when the buffer is written out, and the last buffer's error
/// only at fflush, which the seed does not check (bug #5).
/// </summary>
public sealed class FileRio : Rio, IDisposable
{
    /// <summary>The stdio buffer size.</summary>
    public const int BufferSize = 4096;

    private readonly IStorage storage;
    private readonly int fd;
    // The stdio buffer, rented: a rewrite makes one, and the simulator makes thousands a second.
    private readonly byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
    private readonly ByteBuffer buffer;
    private bool disposed;

    /// <summary>A rio writing to descriptor <paramref name="fd"/> of <paramref name="storage"/>.</summary>
    public FileRio(IStorage storage, int fd)
    {
        this.storage = storage;
        this.fd = fd;
        buffer = new ByteBuffer(rented);
    }

    /// <summary>errno of the last failed write.</summary>
    public Errno LastError { get; private set; }

    /// <summary>Bytes handed to the descriptor so far.</summary>
    public long Written { get; private set; }

    /// <inheritdoc/>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool Write(ReadOnlySpan<byte> data)
    {
        if (buffer.Length + data.Length > BufferSize)
        {
            if (!Flush())
            {
                return false;
            }

            if (data.Length >= BufferSize)
            {
                return WriteAll(data);
            }
        }

        buffer.Append(data);
        return true;
    }

    /// <summary>Gives the buffer back (the descriptor is the caller's to close); unflushed bytes are dropped.</summary>
    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            buffer.Clear();
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>fflush: writes out the buffer; false (EOF) on error.</summary>
    public bool Flush()
    {
        if (buffer.Length == 0)
        {
            return true;
        }

        bool ok = WriteAll(buffer.Span);
        buffer.Clear();
        return ok;
    }

    // glibc's _IO_new_file_write: loops over short writes until done or an error.
    private bool WriteAll(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            SysResult r = storage.Write(fd, data);
            if (!r.Ok || r.Value == 0)
            {
                LastError = r.Ok ? Errno.EIO : r.Error;
                return false;
            }

            Written += r.Value;
            data = data[(int)r.Value..];
        }

        return true;
    }
}
