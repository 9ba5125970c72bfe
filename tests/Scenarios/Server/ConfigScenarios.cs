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
}
