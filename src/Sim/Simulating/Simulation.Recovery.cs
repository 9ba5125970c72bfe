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

// Recovery: a server started on what the disk holds, as an operator would: a strict load, then
// a truncated one, then redis-check-aof --fix and a strict load; then the checks of recovery.

/// <summary>One seeded run of the simulator.</summary>
public sealed partial class Simulation
{
    // Starts a server on the storage as it is. A plan's power loss can strike during the start
    // itself (its directory fsync, say): the machine goes down again and the start is retried, a
    // few times at most (a plan that fires at every start would otherwise never let it up).
    private void StartServer(bool loadTruncated)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                target.Start(loadTruncated);
                return;
            }
            catch (PowerLossException) when (options.PowerLossAfterCall is null && attempt < 8)
            {
                result.Crashes++;
                result.Count(result.Faults, "crash");
                Trace("fault power-loss during start");
                foreach (string line in storage.Crash(crashRandom))
                {
                    Trace($"  survived {line}");
                }

                NewProcess();
            }
        }
    }

    // The server stopped where the seed exits: a process exit, the page cache survives.
    private void ProcessExit()
    {
        Trace($"process-exit code={target.Stopped!.ExitCode} {target.Stopped.Reason}");
        result.Count(result.Faults, "process-exit");
        children.Crash();
        Restart(clock.NowMs, powerLoss: false);
    }

    private void Restart(long crashAt, bool powerLoss, bool killed = false)
    {
        lastRestartKilled = killed;
        target.Kill();
        NewProcess();
        clientDb = 0;
        scheduler.Restarted();
        aofState = AofState.On;
        droppedAtStop = 0;

        // A rewrite that replaced the AOF in the process that died is not checked against the
        // live dataset (there is none left); the recovery checks what the disk kept.
        rewritesFinished = result.Rewrites;
        loopStartMs = clock.NowMs;

        string level = "strict";
        StartServer(loadTruncated: false);
        bool cutFailedAtStart = false;
        if (target.Stopped is not null)
        {
            // A truncated load cuts the file; the fault injector may fail that ftruncate (the
            // server then stops, as Redis 7 does): --fix is then the operator's only way back.
            level = "truncated";
            bool cutFailedBefore = ftruncateFailed;
            ftruncateFailed = false;
            StartServer(loadTruncated: true);
            cutFailedAtStart = ftruncateFailed && target.Stopped is not null;
            ftruncateFailed |= cutFailedBefore;
        }

        if (target.Stopped is not null)
        {
            level = "fixed";
            byte[] bytes = storage.ReadAll(AofName) ?? [];
            CheckResult check = AofChecker.Check(bytes);
            Trace($"recovery check-aof ok_up_to={check.OkUpTo} size={check.Size}");
            int fd = (int)storage.Open(AofName, OpenFlags.WriteOnly).Value;
            storage.Ftruncate(fd, check.OkUpTo);

            // A careful operator syncs the fix (redis-check-aof itself does not): otherwise the
            // cut can be lost at the next power loss while the writes after it survive.
            storage.Fsync(fd);
            storage.Close(fd);
            StartServer(loadTruncated: false);
        }

        if (target.Stopped is not null)
        {
            level = "unloadable";
            Violate(Property.Availability, $"the AOF does not load even after redis-check-aof --fix: {target.Stopped!.Reason}", [], []);
            return;
        }

        result.Count(result.Recoveries, level);
        Trace($"recovery {level} keys={target.Data.KeyCount}");
        bool mayNeedTruncation = ftruncateFailed || killed;
        ftruncateFailed = false;
        if (!powerLoss && level != "strict" && !(mayNeedTruncation && (level == "truncated" || cutFailedAtStart)))
        {
            // The page cache survives a process exit: the file is exactly what the server wrote,
            // so it must load as it is (a short write must have been truncated away, PR #587).
            Violate(Property.Availability, $"after a process exit the AOF needed {level} loading", [], []);
        }

        if (killed && fsyncFailedSinceRewrite && !fsyncErrorUnknown)
        {
            // Linux reports a writeback error once: a process restarted after a kill -9 never
            // learns of it, and what it acknowledges lands after pages that will never be written.
            // (An exit the engine chose is its own doing: no allowance for it.)
            fsyncErrorUnknown = true;
            Trace("contract: the restarted server cannot know of the earlier fsync error; what it acknowledges is promised only after a rewrite completes");
        }

        CheckRecovery(crashAt, powerLoss);
        if (powerLoss && fsyncFailedSinceRewrite)
        {
            // After a power loss the disk holds only what was durable: nothing is doomed any more.
            fsyncFailedSinceRewrite = fsyncErrorUnknown = false;
            ClearFsyncErrorMarks();
        }
    }
}
