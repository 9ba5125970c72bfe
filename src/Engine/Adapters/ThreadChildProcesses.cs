using System.Collections.Concurrent;
using AofSim.Engine.Ports;

namespace AofSim.Engine.Adapters;

/// <summary>
/// The child-process port on threads: a forked child is a long-running task (its own thread)
/// running its work over the snapshot the parent took. SIGKILL is modelled at syscall granularity: once killed, the
/// child's next storage call never returns and the child ends by signal 9, its descriptors
/// closed as the kernel would close them.
/// </summary>
public sealed class ThreadChildProcesses : IChildProcesses
{
    private const int Sigkill = 9;

    private readonly IStorage storage;
    private readonly ConcurrentDictionary<int, Child> children = new();
    private readonly ConcurrentQueue<ChildExit> exited = new();
    private int nextPid;

    /// <summary>Children whose syscalls go to <paramref name="storage"/>.</summary>
    public ThreadChildProcesses(IStorage storage, int firstPid = 1000)
    {
        this.storage = storage;
        nextPid = firstPid - 1;
    }

    /// <inheritdoc/>
    public SysResult Fork(Func<ChildContext, int> work)
    {
        int pid = Interlocked.Increment(ref nextPid);
        var child = new Child(new KillableStorage(storage));
        children[pid] = child;
        child.Task = Task.Factory.StartNew(
            () =>
        {
            ChildExit exit;
            try
            {
                int code = work(new ChildContext(pid, child.Storage));
                exit = new ChildExit(pid, code, 0);
            }
            catch (Exception e) when (e is ChildKilledException or ProcessKilledException)
            {
                exit = new ChildExit(pid, 0, Sigkill);
            }
            catch (Exception)
            {
                // A crash of the child's code: like a child dying on an assertion.
                exit = new ChildExit(pid, 1, 0);
            }

            child.Storage.CloseAll();
            child.Exit = exit;
            exited.Enqueue(exit);
        },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return SysResult.Success(pid);
    }

    /// <inheritdoc/>
    public bool Kill(int pid)
    {
        if (!children.TryGetValue(pid, out Child? child))
        {
            return false;
        }

        child.Storage.Kill();
        return true;
    }

    /// <inheritdoc/>
    public bool TryWait(out ChildExit exit)
    {
        if (exited.TryDequeue(out exit))
        {
            children.TryRemove(exit.Pid, out _);
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public ChildExit Wait(int pid)
    {
        if (!children.TryGetValue(pid, out Child? child))
        {
            return new ChildExit(pid, 0, 0);
        }

        child.Task!.Wait();
        ChildExit exit = child.Exit!.Value;

        // Reap it: drop its entry from the exit queue, keep the others in order.
        var others = new List<ChildExit>();
        while (exited.TryDequeue(out ChildExit e))
        {
            if (e.Pid != pid)
            {
                others.Add(e);
            }
        }

        foreach (ChildExit e in others)
        {
            exited.Enqueue(e);
        }

        children.TryRemove(pid, out _);
        return exit;
    }

    private sealed class Child(KillableStorage storage)
    {
        public KillableStorage Storage { get; } = storage;

        public Task? Task { get; set; }

        public ChildExit? Exit { get; set; }
    }

    private sealed class ChildKilledException : Exception
    {
    }

    // The child's view of storage: every call first checks for SIGKILL; descriptors it opened
    // are closed when it ends, as the kernel does for a process that exits.
    private sealed class KillableStorage(IStorage inner) : IStorage
    {
        private readonly HashSet<int> fds = [];
        private volatile bool killed;

        public void Kill() => killed = true;

        public void CloseAll()
        {
            lock (fds)
            {
                foreach (int fd in fds)
                {
                    inner.Close(fd);
                }

                fds.Clear();
            }
        }

        public SysResult Open(string path, OpenFlags flags)
        {
            Check();
            SysResult r = inner.Open(path, flags);
            if (r.Ok)
            {
                lock (fds)
                {
                    fds.Add((int)r.Value);
                }
            }

            return r;
        }

        public SysResult Read(int fd, Span<byte> buffer)
        {
            Check();
            return inner.Read(fd, buffer);
        }

        public SysResult Write(int fd, ReadOnlySpan<byte> data)
        {
            Check();
            return inner.Write(fd, data);
        }

        public Errno Ftruncate(int fd, long length) => Checked(() => inner.Ftruncate(fd, length));

        public Errno Fsync(int fd) => Checked(() => inner.Fsync(fd));

        public Errno Fdatasync(int fd) => Checked(() => inner.Fdatasync(fd));

        public Errno Close(int fd)
        {
            Check();
            lock (fds)
            {
                fds.Remove(fd);
            }

            return inner.Close(fd);
        }

        public SysResult Fstat(int fd)
        {
            Check();
            return inner.Fstat(fd);
        }

        public SysResult Stat(string path)
        {
            Check();
            return inner.Stat(path);
        }

        public Errno Rename(string from, string to) => Checked(() => inner.Rename(from, to));

        public Errno Unlink(string path) => Checked(() => inner.Unlink(path));

        public Errno FsyncDirectory(string path) => Checked(() => inner.FsyncDirectory(path));

        private Errno Checked(Func<Errno> call)
        {
            Check();
            return call();
        }

        private void Check()
        {
            if (killed)
            {
                throw new ChildKilledException();
            }
        }
    }
}
