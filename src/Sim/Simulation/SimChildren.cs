using AofSim.Engine.Ports;

namespace AofSim.Sim.Simulation;

// Simulated child processes (the seed's fork for BGREWRITEAOF).
//
// A child's work runs on a carrier thread, but never at the same time as anything else: before
// each of its syscalls it parks, and runs one syscall only when the simulator calls Step. One
// carrier serves every child of a run in turn (the seed never runs two children at once), so a
// fork costs a handoff, not a thread. So a
// child advances in steps interleaved with the parent, in an order the seeded scheduler chooses,
// and the run stays a pure function of the seed. A child killed while parked never makes its
// next syscall: it ends by signal 9, and its descriptors are closed as the kernel would.

/// <summary>The deterministic child-process port.</summary>
public sealed class SimChildren : IChildProcesses, IDisposable
{
    private readonly IStorage storage;
    private readonly ChildCarrier carrier;
    private readonly SortedDictionary<int, Child> children = [];
    private readonly List<ChildExit> exited = [];
    private int nextPid = 100;

    /// <summary>Children whose syscalls go to <paramref name="storage"/>, run on <paramref name="carrier"/>.</summary>
    public SimChildren(IStorage storage, ChildCarrier carrier)
    {
        this.storage = storage;
        this.carrier = carrier;
    }

    /// <summary>
    /// Where the kernel closes a dead child's descriptors: the storage under any fault injector,
    /// since those closes are not the child's calls (null: the child's own storage).
    /// </summary>
    public IStorage? Kernel { get; init; }

    /// <summary>Called with a line for every fork, step, kill and exit (the simulator's trace).</summary>
    public Action<string>? OnEvent { get; set; }

    /// <summary>Pids of children that have not ended yet.</summary>
    public IEnumerable<int> Running => children.Where(c => !c.Value.Ended).Select(c => c.Key);

    /// <inheritdoc/>
    public SysResult Fork(Func<ChildContext, int> work)
    {
        int pid = ++nextPid;
        var child = new Child(pid, storage) { Kernel = Kernel ?? storage };
        children[pid] = child;
        OnEvent?.Invoke($"fork pid={pid}");
        child.Start(work, carrier);
        Settle(child);
        return SysResult.Success(pid);
    }

    /// <summary>
    /// Lets child <paramref name="pid"/> make up to <paramref name="syscalls"/> syscalls (or
    /// finish) before it parks again: one handoff however many. False when it has ended.
    /// </summary>
    public bool Step(int pid, int syscalls = 1)
    {
        if (!children.TryGetValue(pid, out Child? child) || child.Ended)
        {
            return false;
        }

        child.Budget = Math.Max(1, syscalls);
        child.Resume();
        Settle(child);
        return !child.Ended;
    }

    /// <inheritdoc/>
    public bool Kill(int pid)
    {
        if (!children.TryGetValue(pid, out Child? child) || child.Ended)
        {
            return false;
        }

        OnEvent?.Invoke($"kill pid={pid}");
        child.Killed = true;
        child.Resume();
        Settle(child);
        return true;
    }

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
        children.Remove(exit.Pid);
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
            child.Resume();
            Settle(child);
        }

        int i = exited.FindIndex(e => e.Pid == pid);
        ChildExit exit = exited[i];
        exited.RemoveAt(i);
        children.Remove(pid);
        return exit;
    }

    /// <summary>Power loss: every child vanishes with the machine.</summary>
    public void Crash()
    {
        foreach (Child child in children.Values.Where(c => !c.Ended))
        {
            child.Killed = true;
            child.Resume();
            child.WaitEnded();
        }

        children.Clear();
        exited.Clear();
    }

    /// <inheritdoc/>
    public void Dispose() => Crash();

    /// <summary>The thread children run on, one at a time.</summary>
    public sealed class ChildCarrier : IDisposable
    {
        private readonly SemaphoreSlim ready = new(0);
        private readonly Thread thread;
        private Action? next;
        private bool disposed;

        /// <summary>Starts the carrier thread.</summary>
        public ChildCarrier()
        {
            thread = new Thread(Loop) { IsBackground = true, Name = "sim-child-carrier" };
            thread.Start();
        }

        /// <summary>Runs <paramref name="body"/> on the carrier (which must be idle).</summary>
        public void Run(Action body)
        {
            next = body;
            ready.Release();
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            disposed = true;
            ready.Release();
            thread.Join();
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

    private sealed class Child : IStorage
    {
        private readonly IStorage inner;
        private readonly SemaphoreSlim go = new(0);
        private readonly SemaphoreSlim parked = new(0);
        private readonly HashSet<int> fds = [];
        private readonly ManualResetEventSlim ended = new();

        public Child(int pid, IStorage inner)
        {
            Pid = pid;
            this.inner = inner;
        }

        public int Pid { get; }

        public required IStorage Kernel { get; init; }

        public bool Killed { get; set; }

        public bool PowerLost { get; set; }

        // Syscalls the child may still make before it parks (set by Step; 0: park at the next).
        public int Budget { get; set; }

        public bool Ended { get; private set; }

        public bool Reported { get; set; }

        public ChildExit? Exit { get; private set; }

        public void Start(Func<ChildContext, int> work, ChildCarrier carrier) => carrier.Run(() =>
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

            foreach (int fd in fds)
            {
                Kernel.Close(fd);
            }

            Exit = exit;
            Ended = true;
            ended.Set();
            parked.Release();
        });

        public void Resume() => go.Release();

        public void WaitParkedOrEnded() => parked.Wait();

        public void WaitEnded() => ended.Wait();

        public SysResult Open(string path, OpenFlags flags)
        {
            Park();
            SysResult r = inner.Open(path, flags);
            if (r.Ok)
            {
                fds.Add((int)r.Value);
            }

            return r;
        }

        public SysResult Read(int fd, Span<byte> buffer)
        {
            Park();
            return inner.Read(fd, buffer);
        }

        public SysResult Write(int fd, ReadOnlySpan<byte> data)
        {
            Park();
            return inner.Write(fd, data);
        }

        public Errno Ftruncate(int fd, long length)
        {
            Park();
            return inner.Ftruncate(fd, length);
        }

        public Errno Fsync(int fd)
        {
            Park();
            return inner.Fsync(fd);
        }

        public Errno Fdatasync(int fd)
        {
            Park();
            return inner.Fdatasync(fd);
        }

        public Errno Close(int fd)
        {
            Park();
            Errno e = inner.Close(fd);
            fds.Remove(fd);
            return e;
        }

        public SysResult Fstat(int fd)
        {
            Park();
            return inner.Fstat(fd);
        }

        public SysResult Stat(string path)
        {
            Park();
            return inner.Stat(path);
        }

        public Errno Rename(string from, string to)
        {
            Park();
            return inner.Rename(from, to);
        }

        public Errno Unlink(string path)
        {
            Park();
            return inner.Unlink(path);
        }

        public Errno FsyncDirectory(string path)
        {
            Park();
            return inner.FsyncDirectory(path);
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
            parked.Release();
            go.Wait();
            if (Killed)
            {
                throw new Killed();
            }
        }
    }
}
