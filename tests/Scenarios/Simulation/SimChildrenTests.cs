using System.Text;
using AofSim.Engine.Ports;
using AofSim.Faults;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Simulation;

/// <summary>
/// The simulated child: run ahead against predicted results, and run again when a result is not
/// the predicted one. Whatever the path, the child must make the calls and say the log lines its
/// work would make and say run plainly, once each, in order, one step at a time.
/// </summary>
public sealed class SimChildrenTests : IDisposable
{
    private readonly SimChildren.ChildCarrier carrier = new();
    private readonly List<string> said = [];
    private readonly List<string> calls = [];
    private SimChildren children = null!;

    public void Dispose()
    {
        children?.Dispose();
        carrier.Dispose();
    }

    [Fact]
    public void APredictedChildMakesItsCallsAtItsStepsAndSaysEachLineOnce()
    {
        var disk = new SimStorage(new SimStorageOptions());
        int pid = Fork(disk, disk, Work(writes: 3));

        Assert.Equal(["start"], said);
        Assert.Empty(calls);
        Step(pid, 2); // open, write 1
        Assert.Equal(["open temp.aof", "write a"], calls);
        Assert.Equal(["start", "wrote 1"], said);
        Step(pid, 10); // the rest, to the end
        Assert.Equal(["open temp.aof", "write a", "write b", "write c", "close", "rename temp.aof appendonly.aof"], calls);
        Assert.Equal(["start", "wrote 1", "wrote 2", "wrote 3", "done"], said);
        Assert.True(children.TryWait(out ChildExit exit));
        Assert.Equal(new ChildExit(pid, 0, 0), exit);
        Assert.Equal("abc", Encoding.ASCII.GetString(disk.ReadAll("appendonly.aof")!));
    }

    [Fact]
    public void AResultOtherThanPredictedChangesWhatTheChildDoesNextAndNoLineIsSaidTwice()
    {
        // The second write fails: the work gives up, unlinks its temp file and exits 1. Run
        // ahead, it had planned a third write, a close and a rename: none of them may happen.
        var disk = new SimStorage(new SimStorageOptions());
        var faulty = new FaultyStorage(disk, new FaultPlan([new Fault(new Trigger(FaultOp.Write, 2, "temp.aof"), new Fail(Errno.ENOSPC))]));
        int pid = Fork(faulty, disk, Work(writes: 3));

        Step(pid, 3); // open, write 1, write 2 (fails)
        Assert.Equal(["open temp.aof", "write a", "write b"], calls);
        Assert.Equal(["start", "wrote 1", "write 2 failed: ENOSPC"], said);
        Step(pid, 10);
        Assert.Equal(["open temp.aof", "write a", "write b", "unlink temp.aof"], calls);
        Assert.Equal(["start", "wrote 1", "write 2 failed: ENOSPC"], said);
        Assert.True(children.TryWait(out ChildExit exit));
        Assert.Equal(new ChildExit(pid, 1, 0), exit);
        Assert.Null(disk.ReadAll("temp.aof"));
        Assert.Null(disk.ReadAll("appendonly.aof"));
    }

    [Fact]
    public void TwoWrongPredictionsInOneChildAreEachFollowedWhereTheyLead()
    {
        // The second and third writes write one byte of three: the work writes the rest each
        // time, so its calls differ from its plan twice.
        var disk = new SimStorage(new SimStorageOptions());
        var faulty = new FaultyStorage(disk, new FaultPlan([new Fault(new Trigger(FaultOp.Write, 2, "temp.aof", Count: 2), new ShortWrite(1))]));
        int pid = Fork(faulty, disk, Work(writes: 3, size: 3));

        for (int i = 0; i < 20 && children.Running.Any(); i++)
        {
            Step(pid, 1);
        }

        Assert.Equal(["open temp.aof", "write a", "write b", "write b", "write b", "write c", "close", "rename temp.aof appendonly.aof"], calls);
        Assert.Equal(["start", "wrote 1", "write 2 was short", "write 2 was short", "wrote 2", "wrote 3", "done"], said);
        Assert.Equal("aaabbbccc", Encoding.ASCII.GetString(disk.ReadAll("appendonly.aof")!));
    }

