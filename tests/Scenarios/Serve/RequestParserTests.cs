using System.Globalization;
using System.Text;
using AofSim.Engine.Resp;

namespace AofSim.Scenarios.Serve;

/// <summary>
/// The request parser fed byte streams cut at every boundary (or every few hundred bytes, for
/// big bulks): the commands and the protocol error must not depend on how the bytes arrive.
/// </summary>
public sealed class RequestParserTests
{
    private const string Pipeline =
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n" +
        "*0\r\n*-1\r\n" +
        "SET q \"hello world\"\r\n" +
        "\r\n" +
        "*1\r\n$4\r\nPING\r\n" +
        "GET 'q'\n";

    private static readonly string[][] PipelineCommands =
    [
        ["SET", "k", "v1"], ["SET", "q", "hello world"], ["PING"], ["GET", "q"],
    ];

    [Fact]
    public void APipelineSplitAtEveryByteGivesTheSameCommands()
    {
        byte[] input = Encoding.Latin1.GetBytes(Pipeline);
        for (int cut = 0; cut <= input.Length; cut++)
        {
            (List<string[]> commands, string? error) = Feed(input, cut);
            Assert.Null(error);
            Assert.Equal(PipelineCommands, commands);
        }
    }

    [Theory]
    [InlineData("*abc\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*-0\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*+1\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*2147483648\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*1\r\nx4\r\n", "ERR Protocol error: expected '$', got 'x'")]
    [InlineData("*1\r\n\r\n", "ERR Protocol error: expected '$', got '\r'")]
    [InlineData("*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$9223372036854775806\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("SET q \"open\r\n", "ERR Protocol error: unbalanced quotes in request")]
    public void ProtocolErrorsComeAfterTheCommandsBeforeThem(string bad, string error)
    {
        byte[] input = Encoding.Latin1.GetBytes("*1\r\n$4\r\nPING\r\n" + bad + "PING\r\n");
        for (int cut = 0; cut <= input.Length; cut++)
        {
            (List<string[]> commands, string? got) = Feed(input, cut);
            Assert.Equal(error, got);
            Assert.Equal([["PING"]], commands);
        }
    }

    [Theory]
    [InlineData('*', "ERR Protocol error: too big mbulk count string")]
    [InlineData('$', "ERR Protocol error: too big bulk count string")]
    [InlineData('P', "ERR Protocol error: too big inline request")]
    public void LinesPast64KBWithoutTheirEndAreRefused(char first, string error)
    {
        string prefix = first == '$' ? "*1\r\n" : string.Empty;
        byte[] input = Encoding.Latin1.GetBytes(prefix + first + new string('1', RequestParser.InlineMax + 1));
        (_, string? got) = Feed(input, input.Length / 2);
        Assert.Equal(error, got);
    }

