using AofSim.Engine.Ports;

namespace AofSim.Engine.Aof;

/// <summary>
/// The parent's diff while a rewrite child runs: the seed's list of 10 MB blocks. A single huge
/// realloc may copy instead of remapping pages (the seed's reason), and a single string had a
/// 2 GB limit (issue #504); a list of blocks has neither problem.
/// </summary>
/// <remarks>
/// Accounting is per 10 MB block exactly as in the seed (used/free, a new block when the last is
/// full, the log line every 10th and 100th block); the memory behind a block grows as it fills,
/// so that a small diff does not cost 10 MB.
/// </remarks>
public sealed class AofRewriteBuffer
{
    /// <summary>AOF_RW_BUF_BLOCK_SIZE: 10 MB.</summary>
    public const int BlockSize = 1024 * 1024 * 10;

    private readonly List<Block> blocks = [];
    private readonly IAofLog log;
    private readonly int blockSize;

    /// <summary>An empty buffer logging to <paramref name="log"/>, in blocks of <paramref name="blockSize"/> bytes (the seed's 10 MB unless a test or a simulation asks for smaller ones).</summary>
    public AofRewriteBuffer(IAofLog log, int blockSize = BlockSize)
    {
        this.log = log;
        this.blockSize = Math.Max(1, blockSize);
    }

    /// <summary>Blocks allocated.</summary>
    public int BlockCount => blocks.Count;

    /// <summary>aofRewriteBufferSize: bytes held.</summary>
    public long Size => blocks.Count == 0 ? 0 : ((long)(blocks.Count - 1) * blockSize) + blocks[^1].Used;

    /// <summary>aofRewriteBufferReset: drops everything.</summary>
    public void Reset() => blocks.Clear();

    /// <summary>aofRewriteBufferAppend.</summary>
    public void Append(ReadOnlySpan<byte> s)
    {
        Block? block = blocks.Count > 0 ? blocks[^1] : null;
        while (!s.IsEmpty)
        {
            // If we already got at least an allocated block, try appending at least some
            // piece into it.
            if (block is not null)
            {
                int thislen = Math.Min(block.Free, s.Length);
                if (thislen > 0)
                {
                    block.Append(s[..thislen]);
                    s = s[thislen..];
                }
            }

            if (!s.IsEmpty)
            {
                // First block to allocate, or need another block.
                block = new Block(blockSize);
                blocks.Add(block);

                // Log every time we cross more 10 or 100 blocks, respectively as a notice or
                // warning.
                int numblocks = blocks.Count;
                if ((numblocks + 1) % 10 == 0)
                {
                    LogLevel level = (numblocks + 1) % 100 == 0 ? LogLevel.Warning : LogLevel.Notice;
                    log.Log(level, $"Background AOF buffer size: {Size / (1024 * 1024)} MB");
                }
            }
        }
    }

    /// <summary>
    /// aofRewriteBufferWrite: writes every block to <paramref name="fd"/>, one write(2) per block.
    /// Returns the bytes written, or -1 on any error or short write (errno in <paramref name="error"/>,
    /// EIO for a write of 0 bytes).
    /// </summary>
    public long WriteTo(IStorage storage, int fd, out Errno error)
    {
        error = Errno.None;
        long count = 0;
        foreach (Block block in blocks)
        {
            if (block.Used == 0)
            {
                continue;
            }

            SysResult r = storage.Write(fd, block.Span);
            if (!r.Ok || r.Value != block.Used)
            {
                error = r.Ok ? (r.Value == 0 ? Errno.EIO : Errno.None) : r.Error;
                return -1;
            }

            count += r.Value;
        }

        return count;
    }

    /// <summary>The buffered bytes, in order (tests and the simulator's checks).</summary>
    public byte[] ToArray()
    {
        var all = new byte[Size];
        long at = 0;
        foreach (Block b in blocks)
        {
            b.Span.CopyTo(all.AsSpan((int)at));
            at += b.Used;
        }

        return all;
    }

    private sealed class Block(int size)
    {
        private byte[] data = new byte[Math.Min(256, size)];

        public int Used { get; private set; }

        public int Free => size - Used;

        public ReadOnlySpan<byte> Span => data.AsSpan(0, Used);

        public void Append(ReadOnlySpan<byte> s)
        {
            if (Used + s.Length > data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(size, Math.Max((long)Used + s.Length, (long)data.Length * 2)));
            }

            s.CopyTo(data.AsSpan(Used));
            Used += s.Length;
        }
    }
}
