using AofSim.Engine.Ports;
using AofSim.Faults;

namespace AofSim.Sim.Simulating;

// Simulated child processes (the seed's fork for BGREWRITEAOF).
//
// A child advances in steps interleaved with the parent, in an order the seeded scheduler
// chooses, and the run stays a pure function of the seed: a step lets it make up to n syscalls,
// after which it runs on until it is about to make the next one (or ends). A child killed
// between steps never makes its next syscall: it ends by signal 9, and its descriptors are
// closed as the kernel would.
//
// Running ahead. A child's work reads only what it was given at fork (its snapshot) and the
// results of its own syscalls. So at fork it runs to its end at once, on the parent's thread,
// against predicted results (every call succeeds, open returns the lowest free descriptor), and
// what it did is kept as a script: its syscalls and the log lines between them. Its steps then
// play the script out: each syscall is made for real at its turn, then the log lines that follow
// it. As long as every result is the predicted one, the child cannot have done anything else.
// When one differs (a fault, a full disk, a descriptor freed meanwhile), the work is run ahead
// again, fed the results it already had (its log lines up to there are not said twice), and the
// rest of the script is replaced by what it does now. Only the rare children whose calls cannot
// be predicted (reads, stats) go on as a thread on the carrier, parked before each syscall:
// threads cost a handoff per step, running ahead costs nothing but the work itself.

/// <summary>The deterministic child-process port.</summary>
public sealed class SimChildren : IChildProcesses, IDisposable
{
    private readonly IStorage storage;
    private readonly ChildCarrier carrier;
    private readonly Func<int> nextFd;
    private readonly SortedDictionary<int, Child> children = [];

    // The same children in pid order (pids only grow): asked before every step of a run, the
    // first running one is found without the sorted dictionary's enumerator, which allocates.
    private readonly List<Child> inOrder = [];
    private readonly List<ChildExit> exited = [];
    private Child? current;
    private int nextPid = 100;

    /// <summary>
    /// Children whose syscalls go to <paramref name="storage"/>, run on <paramref name="carrier"/>
    /// when they cannot run ahead; <paramref name="nextFd"/> predicts the descriptor an open returns.
    /// </summary>
    public SimChildren(IStorage storage, ChildCarrier carrier, Func<int> nextFd)
    {
        this.storage = storage;
        this.carrier = carrier;
        this.nextFd = nextFd;
    }

    /// <summary>
    /// Where the kernel closes a dead child's descriptors: the storage under any fault injector,
    /// since those closes are not the child's calls (null: the child's own storage).
    /// </summary>
    public IStorage? Kernel { get; init; }

    /// <summary>Called with a line for every fork, step, kill and exit (the simulator's trace).</summary>
    public Action<string>? OnEvent { get; set; }

    /// <summary>Called with each log line of a child's work when its turn comes.</summary>
    public Action<LogLevel, string>? OnLog { get; set; }

    /// <summary>Pids of children that have not ended yet.</summary>
    public IEnumerable<int> Running => children.Where(c => !c.Value.Ended).Select(c => c.Key);

