using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AofSim.Sim.Bugs;

namespace AofSim.Sim.Cli;

/// <summary>
/// <c>aofsim bugs</c>: for every fix switch, a blind default campaign with that one fix removed,
/// to the first violation or the budget, then shrunk. Exit 1 when a bug the catalog marks
/// findable is not found.
/// </summary>
internal static class BugsVerb
{
    public static Command Build(CliIo io)
    {
        var budget = new Option<int>("--budget") { Description = "Wall-clock seconds each switch's campaign may run (reporting and stopping only: no run sees the clock)", DefaultValueFactory = _ => 60 }.Within(1, 86_400);
        var seedsPerBug = new Option<long>("--seeds-per-bug") { Description = "The most seeds each switch's campaign runs", DefaultValueFactory = _ => 1_000_000 }.Within(1L, long.MaxValue);
        var json = new Option<bool>("--json") { Description = "Print the table as JSON" };
        var switches = new Option<string[]>("--switch") { Description = "Only these switches (repeatable; default: every switch of the profile)", AllowMultipleArgumentsPerToken = false };
        var jobs = new Option<int>("--jobs") { Description = "Seeds run at once (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount }.Within(1, RunVerb.MaxJobs);
        var shrinkBudget = new Option<int>("--shrink-budget") { Description = "Runs each shrink may spend", DefaultValueFactory = _ => Shrinking.ScriptShrinker.DefaultBudget }.Within(1, int.MaxValue);
        var swarm = new Option<bool>("--swarm") { Description = "Swarm testing, as run's default mix (docs/simulator.md); false: the uniform mix", DefaultValueFactory = _ => true };
        var outDir = new Option<string?>("--out") { Description = $"Directory for the minimal cases, fixed-SWITCH.min.json (default {RunVerb.DefaultOutDir}/bugs)" };
        var cmd = new Command("bugs", "Find every known AOF bug blind: one fix removed at a time, the default campaign until the first violation, then shrunk")
        {
            budget, seedsPerBug, json, switches, jobs, shrinkBudget, swarm, outDir,
        };
        cmd.SetAction(r =>
        {
            string[] names = r.GetValue(switches) ?? [];
            List<BugEntry> chosen = names.Length == 0
                ? [.. BugCatalog.All]
                : [.. names.Select(n => BugCatalog.Find(n) ?? throw new UsageException($"unknown switch '{n}' (expected one of: {string.Join(", ", BugCatalog.All.Select(b => b.Switch))})"))];
            return Run(io, chosen, r.GetValue(budget), (ulong)r.GetValue(seedsPerBug), r.GetValue(jobs), r.GetValue(shrinkBudget), r.GetValue(outDir) ?? Path.Combine(RunVerb.DefaultOutDir, "bugs"), r.GetValue(json), r.GetValue(swarm));
        });
        return cmd;
    }

    private static int Run(CliIo io, List<BugEntry> bugs, int budget, ulong maxSeeds, int jobs, int shrinkBudget, string outDir, bool json, bool swarm)
    {
        var results = new List<BugHuntResult>();
        foreach (BugEntry bug in bugs)
        {
            io.Err.WriteLine($"bugs: {bug.Switch} ...");
            BugHuntResult found = BugHunt.Hunt(bug, budget, maxSeeds, jobs, shrinkBudget, swarm);
            results.Add(found);
            if (found.Shrunk is not null)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllText(CaseFile(outDir, found), found.Shrunk.Minimal.ToScenario().ToJson());
            }
        }

        if (json)
        {
            WriteJson(io.Out, results, budget, maxSeeds, outDir, swarm);
        }
        else
        {
            WriteTable(io.Out, results, budget, maxSeeds, outDir, swarm);
        }

        List<BugHuntResult> missed = [.. results.Where(x => x.Missed)];
        if (missed.Count > 0)
        {
            io.Err.WriteLine($"aofsim bugs: findable bugs not found: {string.Join(", ", missed.Select(m => m.Bug.Switch))}");
            return 1;
        }

        return 0;
    }

