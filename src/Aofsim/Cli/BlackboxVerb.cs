using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AofSim.Blackbox.Campaigns;
using AofSim.Blackbox.Checking;
using AofSim.Blackbox.Disks;
using AofSim.Blackbox.Targets;
using AofSim.Engine.Server;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Cli;

/// <summary>
/// <c>aofsim blackbox</c>: a real server (Redis, Garnet, aofsim serve, any port) on a disk that
/// crashes, driven with the simulator's workload and checked with its model. Exit 0 iff no
/// violation, 1 when one was found, 2 on bad usage. <c>aofsim blackbox replay FILE</c> runs a
/// saved failing run again.
/// </summary>
internal static class BlackboxVerb
{
    public static Command Build(CliIo io)
    {
        var target = new Option<string?>("--target") { Description = "redis, garnet, aofsim, or cmd (with --target-cmd and --ready)" };
        var runs = new Option<int>("--runs") { Description = "Runs (each a fresh disk and a few crash-restart cycles)", DefaultValueFactory = _ => 10 }.Within(1, 1_000_000);
        var seed = new Option<ulong>("--seed") { Description = "The first run's seed (run i has seed+i)", DefaultValueFactory = _ => 1 };
        var policy = new Option<string>("--policy") { Description = "always|everysec|no|mixed (mixed: drawn per run)", DefaultValueFactory = _ => "mixed" };
        var crash = new Option<string>("--crash") { Description = "kill|power|mixed: SIGKILL only, SIGKILL and a power loss, or drawn per cycle", DefaultValueFactory = _ => "mixed" };
        var fs = new Option<string>("--fs") { Description = "plain (a host directory: nothing lost at a power loss), posix or ext4 (the FUSE disk's crash model)", DefaultValueFactory = _ => "plain" };
        var faults = new Option<string?>("--faults") { Description = "The FUSE disk's fault plan (docs/faults.md)" };
        Option<string> profile = Common.ProfileOption();
        var preamble = new Option<string>("--preamble") { Description = "redis: aof-use-rdb-preamble no|yes", DefaultValueFactory = _ => "no" };
        var garnet = new Option<string?>("--garnet") { Description = "garnet: the garnet-server to run (GarnetServer.dll or a program); default: the one pinned in .config/dotnet-tools.json (dotnet tool restore)" };
        var skipSets = new Option<bool>("--skip-sets") { Description = "garnet: leave sets out of the comparison (Garnet's AOF replays SPOP at random: docs/blackbox.md)" };
        var targetCmd = new Option<string?>("--target-cmd") { Description = "Any other server: 'CMD {port} {dir}' ({policy} optional), no shell" };
        var ready = new Option<string?>("--ready") { Description = "With --target-cmd: a regex matching the line the server prints when ready" };
        var connections = new Option<int>("--connections") { Description = "Client connections (disjoint keys: 4 dbs each)", DefaultValueFactory = _ => 4 }.Within(1, 4);
        var cycles = new Option<int>("--cycles") { Description = "Crash-restart cycles per run", DefaultValueFactory = _ => 4 }.Within(1, 10_000);
        var maxBatches = new Option<int>("--max-batches") { Description = "Most batches sent before a cycle's kill (drawn in 1..N)", DefaultValueFactory = _ => 300 }.Within(1, 1_000_000);
        var quiet = new Option<int>("--quiet-ms") { Description = "Half the cycles stop the clients and idle a drawn 0..N ms before the kill (everysec's promise covers writes older than its window)", DefaultValueFactory = _ => 0 }.Within(0, 600_000);
        var noLoader = new Option<bool>("--no-loader") { Description = "Skip the engine loader's comparison with the target's recovery" };
        var json = new Option<bool>("--json") { Description = "Print a machine-readable summary (JSON) instead of the table" };
        var outDir = new Option<string?>("--out") { Description = "Directory for the failing runs' case files (default aofsim-out)" };
        var cmd = new Command("blackbox", "Crash a real server (redis, garnet, aofsim serve, any port) over and over and check what it recovers; exit 0 iff no violation")
        {
            target, runs, seed, policy, crash, fs, faults, profile, preamble, garnet, skipSets, targetCmd, ready, connections, cycles, maxBatches, quiet, noLoader, json, outDir,
        };
        cmd.SetAction(r =>
        {
            string? name = r.GetValue(target);
            if (name is null && r.GetValue(targetCmd) is null)
            {
                throw new UsageException("give --target redis|garnet|aofsim, or --target-cmd 'CMD {port} {dir}' with --ready REGEX");
            }

            if (r.GetValue(targetCmd) is not null && name is not (null or "cmd"))
            {
                throw new UsageException($"--target-cmd runs its own command: give it without --target {name}");
            }

            if ((r.GetValue(garnet) is not null || r.GetValue(skipSets)) && name != "garnet")
            {
                throw new UsageException($"{(r.GetValue(garnet) is not null ? "--garnet" : "--skip-sets")} goes with --target garnet");
            }

            var spec = new TargetSpec(name ?? "cmd", r.GetValue(profile)!, YesNo(r.GetValue(preamble)!, "--preamble"), r.GetValue(targetCmd), r.GetValue(ready), r.GetValue(garnet), r.GetValue(skipSets));
            BlackboxOptions options = Options(spec, ParsePolicy(r.GetValue(policy)!), ParseCrash(r.GetValue(crash)!), r.GetValue(fs)!, r.GetValue(faults),
                r.GetValue(connections), r.GetValue(cycles), r.GetValue(maxBatches), !r.GetValue(noLoader)) with
            { MaxQuietMs = r.GetValue(quiet) };
            return Run(io, spec, options, r.GetValue(seed), r.GetValue(runs), r.GetValue(json), r.GetValue(outDir) ?? RunVerb.DefaultOutDir, r.GetValue(fs)!, r.GetValue(faults));
        });

        var file = new Argument<string>("file") { Description = "A case file saved by a failing black-box run" };
        var times = new Option<int>("--times") { Description = "Runs of the case", DefaultValueFactory = _ => 5 }.Within(1, 10_000);
        var shrink = new Option<bool>("--shrink") { Description = "Then shrink it (fewer cycles, connections and batches) while it still fails in one of --times runs; saves FILE.min.json" };
        var replay = new Command("replay", "Run a saved failing black-box run again; report how often it fails the same way (exit 0 iff it never does)") { file, times, shrink };
        replay.SetAction(r => Replay(io, r.GetValue(file)!, r.GetValue(times), r.GetValue(shrink)));
        cmd.Add(replay);
        cmd.Add(BlackboxBenchVerb.Build(io));
        return cmd;
    }

