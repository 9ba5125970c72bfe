using AofSim.Sim.Checking;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AofSim.Sim.Simulating;
using AofSim.Sim.Cli.Reporting;
using AofSim.Sim.Reporting;

namespace AofSim.Sim.Cli;

/// <summary><c>aofsim run</c>: the simulation campaign. Exit 0 iff no violation.</summary>
internal static class RunVerb
{
    /// <summary>The most seeds run at once (as bench sim's --jobs).</summary>
    public const int MaxJobs = 1024;

    /// <summary>The exit code of a full campaign that never hit a required coverage probe.</summary>
    public const int ProbesMissedExit = 3;

    public static Command Build(CliIo io)
    {
        var seed = new Option<string?>("--seed") { Description = "One seed" };
        var seeds = new Option<string?>("--seeds") { Description = "A range of seeds, A..B (default 1..1000)" };
        var outDir = new Option<string?>("--out") { Description = "Directory for the traces and scenario files of failing seeds (aofsim replay FILE runs one)" };
        var json = new Option<bool>("--json") { Description = "Print a machine-readable summary (JSON) instead of the table" };
        var jobs = new Option<int>("--jobs") { Description = "Seeds run at once (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount }.Within(1, MaxJobs);
        var exhaustive = new Option<bool>("--exhaustive") { Description = "Crash at every syscall of one seed's short workload (--ops, default 40), in every bounded crash state; both crash models unless --fs" };
        var shrink = new Option<bool>("--shrink") { Description = "Shrink every failing seed to a minimal (commands, faults) case and save it as a scenario file (default: on; --shrink false to skip)", DefaultValueFactory = _ => true };
        var shrinkBudget = new Option<int>("--shrink-budget") { Description = "Runs one shrink may spend", DefaultValueFactory = _ => Shrinking.ScriptShrinker.DefaultBudget }.Within(1, int.MaxValue);
        var attribute = new Option<bool>("--attribute") { Description = "For up to 8 failing seeds per property, name each fix switch that alone makes the property hold" };
        var requireProbes = new Option<bool>("--require-probes") { Description = $"A full campaign (a range of seeds, every fault, mixed policies and crash models) exits {ProbesMissedExit} when a required coverage probe was never hit (default: on)", DefaultValueFactory = _ => true };
        var junit = new Option<string?>("--junit") { Description = "Also write the campaign as JUnit XML to FILE: a test suite per property, a failure per violation with its replay command (docs/ci.md)" };
        var baseline = new Option<string?>("--baseline") { Description = "A previous run's --json output: print and include in --json the new, resolved and ongoing violations (docs/ci.md)" };
        var opts = new SimulationOptions();
        var cmd = new Command("run", "Run a simulation campaign over many seeds; exit 0 iff no violation") { seed, seeds, outDir, json, jobs, attribute, exhaustive, shrink, shrinkBudget, requireProbes, junit, baseline };
        opts.AddTo(cmd);
        var scale = new Shards.CampaignOptions();
        scale.AddTo(cmd);
        cmd.SetAction(r =>
        {
            string? one = r.GetValue(seed), range = r.GetValue(seeds);
            if (one is not null && range is not null)
            {
                throw new UsageException("give --seed or --seeds, not both");
            }

            if (r.GetValue(exhaustive))
            {
                (ulong s, ulong e) = SimulationOptions.ParseSeeds(one ?? range ?? "1");
                if (s != e)
                {
                    throw new UsageException("--exhaustive takes one seed");
                }

                SimOptions o = opts.Resolve(r);
                bool opsGiven = r.Tokens.Any(t => t.Value == "--ops");
                return RunExhaustive(io, s, o with { Ops = opsGiven ? o.Ops : 40 }, r.GetValue(jobs));
            }

            (ulong first, ulong last) = SimulationOptions.ParseSeeds(one ?? range ?? (scale.Sequence(r) ? "1" : "1..1000"));
            if (r.GetValue(shrinkBudget) < 1)
            {
                throw new UsageException("--shrink-budget must be at least 1");
            }

            CiReports ci = CiReports.From(r.GetValue(junit), r.GetValue(baseline), Environment.GetEnvironmentVariable);
            Shards.CampaignRun? campaign = scale.Resolve(r, first, last, rangeGiven: range is not null);
            // A single --seed is a replay: no probe is required of it.
            int exit = Run(io, first, last, opts.Resolve(r), r.GetValue(outDir), r.GetValue(json), r.GetValue(jobs), r.GetValue(shrink) ? r.GetValue(shrinkBudget) : 0, requireProbes: one is null && r.GetValue(requireProbes), ci, campaign);
            if (exit == 1 && r.GetValue(attribute))
            {
                Attribute(io.Out, first, last, opts.Resolve(r), r.GetValue(jobs));
            }

            return exit;
        });
        return cmd;
    }

    public static int Run(CliIo io, ulong first, ulong last, SimOptions options, string? outDir, bool json, int parallelism, int shrinkBudget = 0, bool requireProbes = false, CiReports? ci = null, Shards.CampaignRun? campaign = null)
    {
        long total = campaign?.Total ?? (long)(last - first + 1);
        bool terminal = !Console.IsErrorRedirected && !json;
        int lastShown = -1;
        long violationsSoFar = 0;
        // Wall clock for the bar's seeds/s only: it never reaches a simulation or a hash.
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var progress = new Action<int>(done =>
        {
            int step = (int)(done * 100 / total);
            if (step == lastShown)
            {
                return;
            }

            lastShown = step;
            lock (io.Err)
            {
                if (terminal)
                {
                    io.Err.Write($"\r{ProgressBar.Format(done, total, Interlocked.Read(ref violationsSoFar), wall.Elapsed, padTo: 72)}");
                }
                else if (step % 10 == 0)
                {
                    io.Err.WriteLine($"progress: {done}/{total} seeds");
                }
            }
        });

        (IReadOnlyList<SeedResult> results, TimeSpan elapsed) = campaign is null
            ? Campaign.Run(first, last, options, parallelism, progress, r => Interlocked.Add(ref violationsSoFar, r.Violations.Count))
            : campaign.Run(io.Err, options, parallelism, progress);
        if (terminal)
        {
            io.Err.WriteLine();
        }

        List<SeedResult> failing = [.. results.Where(x => x.Violations.Count > 0)];
        // A shard sees a part of the seeds and a time-budgeted or until-fail run an unknown number:
        // the required probes are asked of a whole range (aofsim merge asks them of the shards).
        bool wholeRange = campaign is null || (campaign.Spec.Shard.Count == 1 && !campaign.Spec.Sequence);
        var probes = Coverage.ProbeReport.Of(results, options, requireProbes && wholeRange);
        if (outDir is not null && failing.Count > 0)
        {
            Directory.CreateDirectory(outDir);
            foreach (SeedResult f in failing)
            {
                SeedResult full = Simulation.Run(f.Seed, options, keepTrace: true);
                File.WriteAllLines(Path.Combine(outDir, $"seed-{f.Seed}.trace"), [.. full.Trace, $"trace-hash {full.TraceHash}"]);
                File.WriteAllText(Path.Combine(outDir, $"seed-{f.Seed}.json"), Scenario.Of(f.Seed, options).ToJson());
            }
        }

        List<Shrinking.ShrinkResult> shrunk = [];
        if (shrinkBudget > 0 && failing.Count > 0)
        {
            shrunk = Shrink(io, failing, options, outDir ?? DefaultOutDir, parallelism, shrinkBudget, quiet: json);
        }

        CampaignReport report = CampaignReport.Of(results, options, first, last, elapsed, CampaignHash(results));
        BaselineComparison? comparison = ci?.Compare(report);
        if (json)
        {
            WriteJson(io.Out, results, elapsed, options, first, last, shrunk, probes, comparison);
        }
        else
        {
            WriteTable(io.Out, results, elapsed, options, first, last, campaign?.SeedsText);
            WriteProbes(io.Out, probes, options);
            foreach (SeedResult f in failing.Take(10))
            {
                WriteViolation(io.Out, f, f.Violations[0], options);
            }

            if (failing.Count > 10)
            {
                io.Out.WriteLine($"... and {failing.Count - 10} more failing seeds");
            }

            if (comparison is not null)
            {
                io.Out.WriteLine();
                foreach (string line in comparison.TableLines())
                {
                    io.Out.WriteLine(line);
                }
            }
        }

        if (probes.Missing.Count > 0)
        {
            io.Err.WriteLine($"aofsim run: {probes.MissingMessage()}");
        }

        ci?.Write(report, comparison, json ? io.Err : io.Out);

        return failing.Count > 0 ? 1 : probes.Missing.Count > 0 ? ProbesMissedExit : 0;
    }

    /// <summary>The hits of every coverage probe, with whether the campaign had to hit it.</summary>
    public static void WriteProbes(TextWriter w, Coverage.ProbeReport probes, SimOptions options)
    {
        w.WriteLine(probes.Enforced ? "coverage probes (required: a full campaign must hit it):" : "coverage probes (not enforced: a single seed or a narrowed campaign):");
        foreach (Engine.Diagnostics.ProbeInfo p in Engine.Diagnostics.Probes.All)
        {
            string mark = probes.Missing.Contains(p) ? "  MISSED" : string.Empty;
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Name,-28}{probes[p.Id],9}  {probes.Requirement(p, options.Profile),-12}{mark}"));
        }
    }

