using System.CommandLine;
using System.Globalization;
using AofSim.Blackbox.Benchmarks;
using AofSim.Blackbox.Disks;
using AofSim.Blackbox.Targets;
using AofSim.Engine.Server;

namespace AofSim.Sim.Cli;

/// <summary>
/// <c>aofsim blackbox bench</c>: the black-box speed figures of docs/benchmarks.md. Crash-restart
/// cycles per minute per target (power losses through the FUSE disk, then process crashes on a
/// plain directory, back to back), then redis-benchmark SET against redis-server on the FUSE disk
/// and on a plain directory, back to back for each appendfsync policy. Markdown tables on stdout,
/// with the load average before and after each figure. Exit 0 when every figure was measured,
/// 1 when a target did not start, 2 on bad usage. Violations are shown, not judged: a speed run
/// is not a campaign (Redis under strict POSIX loses its AOF directory at every power loss).
/// </summary>
internal static class BlackboxBenchVerb
{
    public static Command Build(CliIo io)
    {
        var targets = new Option<string>("--targets") { Description = "Targets whose cycle rate is measured, comma-separated (redis, aofsim; empty: none)", DefaultValueFactory = _ => "redis,aofsim" };
        var cycles = new Option<int>("--cycles") { Description = "Crash-restart cycles per figure", DefaultValueFactory = _ => 20 }.Within(1, 10_000);
        var maxBatches = new Option<int>("--max-batches") { Description = "Most batches a cycle sends before its kill (as aofsim blackbox)", DefaultValueFactory = _ => 100 }.Within(1, 1_000_000);
        var cyclePolicy = new Option<string>("--cycle-policy") { Description = "The fsync policy of the cycle runs: always, everysec or no", DefaultValueFactory = _ => "always" };
        var policies = new Option<string>("--policies") { Description = "appendfsync policies of the SET runs, comma-separated (empty: no SET runs)", DefaultValueFactory = _ => "always,everysec,no" };
        var requests = new Option<int>("--requests") { Description = "redis-benchmark -n", DefaultValueFactory = _ => 100_000 }.Within(1, int.MaxValue);
        var clients = new Option<int>("--clients") { Description = "redis-benchmark -c", DefaultValueFactory = _ => 50 }.Within(1, 10_000);
        var seed = new Option<ulong>("--seed") { Description = "The seed of the cycle runs' workload and schedule", DefaultValueFactory = _ => 1 };
        var cmd = new Command("bench", "Black-box speed: crash-restart cycles per minute per target, and redis-benchmark SET on the FUSE disk against a plain directory")
        {
            targets, cycles, maxBatches, cyclePolicy, policies, requests, clients, seed,
        };
        cmd.SetAction(r => Run(io, List(r.GetValue(targets)!), r.GetValue(cycles), r.GetValue(maxBatches), Policy(r.GetValue(cyclePolicy)!, "--cycle-policy"),
            [.. List(r.GetValue(policies)!).Select(p => Policy(p, "--policies"))], r.GetValue(requests), r.GetValue(clients), r.GetValue(seed)));
        return cmd;
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static AppendFsync Policy(string value, string option) => value switch
    {
        "always" => AppendFsync.Always,
        "everysec" => AppendFsync.Everysec,
        "no" => AppendFsync.No,
        _ => throw new UsageException($"{option}: a policy is always, everysec or no, not '{value}'"),
    };

    private static int Run(CliIo io, string[] targets, int cycles, int maxBatches, AppendFsync cyclePolicy, AppendFsync[] policies, int requests, int clients, ulong seed)
    {
        var adapters = new List<BlackboxTarget>();
        foreach (string t in targets)
        {
            if (t is not ("redis" or "aofsim"))
            {
                throw new UsageException($"--targets: redis or aofsim, not '{t}'");
            }

            try
            {
                adapters.Add(new TargetSpec(t).Build(TargetSpec.FindOnPath));
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
        }

        string? server = TargetSpec.FindOnPath("redis-server"), benchmark = TargetSpec.FindOnPath("redis-benchmark");
        if (policies.Length > 0 && (server is null || benchmark is null))
        {
            throw new UsageException("the SET runs need redis-server and redis-benchmark on PATH (apt-get install redis-server redis-tools), or --policies ''");
        }

        string? noFuse = FuseDisk.Unavailable();
        if (noFuse is not null)
        {
            io.Err.WriteLine($"blackbox bench: {noFuse}; the FUSE disk's figures are skipped");
        }

        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"aofsim blackbox bench: {Environment.ProcessorCount} cores, load average {BlackboxBench.LoadAverage():F2} at the start"));
        bool failed = false;
        if (adapters.Count > 0)
        {
            TableHead(io.Out, string.Create(CultureInfo.InvariantCulture, $"Crash-restart cycles ({cycles} per figure, --max-batches {maxBatches}, appendfsync {Name(cyclePolicy)}, 4 connections, seed {seed}):"), "target", "crash", "cycles", "seconds", "cycles/min", "violations", "load before / after");
            foreach (BlackboxTarget t in adapters)
            {
                foreach (bool power in noFuse is null ? new[] { true, false } : [false])
                {
                    io.Err.WriteLine($"blackbox bench: {t.Name}, {(power ? "power losses" : "process crashes")}...");
                    CycleRate c = BlackboxBench.Cycles(t, cyclePolicy, power, cycles, maxBatches, seed);
                    failed |= c.StartFailure is not null;
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {c.Target} | {c.Crash} | {c.Cycles} | {c.Seconds:F1} | {c.PerMinute:F1} | {c.Violations}{(c.StartFailure is null ? string.Empty : " (did not start: " + c.StartFailure + ")")} | {c.LoadBefore:F2} / {c.LoadAfter:F2} |"));
                }
            }
        }

        if (policies.Length > 0)
        {
            var redis = new RedisTarget(server!, null, preamble: false);
            TableHead(io.Out, string.Create(CultureInfo.InvariantCulture, $"redis-benchmark -t set -n {requests} -c {clients} against redis-server (appendonly yes, aof-use-rdb-preamble no):"), "appendfsync", "disk", "SET requests/s", "load before / after");
            foreach (AppendFsync p in policies)
            {
                var disks = new List<(string Name, Func<IBlackboxDisk> Make)>();
                if (noFuse is null)
                {
                    disks.Add(("FUSE disk (posix)", () => new FuseDisk(new FuseDiskOptions())));
                }

                disks.Add(("plain directory", () => new PlainDirectoryDisk()));
                foreach ((string name, Func<IBlackboxDisk> make) in disks)
                {
                    io.Err.WriteLine($"blackbox bench: SET, appendfsync {Name(p)}, {name}...");
                    SetThroughput s = BlackboxBench.Set(redis, benchmark!, p, name, make, requests, clients);
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {Name(p)} | {s.Disk} | {s.RequestsPerSecond:F0} | {s.LoadBefore:F2} / {s.LoadAfter:F2} |"));
                }
            }
        }

        return failed ? 1 : 0;
    }

    private static string Name(AppendFsync p) => p.ToString().ToLowerInvariant();

    // A titled markdown table's head: a blank line, the title, a blank line, the header row and its rule.
    private static void TableHead(TextWriter w, string title, params string[] columns)
    {
        w.WriteLine();
        w.WriteLine(title);
        w.WriteLine();
        w.WriteLine($"| {string.Join(" | ", columns)} |");
        w.WriteLine($"|{string.Concat(columns.Select(_ => "---|"))}");
    }
}