    // Greedy: drop earlier cycles, then connections, then halve each kill's batch count, keeping
    // a candidate when one of `times` runs fails the same way (a real target is not deterministic).
    private static BlackboxCase Shrink(BlackboxCase c, AppendFsync policy, int times, BlackboxOptions o)
    {
        bool Fails(BlackboxCase x)
        {
            BlackboxOptions ox = o with { Connections = x.Connections, Cycles = x.Schedule.Count };
            for (int i = 0; i < times; i++)
            {
                if (BlackboxRunner.Run(x.Seed, ox, policy, x.Schedule).Violations.Any(v => v.Property == x.Property))
                {
                    return true;
                }
            }

            return false;
        }

        BlackboxCase best = c;
        while (best.Schedule.Count > 1 && Fails(best with { Schedule = [.. best.Schedule.Skip(1)] }))
        {
            best = best with { Schedule = [.. best.Schedule.Skip(1)] };
        }

        while (best.Connections > 1 && Fails(best with { Connections = best.Connections - 1 }))
        {
            best = best with { Connections = best.Connections - 1 };
        }

        for (int i = 0; i < best.Schedule.Count; i++)
        {
            while (best.Schedule[i].KillAfter > 1)
            {
                List<CycleStep> s = [.. best.Schedule];
                s[i] = s[i] with { KillAfter = s[i].KillAfter / 2 };
                BlackboxCase candidate = best with { Schedule = s };
                if (!Fails(candidate))
                {
                    break;
                }

                best = candidate;
            }
        }

        return best;
    }

    private static bool YesNo(string value, string option) => value switch
    {
        "yes" => true,
        "no" => false,
        _ => throw new UsageException($"{option} must be yes or no, not '{value}'"),
    };

