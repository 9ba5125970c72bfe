using AofSim.Engine.Ports;

namespace AofSim.Engine.Aof;

/// <summary>A read-only stream over a descriptor of the storage port.</summary>
internal sealed class StorageReadStream(IStorage storage, int fd) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        SysResult r = storage.Read(fd, buffer);
        return r.Ok ? (int)r.Value : throw new IOException(ErrnoText.Strerror(r.Error));
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
