using AofSim.Engine.Aof;
using AofSim.Engine.Ports;
using AofSim.Sim.Simulating;
using FsCheck;
using FsCheck.Fluent;

namespace AofSim.Properties;

/// <summary>
/// One chunk appended to the rewrite buffer: <see cref="Length"/> bytes, byte i being
/// (<see cref="Fill"/> + i) mod 251, so that a byte out of place shows.
/// </summary>
/// <param name="Length">Bytes.</param>
/// <param name="Fill">Where the pattern starts.</param>
public sealed record Chunk(int Length, byte Fill)
{
    /// <summary>The chunk's bytes.</summary>
    public byte[] Bytes()
    {
        var b = new byte[Length];
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (byte)((Fill + i) % 251);
        }

        return b;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Length}@{Fill}";
}

/// <summary>The parent's rewrite buffer (aofRewriteBufferAppend / aofRewriteBufferWrite) in 10 MB blocks.</summary>
public sealed class RewriteBufferProperties
{
    private const int Block = AofRewriteBuffer.BlockSize;

    // Chunk sizes that land on, just before and just after the 10 MB block boundaries, and small
    // ones in between.
    private static readonly Gen<int> ChunkLength = Gen.Frequency(
        (6, Gen.Choose(0, 300)),
        (2, Gen.Choose(Block - 300, Block)),
        (1, Gen.Choose(Block + 1, Block + 300)),
        (1, Gen.Choose(1, 3 * Block / 2)));

    private static readonly Arbitrary<Chunk[]> Chunks = Arb.From(
        from n in Gen.Choose(0, 8)
        from chunks in Gen.ArrayOf(ChunkLength.SelectMany(len => Gen.Choose(0, 250).Select(f => new Chunk(len, (byte)f))), n)
        where chunks.Sum(c => (long)c.Length) <= 4L * Block
        select chunks,
        c => Generators.ShrinkArray(c, x => x.Length > 0 ? [x with { Length = x.Length / 2 }, x with { Length = x.Length - 1 }] : []));

    /// <summary>
    /// Appending any sequence of chunks gives their concatenation: in <c>ToArray</c>, in the size,
    /// in the number of 10 MB blocks, and in what <c>WriteTo</c> writes (one write per block).
    /// </summary>
    [Fact]
    public void AppendingChunksGivesTheirConcatenationAcrossBlockBoundaries() => PropertyConfig.Check(
        nameof(AppendingChunksGivesTheirConcatenationAcrossBlockBoundaries),
        Prop.ForAll(Chunks, chunks =>
        {
            var buffer = new AofRewriteBuffer(new MemoryLog());
            var expected = new List<byte>();
            foreach (Chunk c in chunks)
            {
                byte[] b = c.Bytes();
                buffer.Append(b);
                expected.AddRange(b);
            }

            long size = expected.Count;
            long blocks = (size + Block - 1) / Block;
            var storage = new SimStorage(new SimStorageOptions());
            int fd = (int)storage.Open("temp-rewriteaof-bg-1.aof", OpenFlags.WriteOnly | OpenFlags.Create).Value;
            long written = buffer.WriteTo(storage, fd, out Errno error);
            byte[] onDisk = storage.ReadAll("temp-rewriteaof-bg-1.aof") ?? [];
            return buffer.Size == size
                && buffer.BlockCount == blocks
                && buffer.ToArray().AsSpan().SequenceEqual(expected.ToArray())
                && written == size && error == Errno.None
                && onDisk.AsSpan().SequenceEqual(expected.ToArray());
        }),
        scale: 0.2);
}
