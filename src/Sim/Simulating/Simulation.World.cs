using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Server;
using AofSim.Sim.Checking;
using AofSim.Sim.Targets;

namespace AofSim.Sim.Simulating;

// The world the server runs in: the simulated ports (storage with the plan's fault injector,
// clock, background jobs, rewrite children), a new set of them per server process, time passing,
// power losses and killed children, and the engine's log lines routed to the trace.

/// <summary>One seeded run of the simulator.</summary>
public sealed partial class Simulation
{
    /// <summary>Records a log line of the engine (IAofLog).</summary>
    public void Log(LogLevel level, string message)
    {
        if (!children.Holds(level, message))
        {
            Said(message);
        }
    }

    private void Said(string message)
    {
        trace.Add($"  log {message}");
    }

    private void KillChild()
    {
        int? pid = children.FirstRunning;
        Trace($"fault kill-child pid={pid?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        if (pid is int p)
        {
            result.Count(result.Faults, "kill");
            children.Terminate(p);
        }
    }

    // A fault of the plan fired: traced and counted by kind; some change what the checks expect.
    private void Fired(AofSim.Faults.FaultEvent e)
    {
        Trace(e.Line);
        result.Count(result.Faults, e.Kind);
        if (e.Fault.Action is AofSim.Faults.Fail && e.Op == AofSim.Faults.FaultOp.Ftruncate)
        {
            // The engine could not cut a short write back (it says so): the AOF may then need
            // truncated loading even after a clean exit.
            ftruncateFailed = true;
        }

        if (e.Fault.Action is AofSim.Faults.Fail && e.Op == AofSim.Faults.FaultOp.Unlink)
        {
            unlinkFailed.Add(e.Name);
        }
    }

    // A blocking call that takes ms longer (a slow fsync on the main thread): time passes, the
    // background jobs run, the event loop does not.
    private void Blocked(long ms)
    {
        jobs.RunUntil(clock.NowMs + ms);
        clock.AdvanceTo(clock.NowMs + ms);
    }

    private void StepChild(int steps)
    {
        int? pid = children.FirstRunning;
        if (pid is null)
        {
            Trace("child-steps none");
            return;
        }

        Trace($"child-steps pid={pid} n={steps}");
        children.Step(pid.Value, steps);
    }

    // Moves virtual time forward, running jobs and cron ticks (each followed by beforeSleep) in order.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Advance(long ms)
    {
        Trace($"advance {ms}ms");
        target.RunUntil(clock.NowMs + ms, this);
    }

    /// <summary>Time passes to <paramref name="ms"/> (ILoopHost): the background jobs due by then end, then the clock moves.</summary>
    public void PassTimeTo(long ms)
    {
        jobs.RunUntil(ms);
        clock.AdvanceTo(ms);
    }

    // Power loss: the machine stops, the storage keeps what its crash model keeps, then restart.
    private void PowerLoss(long quietMs, long downMs)
    {
        if (quietMs > 0)
        {
            Advance(quietMs);
        }

        PowerLossNow(downMs);
    }

    // downMs: how long the machine stays down (null: drawn from the crash stream).
    private void PowerLossNow(long? downMs = null)
    {
        result.Crashes++;
        result.Count(result.Faults, "crash");
        Trace("fault power-loss");
        children.Crash();
        foreach (string line in storage.Crash(crashRandom))
        {
            Trace($"  survived {line}");
        }

        long crashAt = clock.NowMs;
        clock.AdvanceTo(crashAt + (downMs ?? crashRandom.Range(0, 2000)));
        Restart(crashAt, powerLoss: true);
    }

    // A new server process (at the start and at every restart): its background jobs and children,
    // and the streams its jobs and engine draw from, split off for this process alone.
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(process), nameof(jobs), nameof(children))]
    private void NewProcess()
    {
        observed.Restarted();
        process = restarts.Split("process");
        jobs = NewJobs(process.Split("jobs"));
        children = NewChildren();
    }

    private SimJobs NewJobs(SimRandom random)
    {
        var jobsOptions = new SimJobsOptions { SlowFsyncChance = options.Faults.SlowFsync ? 0.08 : 0 };
        var j = new SimJobs(storage, clock, random, jobsOptions)
        {
            OnEvent = line => trace.Add("  ", line),
            Faults = faulty is null ? null : fd => faulty.Consult(AofSim.Faults.FaultOp.Fdatasync, fd),
        };
        return j;
    }

    private SimChildren NewChildren() => new(port, carrier, () => storage.NextFd)
    {
        Kernel = storage,
        OnEvent = line => trace.Add($"  child {line}"),
        OnLog = (_, message) => Said(message),
    };
}
