using AofSim.Engine.Ports;

namespace AofSim.Sim.Vectors;

/// <summary>
/// Child processes that run, fail or die when the vector says so. A child's storage calls are
/// traced with the prefix "child ".
/// </summary>
internal sealed class ScriptedChildren(ScriptedStorage storage) : IChildProcesses
{
    private readonly SortedDictionary<int, Func<ChildContext, int>> running = [];
    private readonly Queue<ChildExit> exited = new();
    private int nextPid = 4000;

    /// <summary>When set, the next fork fails with it.</summary>
    public Errno? FailFork { get; set; }

    public SysResult Fork(Func<ChildContext, int> work)
    {
        if (FailFork is Errno e)
        {
            FailFork = null;
            return SysResult.Fail(e);
        }

        int pid = ++nextPid;
        running[pid] = work;
        return SysResult.Success(pid);
    }

    /// <summary>Runs the oldest running child to its end; false when none runs.</summary>
    public bool Finish()
    {
        if (running.Count == 0)
        {
            return false;
        }

        (int pid, Func<ChildContext, int> work) = running.First();
        running.Remove(pid);
        int code;
        try
        {
            code = work(new ChildContext(pid, storage.Child("child ")));
        }
        catch (ProcessKilledException)
        {
            exited.Enqueue(new ChildExit(pid, 0, 9));
            return true;
        }

        exited.Enqueue(new ChildExit(pid, code, 0));
        return true;
    }

    /// <summary>Ends the oldest running child with <paramref name="code"/> (or <paramref name="signal"/>) without running it.</summary>
    public bool End(int code, int signal)
    {
        if (running.Count == 0)
        {
            return false;
        }

        int pid = running.Keys.First();
        running.Remove(pid);
        exited.Enqueue(new ChildExit(pid, code, signal));
        return true;
    }

    public bool Kill(int pid)
    {
        if (!running.Remove(pid))
        {
            return false;
        }

        exited.Enqueue(new ChildExit(pid, 0, 9));
        return true;
    }

    public bool TryWait(out ChildExit exit) => exited.TryDequeue(out exit);

    public ChildExit Wait(int pid)
    {
        var rest = exited.Where(e => e.Pid != pid).ToList();
        ChildExit mine = exited.FirstOrDefault(e => e.Pid == pid);
        exited.Clear();
        foreach (ChildExit e in rest)
        {
            exited.Enqueue(e);
        }

        return mine;
    }
}
