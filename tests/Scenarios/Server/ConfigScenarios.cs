using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Scenarios.Server;

/// <summary>CONFIG SET and GET of the AOF's parameters, in Redis 2.6's words.</summary>
public sealed class ConfigScenarios
{
    [Fact]
    public void AofLoadTruncatedIsSetAndReadBack()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec, aofLoadTruncated: false);
        Assert.Equal("*2\r\n$18\r\naof-load-truncated\r\n$2\r\nno\r\n", h.Call("CONFIG GET aof-load-truncated"));
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET aof-load-truncated yes"));
        Assert.True(h.Core.AofLoadTruncated);
        Assert.Equal("*2\r\n$18\r\naof-load-truncated\r\n$3\r\nyes\r\n", h.Call("CONFIG GET aof-load-truncated"));
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET aof-load-truncated no"));
        Assert.False(h.Core.AofLoadTruncated);
    }

    [Fact]
    public void AValueThatIsNotYesOrNoIsAnInvalidArgumentAndChangesNothing()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec, aofLoadTruncated: true);
        Assert.Equal("-ERR Invalid argument 'maybe' for CONFIG SET 'aof-load-truncated'\r\n", h.Call("CONFIG SET aof-load-truncated maybe"));
        Assert.True(h.Core.AofLoadTruncated);
    }

    [Theory]
    [InlineData("always", AppendFsync.Always)]
    [InlineData("everysec", AppendFsync.Everysec)]
    [InlineData("no", AppendFsync.No)]
    public void AppendFsyncIsSetToEachPolicyAndReadBack(string value, AppendFsync policy)
    {
        AppendFsync other = policy == AppendFsync.Always ? AppendFsync.No : AppendFsync.Always;
        var h = new ServerHarness(Profile.Fixed, other);
        Assert.Equal("+OK\r\n", h.Call($"CONFIG SET appendfsync {value}"));
        Assert.Equal(policy, h.Core.AppendFsync);
        Assert.Equal($"*2\r\n$11\r\nappendfsync\r\n${value.Length}\r\n{value}\r\n", h.Call("CONFIG GET appendfsync"));
    }

    [Theory]
    [InlineData("64", 64)]
    [InlineData("1k", 1000)]
    [InlineData("1kb", 1024)]
    [InlineData("2m", 2_000_000)]
    [InlineData("2mb", 2_097_152)]
    [InlineData("1g", 1_000_000_000)]
    [InlineData("1gb", 1_073_741_824)]
    public void TheRewriteMinimumSizeTakesMemtollsUnitsAndIsReadBackInBytes(string value, long bytes)
    {
        // memtoll: k, m, g are powers of 1000; kb, mb, gb powers of 1024.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        Assert.Equal("+OK\r\n", h.Call($"CONFIG SET auto-aof-rewrite-min-size {value}"));
        Assert.Equal(bytes, h.Core.AutoAofRewriteMinSize);
        string text = bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"*2\r\n$25\r\nauto-aof-rewrite-min-size\r\n${text.Length}\r\n{text}\r\n", h.Call("CONFIG GET auto-aof-rewrite-min-size"));
    }

    [Fact]
    public void TheRewritePercentageIsSetAndReadBack()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        Assert.Equal("+OK\r\n", h.Call("CONFIG SET auto-aof-rewrite-percentage 250"));
        Assert.Equal("*2\r\n$27\r\nauto-aof-rewrite-percentage\r\n$3\r\n250\r\n", h.Call("CONFIG GET auto-aof-rewrite-percentage"));
    }

    [Theory]
    [InlineData("CONFIG SET appendfsync always extra", "-ERR Wrong number of arguments for CONFIG SET\r\n")]
    [InlineData("CONFIG GET appendfsync extra", "-ERR Wrong number of arguments for CONFIG GET\r\n")]
    public void AConfigCommandWithTheWrongNumberOfArgumentsIsRefused(string line, string reply)
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        Assert.Equal(reply, h.Call(line));
        Assert.Equal(AppendFsync.Everysec, h.Core.AppendFsync);
    }
}
