using System.Diagnostics;
using System.Globalization;
using AofSim.Blackbox.Campaigns;
using AofSim.Blackbox.Disks;
using AofSim.Blackbox.Running;
using AofSim.Blackbox.Targets;
using AofSim.Engine.Server;
using AofSim.Sim.Simulating;

namespace AofSim.Blackbox.Benchmarks;

/// <summary>
/// The black-box speed figures (docs/benchmarks.md, "Black-box targets"): crash-restart cycles
/// per minute of a target (power losses through the FUSE disk, process crashes on a plain
/// directory), and redis-benchmark SET throughput against redis-server with its directory on the
/// FUSE disk and on a plain directory. Each figure carries the machine's load average before and
/// after it: the machine is shared, and a figure means little without it.
/// </summary>
public static class BlackboxBench
{
    /// <summary>
    /// Runs <paramref name="cycles"/> crash-restart cycles of <paramref name="target"/> under
    /// <paramref name="policy"/> (seeded, as a campaign's run of <paramref name="seed"/>): power
    /// losses on a fresh FUSE disk (strict POSIX) when <paramref name="powerLoss"/>, else process
    /// crashes on a plain directory. Start, workload, kill, restart (with the repair tool when
    /// needed), full readback, checks and the loader comparison are all counted.
    /// </summary>
    public static CycleRate Cycles(BlackboxTarget target, AppendFsync policy, bool powerLoss, int cycles, int maxBatches, ulong seed)
    {
        var options = new BlackboxOptions
        {
            Target = target,
            Policy = policy switch
            {
                AppendFsync.Always => PolicyOption.Always,
                AppendFsync.Everysec => PolicyOption.Everysec,
                _ => PolicyOption.No,
            },
            Crash = powerLoss ? CrashKind.Power : CrashKind.Kill,
            Cycles = cycles,
            MaxBatches = maxBatches,
            Disk = powerLoss
                ? s => new FuseDisk(new FuseDiskOptions { Storage = new SimStorageOptions { Model = CrashModel.StrictPosix }, Seed = s })
                : _ => new PlainDirectoryDisk(),
            DiskName = powerLoss ? "posix" : "plain",
        };
        double before = LoadAverage();
        RunResult r = BlackboxRunner.Run(seed, options);
        return new CycleRate(target.Name, powerLoss ? "power loss, FUSE disk (posix)" : "process crash, plain directory", policy,
            r.Cycles.Count, r.Seconds, r.Violations.Count(), r.StartFailure, before, LoadAverage());
    }

    /// <summary>
    /// redis-benchmark <c>-t set -n <paramref name="requests"/> -c <paramref name="clients"/></c>
    /// against <paramref name="redis"/> (appendonly yes, <paramref name="policy"/>) started on the
    /// disk <paramref name="disk"/> makes; the requests per second redis-benchmark reports.
    /// </summary>
    public static SetThroughput Set(RedisTarget redis, string benchmark, AppendFsync policy, string diskName, Func<IBlackboxDisk> disk, int requests, int clients)
    {
        using IBlackboxDisk d = disk();
        int port = FreePort.Next();
        using TargetProcess server = TargetProcess.Start(redis.Launch(d.Directory, port, policy), redis.Ready, d.Directory);
        if (!server.WaitReady(TimeSpan.FromSeconds(30)))
        {
            throw new IOException($"redis-server did not start on {diskName}: {string.Join(" | ", server.Log.TakeLast(3))}");
        }

        double before = LoadAverage();
        var psi = new ProcessStartInfo(benchmark) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "set", "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", clients.ToString(CultureInfo.InvariantCulture), "--csv" })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi) ?? throw new IOException($"could not start {benchmark}");
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        _ = err.Result;
        // --csv: "test","rps",... then "SET","12345.67",...
        string? row = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("\"SET\"", StringComparison.Ordinal));
        string[]? fields = row?.Split(',').Select(f => f.Trim('"')).ToArray();
        if (fields is not { Length: > 1 } || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double rps))
        {
            throw new IOException($"redis-benchmark gave no SET figure (exit {p.ExitCode}): {output.Trim()}");
        }

        return new SetThroughput(policy, diskName, requests, clients, rps, before, LoadAverage());
    }

    /// <summary>The 1-minute load average (/proc/loadavg), or -1 where there is none.</summary>
    public static double LoadAverage()
    {
        try
        {
            string first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}