    public static int RunExhaustive(CliIo io, ulong seed, SimOptions options, int parallelism)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (IReadOnlyList<SeedResult> runs, int points) = Exhaustive.Run(seed, options, maxStates: 16, parallelism);
        List<SeedResult> failing = [.. runs.Where(x => x.Violations.Count > 0)];
        io.Out.WriteLine($"aofsim run --exhaustive: seed {seed}, {options.Flags}");
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"crash points",-22}{points}"));
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"crash states explored",-22}{runs.Count}"));
        foreach ((string level, int n) in Sum(runs, x => x.Recoveries))
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"recovered " + level,-22}{n}"));
        }

        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"violations",-22}{failing.Count}"));
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"seconds",-22}{clock.Elapsed.TotalSeconds:F2}"));
        foreach (SeedResult f in failing.Take(10))
        {
            WriteViolation(io.Out, f, f.Violations[0], f.Options ?? options);
        }

        return failing.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Bug attribution: reruns each failing seed with one more fix switch on; a switch whose fix
    /// makes a violated property hold again is named as the cause.
    /// </summary>
    public static void Attribute(TextWriter w, ulong first, ulong last, SimOptions options, int parallelism)
    {
        (IReadOnlyList<SeedResult> results, _) = Campaign.Run(first, last, options, parallelism);
        // Up to 8 seeds for each property violated, so that rare properties get attributed too.
        List<SeedResult> failing = [.. results.SelectMany(r => r.Violations.Select(v => (r, v.Property)))
            .GroupBy(x => x.Property).SelectMany(g => g.Take(8)).Select(x => x.r).Distinct().OrderBy(r => r.Seed)];
        string[] off = [.. Engine.Profiles.Profile.SwitchNames.Where(n => !(bool)typeof(Engine.Profiles.Profile).GetProperty(n)!.GetValue(options.Profile)!)];
        var tally = new SortedDictionary<string, int>(StringComparer.Ordinal);
        w.WriteLine();
        w.WriteLine($"attribution ({failing.Count} failing seeds, up to 8 per property; a switch is named when turning it on alone makes the property hold):");
        foreach (SeedResult f in failing)
        {
            List<Property> byProperty = [.. f.Violations.Select(v => v.Property).Distinct().OrderBy(p => p.Name(), StringComparer.Ordinal)];
            var causes = new Dictionary<Property, List<string>>();
            foreach (string sw in off)
            {
                Engine.Profiles.Profile.TryGet($"{options.Profile.Name}+{sw}", out Engine.Profiles.Profile p);
                SeedResult again = Simulation.Run(f.Seed, options with { Profile = p });
                foreach (Property prop in byProperty.Where(prop => !again.Violations.Any(v => v.Property == prop)))
                {
                    (causes.TryGetValue(prop, out List<string>? l) ? l : causes[prop] = []).Add(sw);
                }
            }

            foreach (Property prop in byProperty)
            {
                string named = causes.TryGetValue(prop, out List<string>? l) ? string.Join(", ", l) : "no single switch";
                w.WriteLine($"  seed {f.Seed} ({f.Policy.Name()}, {f.Fs.Name()}) {prop.Name()}: {named}");
                foreach (string sw in l ?? [])
                {
                    tally[$"{prop.Name()} <- {sw}"] = tally.GetValueOrDefault($"{prop.Name()} <- {sw}") + 1;
                }
            }
        }

        foreach ((string k, int n) in tally)
        {
            w.WriteLine($"  {n,4} x {k}");
        }
    }

    public static void WriteViolation(TextWriter w, SeedResult r, Violation v, SimOptions options)
    {
        w.WriteLine();
        w.WriteLine($"VIOLATION {v.Property.Name()} seed={r.Seed} policy={r.Policy.Name()} fs={r.Fs.Name()} event={v.Event} t=+{v.TimeMs}ms");
        w.WriteLine($"  {v.Detail}");
        var expected = v.Expected.ToHashSet(StringComparer.Ordinal);
        var actual = v.Actual.ToHashSet(StringComparer.Ordinal);
        foreach (string line in v.Expected.Where(l => !actual.Contains(l)).Take(12))
        {
            w.WriteLine($"  - expected {line.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}");
        }

        foreach (string line in v.Actual.Where(l => !expected.Contains(l)).Take(12))
        {
            w.WriteLine($"  + actual   {line.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}");
        }

        w.WriteLine($"  replay: aofsim replay --seed {r.Seed} {options.Flags}");
    }

    internal static void WriteTable(TextWriter w, IReadOnlyList<SeedResult> results, TimeSpan elapsed, SimOptions options, ulong first, ulong last, string? seedsText = null)
    {
        double s = Math.Max(elapsed.TotalSeconds, 1e-9);
        long events = results.Sum(r => (long)r.Events);
        w.WriteLine($"aofsim run: seeds {seedsText ?? $"{first}..{last}"}, {options.Flags}");
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"seeds",-22}{results.Count}"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"events",-22}{events}"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"crashes",-22}{results.Sum(r => r.Crashes)}"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"rewrites checked",-22}{results.Sum(r => r.Rewrites)}"));
        foreach ((string kind, int n) in Sum(results, r => r.Faults))
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"faults: " + kind,-22}{n}"));
        }

        foreach ((string level, int n) in Sum(results, r => r.Recoveries))
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"recovered " + level,-22}{n}"));
        }

        var byProperty = results.SelectMany(r => r.Violations).GroupBy(v => v.Property).OrderBy(g => g.Key.Name(), StringComparer.Ordinal).ToList();
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"violations",-22}{byProperty.Sum(g => g.Count())}"));
        foreach (var g in byProperty)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"  " + g.Key.Name(),-22}{g.Count()}"));
        }

        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"trace hash (all)",-22}{CampaignHash(results)}"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"seconds",-22}{s:F2}"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"seeds/s",-22}{results.Count / s:F1}"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"events/s",-22}{events / s:F0}"));
    }

    /// <summary>One hash over every seed's trace hash, in seed order: the campaign's fingerprint.</summary>
    public static string CampaignHash(IReadOnlyList<SeedResult> results)
    {
        ulong h = 14695981039346656037UL;
        foreach (SeedResult r in results)
        {
            foreach (char c in r.TraceHash)
            {
                h = (h ^ c) * 1099511628211UL;
            }
        }

        return h.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static SortedDictionary<string, int> Sum(IReadOnlyList<SeedResult> results, Func<SeedResult, SortedDictionary<string, int>> pick)
    {
        var sum = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (SeedResult r in results)
        {
            foreach ((string k, int n) in pick(r))
            {
                sum[k] = sum.GetValueOrDefault(k) + n;
            }
        }

        return sum;
    }

    /// <summary>Where shrunk cases go when no --out is given.</summary>
    public const string DefaultOutDir = "aofsim-out";

    // Shrinks each failing seed's first violation, in parallel, and saves each minimal case as
    // seed-N.min.json; prints the sizes before and after.
    private static List<Shrinking.ShrinkResult> Shrink(CliIo io, List<SeedResult> failing, SimOptions options, string dir, int parallelism, int budget, bool quiet)
    {
        var done = new Shrinking.ShrinkResult?[failing.Count];
        Parallel.For(0, failing.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, i =>
            done[i] = Shrinking.ScriptShrinker.ShrinkSeed(failing[i].Seed, options, failing[i].Violations[0].Property, budget));
        Directory.CreateDirectory(dir);
        var list = new List<Shrinking.ShrinkResult>();
        TextWriter w = quiet ? io.Err : io.Out;
        w.WriteLine();
        w.WriteLine($"shrunk {failing.Count} failing seed(s) (at most {budget} runs each):");
        for (int i = 0; i < failing.Count; i++)
        {
            if (done[i] is not Shrinking.ShrinkResult s)
            {
                w.WriteLine($"  seed {failing[i].Seed}: could not be made explicit (its recorded steps do not fail alone)");
                continue;
            }

            list.Add(s);
            string file = Path.Combine(dir, $"seed-{failing[i].Seed}.min.json");
            File.WriteAllText(file, s.Minimal.ToScenario().ToJson());
            w.WriteLine($"  seed {failing[i].Seed} {s.Property.Name()}: {s.Original.Size} -> {s.Minimal.Size} ({s.Runs} runs); aofsim replay {file}");
        }

        return list;
    }

    internal static void WriteJson(TextWriter w, IReadOnlyList<SeedResult> results, TimeSpan elapsed, SimOptions options, ulong first, ulong last, List<Shrinking.ShrinkResult> shrunk, Coverage.ProbeReport probes, BaselineComparison? baseline = null)
    {
        var doc = new
        {
            seeds = new { first, last, count = results.Count },
            options = new { profile = options.Profile.Name, policy = options.Policy.Name(), fs = options.Fs.Name(), faults = options.Faults.ToString(), ops = options.Ops },
            events = results.Sum(r => (long)r.Events),
            crashes = results.Sum(r => r.Crashes),
            rewrites = results.Sum(r => r.Rewrites),
            faults = Sum(results, r => r.Faults),
            recoveries = Sum(results, r => r.Recoveries),
            seconds = elapsed.TotalSeconds,
            traceHash = CampaignHash(results),
            probesEnforced = probes.Enforced,
            probes = Engine.Diagnostics.Probes.All.Select(p => new { name = p.Name, hits = probes[p.Id], required = probes.Requirement(p, options.Profile), missed = probes.Missing.Contains(p) }),
            violations = results.SelectMany(r => r.Violations.Select(v => new
            {
                seed = r.Seed,
                property = v.Property.Name(),
                @event = v.Event,
                detail = v.Detail,
                replay = $"aofsim replay --seed {r.Seed} {options.Flags}",
            })),
            shrunk = shrunk.Select(x => new
            {
                seed = x.Original.Seed,
                property = x.Property.Name(),
                before = new { steps = x.Original.Script.Count, commands = x.Original.Commands, faults = x.Original.Faults },
                after = new { steps = x.Minimal.Script.Count, commands = x.Minimal.Commands, faults = x.Minimal.Faults },
                runs = x.Runs,
            }),
            perSeed = results.Select(r => new { seed = r.Seed, policy = r.Policy.Name(), fs = r.Fs.Name(), traceHash = r.TraceHash, violations = r.Violations.Count }),
            baseline = baseline?.ToJsonObject(),
        };
        w.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }
}