    [Fact]
    public void AChildWhoseCallsCannotBePredictedRunsOnTheCarrierAndStillStepsOneCallAtATime()
    {
        // A stat cannot be predicted: the work goes on as a thread from there.
        var disk = new SimStorage(new SimStorageOptions());
        int pid = Fork(disk, disk, ctx =>
        {
            Log("start");
            ctx.Storage.Open("temp.aof", OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate);
            bool there = ctx.Storage.Stat("temp.aof").Ok;
            Log(there ? "temp is there" : "temp is missing");
            ctx.Storage.Unlink("temp.aof");
            Log("done");
            return 7;
        });

        Step(pid, 1);
        Assert.Equal(["start"], said);
        Assert.Equal(["open temp.aof"], calls);
        Step(pid, 1); // the stat
        Assert.Equal(["start", "temp is there"], said);
        Step(pid, 1);
        Assert.Equal(["start", "temp is there", "done"], said);
        Assert.Equal(["open temp.aof", "stat temp.aof", "unlink temp.aof"], calls);
        Assert.True(children.TryWait(out ChildExit exit));
        Assert.Equal(new ChildExit(pid, 7, 0), exit);
    }

    // Opens temp.aof, writes `writes` chunks of `size` letters ('a', 'b', …) finishing short
    // writes, closes it and renames it over appendonly.aof; on a failed write it unlinks it.
    private Func<ChildContext, int> Work(int writes, int size = 1) => ctx =>
    {
        IStorage s = ctx.Storage;
        Log("start");
        int fd = (int)s.Open("temp.aof", OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate).Value;
        for (int i = 1; i <= writes; i++)
        {
            byte[] chunk = Enumerable.Repeat((byte)('a' + i - 1), size).ToArray();
            int done = 0;
            while (done < size)
            {
                SysResult r = s.Write(fd, chunk.AsSpan(done));
                if (!r.Ok)
                {
                    Log($"write {i} failed: {r.Error}");
                    s.Unlink("temp.aof");
                    return 1;
                }

                done += (int)r.Value;
                if (done < size)
                {
                    Log($"write {i} was short");
                }
            }

            Log($"wrote {i}");
        }

        s.Close(fd);
        s.Rename("temp.aof", "appendonly.aof");
        Log("done");
        return 0;
    };

    // The simulator's wiring: the child's log lines go through Holds, and are said at their turn.
    private void Log(string message)
    {
        if (!children.Holds(LogLevel.Notice, message))
        {
            said.Add(message);
        }
    }

    private int Fork(IStorage port, SimStorage disk, Func<ChildContext, int> work)
    {
        children = new SimChildren(new Recorder(port, calls), carrier, () => disk.NextFd)
        {
            Kernel = disk,
            OnLog = (_, message) => said.Add(message),
        };
        SysResult forked = children.Fork(work);
        Assert.True(forked.Ok);
        return (int)forked.Value;
    }

    private void Step(int pid, int syscalls) => children.Step(pid, syscalls);

    // The calls the child really makes, as "open temp.aof", "write b" (the first byte written),
    // "close": what its work asked for, whatever became of it.
    private sealed class Recorder(IStorage inner, List<string> calls) : IStorage
    {
        public SysResult Open(string path, OpenFlags flags) => Note($"open {path}", inner.Open(path, flags));

        public SysResult Read(int fd, Span<byte> buffer) => Note("read", inner.Read(fd, buffer));

        public SysResult Write(int fd, ReadOnlySpan<byte> data) => Note($"write {(char)data[0]}", inner.Write(fd, data));

        public Errno Ftruncate(int fd, long length) => Note("ftruncate", inner.Ftruncate(fd, length));

        public Errno Fsync(int fd) => Note("fsync", inner.Fsync(fd));

        public Errno Fdatasync(int fd) => Note("fdatasync", inner.Fdatasync(fd));

        public Errno Close(int fd) => Note("close", inner.Close(fd));

        public SysResult Fstat(int fd) => Note("fstat", inner.Fstat(fd));

        public SysResult Stat(string path) => Note($"stat {path}", inner.Stat(path));

        public Errno Rename(string from, string to) => Note($"rename {from} {to}", inner.Rename(from, to));

        public Errno Unlink(string path) => Note($"unlink {path}", inner.Unlink(path));

        public Errno FsyncDirectory(string path) => Note("fsyncdir", inner.FsyncDirectory(path));

        private T Note<T>(string call, T result)
        {
            lock (calls)
            {
                calls.Add(call);
            }

            return result;
        }
    }
}
