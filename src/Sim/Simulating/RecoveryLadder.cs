using AofSim.Engine.Aof;
using AofSim.Engine.Ports;
using AofSim.Sim.Targets;

namespace AofSim.Sim.Simulating;

/// <summary>
/// A server started on what the disk holds, as an operator would: a strict load, then a
/// truncated one, then redis-check-aof --fix (and a sync of the fix) and a strict load.
/// </summary>
/// <param name="target">The system under test.</param>
/// <param name="world">The disk it starts on and the processes it starts as.</param>
/// <param name="writer">The run's trace.</param>
/// <param name="result">The run's counts.</param>
/// <param name="powerLossAfterCall">Exhaustive mode's power loss (then a power loss during a start is not retried).</param>
internal sealed class RecoveryLadder(ITarget target, SimWorld world, TraceWriter writer, SeedResult result, long? powerLossAfterCall)
{
    /// <summary>
    /// Starts a server on the storage as it is. A plan's power loss can strike during the start
    /// itself (its directory fsync, say): the machine goes down again and the start is retried, a
    /// few times at most (a plan that fires at every start would otherwise never let it up).
    /// </summary>
    public void Start(bool loadTruncated)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                target.Start(loadTruncated);
                return;
            }
            catch (PowerLossException) when (powerLossAfterCall is null && attempt < 8)
            {
                result.Crashes++;
                result.Count(result.Faults, "crash");
                writer.Line("fault power-loss during start");
                world.Survived(world.Storage.Crash(world.CrashRandom));
                world.NewProcess();
            }
        }
    }

    /// <summary>Climbs the ladder; returns the rung the server came up on ("strict", "truncated", "fixed"), or "unloadable".</summary>
    public string Recover()
    {
        string level = "strict";
        Start(loadTruncated: false);
        if (target.Stopped is not null)
        {
            level = "truncated";
            Start(loadTruncated: true);
        }

        if (target.Stopped is not null)
        {
            level = "fixed";
            SimStorage storage = world.Storage;
            byte[] bytes = storage.ReadAll(SimWorld.AofName) ?? [];
            CheckResult check = AofChecker.Check(new MemoryStream(bytes, writable: false), bytes.Length);
            writer.Line($"recovery check-aof ok_up_to={check.OkUpTo} size={check.Size}");
            int fd = (int)storage.Open(SimWorld.AofName, OpenFlags.WriteOnly).Value;
            storage.Ftruncate(fd, check.OkUpTo);

            // A careful operator syncs the fix (redis-check-aof itself does not): otherwise the
            // cut can be lost at the next power loss while the writes after it survive.
            storage.Fsync(fd);
            storage.Close(fd);
            Start(loadTruncated: false);
        }

        return target.Stopped is not null ? "unloadable" : level;
    }
}
