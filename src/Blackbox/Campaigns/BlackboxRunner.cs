using System.Diagnostics;
using AofSim.Blackbox.Checking;
using AofSim.Blackbox.Disks;
using AofSim.Blackbox.Resp;
using AofSim.Blackbox.Running;
using AofSim.Engine.Server;
using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;

namespace AofSim.Blackbox.Campaigns;

/// <summary>
/// One black-box run: a fresh disk, the target started on it, then cycles of workload, SIGKILL
/// at the scheduled moment (or when the disk asks), the power loss if scheduled, a restart on
/// the same directory, the whole dataset read back and checked.
/// </summary>
public static class BlackboxRunner
{
    /// <summary>The schedule of <paramref name="seed"/>: drawn from its own stream, so the same seed gives the same schedule.</summary>
    public static (AppendFsync Policy, List<CycleStep> Steps) Schedule(ulong seed, BlackboxOptions o)
    {
        SimRandom r = SimRandom.Stream(seed, "blackbox-schedule");
        AppendFsync[] all = [AppendFsync.Always, AppendFsync.Everysec, AppendFsync.No];
        AppendFsync drawn = r.Pick(all);
        AppendFsync policy = o.Policy switch
        {
            PolicyOption.Always => AppendFsync.Always,
            PolicyOption.Everysec => AppendFsync.Everysec,
            PolicyOption.No => AppendFsync.No,
            _ => drawn,
        };
        var steps = new List<CycleStep>();
        for (int i = 0; i < o.Cycles; i++)
        {
            int kill = 1 + r.Next(Math.Max(1, o.MaxBatches));
            bool power = r.Chance(0.5);
            int quiet = o.MaxQuietMs > 0 && r.Chance(0.5) ? r.Next(o.MaxQuietMs + 1) : 0;
            steps.Add(new CycleStep(kill, o.Crash switch { CrashKind.Kill => false, CrashKind.Power => true, _ => power }, quiet));
        }

        return (policy, steps);
    }

    /// <summary>Runs <paramref name="seed"/> under its own schedule.</summary>
    public static RunResult Run(ulong seed, BlackboxOptions o)
    {
        (AppendFsync policy, List<CycleStep> steps) = Schedule(seed, o);
        return Run(seed, o, policy, steps);
    }

    /// <summary>Runs <paramref name="seed"/>'s workload under an explicit schedule (a replay or a shrink step).</summary>
    public static RunResult Run(ulong seed, BlackboxOptions o, AppendFsync policy, IReadOnlyList<CycleStep> steps)
    {
        var wall = Stopwatch.StartNew();
        using IBlackboxDisk disk = o.Disk(seed);
        int connections = Math.Min(o.Connections, Math.Max(1, o.Target.Databases / ConnectionDriver.DbsPerConnection));
        List<ConnectionDriver> drivers = [.. Enumerable.Range(0, connections).Select(i => new ConnectionDriver(seed, i))];
        List<Model> models = [.. drivers.Select(_ => new Model())];
        int port = FreePort.Next();
        var cycles = new List<CycleResult>();
        TargetProcess? target = TargetProcess.Start(o.Target.Launch(disk.Directory, port, policy), o.Target.Ready, disk.Directory);
        try
        {
            if (!target.WaitReady(o.ReadyTimeout))
            {
                string why = $"{o.Target.Name} did not start on an empty directory: {string.Join(" | ", target.Log.TakeLast(3))}";
                return new RunResult { Seed = seed, Policy = policy, Schedule = steps, Disk = disk.Describe, Cycles = cycles, StartFailure = why, Seconds = wall.Elapsed.TotalSeconds };
            }

            for (int i = 0; i < steps.Count; i++)
            {
                (CycleResult result, target) = Cycle(i, steps[i], o, policy, disk, port, target, drivers, models);
                cycles.Add(result);
                if (result.Availability == Availability.Refused || target is null)
                {
                    break;
                }
            }
        }
        finally
        {
            target?.Dispose();
        }

        return new RunResult { Seed = seed, Policy = policy, Schedule = steps, Disk = disk.Describe, Cycles = cycles, Seconds = wall.Elapsed.TotalSeconds };
    }

    private static (CycleResult, TargetProcess?) Cycle(int index, CycleStep step, BlackboxOptions o, AppendFsync policy, IBlackboxDisk disk, int port, TargetProcess target, List<ConnectionDriver> drivers, List<Model> models)
    {
        // The workload, until the scheduled batch count (or the disk's stop, or a deadline).
        int sent = 0;
        long crashAt = 0;
        string stoppedBy = "schedule";
        var killLock = new object();
        bool killed = false;
        void KillNow(string why)
        {
            lock (killLock)
            {
                if (killed)
                {
                    return;
                }

                killed = true;
                stoppedBy = why;
                crashAt = ConnectionDriver.NowMs();
                target.Kill();
            }
        }

        TimeSpan replyTimeout = TimeSpan.FromSeconds(20);
        Thread[] threads = [.. drivers.Select(d => new Thread(() => d.Run(port, () =>
        {
            int n = Interlocked.Increment(ref sent);
            if (n >= step.KillAfter)
            {
                // With a quiet tail the clients stop here and the kill comes after it.
                if (step.QuietMs == 0)
                {
                    KillNow("schedule");
                }

                return false;
            }

            return !Volatile.Read(ref killed) && Volatile.Read(ref sent) < step.KillAfter;
        }, replyTimeout)) { IsBackground = true, Name = "blackbox-conn-" + d.Id })];
        foreach (Thread t in threads)
        {
            t.Start();
        }

        var deadline = Stopwatch.StartNew();
        while (threads.Any(t => t.IsAlive))
        {
            if (disk.StopRequested is not null)
            {
                KillNow("disk");
            }
            else if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                KillNow("deadline");
            }

            threads.FirstOrDefault(t => t.IsAlive)?.Join(2);
        }