    private static string CaseFile(string dir, BugHuntResult r) => Path.Combine(dir, $"fixed-{r.Bug.Switch}.min.json");

    private static string Status(BugHuntResult r) => (r.Found, r.Bug.Findable) switch
    {
        (true, true) => "found",
        (true, false) => "found (gap)",
        (false, true) => "NOT FOUND",
        (false, false) => "gap",
    };

    private static string Shrunk(BugHuntResult r) => r.Shrunk is { } s ? $"{s.Minimal.Commands}, {s.Minimal.Faults}" : r.Found ? "not explicit" : "-";

    private static void WriteTable(TextWriter w, List<BugHuntResult> results, int budget, ulong maxSeeds, string outDir, bool swarm)
    {
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"aofsim bugs: per switch, the default campaign (--faults all --policy mixed --fs mixed --ops 1000 --swarm {(swarm ? "true" : "false")}) under fixed-SWITCH, seeds from 1, budget {budget} s, at most {maxSeeds} seeds"));
        w.WriteLine($"  {"switch",-28}{"reference",-27}{"result",-13}{"seeds",8}{"seconds",9}  {"property",-22}shrunk (commands, faults)");
        foreach (BugHuntResult r in results)
        {
            string property = r.Property is { } p ? Checking.PropertyNames.Name(p) : "-";
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Bug.Switch,-28}{r.Bug.Reference,-27}{Status(r),-13}{r.SeedsRun,8}{r.Seconds,9:F2}  {property,-22}{Shrunk(r)}"));
        }

        int findable = results.Count(r => r.Bug.Findable);
        List<double> times = [.. results.Where(r => r.Bug.Findable && r.Found).Select(r => r.Seconds).Order()];
        string median = times.Count == 0 ? "-" : times[times.Count / 2].ToString("F2", CultureInfo.InvariantCulture);
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  findable found: {results.Count(r => r.Bug.Findable && r.Found)} of {findable}; median seconds to first failure {median}; gaps found anyway: {results.Count(r => !r.Bug.Findable && r.Found)}"));
        foreach (BugHuntResult r in results.Where(r => r.Found))
        {
            string replay = r.Shrunk is not null ? $"aofsim replay {CaseFile(outDir, r)}" : $"aofsim replay --seed {r.FailingSeed} {r.Options.Flags}";
            w.WriteLine($"  {r.Bug.Switch}: {replay}");
        }

        foreach (BugHuntResult r in results.Where(r => !r.Bug.Findable))
        {
            w.WriteLine($"  gap {r.Bug.Switch}: {r.Bug.Gap}");
        }

        List<ulong> baseline = [.. results.SelectMany(r => r.Unattributed).Distinct().Order()];
        if (baseline.Count > 0)
        {
            w.WriteLine($"  passed over (they fail under fixed too, so no one switch is their cause): seeds {string.Join(", ", baseline)}; aofsim run --seed N shows each");
        }
    }

    private static void WriteJson(TextWriter w, List<BugHuntResult> results, int budget, ulong maxSeeds, string outDir, bool swarm)
    {
        var doc = new
        {
            budgetSeconds = budget,
            swarm,
            seedsPerBug = maxSeeds,
            bugs = results.Select(r => new
            {
                @switch = r.Bug.Switch,
                reference = r.Bug.Reference,
                mechanism = r.Bug.Mechanism,
                findable = r.Bug.Findable,
                gap = r.Bug.Gap,
                found = r.Found,
                result = Status(r),
                seeds = r.SeedsRun,
                seconds = r.Seconds,
                failingSeed = r.FailingSeed,
                unattributed = r.Unattributed,
                property = r.Property is { } p ? Checking.PropertyNames.Name(p) : null,
                shrunk = r.Shrunk is { } s ? new { commands = s.Minimal.Commands, faults = s.Minimal.Faults, steps = s.Minimal.Script.Count, runs = s.Runs, file = CaseFile(outDir, r) } : null,
                replay = r.Found ? $"aofsim replay --seed {r.FailingSeed} {r.Options.Flags}" : null,
            }),
        };
        w.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }
}
