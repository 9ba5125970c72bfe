using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Profiles;
using AofSim.Engine.Text;
using static AofSim.Scenarios.Aof.AofText;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// feedAppendOnlyFile: the exact bytes a propagated command adds to the AOF. A SELECT when the
/// db changes; EXPIRE, PEXPIRE and EXPIREAT as an absolute PEXPIREAT; SETEX and PSETEX as SET
/// plus PEXPIREAT; SET … EX verbatim in the seed and as SET … PXAT under the fix (#9);
/// everything else verbatim (catAppendOnlyGenericCommand).
/// </summary>
public sealed class FeedScenarios
{
    private const long Now = 1000;

    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";

    [Fact]
    public void TheFirstCommandIsPrecededByASelectOfItsDb()
    {
        int selected = -1;

        string bytes = Feed("set", 0, ["SET", "k", "v"], ref selected);

        Assert.Equal("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + SetKV, bytes);
        Assert.Equal(0, selected);
    }

    [Fact]
    public void NoSelectWhileTheDbStaysTheSame()
    {
        int selected = 0;

        string first = Feed("set", 0, ["SET", "k", "v"], ref selected);
        string second = Feed("set", 0, ["SET", "k", "v"], ref selected);

        Assert.Equal(SetKV, first);
        Assert.Equal(SetKV, second);
        Assert.Equal(0, selected);
    }

    [Fact]
    public void ASelectIsEmittedOnEveryDbChangeWithTheDecimalDbNumber()
    {
        int selected = 0;

        string toTwelve = Feed("set", 12, ["SET", "k", "v"], ref selected);
        Assert.Equal(12, selected);
        string back = Feed("set", 0, ["SET", "k", "v"], ref selected);

        Assert.Equal("*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n" + SetKV, toTwelve);
        Assert.Equal("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + SetKV, back);
        Assert.Equal(0, selected);
    }

    [Fact]
    public void ExpireInSecondsBecomesAnAbsolutePexpireat()
    {
        int selected = 0;

        string bytes = Feed("expire", 0, ["EXPIRE", "k", "10"], ref selected);

        Assert.Equal("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$5\r\n11000\r\n", bytes);
    }

    [Fact]
    public void PexpireInMillisecondsBecomesNowPlusTheDelay()
    {
        int selected = 0;

        string bytes = Feed("pexpire", 0, ["PEXPIRE", "k", "500"], ref selected);

        Assert.Equal("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n1500\r\n", bytes);
    }

    [Fact]
    public void ExpireatInSecondsBecomesMilliseconds()
    {
        int selected = 0;

        string bytes = Feed("expireat", 0, ["EXPIREAT", "k", "5"], ref selected);

        Assert.Equal("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n5000\r\n", bytes);
    }

    [Fact]
    public void PexpireatIsWrittenVerbatimEvenInLowerCase()
    {
        int selected = 0;

        string bytes = Feed("pexpireat", 0, ["pexpireat", "k", "123"], ref selected);

        Assert.Equal("*3\r\n$9\r\npexpireat\r\n$1\r\nk\r\n$3\r\n123\r\n", bytes);
    }

    [Fact]
    public void TheTranslationFollowsTheCommandNotTheCaseOfArgvZero()
    {
        int selected = 0;

        string bytes = Feed("expire", 0, ["eXpIrE", "k", "10"], ref selected);

        Assert.Equal("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$5\r\n11000\r\n", bytes);
    }

    [Fact]
    public void SetexBecomesSetThenPexpireat()
    {
        int selected = 0;

        string bytes = Feed("setex", 0, ["SETEX", "k", "10", "v"], ref selected);

        Assert.Equal(SetKV + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$5\r\n11000\r\n", bytes);
    }

    [Fact]
    public void PsetexBecomesSetThenPexpireatInMilliseconds()
    {
        int selected = 0;

        string bytes = Feed("psetex", 0, ["PSETEX", "k", "500", "v"], ref selected);

        Assert.Equal(SetKV + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n1500\r\n", bytes);
    }

    [Fact]
    public void UnderFixedSetexAndPsetexAreOneSetWithPxatSoNoCrashCanSplitThem()
    {
        int selected = 0;

        string setex = Feed("setex", 0, ["SETEX", "k", "10", "v"], ref selected, Profile.Fixed);
        string psetex = Feed("psetex", 0, ["PSETEX", "k", "500", "v"], ref selected, Profile.Fixed);

        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$5\r\n11000\r\n", setex);
        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$4\r\n1500\r\n", psetex);
    }

    [Fact]
    public void SetexInANewDbIsPrecededByOneSelectOnly()
    {
        int selected = 0;

        string bytes = Feed("setex", 3, ["SETEX", "k", "10", "v"], ref selected);

        Assert.Equal("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n" + SetKV + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$5\r\n11000\r\n", bytes);
    }

    [Fact]
    public void SetWithExIsLoggedVerbatimUnderRedis26()
    {
        // Bug #9: the TTL is relative, so it restarts on every reload.
        int selected = 0;

        string bytes = Feed("set", 0, ["SET", "k", "v", "EX", "10"], ref selected, Profile.Redis26);

        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nEX\r\n$2\r\n10\r\n", bytes);
    }

    [Fact]
    public void SetWithExIsLoggedAsSetPxatAbsoluteUnderFixed()
    {
        int selected = 0;

        string bytes = Feed("set", 0, ["SET", "k", "v", "EX", "10"], ref selected, Profile.Fixed);

        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$5\r\n11000\r\n", bytes);
    }

    [Fact]
    public void SetWithLowerCasePxIsLoggedAsSetPxatUnderFixed()
    {
        int selected = 0;

        string bytes = Feed("set", 0, ["set", "k", "v", "px", "500"], ref selected, Profile.Fixed);

        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$4\r\n1500\r\n", bytes);
    }

    [Fact]
    public void SetWithExatIsLoggedAsSetPxatInMillisecondsUnderFixed()
    {
        int selected = 0;

        string bytes = Feed("set", 0, ["SET", "k", "v", "EXAT", "5"], ref selected, Profile.Fixed);

        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$4\r\n5000\r\n", bytes);
    }

    [Fact]
    public void SetWithPxatKeepsItsAbsoluteMillisecondsUnderFixed()
    {
        int selected = 0;

        string bytes = Feed("set", 0, ["SET", "k", "v", "PXAT", "2500"], ref selected, Profile.Fixed);

        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$4\r\n2500\r\n", bytes);
    }

    [Fact]
    public void SetWithAnOptionBeforeItsExpiryFindsTheExpiryUnderFixed()
    {
        int selected = 0;

        string bytes = Feed("set", 0, ["SET", "k", "v", "NX", "GET", "PX", "9"], ref selected, Profile.Fixed);

        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$4\r\n1009\r\n", bytes);
    }

    [Fact]
    public void SetWithAnOptionBeforePxatIsLoggedWithoutItUnderFixedAsRedis7Does()
    {
        // redis-server 7.0.15, appendonly yes: SET k v NX PXAT 99999999999999 and SET k2 v GET
        // PXAT 99999999999999 reach the AOF as five arguments, SET key value PXAT ms.
        int selected = 0;

        string nx = Feed("set", 0, ["SET", "k", "v", "NX", "PXAT", "99999999999999"], ref selected, Profile.Fixed);
        string get = Feed("set", 0, ["SET", "k2", "v", "GET", "PXAT", "99999999999999"], ref selected, Profile.Fixed);

        Assert.Equal("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$14\r\n99999999999999\r\n", nx);
        Assert.Equal("*5\r\n$3\r\nSET\r\n$2\r\nk2\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$14\r\n99999999999999\r\n", get);
    }

    [Fact]
    public void SetWithoutExpiryIsVerbatimUnderFixed()
    {
        int selected = 0;

        string plain = Feed("set", 0, ["set", "k", "v"], ref selected, Profile.Fixed);
        string keep = Feed("set", 0, ["SET", "k", "v", "KEEPTTL"], ref selected, Profile.Fixed);

        Assert.Equal("*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n", plain);
        Assert.Equal("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$7\r\nKEEPTTL\r\n", keep);
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    public void OtherCommandsAreWrittenVerbatimByteForByte(string profileName)
    {
        Profile profile = profileName == "fixed" ? Profile.Fixed : Profile.Redis26;
        int selected = 0;

        string rpush = Feed("rpush", 0, ["rpush", "list", "a", "bb"], ref selected, profile);
        string zadd = Feed("zadd", 0, ["ZADD", "z", "1.5", "m"], ref selected, profile);
        string del = Feed("del", 0, ["DEL", "k"], ref selected, profile);

        Assert.Equal("*4\r\n$5\r\nrpush\r\n$4\r\nlist\r\n$1\r\na\r\n$2\r\nbb\r\n", rpush);
        Assert.Equal("*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$3\r\n1.5\r\n$1\r\nm\r\n", zadd);
        Assert.Equal("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n", del);
    }

    [Fact]
    public void BinaryAndEmptyArgumentsAreLengthPrefixedVerbatim()
    {
        int selected = 0;

        string bytes = Feed("set", 0, ["SET", "a\r\nb", "\0x\r\n"], ref selected);
        string empty = Feed("set", 0, ["SET", string.Empty, string.Empty], ref selected);

        Assert.Equal("*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$4\r\n\0x\r\n\r\n", bytes);
        Assert.Equal("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n", empty);
    }

    [Fact]
    public void MultiAndExecAreWrittenVerbatim()
    {
        int selected = 0;

        string multi = Feed("multi", 0, ["MULTI"], ref selected);
        string exec = Feed("exec", 0, ["EXEC"], ref selected);

        Assert.Equal("*1\r\n$5\r\nMULTI\r\n", multi);
        Assert.Equal("*1\r\n$4\r\nEXEC\r\n", exec);
    }

    [Fact]
    public void FeedingAppendsToWhatTheBufferAlreadyHolds()
    {
        var dst = new ByteBuffer();
        dst.Append("*1\r\n$4\r\nPING\r\n"u8);
        int selected = 0;

        AofFeed.Append(dst, "set", 0, CommandArgs.Of("SET", "k", "v"), Now, ref selected, Profile.Fixed);

        Assert.Equal("*1\r\n$4\r\nPING\r\n" + SetKV, Text(dst.Span));
    }

    [Fact]
    public void AppendExpireAtAloneTranslatesEachCommandName()
    {
        var dst = new ByteBuffer();

        AofFeed.AppendExpireAt(dst, "setex", "k"u8, "2"u8, 7);
        AofFeed.AppendExpireAt(dst, "psetex", "k"u8, "2"u8, 7);
        AofFeed.AppendExpireAt(dst, "expireat", "k"u8, "2"u8, 7);

        Assert.Equal(
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n2007\r\n"
            + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$1\r\n9\r\n"
            + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n2000\r\n",
            Text(dst.Span));
    }

    [Fact]
    public void AppendExpireAtReadsTheDelayAsStrtollWithItsSignAndEveryDigit()
    {
        var dst = new ByteBuffer();

        // strtoll: an optional sign, then the digits 0-9 (a 9 and a 0 included).
        AofFeed.AppendExpireAt(dst, "pexpire", "k"u8, "-90"u8, 1000);
        AofFeed.AppendExpireAt(dst, "pexpire", "k"u8, "+90"u8, 1000);

        Assert.Equal(
            "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$3\r\n910\r\n"
            + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n1090\r\n",
            Text(dst.Span));
    }

    [Fact]
    public void AppendExpireAtReadsAnEmptyDelayAsStrtollDoesAsZero()
    {
        // strtoll("") is 0: an EXPIRE k "" (which no command lets through) would expire at now.
        var dst = new ByteBuffer();

        AofFeed.AppendExpireAt(dst, "expire", "k"u8, ""u8, 1000);

        Assert.Equal("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$4\r\n1000\r\n", Text(dst.Span));
    }

    private static string Feed(string name, int db, string[] argv, ref int selected, Profile? profile = null)
    {
        var dst = new ByteBuffer();
        AofFeed.Append(dst, name, db, CommandArgs.Of(argv), Now, ref selected, profile ?? Profile.Redis26);
        return Text(dst.Span);
    }
}