        if (!Volatile.Read(ref killed) && step.QuietMs > 0 && sent >= step.KillAfter)
        {
            Thread.Sleep(step.QuietMs); // the scheduled idle: the target's own timers run
            KillNow("schedule");
        }

        // Every connection ended without reaching the count (the target died by itself).
        KillNow(stoppedBy == "schedule" && sent < step.KillAfter ? "target exit" : stoppedBy);
        bool power = step.PowerLoss || disk.StopRequested == DiskStop.PowerLoss;
        target.Dispose();
        IReadOnlyList<string> diskLines = [];
        if (power)
        {
            diskLines = disk.PowerLoss();
        }
        else
        {
            disk.ClearStop();
        }

        // The durable image as the engine's loader sees it, taken before the target touches it again.
        (byte[]? image, string? noImage) = o.CompareLoader ? o.Target.SingleAof(disk.Directory) : (null, "off");

        // The restart; the repair tool when the target refuses.
        var clock = Stopwatch.StartNew();
        Availability availability = Availability.Started;
        long fixCut = 0;
        TargetProcess next = TargetProcess.Start(o.Target.Launch(disk.Directory, port, policy), o.Target.Ready, disk.Directory);
        try
        {
            bool up = next.WaitReady(o.ReadyTimeout);
            var violations = new List<BlackboxViolation>();
            if (!up)
            {
                IReadOnlyList<string> log = next.Log;
                next.Dispose();
                Targets.RepairResult? fix = o.Target.Repair(disk.Directory, log);
                if (fix is not null)
                {
                    fixCut = fix.BytesCut;
                    next = TargetProcess.Start(o.Target.Launch(disk.Directory, port, policy), o.Target.Ready, disk.Directory);
                    up = next.WaitReady(o.ReadyTimeout);
                    availability = up ? Availability.NeededFix : Availability.Refused;
                }
                else
                {
                    availability = Availability.Refused;
                }

                if (!up)
                {
                    violations.Add(new BlackboxViolation("unavailable", -1, $"{o.Target.Name} did not start after the crash{(fix is null ? string.Empty : " nor after " + fix.Command)}: {string.Join(" | ", next.Log.TakeLast(3))}"));
                }
            }
            else if (o.Target.LoadedTruncated(next.Log))
            {
                availability = Availability.Truncated;
            }

            double recoveryMs = clock.Elapsed.TotalMilliseconds;
            List<ConnectionRecord> records = [.. drivers.Select((d, i) => new ConnectionRecord(d.Id, models[i], [.. d.Batches]))];
            int ackedWrites = records.Sum(r => r.Batches.Where(b => b.Acked).Sum(b => b.Writes));
            // What every cycle reports, up or not; a cycle that read the dataset back adds its verdicts.
            CycleResult Result(int lost) => new()
            {
                Index = index,
                Step = step,
                StoppedBy = stoppedBy,
                Batches = sent,
                AckedWrites = ackedWrites,
                AckedWritesLost = lost,
                Availability = availability,
                RecoveryMs = recoveryMs,
                FixBytesCut = fixCut,
                DiskLines = diskLines,
                Violations = violations,
            };

            if (!up)
            {
                next.Dispose();
                return (Result(lost: 0), null);
            }

            // The whole dataset, read back and checked.
            long readFrom = ConnectionDriver.NowMs();
            Dictionary<int, List<RecoveredKey>> all;
            using (var c = new RespConnection(port, TimeSpan.FromSeconds(30)))
            {
                all = DatasetReader.Read(c, drivers.Count * ConnectionDriver.DbsPerConnection);
            }

            long readTo = ConnectionDriver.NowMs();
            var byConnection = drivers.ToDictionary(d => d.Id, d => all.Where(kv => kv.Key / ConnectionDriver.DbsPerConnection == d.Id)
                .SelectMany(kv => kv.Value.Select(k => k with { Db = kv.Key % ConnectionDriver.DbsPerConnection }))
                .ToDictionary(k => (k.Db, k.Key)));
            var facts = new CrashFacts(crashAt, power, o.Target.LossWindowMs(policy, power), readFrom, readTo, !o.Target.ComparesSets);
            (IReadOnlyList<ConnectionVerdict> verdicts, IReadOnlyList<BlackboxViolation> found) = CrashChecker.Check(records, byConnection, facts);
            violations.AddRange(found);
            string loader = noImage ?? "not compared";
            if (image is not null)
            {
                (loader, BlackboxViolation? disagreement) = LoaderComparison.Compare(image, all, o.LoaderProfile, readFrom, readTo, availability == Availability.NeededFix);
                if (disagreement is not null)
                {
                    violations.Add(disagreement);
                }
            }

            // The next cycle starts from what the target recovered.
            for (int i = 0; i < drivers.Count; i++)
            {
                models[i] = new Model();
                models[i].Reset(byConnection[drivers[i].Id].Values.Select(k => (k.Db, k.Key, k.Value, k.ExpireAt)));
            }

            return (Result(verdicts.Sum(v => v.AckedWritesLost)) with { Loader = loader, Verdicts = verdicts }, next);
        }
        catch
        {
            // Whatever went wrong after the restart (the readback, the checker, the repair tool),
            // the restarted target is not left running: the caller never got it to dispose.
            next.Dispose();
            throw;
        }
    }
}
