using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using AofSim.Engine.Text;
using FsCheck;
using FsCheck.Fluent;

namespace AofSim.Properties;

/// <summary>
/// What the loader is given for the RESP property: commands <c>RPUSH log &lt;args…&gt;</c>, one per
/// group, read through a stream that returns at most <see cref="Chunk"/> bytes per read (0: all),
/// with the file size known or not.
/// </summary>
/// <param name="Groups">The arguments of each RPUSH after the key.</param>
/// <param name="Chunk">Largest read the stream returns; 0 for no limit.</param>
/// <param name="KnownSize">Whether the loader is told the file size.</param>
/// <param name="ProfileName">The loader's profile.</param>
public sealed record LoaderCase(byte[][][] Groups, int Chunk, bool KnownSize, string ProfileName)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{ProfileName}, chunk {Chunk}, size {(KnownSize ? "known" : "unknown")}, {Groups.Length} commands:\n  "
        + string.Join("\n  ", Groups.Select(g => "RPUSH log " + TestResp.Show(g)));
}

/// <summary>RESP encoding and decoding.</summary>
public sealed class RespProperties
{
    private static readonly Arbitrary<byte[][]> ArgvArb =
        Arb.From(Generators.Argv, argv => Generators.ShrinkArray(argv, Generators.ShrinkBytes));

    private static readonly Arbitrary<LoaderCase> LoaderCaseArb = Arb.From(
        from groups in Gen.Choose(0, 30).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 4).SelectMany(k => Gen.ArrayOf(Generators.BigBytes, k)), n))
        from chunk in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 64)))
        from known in Gen.Elements(true, false)
        from profile in Gen.Elements(Profile.Fixed.Name, Profile.Redis26.Name)
        select new LoaderCase(groups, chunk, known, profile),
        ShrinkLoaderCase);

    /// <summary>
    /// For any argv, <see cref="RespCommand.Append(ByteBuffer, CommandArgs)"/> gives bytes the
    /// test's own parser reads back as the same argv, byte for byte, with nothing left over; the
    /// array overload and the rio bulk helpers write the same bytes.
    /// </summary>
    [Fact]
    public void EncodedCommandsParseBackToTheSameArgv() => PropertyConfig.Check(
        nameof(EncodedCommandsParseBackToTheSameArgv),
        Prop.ForAll(ArgvArb, argv =>
        {
            byte[] encoded = RespCommand.Append(new ByteBuffer(), CommandArgs.Of(argv)).ToArray();
            byte[][] parsed = TestResp.ParseSingle(encoded);
            Assert.Equal(argv.Length, parsed.Length);
            for (int i = 0; i < argv.Length; i++)
            {
                Assert.True(argv[i].AsSpan().SequenceEqual(parsed[i]), $"argument {i}: wrote {TestResp.Show(argv[i])}, read {TestResp.Show(parsed[i])}");
            }

            byte[] fromArrays = RespCommand.Append(new ByteBuffer(), argv).ToArray();
            Assert.True(encoded.AsSpan().SequenceEqual(fromArrays), "Append(CommandArgs) and Append(byte[][]) differ");

            var rio = new BufferRio(new ByteBuffer());
            Assert.True(rio.WriteBulkCount('*', argv.Length));
            foreach (byte[] arg in argv)
            {
                Assert.True(rio.WriteBulkString(arg));
            }

            Assert.True(encoded.AsSpan().SequenceEqual(rio.Buffer.Span), "the rio bulk helpers write other bytes than RespCommand");
        }));

    /// <summary>Concatenated encodings split back into the same commands, in order.</summary>
    [Fact]
    public void ConcatenatedCommandsParseBackInOrder() => PropertyConfig.Check(
        nameof(ConcatenatedCommandsParseBackInOrder),
        Prop.ForAll(
            Arb.From(Gen.Choose(0, 20).SelectMany(n => Gen.ArrayOf(Generators.Argv, n))),
            commands =>
            {
                var buffer = new ByteBuffer();
                foreach (byte[][] argv in commands)
                {
                    RespCommand.Append(buffer, argv);
                }

                List<byte[][]> parsed = TestResp.ParseAll(buffer.Span);
                Assert.Equal(commands.Length, parsed.Count);
                for (int c = 0; c < commands.Length; c++)
                {
                    Assert.Equal(TestResp.Show(commands[c]), TestResp.Show(parsed[c]));
                }
            }),
        scale: 0.5);

    /// <summary>
    /// The loader reading a file of many encoded <c>RPUSH log …</c> commands, however the stream
    /// splits its reads and whether or not it knows the size, applies exactly those commands: the
    /// list holds every argument in order, and the load counts one command per RPUSH.
    /// </summary>
    [Fact]
    public void TheLoaderSeesExactlyTheEncodedCommands() => PropertyConfig.Check(
        nameof(TheLoaderSeesExactlyTheEncodedCommands),
        Prop.ForAll(LoaderCaseArb, c =>
        {
            var file = new ByteBuffer();
            foreach (byte[][] group in c.Groups)
            {
                RespCommand.Append(file, [Generators.B("RPUSH"), Generators.B("log"), .. group]);
            }

            var data = new Dataset();
            Profile.TryGet(c.ProfileName, out Profile profile);
            using var stream = new ChunkedStream(file.ToArray(), c.Chunk);
            LoadResult result = AofLoader.Load(stream, c.KnownSize ? file.Length : -1, data, profile, new LoadOptions { NowMs = Generators.BaseNowMs });

            byte[][] expected = [.. c.Groups.SelectMany(g => g)];
            if (expected.Length == 0)
            {
                Assert.True(result.Outcome is LoadOutcome.Empty or LoadOutcome.Loaded, $"empty file: {result.Outcome} {result.Message}");
                Assert.Equal(0, data.KeyCount);
                return;
            }

            Assert.True(result.Outcome == LoadOutcome.Loaded, $"{result.Outcome}: {result.Message} at {result.ValidUpTo}");
            Assert.Equal(c.Groups.Length, result.Commands);
            Assert.Equal(file.Length, result.ValidUpTo);
            Assert.Equal(1, data.KeyCount);
            Assert.True(data[0].TryGet("log"u8, out DbEntry entry), "no key 'log'");
            byte[][] actual = [.. ((RedisList)entry.Value).Items.Items()];
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"element {i}: pushed {TestResp.Show(expected[i])}, loaded {TestResp.Show(actual[i])}");
            }
        }));

    private static IEnumerable<LoaderCase> ShrinkLoaderCase(LoaderCase c)
    {
        if (c.Chunk != 0)
        {
            yield return c with { Chunk = 0 };
        }

        if (!c.KnownSize)
        {
            yield return c with { KnownSize = true };
        }

        foreach (byte[][][] groups in Generators.ShrinkArray(c.Groups, g => Generators.ShrinkArray(g, Generators.ShrinkBytes).Where(x => x.Length > 0)))
        {
            yield return c with { Groups = groups };
        }
    }
}

/// <summary>A read-only stream over bytes that returns at most a given number of bytes per read.</summary>
public sealed class ChunkedStream : MemoryStream
{
    private readonly int chunk;

    /// <summary>A stream over <paramref name="data"/> returning at most <paramref name="chunk"/> bytes per read (0: no limit).</summary>
    public ChunkedStream(byte[] data, int chunk)
        : base(data, writable: false) => this.chunk = chunk;

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) =>
        base.Read(buffer, offset, chunk > 0 ? Math.Min(count, chunk) : count);

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) =>
        base.Read(chunk > 0 && buffer.Length > chunk ? buffer[..chunk] : buffer);
}