    [Fact]
    public void ABigBulkArrivesWholeWhereverItIsCut()
    {
        byte[] value = new byte[RequestParser.BigArg + 1000];
        new Random(17).NextBytes(value);
        byte[] input = [.. Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${value.Length}\r\n"), .. value, .. "\r\n*1\r\n$4\r\nPING\r\n"u8];
        IEnumerable<int> cuts = Enumerable.Range(0, 64).Concat(Enumerable.Range(input.Length - 64, 65)).Concat(Enumerable.Range(0, input.Length / 211).Select(i => i * 211));
        foreach (int cut in cuts)
        {
            var parser = new RequestParser();
            var got = new List<byte[][]>();
            foreach (byte[] chunk in new[] { input[..cut], input[cut..] })
            {
                Push(parser, chunk, args => got.Add(args.ToArrays()));
            }

            Assert.Null(parser.ProtocolError);
            Assert.Equal(2, got.Count);
            Assert.Equal("SET"u8.ToArray(), got[0][0]);
            Assert.Equal(value, got[0][2]);
            Assert.Equal("PING"u8.ToArray(), got[1][0]);
        }
    }

    [Fact]
    public void AClaimOf512MBCostsWhatArrivesNotWhatIsClaimed()
    {
        var parser = new RequestParser();
        byte[] header = Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${RequestParser.MaxBulk}\r\n");
        byte[] oneMB = new byte[1 << 20];
        long before = GC.GetAllocatedBytesForCurrentThread();
        Push(parser, header, _ => Assert.Fail("no command is whole yet"));
        Push(parser, oneMB, _ => Assert.Fail("no command is whole yet"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The bulk's array doubles as bytes arrive: 1 MB received costs under 4 MB, not 512.
        Assert.InRange(allocated, 1 << 20, 4 << 20);
        Assert.Null(parser.ProtocolError);
        parser.Release();
        Assert.True(parser.TakeReleased() >= 1 << 20, "the half-received bulk is let go with the client");
    }

    [Fact]
    public void ABigCommandIsLetGoOnceItHasRun()
    {
        var parser = new RequestParser();
        int size = 4 * RequestParser.BigArg;
        byte[] input = [.. Encoding.ASCII.GetBytes($"*2\r\n$4\r\nECHO\r\n${size}\r\n"), .. new byte[size], .. "\r\n"u8];
        int commands = 0;
        Push(parser, input, args => commands++);
        Assert.Equal(1, commands);
        Assert.True(parser.TakeReleased() >= size, "the bulk's array is released once the command has run");
    }

    // Feeds input in two pieces cut at `cut`, as a client whose bytes arrive in two reads.
    [Theory]
    [InlineData(1000)]
    [InlineData(4093)]
    public void ALongPipelineIsParsedInPlaceWithoutGrowingTheBuffer(int readSize)
    {
        // 3,000 commands, about 150 KB, read a few KB at a time and cut inside commands: each
        // parsed command's bytes are let go, and the command under way is moved to the front,
        // so the buffer never has to grow past its first 16 KB.
        var expected = new List<string[]>();
        var wire = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            string[] argv = ["SET", $"key:{i}", $"value-{i:D10}"];
            expected.Add(argv);
            wire.Append(CultureInfo.InvariantCulture, $"*3\r\n$3\r\nSET\r\n${argv[1].Length}\r\n{argv[1]}\r\n${argv[2].Length}\r\n{argv[2]}\r\n");
        }

        byte[] input = Encoding.Latin1.GetBytes(wire.ToString());
        var parser = new RequestParser();
        var commands = new List<string[]>();
        int largestRoom = 0;
        for (int at = 0; at < input.Length; at += readSize)
        {
            largestRoom = Math.Max(largestRoom, parser.FreeSpace().Length);
            Push(parser, input[at..Math.Min(input.Length, at + readSize)], args => commands.Add(Enumerable.Range(0, args.Count).Select(args.Text).ToArray()));
        }

        Assert.Null(parser.ProtocolError);
        Assert.Equal(expected, commands);
        Assert.InRange(largestRoom, 1, RequestParser.IoBufLen);
    }

    private static (List<string[]> Commands, string? Error) Feed(byte[] input, int cut)
    {
        var parser = new RequestParser();
        var commands = new List<string[]>();
        foreach (byte[] chunk in new[] { input[..cut], input[cut..] })
        {
            if (parser.ProtocolError is null)
            {
                Push(parser, chunk, args => commands.Add(Enumerable.Range(0, args.Count).Select(args.Text).ToArray()));
            }
        }

        return (commands, parser.ProtocolError);
    }

    // What the reader does with one read's bytes (in as many reads as the free space takes).
    private static void Push(RequestParser parser, byte[] chunk, Action<Engine.Commands.CommandArgs> run)
    {
        int at = 0;
        while (at < chunk.Length && parser.ProtocolError is null)
        {
            Memory<byte> room = parser.FreeSpace();
            int n = Math.Min(room.Length, chunk.Length - at);
            chunk.AsSpan(at, n).CopyTo(room.Span);
            parser.Advance(n);
            at += n;
            parser.Parse();
            foreach (Engine.Commands.CommandArgs args in parser.Ready)
            {
                run(args);
            }

            parser.Recycle();
        }
    }
}
