using AofSim.Engine.Data;

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
    public void ElementsOfEightBytesAndMoreHashAsRedisDoes()
    {
        // MurmurHash64A reads 8-byte blocks, then a tail of up to 7 bytes: elements of 8, 9, 16,
        // 16 and 23 bytes. The sparse bytes are what redis-server 7.0.15 answered to GET after the
        // same PFADD.
        Assert.Equal(":1\r\n", h.Run("PFADD hl abcdefgh 0123456789abcdef a-longer-element-of-23b exactly-sixteen! nine-byte"));
        Assert.Equal("$33\r\nHYLL\u0001\0\0\0\0\0\0\0\0\0\0\u0080\u0045\u0066\u0080\u0044\u0046\u0080\u004d\u008c\u0080\u004e\u00a8\u0080\u0057\u0009\u0084\u0043\u000c\r\n", h.Run("GET hl"));
        Assert.Equal(":5\r\n", h.Run("PFCOUNT hl"));
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

    // ---------------------------------------------------------------- checked against redis-server 7.0.15

    // A dense HLL with every register zero: the header (encoding 0 = dense) and 12288 bytes.
    private static readonly string DenseZero = "HYLL\0\0\0\0\0\0\0\0\0\0\0\0" + new string('\0', 12288);

    // A sparse HLL's header with a valid cache of 0.
    private const string SparseHeader = "HYLL\u0001\0\0\0\0\0\0\0\0\0\0\0";

    [Fact]
    public void TheDirtyCounterCountsEveryRaisedRegisterAndEveryCachedCount()
    {
        // rdb_changes_since_last_save: PFADD k a b c on a missing key is 4 (the creation and three
        // registers), PFADD k a d 1, PFADD k a 0, a PFCOUNT that caches 1, a cached one 0,
        // PFMERGE 1.
        long before = h.Processor.Context.Dirty;
        h.Run("PFADD k a b c");
        Assert.Equal(before + 4, h.Processor.Context.Dirty);
        h.Run("PFADD k a d");
        Assert.Equal(before + 5, h.Processor.Context.Dirty);
        h.Run("PFADD k a");
        Assert.Equal(before + 5, h.Processor.Context.Dirty);
        Assert.Equal(":4\r\n", h.Run("PFCOUNT k"));
        Assert.Equal(before + 6, h.Processor.Context.Dirty);
        Assert.Equal(":4\r\n", h.Run("PFCOUNT k"));
        Assert.Equal(before + 6, h.Processor.Context.Dirty);
        Assert.Equal("+OK\r\n", h.Run("PFMERGE m k"));
        Assert.Equal(before + 7, h.Processor.Context.Dirty);
    }

    [Fact]
    public void PfCountOfAMissingKeyIsZero()
    {
        Assert.Equal(":0\r\n", h.Run("PFCOUNT missing"));
        Assert.False(h.Exists("missing"));
        Assert.Empty(h.Sink.Commands);
    }

    [Fact]
    public void PfCountCachingTheCountKeepsTheKeysExpiry()
    {
        h.Setup("PFADD t a", "EXPIRE t 100");
        Assert.Equal(":1\r\n", h.Run("PFCOUNT t"));
        Assert.Equal(":100\r\n", h.Run("TTL t"));
    }

    [Fact]
    public void ADenseHllCountsAddsAndMergesAndMakesTheDestinationDense()
    {
        Assert.Equal("+OK\r\n", h.Run("SET", "d", DenseZero));
        Assert.Equal(":1\r\n", h.Run("PFADD d a"));
        Assert.Equal(":0\r\n", h.Run("PFADD d a")); // the register already holds that count
        Assert.Equal(":1\r\n", h.Run("PFCOUNT d missing"));
        Assert.Equal("+OK\r\n", h.Run("SET", "d2", DenseZero));
        Assert.Equal("+OK\r\n", h.Run("PFMERGE x d2"));
        Assert.Equal("$1\r\n\0\r\n", h.Run("GETRANGE x 4 4"));
        Assert.Equal(":12304\r\n", h.Run("STRLEN x"));
    }

    [Fact]
    public void MergingSparseHllsKeepsTheDestinationSparse()
    {
        h.Setup("PFADD p a", "PFADD p2 b");
        Assert.Equal("+OK\r\n", h.Run("PFMERGE y p p2"));
        Assert.Equal("$1\r\n\u0001\r\n", h.Run("GETRANGE y 4 4"));
    }

    [Fact]
    public void AShortZeroOpcodeIsReadAsOneRegister()
    {
        // ZERO(1), then XZERO(16383): 16384 registers, all zero.
        Assert.Equal("+OK\r\n", h.Run("SET", "z", SparseHeader + "\0\u007f\u00fe"));
        Assert.Equal(":0\r\n", h.Run("PFCOUNT z missing"));
        Assert.Equal("+OK\r\n", h.Run("PFMERGE zz z"));
        Assert.Equal(":0\r\n", h.Run("PFCOUNT zz"));
    }

    [Fact]
    public void AnXZeroCutShortReadsTheTerminatingNulAsItsSecondByte()
    {
        // An sds string ends with a NUL: Redis's hllMerge reads it as the XZERO's low byte. A
        // lone 0x7f is then 16129 registers (corrupt); XZERO(255) before it makes 16384 (valid).
        Assert.Equal("+OK\r\n", h.Run("SET", "tr", SparseHeader + "\u007f"));
        Assert.Equal("-INVALIDOBJ Corrupted HLL object detected\r\n", h.Run("PFCOUNT tr missing"));
        Assert.Equal("-INVALIDOBJ Corrupted HLL object detected\r\n", h.Run("PFMERGE tt tr"));
        Assert.Equal("+OK\r\n", h.Run("SET", "te", SparseHeader + "\u0040\u00fe\u007f"));
        Assert.Equal(":0\r\n", h.Run("PFCOUNT te missing"));
    }

    [Fact]
    public void AZeroRunOfSixtyFourRegistersIsOneZeroOpcode()
    {
        // redis-server 7.0.15: PFADD w e12370 raises register 64 to 2, and GET w is the header,
        // ZERO(64) = 0x3f, VAL(2,1) = 0x84, XZERO(16319) = 0x7f 0xbe.
        h.Setup("PFADD w e12370");
        Assert.Equal("$20\r\n" + EmptyInvalidated[..16] + "\u003f\u0084\u007f\u00be\r\n", h.Run("GET w"));
    }

    [Fact]
    public void ACountAboveWhatAValOpcodeHoldsTurnsTheHllDense()
    {
        // hllSparseSet: a count above HLL_SPARSE_VAL_MAX_VALUE (32) goes to "promote". Register
        // 5 is bits 30..35: the low two bits of 40 (0) in byte 3, the high four (10) in byte 4.
        HyperLogLog hll = HyperLogLog.CreateEmpty();
        Assert.Equal(1, hll.Set(5, 40));
        Assert.True(hll.IsDense);
        Assert.Equal(HyperLogLog.DenseSize, hll.Span.Length);
        Assert.Equal((0, 10), (hll.Span[16 + 3] >> 6, hll.Span[16 + 4] & 0x0f));
    }

    private static string ParseBulk(string reply)
    {
        int nl = reply.IndexOf("\r\n", StringComparison.Ordinal);
        return reply[(nl + 2)..^2];
    }
}
