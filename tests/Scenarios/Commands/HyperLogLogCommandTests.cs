namespace AofSim.Scenarios.Commands;

/// <summary>
/// PFADD, PFCOUNT and PFMERGE: replies from Redis's documentation examples, the byte layout
/// hyperloglog.c documents (header, sparse opcodes, cache flag), errors and propagation. The
/// byte-for-byte comparison with redis-server over thousands of adds is in the interop tests.
/// </summary>
public sealed class HyperLogLogCommandTests
{
    private const string EmptyInvalidated = "HYLL\u0001\0\0\0\0\0\0\0\0\0\0\u0080\u007f\u00ff";

    private readonly CommandHarness h = new();

    [Fact]
    public void TheDocumentationExamplesGiveTheDocumentedCounts()
    {
        Assert.Equal(":1\r\n", h.Run("PFADD hll a b c d e f g"));
        Assert.Equal(":7\r\n", h.Run("PFCOUNT hll"));
        Assert.Equal(":1\r\n", h.Run("PFADD hll1 foo bar zap a"));
        Assert.Equal(":1\r\n", h.Run("PFADD hll2 a b c foo"));
        Assert.Equal("+OK\r\n", h.Run("PFMERGE hll3 hll1 hll2"));
        Assert.Equal(":6\r\n", h.Run("PFCOUNT hll3"));
        Assert.Equal(":6\r\n", h.Run("PFCOUNT hll1 hll2"));
    }

    [Fact]
    public void PfAddOfNothingOnAMissingKeyMakesAnEmptySparseHllWithAStaleCache()
    {
        Assert.Equal(":1\r\n", h.Run("PFADD k"));
        Assert.Equal("$18\r\n" + EmptyInvalidated + "\r\n", h.Run("GET k"));
        Assert.Equal(":0\r\n", h.Run("PFADD k"));
        Assert.Equal(["0:PFADD k"], h.Sink.Commands);
    }

    [Fact]
    public void PfCountCachesTheCardinalityInTheValueAndIsLoggedOnlyThen()
    {
        h.Setup("PFADD k");
        Assert.Equal(":0\r\n", h.Run("PFCOUNT k"));
        Assert.Equal("$18\r\nHYLL\u0001\0\0\0\0\0\0\0\0\0\0\0\u007f\u00ff\r\n", h.Run("GET k"));
        Assert.Equal(":0\r\n", h.Run("PFCOUNT k"));
        Assert.Equal(["0:PFCOUNT k"], h.Sink.Commands);
    }

    [Fact]
    public void AnAddThatRaisesNoRegisterChangesNothing()
    {
        h.Setup("PFADD k x y", "PFCOUNT k");
        string before = h.Run("GET k");
        Assert.Equal(":0\r\n", h.Run("PFADD k x y"));
        Assert.Equal(before, h.Run("GET k"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void OneElementIsOneValOpcodeBetweenZeroRuns()
    {
        h.Setup("PFADD k a");
        byte[] v = System.Text.Encoding.Latin1.GetBytes(ParseBulk(h.Run("GET k")));
        Assert.Equal("HYLL"u8.ToArray(), v[..4]);
        Assert.Equal(1, v[4]);

        // Walking the opcodes as documented: they cover 16384 registers, exactly one of them
        // non-zero.
        int registers = 0, nonZero = 0;
        for (int p = 16; p < v.Length;)
        {
            if ((v[p] & 0xc0) == 0)
            {
                registers += (v[p] & 0x3f) + 1;
                p++;
            }
            else if ((v[p] & 0xc0) == 0x40)
            {
                registers += (((v[p] & 0x3f) << 8) | v[p + 1]) + 1;
                p += 2;
            }
            else
            {
                registers += (v[p] & 3) + 1;
                nonZero += (v[p] & 3) + 1;
                p++;
            }
        }

        Assert.Equal(16384, registers);
        Assert.Equal(1, nonZero);
    }

    [Fact]
    public void ManyElementsTurnTheHllDenseAtItsDocumentedSize()
    {
        h.Setup(string.Join(' ', ["PFADD k", .. Enumerable.Range(0, 5000).Select(i => "m" + i)]));
        string v = ParseBulk(h.Run("GET k"));
        Assert.Equal(16 + 12288, v.Length);
        Assert.Equal('\0', v[4]);
        long count = long.Parse(h.Run("PFCOUNT k")[1..^2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(count, 5000 * 0.95, 5000 * 1.05); // the standard error is 0.81%
    }

    [Fact]
    public void PfAddKeepsTheKeysExpiry()
    {
        h.Setup("PFADD k a", "PEXPIRE k 5000");
        h.Setup("PFADD k b c d");
        Assert.Equal(h.Now + 5000, h.Entry("k").ExpireAt);
    }

    [Fact]
    public void ErrorsAreRedisWords()
    {
        h.Setup("SET s hello", "RPUSH l a");
        Assert.Equal("-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", h.Run("PFADD s a"));
        Assert.Equal("-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", h.Run("PFCOUNT s"));
        Assert.Equal("-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", h.Run("PFMERGE d s"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", h.Run("PFADD l a"));
        Assert.False(h.Exists("d"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void ASparseHllWhoseOpcodesDoNotCoverEveryRegisterIsCorrupt()
    {
        // A sparse header with one XZERO of 100 registers only.
        Assert.Equal("+OK\r\n", h.Run("SET", "bad", "HYLL\u0001\0\0\0\0\0\0\0\0\0\0\u0080\u0040\u0063"));
        Assert.Equal("-INVALIDOBJ Corrupted HLL object detected\r\n", h.Run("PFCOUNT bad"));
        Assert.Equal("-INVALIDOBJ Corrupted HLL object detected\r\n", h.Run("PFADD bad a b c d e f"));
    }

    private static string ParseBulk(string reply)
    {
        int nl = reply.IndexOf("\r\n", StringComparison.Ordinal);
        return reply[(nl + 2)..^2];
    }
}
