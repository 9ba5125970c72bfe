using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using static AofSim.Scenarios.Server.ServerHarness;

namespace AofSim.Scenarios.Server;

/// <summary>
/// Writes refused while the AOF cannot take them (fix #6's -MISCONF) inside a transaction, as
/// Redis 7's processCommand treats them: a refused write queued in MULTI is answered with the
/// error and flags the transaction, so its EXEC is aborted; an EXEC whose queue holds writes is
/// itself refused, the transaction discarded with "EXECABORT … because of: &lt;error&gt;".
/// </summary>
public sealed class RefusedWritesInMultiScenarios
{
    private const string Misconf = "MISCONF Errors writing to the AOF file: No space left on device";

    // A server whose last AOF write failed: writes are refused until the retry goes through.
    private static ServerHarness WithFailedWrite()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Storage.FailWrites = Errno.ENOSPC;
        h.Call("SET x 1");
        Assert.False(h.Core.AofLastWriteOk);
        return h;
    }

    [Fact]
    public void AWriteRefusedInsideMultiIsAnsweredWithTheErrorAndItsExecIsAborted()
    {
        // rejectCommand: the write gets the -MISCONF error, the client stays in MULTI
        // (a read is still queued), and flagTransaction makes EXEC discard the transaction.
        ServerHarness h = WithFailedWrite();
        Assert.Equal("+OK\r\n", h.Call("MULTI"));
        Assert.Equal($"-{Misconf}\r\n", h.Call("SET a 1"));
        Assert.Equal("+QUEUED\r\n", h.Call("GET a"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", h.Call("EXEC"));
        Assert.Equal("+PONG\r\n", h.Call("PING"));
    }

    [Fact]
    public void TwoRefusedWritesInsideMultiStillAbortItsExec()
    {
        // The flag is set, never toggled: a second refused write leaves it set.
        ServerHarness h = WithFailedWrite();
        h.Call("MULTI");
        Assert.Equal($"-{Misconf}\r\n", h.Call("SET a 1"));
        Assert.Equal($"-{Misconf}\r\n", h.Call("SET b 2"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", h.Call("EXEC"));
    }

    [Fact]
    public void ATransactionWhoseWriteWasRefusedIsAbortedEvenOnceWritesAreAcceptedAgain()
    {
        // The flag outlives the error: the retry clears -MISCONF before EXEC, but the
        // transaction lost a command and must not run the rest.
        ServerHarness h = WithFailedWrite();
        h.Call("MULTI");
        Assert.Equal($"-{Misconf}\r\n", h.Call("SET a 1"));
        h.Storage.FailWrites = null;
        h.Tick(1000);
        Assert.True(h.Core.AofLastWriteOk);
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", h.Call("EXEC"));
        Assert.Equal("$-1\r\n", h.Call("GET a"));
    }

    [Fact]
    public void AnExecOfWritesQueuedBeforeTheAofFailedIsDiscardedWholeWithTheReason()
    {
        // The writes were queued while the AOF was fine; another client's write then failed.
        // The EXEC is a write now (its queue holds one): execCommandAbort discards the
        // transaction, names the error, and leaves the client out of MULTI.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        Assert.Equal("+OK\r\n", h.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", h.Call("SET a 1"));

        var other = new Connection();
        h.Storage.FailWrites = Errno.ENOSPC;
        h.Loop.Execute(other, CommandArgs.Parse("SET x 1"));
        h.Sleep();
        Assert.False(h.Core.AofLastWriteOk);
        int buffered = h.Core.AofBuffer.Length;

        Assert.Equal($"-EXECABORT Transaction discarded because of: {Misconf}\r\n", h.Call("EXEC"));
        Assert.Equal(buffered, h.Core.AofBuffer.Length); // nothing of the transaction was fed
        Assert.Equal("$-1\r\n", h.Call("GET a")); // run at once: no longer in MULTI, SET not applied
        Assert.Equal("-ERR EXEC without MULTI\r\n", h.Call("EXEC"));

        h.Storage.FailWrites = null;
        h.Tick(1000);
        Assert.Equal(Resp("SELECT", "0") + Resp("SET", "x", "1"), h.Aof);
    }
}
