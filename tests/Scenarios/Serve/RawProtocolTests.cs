using System.Text;
using AofSim.Scenarios.Interop;

namespace AofSim.Scenarios.Serve;

/// <summary>Starts one <c>aofsim serve</c>, and one redis-server 7 where installed, for the raw-protocol tests.</summary>
public sealed class RawProtocolServers : IDisposable
{
    private readonly TempDir serveDir = new("aofsim-raw-");
    private readonly TempDir? redisDir;
    private readonly ServeProcess serve;
    private readonly RedisServer? redis;

    public RawProtocolServers()
    {
        serve = ServeProcess.Start(serveDir.Path);
        if (RedisBinaries.Available)
        {
            redisDir = new TempDir("aofsim-raw-redis-");
            redis = RedisServer.Start(redisDir.Path);
        }
    }

    internal int ServePort => serve.Port;

    internal int RedisPort => redis?.Port ?? throw new InvalidOperationException("redis-server is not installed");

    public void Dispose()
    {
        serve.Dispose();
        redis?.Dispose();
        serveDir.Dispose();
        redisDir?.Dispose();
    }
}

/// <summary>
/// <c>aofsim serve</c> sent raw bytes: pipelines, QUIT and protocol errors in the middle of them,
/// inline commands with quotes, CR/LF in echoed arguments, empty multibulks, and requests cut at
/// every byte. The expected replies are Redis 7's, written out from its rules (networking.c,
/// sds.c); where redis-server is installed the same cases are run against it, so the table is
/// checked against the real thing byte for byte. Where the engine answers in other words than
/// Redis 7 (commands it implements otherwise), <see cref="Differences"/> names the difference.
/// </summary>
public sealed class RawProtocolTests(RawProtocolServers servers) : IClassFixture<RawProtocolServers>
{
    /// <summary>Name, request, the replies (then the server closes).</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        { "pipeline", "*3\r\n$3\r\nSET\r\n$2\r\np1\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$2\r\np1\r\nPING\r\n", "+OK\r\n$1\r\n1\r\n+PONG\r\n" },
        { "QUIT mid-pipeline", "SET p2 1\r\nQUIT\r\nSET p2 2\r\nPING\r\n", "+OK\r\n+OK\r\n" },
        { "QUIT in MULTI", "MULTI\r\nSET p3 1\r\nQUIT\r\n", "+OK\r\n+QUEUED\r\n+OK\r\n" },
        { "bad count mid-pipeline", "PING\r\n*abc\r\nPING\r\n", "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n" },
        { "count -0", "PING\r\n*-0\r\n", "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n" },
        { "not a bulk", "*1\r\n$4\r\nPING\r\n*1\r\nx4\r\nPING\r\n", "+PONG\r\n-ERR Protocol error: expected '$', got 'x'\r\n" },
        { "empty bulk header (CR echoed as space)", "*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n" },
        { "negative bulk", "*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "bulk past 512 MB", "*2\r\n$4\r\nECHO\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*0 then a command", "*0\r\nPING\r\n", "+PONG\r\n" },
        { "*-1 then a command", "*-1\r\nPING\r\n", "+PONG\r\n" },
        { "bulk CRLF taken on trust", "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", "+PONG\r\n+PONG\r\n" },
        { "inline double quotes", "SET p4 \"hello world\"\r\nGET p4\r\n", "+OK\r\n$11\r\nhello world\r\n" },
        { "inline escapes", "SET p5 \"\\x41\\tb\\\"\"\r\nGET p5\r\n", "+OK\r\n$4\r\nA\tb\"\r\n" },
        { "inline single quotes", "SET p6 'it\\'s'\r\nGET p6\r\n", "+OK\r\n$4\r\nit's\r\n" },
        { "inline unbalanced quotes", "PING\r\nSET p7 \"open\r\nPING\r\n", "+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "inline text after closing quote", "SET p8 \"a\"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "blank lines", "\r\n\n  \r\nPING\r\n", "+PONG\r\n" },
        { "inline LF only", "PING\nPING\n", "+PONG\r\n+PONG\r\n" },
        { "inline past 64 KB", "PING " + new string('a', 70_000), "-ERR Protocol error: too big inline request\r\n" },
    };

    /// <summary>
    /// Name, request, serve's replies, redis-server 7's replies, and what differs. Both keep the
    /// reply on one line: CR and LF echoed from the request become spaces.
    /// </summary>
    public static TheoryData<string, string, string, string> Differences => new()
    {
        {
            "unknown command with CR/LF: the engine keeps Redis 2.6's words (no 'with args beginning with')",
            "*1\r\n$9\r\nFOO\r\n-ERR\r\n*1\r\n$4\r\nPING\r\n",
            "-ERR unknown command 'FOO  -ERR'\r\n+PONG\r\n",
            "-ERR unknown command 'FOO  -ERR', with args beginning with: \r\n+PONG\r\n"
        },
        {
            "CONFIG SET of an unknown parameter with CR/LF: the engine's words, and the name lowercased",
            "*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$8\r\nfoo\r\n+OK\r\n$1\r\n1\r\n*1\r\n$4\r\nPING\r\n",
            "-ERR Unsupported CONFIG parameter: foo  +ok\r\n+PONG\r\n",
            "-ERR Unknown option or number of arguments for CONFIG SET - 'foo  +OK'\r\n+PONG\r\n"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ServeAnswersAsRedis7(string name, string request, string replies) =>
        AssertReplies(name, replies, RawExchange.Run(servers.ServePort, request));

    [RedisTheory]
    [MemberData(nameof(Cases))]
    public void Redis7AnswersAsTheTableSays(string name, string request, string replies) =>
        AssertReplies(name, replies, RawExchange.Run(servers.RedisPort, request));

    [Theory]
    [MemberData(nameof(Differences))]
    public void ServeKeepsEchoedErrorsOnOneLine(string difference, string request, string serveReplies, string redisReplies)
    {
        _ = redisReplies;
        AssertReplies(difference, serveReplies, RawExchange.Run(servers.ServePort, request));
    }

    [RedisTheory]
    [MemberData(nameof(Differences))]
    public void Redis7KeepsEchoedErrorsOnOneLine(string difference, string request, string serveReplies, string redisReplies)
    {
        _ = serveReplies;
        AssertReplies(difference, redisReplies, RawExchange.Run(servers.RedisPort, request));
    }

    [Fact]
    public void ServeAnswersTheSameWhereverTheRequestIsCut() => AssertEveryCut(servers.ServePort);

    [RedisFact]
    public void Redis7AnswersTheSameWhereverTheRequestIsCut() => AssertEveryCut(servers.RedisPort);

    [Fact]
    public void NothingAfterQuitRuns()
    {
        Assert.Equal("+OK\r\n+OK\r\n", RawExchange.Run(servers.ServePort, "SET quitkey before\r\nQUIT\r\nSET quitkey after\r\n"));
        Assert.Equal("$6\r\nbefore\r\n", RawExchange.Run(servers.ServePort, "GET quitkey\r\n"));
    }

    private static void AssertEveryCut(int port)
    {
        const string request = "*3\r\n$3\r\nSET\r\n$3\r\ncut\r\n$2\r\nv1\r\n*0\r\nSET cut2 \"a b\"\r\n*2\r\n$3\r\nGET\r\n$3\r\ncut\r\nGET cut2\r\n";
        const string replies = "+OK\r\n+OK\r\n$2\r\nv1\r\n$3\r\na b\r\n";
        byte[] bytes = Encoding.Latin1.GetBytes(request);
        for (int cut = 1; cut < bytes.Length; cut++)
        {
            AssertReplies($"cut at {cut}", replies, RawExchange.Run(port, bytes[..cut], bytes[cut..]));
        }
    }

    private static void AssertReplies(string name, string expected, string actual) =>
        Assert.True(expected == actual, $"{name}: expected {RawExchange.Show(expected)}, got {RawExchange.Show(actual)}");
}
