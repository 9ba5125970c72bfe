using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Scenarios.Server;

/// <summary>
/// What beforeSleep hands the host: the replies of the cycle, one entry per client that ran a
/// command, in the order those clients first ran one (the order the seed's event loop installs
/// their write handlers, and epoll reports them); and, when the fsync under always failed
/// (fix RewriteAfterFsyncError), an empty entry per client, whose connection is to be closed.
/// </summary>
public sealed class ReplyReleaseScenarios
{
    private static string Text(ReleasedReply r) => System.Text.Encoding.Latin1.GetString(r.Bytes);

    [Fact]
    public void RepliesAreReleasedInTheOrderTheirClientsFirstRanACommandInThatCycle()
    {
        // A client served in an earlier cycle counts from its first command of this one.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        var a = new Connection();
        var b = new Connection();
        h.Loop.Execute(a, CommandArgs.Parse("SET a 1"));
        Assert.Equal([a], h.Loop.BeforeSleep().Select(r => r.Connection));

        h.Loop.Execute(b, CommandArgs.Parse("SET b 2"));
        h.Loop.Execute(a, CommandArgs.Parse("GET a"));
        h.Loop.Execute(b, CommandArgs.Parse("GET b"));
        IReadOnlyList<ReleasedReply> released = h.Loop.BeforeSleep();
        Assert.Equal([b, a], released.Select(r => r.Connection));
        Assert.Equal(["+OK\r\n$1\r\n2\r\n", "$1\r\n1\r\n"], released.Select(Text));
    }

    [Fact]
    public void RepliesDroppedAfterAFailedFsyncUnderAlwaysAreReleasedEmptyToBeClosed()
    {
        // The replies were promised to be on disk: each client that ran a command gets an empty
        // release and its connection closed, as if the server had exited.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        var a = new Connection();
        var b = new Connection();
        h.Storage.NextError["fdatasync"] = Errno.EIO;
        h.Loop.Execute(a, CommandArgs.Parse("SET a 1"));
        h.Loop.Execute(b, CommandArgs.Parse("GET a"));
        IReadOnlyList<ReleasedReply> released = h.Loop.BeforeSleep();
        Assert.Equal([a, b], released.Select(r => r.Connection));
        Assert.All(released, r => Assert.Empty(r.Bytes));
        Assert.True(a.CloseAfterReply);
        Assert.True(b.CloseAfterReply);
        Assert.Equal(0, a.Unreleased.Length);
        Assert.Null(h.Core.Stopped);
    }
}
