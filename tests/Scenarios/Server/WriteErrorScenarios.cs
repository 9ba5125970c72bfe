using AofSim.Engine.Diagnostics;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using static AofSim.Scenarios.Server.ServerHarness;
using static AofSim.Scenarios.TestProfiles;

namespace AofSim.Scenarios.Server;

/// <summary>
/// A failed or short write of the AOF buffer, under the seed (exit, PR #587's truncate) and under
/// Redis 2.8's retry (fix #6), each with and without the fixes it depends on.
/// </summary>
public sealed class WriteErrorScenarios
{
    private const string WriteErrorLine = "Error writing to the AOF file: No space left on device";

    private static readonly string Select0 = Resp("SELECT", "0");

    [Fact]
    public void AFlushAfterTheServerStoppedOnAWriteErrorWritesNothing()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec);
        h.Storage.NextError["write"] = Errno.EIO;
        h.Exec("SET a 1");
        Assert.Equal(string.Empty, h.Sleep());
        Assert.NotNull(h.Core.Stopped);
        Assert.Equal(50, h.Core.AofBuffer.Length); // what the failed write left behind

        // The descriptor is still open and the disk would take the write now: the exited server
        // must not.
        h.Storage.Calls.Clear();
        h.Core.FlushAppendOnlyFile(force: true);
        Assert.Empty(h.Storage.Calls);
        Assert.Equal(string.Empty, h.Aof);
    }

    [Fact]
    public void WithoutTheTruncateFixTheSeedExitsOnAShortWriteLeavingThePartialCommand()
    {
        // Before PR #587 the seed exits at once: half a command stays at the end of the AOF.
        var h = new ServerHarness(Named("redis26-TruncateShortWrite"), AppendFsync.Always);
        h.Call("SET a 1");
        string good = h.Aof;
        h.Storage.Calls.Clear();
        h.Storage.NextShortWrite = 5;
        h.Exec("SET b 2");
        Assert.Equal(string.Empty, h.Sleep());
        Assert.Equal(new StopOutcome(1, "Exiting on short write while writing to the append-only file: Success (nwritten=5, expected=27)"), h.Core.Stopped);
        Assert.Equal(["write appendonly.aof 27"], h.Storage.Calls);
        Assert.Equal(good + "*3\r\n$", h.Aof);
        Assert.Equal(0, h.Hits[ProbeId.ShortWriteTruncated]);
        Assert.Equal(0, h.Hits[ProbeId.FtruncateFailed]);
    }

    [Fact]
    public void WriteErrorsAreLoggedAtMostOnceEveryThirtySeconds()
    {
        // AOF_WRITE_LOG_ERROR_RATE: a line when more than 30 seconds passed since the last one.
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Everysec);
        h.Storage.FailWrites = Errno.ENOSPC; // every flush fails, the buffer is retried
        h.Call("SET a 1");
        Assert.Single(h.Messages, WriteErrorLine);
        h.Tick(30_000); // retried up to exactly 30 s after the first line
        Assert.Single(h.Messages, WriteErrorLine);
        h.Tick(1000);
        Assert.Equal(2, h.Messages.Count(m => m == WriteErrorLine));
    }

    [Fact]
    public void WithoutTheTruncateFixARetriedShortWriteKeepsItsBytesAndTrimsTheBuffer()
    {
        // Redis 2.8 (fix #6) without PR #587's ftruncate, one write(2) per flush: the partial
        // command stays in the file, and only the rest of the buffer is retried.
        var h = new ServerHarness(Named("fixed-TruncateShortWrite-WriteLoopsOnShortWrites"), AppendFsync.Everysec);
        h.Storage.Calls.Clear();
        h.Storage.NextShortWrite = 5;
        Assert.Equal("+OK\r\n", h.Call("SET a 1"));
        Assert.Equal(["write appendonly.aof 50"], h.Storage.Calls);
        Assert.Equal("*2\r\n$", h.Aof);
        Assert.Equal("5", h.Info("aof_current_size"));
        Assert.Equal("45", h.Info("aof_buffer_length"));
        Assert.Contains("Short write while writing to the AOF file: (nwritten=5, expected=50)", h.Messages);
        Assert.DoesNotContain(h.Messages, m => m.StartsWith("Could not remove short write", StringComparison.Ordinal));
        Assert.Equal(0, h.Hits[ProbeId.ShortWriteTruncated]);
        Assert.Equal(0, h.Hits[ProbeId.FtruncateFailed]);
        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", h.Call("SET b 2"));

        h.Tick(100); // the next flush writes the other 45 bytes
        Assert.Equal(Select0 + Resp("SET", "a", "1"), h.Aof);
        Assert.Equal("+OK\r\n", h.Call("SET b 2"));
    }

    [Fact]
    public void ARetriedShortWriteIsTruncatedAwayAndTheWholeBufferRetried()
    {
        // Redis 2.8 with one write(2) per flush: the ftruncate removes the partial command, so
        // the buffer is kept whole.
        var h = new ServerHarness(Named("fixed-WriteLoopsOnShortWrites"), AppendFsync.Everysec);
        h.Storage.NextShortWrite = 5;
        Assert.Equal("+OK\r\n", h.Call("SET a 1"));
        Assert.Contains("ftruncate appendonly.aof 0", h.Storage.Calls);
        Assert.Equal(string.Empty, h.Aof);
        Assert.Equal("50", h.Info("aof_buffer_length"));
        Assert.Equal(1, h.Hits[ProbeId.ShortWriteTruncated]);
        Assert.Equal(0, h.Hits[ProbeId.FtruncateFailed]);

        h.Tick(100); // the next flush
        Assert.Equal(Select0 + Resp("SET", "a", "1"), h.Aof);
    }

    [Fact]
    public void ARetriedShortWriteThatCannotBeTruncatedIsLoggedOnceAndTrimmedFromTheBuffer()
    {
        var h = new ServerHarness(Named("fixed-WriteLoopsOnShortWrites"), AppendFsync.Everysec);
        h.Storage.NextShortWrite = 5;
        h.Storage.NextError["ftruncate"] = Errno.EIO;
        Assert.Equal("+OK\r\n", h.Call("SET a 1"));
        const string Untruncated = "Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: Input/output error";
        Assert.Single(h.Messages, Untruncated);
        Assert.Equal(1, h.Hits[ProbeId.FtruncateFailed]);
        Assert.Equal(0, h.Hits[ProbeId.ShortWriteTruncated]);
        Assert.Equal("*2\r\n$", h.Aof);
        Assert.Equal("45", h.Info("aof_buffer_length"));

        // A second one within the 30 seconds: the ftruncate fails again, silently.
        h.Storage.NextShortWrite = 5;
        h.Storage.NextError["ftruncate"] = Errno.EIO;
        h.Tick(100); // the next flush
        Assert.Single(h.Messages, Untruncated);
        Assert.Equal(2, h.Hits[ProbeId.FtruncateFailed]);
        Assert.Equal(Select0[..10], h.Aof);
    }

    [Fact]
    public void AWriteErrorUnderAlwaysExitsWithoutEnteringTheRetryState()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        h.Storage.NextError["write"] = Errno.EIO;
        h.Exec("SET a 1");
        Assert.Equal(string.Empty, h.Sleep());
        Assert.Equal(1, h.Core.Stopped!.ExitCode);
        Assert.Equal(1, h.Hits[ProbeId.WriteErrorExit]);
        Assert.Equal(0, h.Hits[ProbeId.WriteErrorEntered]);
        Assert.True(h.Core.AofLastWriteOk);
        Assert.Equal("ok", h.Info("aof_last_write_status"));
    }

    [Fact]
    public void AWholeWriteIsNotCountedAsAShortWriteCompletedByTheLoop()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always);
        Assert.Equal("+OK\r\n", h.Call("SET k v"));
        Assert.Equal(Select0 + Resp("SET", "k", "v"), h.Aof);
        Assert.Equal(0, h.Hits[ProbeId.ShortWriteCompletedByLoop]);

        h.Storage.NextShortWrite = 5; // the same probe counts a write the loop had to complete
        Assert.Equal("+OK\r\n", h.Call("SET k w"));
        Assert.Equal(1, h.Hits[ProbeId.ShortWriteCompletedByLoop]);
    }
}