    private static PolicyOption ParsePolicy(string value) => value switch
    {
        "always" => PolicyOption.Always,
        "everysec" => PolicyOption.Everysec,
        "no" => PolicyOption.No,
        "mixed" => PolicyOption.Mixed,
        _ => throw new UsageException($"--policy must be always, everysec, no or mixed, not '{value}'"),
    };

    private static CrashKind ParseCrash(string value) => value switch
    {
        "kill" => CrashKind.Kill,
        "power" => CrashKind.Power,
        "mixed" => CrashKind.Mixed,
        _ => throw new UsageException($"--crash must be kill, power or mixed, not '{value}'"),
    };

    internal static BlackboxOptions Options(TargetSpec spec, PolicyOption policy, CrashKind crash, string fs, string? faults, int connections, int cycles, int maxBatches, bool loader)
    {
        BlackboxTarget t;
        try
        {
            t = spec.Build(TargetSpec.FindOnPath);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        return new BlackboxOptions
        {
            Target = t,
            Policy = policy,
            Crash = crash,
            Connections = connections,
            Cycles = cycles,
            MaxBatches = maxBatches,
            Disk = BlackboxDisks.Factory(fs, faults),
            DiskName = fs,
            CompareLoader = loader,
        };
    }

    public static int Run(CliIo io, TargetSpec spec, BlackboxOptions o, ulong first, int runs, bool json, string outDir, string fs, string? faults)
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var results = new List<RunResult>();
        for (int i = 0; i < runs; i++)
        {
            ulong s = first + (ulong)i;
            RunResult r = BlackboxRunner.Run(s, o);
            results.Add(r);
            int bad = results.Sum(x => x.Violations.Count() + (x.StartFailure is null ? 0 : 1));
            io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"progress: {i + 1}/{runs} runs, {results.Sum(x => x.Cycles.Count)} cycles, {bad} violations ({wall.Elapsed.TotalSeconds:F0} s)"));
        }

        List<RunResult> failing = [.. results.Where(r => r.StartFailure is not null || r.Violations.Any())];
        var saved = new List<string>();
        foreach (RunResult f in failing.Where(f => f.StartFailure is null))
        {
            Directory.CreateDirectory(outDir);
            BlackboxViolation v = f.Violations.First();
            var c = new BlackboxCase
            {
                Target = spec,
                Seed = f.Seed,
                Policy = Name(f.Policy),
                Connections = o.Connections,
                Disk = fs,
                Faults = faults,
                Schedule = [.. f.Schedule.Take(f.FirstFailingCycle + 1)],
                Property = v.Property,
                Detail = v.Detail,
                Expected = v.Expected,
                Actual = v.Actual,
            };
            string path = Path.Combine(outDir, $"blackbox-{spec.Name}-{fs}-{Name(f.Policy)}-seed-{f.Seed}.json");
            File.WriteAllText(path, c.ToJson());
            saved.Add(path);
        }

        if (json)
        {
            WriteJson(io.Out, spec, o, results, wall.Elapsed, saved);
        }
        else
        {
            WriteTable(io.Out, o, results, wall.Elapsed, first, runs);
            foreach ((RunResult f, int i) in failing.Take(10).Select((f, i) => (f, i)))
            {
                WriteViolation(io.Out, f, i < saved.Count && f.StartFailure is null ? saved[failing.Where(x => x.StartFailure is null).ToList().IndexOf(f)] : null);
            }

            if (failing.Count > 10)
            {
                io.Out.WriteLine($"... and {failing.Count - 10} more failing runs");
            }
        }

        return failing.Count > 0 ? 1 : 0;
    }

    private static string Name(AppendFsync p) => p.ToString().ToLowerInvariant();

    internal static void WriteTable(TextWriter w, BlackboxOptions o, IReadOnlyList<RunResult> results, TimeSpan elapsed, ulong first, int runs)
    {
        List<CycleResult> cycles = [.. results.SelectMany(r => r.Cycles)];
        double s = Math.Max(elapsed.TotalSeconds, 1e-9);
        void Row(string k, object v) => w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {k,-26}{v}"));
        w.WriteLine($"aofsim blackbox: {o.Target.Describe}, seeds {first}..{first + (ulong)runs - 1}, {o.Flags}");
        Row("runs", results.Count);
        foreach (var g in results.GroupBy(r => Name(r.Policy)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Row("  policy " + g.Key, g.Count());
        }

        Row("cycles", cycles.Count);
        Row("power losses", cycles.Count(c => c.Step.PowerLoss));
        Row("process crashes", cycles.Count(c => !c.Step.PowerLoss));
        Row("stopped by the disk", cycles.Count(c => c.StoppedBy == "disk"));
        Row("batches sent", cycles.Sum(c => (long)c.Batches));
        Row("acknowledged writes", cycles.Sum(c => (long)c.AckedWrites));
        Row("acked writes lost", cycles.Sum(c => (long)c.AckedWritesLost));
        foreach (Availability a in Enum.GetValues<Availability>())
        {
            Row("restart: " + a.ToString().ToLowerInvariant(), cycles.Count(c => c.Availability == a));
        }

        Row("never started", results.Count(r => r.StartFailure is not null));
        List<double> rec = [.. cycles.Where(c => c.Availability != Availability.Refused).Select(c => c.RecoveryMs).Order()];
        if (rec.Count > 0)
        {
            Row("recovery ms (p50/p99/max)", string.Create(CultureInfo.InvariantCulture, $"{rec[rec.Count / 2]:F0}/{rec[Math.Min(rec.Count - 1, rec.Count * 99 / 100)]:F0}/{rec[^1]:F0}"));
        }

        foreach (var g in cycles.GroupBy(c => c.Loader.StartsWith("disagrees", StringComparison.Ordinal) ? "disagrees" : c.Loader.StartsWith("agrees", StringComparison.Ordinal) ? "agrees" : "not compared").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Row("loader " + g.Key, g.Count());
        }

        var byProperty = results.SelectMany(r => r.Violations).GroupBy(v => v.Property).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Row("violations", byProperty.Sum(g => g.Count()));
        foreach (var g in byProperty)
        {
            Row("  " + g.Key, g.Count());
        }

        Row("failing runs", results.Count(r => r.StartFailure is not null || r.Violations.Any()));
        Row("seconds", s.ToString("F1", CultureInfo.InvariantCulture));
        Row("cycles/min", (cycles.Count * 60 / s).ToString("F1", CultureInfo.InvariantCulture));
    }

    private static void WriteViolation(TextWriter w, RunResult r, string? file)
    {
        w.WriteLine();
        if (r.StartFailure is not null)
        {
            w.WriteLine($"FAILED seed={r.Seed} policy={Name(r.Policy)}: {r.StartFailure}");
            return;
        }

        CycleResult c = r.Cycles.First(x => x.Violations.Count > 0);
        BlackboxViolation v = c.Violations[0];
        w.WriteLine($"VIOLATION {v.Property} seed={r.Seed} policy={Name(r.Policy)} cycle={c.Index} ({(c.Step.PowerLoss ? "power loss" : "kill")} after {c.Step.KillAfter} batches, stopped by {c.StoppedBy}; restart {c.Availability.ToString().ToLowerInvariant()})");
        w.WriteLine($"  {v.Detail}");
        foreach (string line in v.Expected.Take(8))
        {
            w.WriteLine($"  - expected {line}");
        }

        foreach (string line in v.Actual.Take(8))
        {
            w.WriteLine($"  + actual   {line}");
        }

        foreach (string line in c.DiskLines.Take(6))
        {
            w.WriteLine($"  disk: {line}");
        }

        if (file is not null)
        {
            w.WriteLine($"  replay: aofsim blackbox replay {file}");
        }
    }

    private static void WriteJson(TextWriter w, TargetSpec spec, BlackboxOptions o, IReadOnlyList<RunResult> results, TimeSpan elapsed, List<string> saved)
    {
        List<CycleResult> cycles = [.. results.SelectMany(r => r.Cycles)];
        var doc = new
        {
            target = spec,
            describe = o.Target.Describe,
            options = o.Flags,
            runs = results.Count,
            cycles = cycles.Count,
            powerLosses = cycles.Count(c => c.Step.PowerLoss),
            processCrashes = cycles.Count(c => !c.Step.PowerLoss),
            ackedWrites = cycles.Sum(c => (long)c.AckedWrites),
            ackedWritesLost = cycles.Sum(c => (long)c.AckedWritesLost),
            availability = Enum.GetValues<Availability>().ToDictionary(a => a.ToString().ToLowerInvariant(), a => cycles.Count(c => c.Availability == a)),
            neverStarted = results.Count(r => r.StartFailure is not null),
            loaderDisagreements = cycles.Count(c => c.Loader.StartsWith("disagrees", StringComparison.Ordinal)),
            seconds = elapsed.TotalSeconds,
            violations = results.SelectMany(r => r.Cycles.SelectMany(c => c.Violations.Select(v => new { seed = r.Seed, policy = Name(r.Policy), cycle = c.Index, property = v.Property, detail = v.Detail, expected = v.Expected, actual = v.Actual }))),
            cases = saved,
            perRun = results.Select(r => new
            {
                seed = r.Seed,
                policy = Name(r.Policy),
                startFailure = r.StartFailure,
                cycles = r.Cycles.Select(c => new
                {
                    killAfter = c.Step.KillAfter,
                    powerLoss = c.Step.PowerLoss,
                    stoppedBy = c.StoppedBy,
                    batches = c.Batches,
                    ackedWrites = c.AckedWrites,
                    ackedWritesLost = c.AckedWritesLost,
                    availability = c.Availability.ToString().ToLowerInvariant(),
                    recoveryMs = c.RecoveryMs,
                    loader = c.Loader,
                    violations = c.Violations.Count,
                }),
            }),
        };
        w.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }

    public static int Replay(CliIo io, string file, int times, bool shrink = false)
    {
        if (!File.Exists(file))
        {
            throw new UsageException($"no such case file: {file}");
        }

        BlackboxCase c;
        try
        {
            c = BlackboxCase.FromJson(File.ReadAllText(file));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        AppendFsync policy = c.Policy switch
        {
            "always" => AppendFsync.Always,
            "everysec" => AppendFsync.Everysec,
            "no" => AppendFsync.No,
            _ => throw new UsageException($"the case's policy '{c.Policy}' is not always, everysec or no"),
        };
        BlackboxOptions o = Options(c.Target, PolicyOption.Mixed, CrashKind.Mixed, c.Disk, c.Faults, c.Connections, c.Schedule.Count, 1, loader: c.Property == "loader-disagreement");
        int reproduced = 0;
        for (int i = 0; i < times; i++)
        {
            RunResult r = BlackboxRunner.Run(c.Seed, o, policy, c.Schedule);
            bool again = r.Violations.Any(v => v.Property == c.Property);
            reproduced += again ? 1 : 0;
            BlackboxViolation? same = r.Violations.FirstOrDefault(v => v.Property == c.Property);
            io.Err.WriteLine($"replay {i + 1}/{times}: {(same is null ? "passed" : "failed again: " + same.Detail)}");
            foreach (string line in same is null ? [] : same.Expected.Take(8).Select(l => "  - expected " + l).Concat(same.Actual.Take(8).Select(l => "  + actual   " + l)))
            {
                io.Err.WriteLine(line);
            }
        }

        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"aofsim blackbox replay {file}: {c.Property} reproduced {reproduced}/{times} ({100.0 * reproduced / times:F0}%) [{c.Target.Name}, seed {c.Seed}, {c.Policy}, {c.Schedule.Count} cycle(s), disk {c.Disk}]"));
        if (shrink && reproduced > 0)
        {
            BlackboxCase min = Shrink(c, policy, times, o);
            string minFile = Path.ChangeExtension(file, ".min.json");
            File.WriteAllText(minFile, min.ToJson());
            io.Out.WriteLine($"shrunk: {c.Schedule.Count} cycle(s), {c.Connections} connection(s), {c.Schedule.Sum(x => x.KillAfter)} batches -> {min.Schedule.Count} cycle(s), {min.Connections} connection(s), {min.Schedule.Sum(x => x.KillAfter)} batches; {minFile}");
        }

        return reproduced > 0 ? 1 : 0;
    }
}