    /// <summary>The first of <see cref="Running"/>, if any.</summary>
    public int? FirstRunning
    {
        get
        {
            for (int i = 0; i < inOrder.Count; i++)
            {
                if (!inOrder[i].Ended)
                {
                    return inOrder[i].Pid;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// True when a log line comes from a child's work running ahead (it is kept for its turn and
    /// said through <see cref="OnLog"/>) or running again (it was said already): the log must
    /// not write it now.
    /// </summary>
    public bool Holds(LogLevel level, string message) => current is not null && current.Hold(level, message);

    /// <inheritdoc/>
    public SysResult Fork(Func<ChildContext, int> work)
    {
        int pid = ++nextPid;
        var child = new Child(pid, this, work);
        children[pid] = child;
        inOrder.Add(child);
        OnEvent?.Invoke($"fork pid={pid}");
        current = child;
        child.RunAhead();
        current = null;
        child.Begin();
        Settle(child);
        return SysResult.Success(pid);
    }

    /// <summary>
    /// Lets child <paramref name="pid"/> make up to <paramref name="syscalls"/> syscalls (or
    /// finish) before it parks again. False when it has ended.
    /// </summary>
    public bool Step(int pid, int syscalls = 1)
    {
        if (!children.TryGetValue(pid, out Child? child) || child.Ended)
        {
            return false;
        }

        child.Advance(Math.Max(1, syscalls));
        Settle(child);
        return !child.Ended;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The server gives the child up: from now on it must not count on it (a child already
    /// ended is reaped later, but the server has done with it here).
    /// </remarks>
    public bool Kill(int pid)
    {
        if (children.TryGetValue(pid, out Child? known))
        {
            GoneFor(pid, known);
        }

        return Terminate(pid);
    }

    /// <summary>kill -9 from outside (a fault): the child dies; the server learns it when it reaps it.</summary>
    public bool Terminate(int pid)
    {
        if (!children.TryGetValue(pid, out Child? child) || child.Ended)
        {
            return false;
        }

        OnEvent?.Invoke($"kill pid={pid}");
        child.Kill();
        Settle(child);
        return true;
    }

    /// <summary>
    /// The children that made syscalls (a BGSAVE child here makes none) and that the server is
    /// done with: reaped (wait3 returned them) or killed by the server itself, in order, since the
    /// caller last emptied the list. Facts of the process table, not the server's word.
    /// </summary>
    public List<int> Reaped { get; } = [];

    /// <inheritdoc/>
    public bool TryWait(out ChildExit exit)
    {
        if (exited.Count == 0)
        {
            exit = default;
            return false;
        }

        exit = exited[0];
        exited.RemoveAt(0);
        Reap(exit.Pid);
        return true;
    }

    /// <inheritdoc/>
    public ChildExit Wait(int pid)
    {
        if (!children.TryGetValue(pid, out Child? child))
        {
            return new ChildExit(pid, 0, 0);
        }

        // Blocking wait: the child runs to its end.
        while (!child.Ended)
        {
            child.Advance(1);
            Settle(child);
        }

        int i = exited.FindIndex(e => e.Pid == pid);
        ChildExit exit = exited[i];
        exited.RemoveAt(i);
        Reap(pid);
        return exit;
    }

    private void Reap(int pid)
    {
        if (children.Remove(pid, out Child? child))
        {
            inOrder.Remove(child);
            GoneFor(pid, child);
        }
    }

    private void GoneFor(int pid, Child child)
    {
        if (!child.Idle && !child.Gone)
        {
            child.Gone = true;
            Reaped.Add(pid);
        }
    }

    /// <summary>Power loss: every child vanishes with the machine.</summary>
    public void Crash()
    {
        foreach (Child child in children.Values.Where(c => !c.Ended))
        {
            child.Kill();
            child.WaitEnded();
            current = null;
        }

        children.Clear();
        inOrder.Clear();
        exited.Clear();
    }

    /// <inheritdoc/>
    public void Dispose() => Crash();

    /// <summary>The thread children run on when they cannot run ahead, one at a time (started when first needed).</summary>
    public sealed class ChildCarrier : IDisposable
    {
        private readonly SemaphoreSlim ready = new(0);
        private Thread? thread;
        private Action? next;
        private bool disposed;

        /// <summary>Runs <paramref name="body"/> on the carrier (which must be idle).</summary>
        public void Run(Action body)
        {
            if (thread is null)
            {
                thread = new Thread(Loop) { IsBackground = true, Name = "sim-child-carrier" };
                thread.Start();
            }

            next = body;
            ready.Release();
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            disposed = true;
            if (thread is not null)
            {
                ready.Release();
                thread.Join();
            }
        }

        private void Loop()
        {
            while (true)
            {
                ready.Wait();
                if (disposed)
                {
                    return;
                }

                Action body = next!;
                next = null;
                body();
            }
        }
    }

    // Waits until the child is parked at its next syscall or has ended.
    private void Settle(Child child)
    {
        child.WaitParkedOrEnded();
        current = null;
        if (child.PowerLost)
        {
            throw new PowerLossException();
        }

        if (child.Ended && child.Exit is ChildExit e && !child.Reported)
        {
            child.Reported = true;
            exited.Add(e);
            OnEvent?.Invoke(e.Signal != 0 ? $"exit pid={e.Pid} signal={e.Signal}" : $"exit pid={e.Pid} code={e.ExitCode}");
        }
    }

    private sealed class Killed : Exception
    {
    }

    // Thrown into a child's work running ahead when it makes a call whose result cannot be
    // predicted: the script ends there. (The seed's child code catches nothing.)
    private sealed class Unpredictable : Exception
    {
    }

    // One syscall of a script, with the result predicted for it and the log lines the work said
    // after it returned (up to the next syscall). The calls are the storage operations faults know.
    private sealed class Op(FaultOp call, int fd = -1, string? path = null, string? to = null, OpenFlags flags = default, long length = 0, byte[]? data = null)
    {
        public FaultOp Call { get; } = call;

        public int Fd { get; } = fd;

        public string? Path { get; } = path;

        public string? To { get; } = to;

        public OpenFlags Flags { get; } = flags;

        public long Length { get; } = length;

        public byte[]? Data { get; } = data;

        public SysResult Predicted { get; set; }

        public List<(LogLevel Level, string Message)> After { get; } = [];
    }

    private sealed class Child(int pid, SimChildren owner, Func<ChildContext, int> work) : IStorage
    {
        private readonly List<Op> script = [];
        private readonly List<(LogLevel Level, string Message)> prologue = [];
        private readonly List<SysResult> results = [];
        private readonly HashSet<int> fds = [];
        private bool ahead;
        private bool complete;
        private int exitCode;
        private int saidLogs;

        // Threaded mode (after a wrong prediction): results still to feed, log lines still to skip.
        private bool threaded;
        private int fed;
        private int skipLogs;
        private SemaphoreSlim? go;
        private SemaphoreSlim? parked;
        private ManualResetEventSlim? ended;

        public int Pid { get; } = pid;

        public bool Killed { get; private set; }

        public bool PowerLost { get; private set; }

        // Syscalls the threaded child may still make before it parks (0: park at the next).
        public int Budget { get; set; }

        public bool Ended { get; private set; }

        // A child whose work makes no syscall at all.
        public bool Idle => complete && script.Count == 0;

        // The server is done with it (listed in Reaped once).
        public bool Gone { get; set; }

        public bool Reported { get; set; }

        public ChildExit? Exit { get; private set; }

        // The work, at once, against predicted results: the script.
        public void RunAhead()
        {
            ahead = true;
            try
            {
                exitCode = work(new ChildContext(Pid, this));
                complete = true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // An unpredictable call (or a failure of the work itself, which the thread will
                // meet again): the script ends at the last syscall recorded.
            }

            ahead = false;
        }

        // After fork: the log lines before the first syscall, and the end of a child that makes none.
        public void Begin()
        {
            Say(prologue);
            if (script.Count == 0)
            {
                Finish(0);
            }
        }

        public void Advance(int syscalls)
        {
            if (threaded)
            {
                Budget = syscalls;
                owner.current = this;
                go!.Release();
                return;
            }

            for (int made = 1; made <= syscalls; made++)
            {
                Op op = script[results.Count];
                SysResult r;
                try
                {
                    r = Make(op);
                }
                catch (ProcessKilledException)
                {
                    End(new ChildExit(Pid, 0, 9));
                    return;
                }
                catch (PowerLossException)
                {
                    // The power went out during one of the child's syscalls: the simulator handles it.
                    PowerLost = true;
                    End(new ChildExit(Pid, 0, 9));
                    return;
                }

                results.Add(r);
                if (r != op.Predicted)
                {
                    Replan();
                }

                Say(op.After);
                if (results.Count == script.Count)
                {
                    Finish(syscalls - made);
                    return;
                }
            }
        }

        public void Kill()
        {
            Killed = true;
            if (threaded)
            {
                owner.current = this;
                go!.Release();
            }
            else
            {
                End(new ChildExit(Pid, 0, 9));
            }
        }

        public void WaitParkedOrEnded() => parked?.Wait();

        public void WaitEnded() => ended?.Wait();

        public bool Hold(LogLevel level, string message)
        {
            if (skipLogs > 0)
            {
                skipLogs--;
                return true;
            }

            if (ahead)
            {
                (script.Count == 0 ? prologue : script[^1].After).Add((level, message));
                return true;
            }

            return false;
        }

        public SysResult Open(string path, OpenFlags flags) =>
            Do(new Op(FaultOp.Open, path: path, flags: flags), SysResult.Success(owner.nextFd()));

        public SysResult Read(int fd, Span<byte> buffer)
        {
            Unpredicted();
            Park();
            return owner.storage.Read(fd, buffer);
        }

        public SysResult Write(int fd, ReadOnlySpan<byte> data)
        {
            if (fed < results.Count)
            {
                return results[fed++];
            }

            if (!ahead)
            {
                // Live on the thread: no copy of the data.
                Park();
                return owner.storage.Write(fd, data);
            }

            return Do(new Op(FaultOp.Write, fd, data: data.ToArray()), SysResult.Success(data.Length));
        }

        public Errno Ftruncate(int fd, long length) => Do(new Op(FaultOp.Ftruncate, fd, length: length)).Error;

        public Errno Fsync(int fd) => Do(new Op(FaultOp.Fsync, fd)).Error;

        public Errno Fdatasync(int fd) => Do(new Op(FaultOp.Fdatasync, fd)).Error;

        public Errno Close(int fd) => Do(new Op(FaultOp.Close, fd)).Error;

        public SysResult Fstat(int fd)
        {
            Unpredicted();
            Park();
            return owner.storage.Fstat(fd);
        }

        public SysResult Stat(string path)
        {
            Unpredicted();
            Park();
            return owner.storage.Stat(path);
        }

        public Errno Rename(string from, string to) => Do(new Op(FaultOp.Rename, path: from, to: to)).Error;

        public Errno Unlink(string path) => Do(new Op(FaultOp.Unlink, path: path)).Error;

        public Errno FsyncDirectory(string path) => Do(new Op(FaultOp.FsyncDirectory, path: path)).Error;

        private static SysResult Of(Errno e) => new(e == Errno.None ? 0 : -1, e);

        // One syscall of the work: recorded with its prediction when running ahead, fed back when
        // running again, made for real (after parking) otherwise.
        private SysResult Do(Op op, SysResult? predicted = null)
        {
            if (fed < results.Count)
            {
                return results[fed++];
            }

            if (ahead)
            {
                op.Predicted = predicted ?? SysResult.Success(0);
                script.Add(op);
                return op.Predicted;
            }

            Park();
            return Make(op);
        }

        private void Unpredicted()
        {
            if (ahead)
            {
                throw new Unpredictable();
            }
        }

        // The real syscall, keeping track of the child's descriptors.
        private SysResult Make(Op op)
        {
            IStorage s = owner.storage;
            switch (op.Call)
            {
                case FaultOp.Open:
                    SysResult r = s.Open(op.Path!, op.Flags);
                    if (r.Ok)
                    {
                        fds.Add((int)r.Value);
                    }

                    return r;
                case FaultOp.Write:
                    return s.Write(op.Fd, op.Data);
                case FaultOp.Ftruncate:
                    return Of(s.Ftruncate(op.Fd, op.Length));
                case FaultOp.Fsync:
                    return Of(s.Fsync(op.Fd));
                case FaultOp.Fdatasync:
                    return Of(s.Fdatasync(op.Fd));
                case FaultOp.Close:
                    // Killed at its close, the child still holds the descriptor: the kernel closes it.
                    SysResult closed = Of(s.Close(op.Fd));
                    fds.Remove(op.Fd);
                    return closed;
                case FaultOp.Rename:
                    return Of(s.Rename(op.Path!, op.To!));
                case FaultOp.Unlink:
                    return Of(s.Unlink(op.Path!));
                default:
                    return Of(s.FsyncDirectory(op.Path!));
            }
        }

        // The last call's result was not the predicted one: the work runs ahead again from its
        // start, fed the results made so far and silent for the log lines said so far, and what it
        // does after that call replaces the rest of the script (the call's own log lines included).
        private void Replan()
        {
            int made = results.Count;
            script.RemoveRange(made, script.Count - made);
            script[made - 1].After.Clear();
            complete = false;
            fed = 0;
            skipLogs = saidLogs;
            owner.current = this;
            RunAhead();
            owner.current = null;
            skipLogs = 0;
        }

        private void Say(List<(LogLevel Level, string Message)> lines)
        {
            saidLogs += lines.Count;
            foreach ((LogLevel level, string message) in lines)
            {
                owner.OnLog?.Invoke(level, message);
            }
        }

        // The script is played out: the child ends as its work did, or, when the script stops
        // short, the rest is run on the thread.
        private void Finish(int syscallsLeft)
        {
            if (complete)
            {
                End(new ChildExit(Pid, exitCode, 0));
            }
            else
            {
                RunThreaded(syscallsLeft);
            }
        }

        private void End(ChildExit exit)
        {
            foreach (int fd in fds)
            {
                (owner.Kernel ?? owner.storage).Close(fd);
            }

            Exit = exit;
            Ended = true;
        }

        // The work again, on the carrier: fed the results it had, silent until it has said the
        // log lines said already, then parked before each syscall once the step's
        // syscallsLeft are made.
        private void RunThreaded(int syscallsLeft)
        {
            threaded = true;
            fed = 0;
            skipLogs = saidLogs;
            Budget = syscallsLeft + 1;
            go = new SemaphoreSlim(0);
            parked = new SemaphoreSlim(0);
            ended = new ManualResetEventSlim();
            owner.current = this;
            owner.carrier.Run(() =>
            {
                ChildExit exit;
                try
                {
                    exit = new ChildExit(Pid, work(new ChildContext(Pid, this)), 0);
                }
                catch (Exception e) when (e is SimChildren.Killed or ProcessKilledException)
                {
                    exit = new ChildExit(Pid, 0, 9);
                }
                catch (PowerLossException)
                {
                    // The power went out during one of the child's syscalls: the simulator handles it.
                    PowerLost = true;
                    exit = new ChildExit(Pid, 0, 9);
                }

                End(exit);
                ended.Set();
                parked.Release();
            });
        }

        // Hand control back to the simulator and wait for the next step, unless the current step
        // still allows this syscall.
        private void Park()
        {
            if (Budget > 1)
            {
                Budget--;
                return;
            }

            Budget = 0;
            parked!.Release();
            go!.Wait();
            if (Killed)
            {
                throw new SimChildren.Killed();
            }
        }
    }
}
