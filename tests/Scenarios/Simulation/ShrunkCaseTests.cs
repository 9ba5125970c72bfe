using AofSim.Engine.Profiles;
using AofSim.Scenarios.Cli;
using AofSim.Sim.Shrinking;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Simulation;

/// <summary>
/// Minimal cases the blind property search (tests/Properties, SimulationProperties) and the
/// campaign's shrinker produced, kept as regression tests: each replays its violation through
/// <c>aofsim replay FILE</c>, and holds once the one fix it names is on, and under fixed.
/// docs/findings.md explains each.
/// </summary>
public sealed class ShrunkCaseTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "redis26-4-rewrite-expiry.json", "rewrite-equivalence", "RewriteExpiryBeforeWrite" },
        { "redis26-7-everysec-tail.json", "durability", "FsyncEverysecTail" },
        { "redis26-13-dir-fsync.json", "durability", "FsyncBeforeRenameAndDir" },

        // Shrunk by aofsim run from a fixed-RewriteAfterFsyncError campaign (Redis 7's handling
        // of fsync errors) with --faults crash,fsyncerr: seed 76.
        { "redis7-fsyncgate.json", "durability", "RewriteAfterFsyncError" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheMinimalCaseReplaysItsViolationAndHoldsWithItsFix(string file, string property, string fix)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Simulation", "Cases", file);
        var stdout = new StringWriter();
        int exit = AofsimProcess.Run(["replay", path], stdout, new StringWriter());
        Assert.Equal(1, exit);
        Assert.Contains($"VIOLATION {property} seed=", stdout.ToString(), StringComparison.Ordinal);

        Scenario saved = Scenario.FromJson(File.ReadAllText(path));
        var minimal = new ShrinkCase(saved.Seed, saved.ToOptions(out _)!, saved.Script!);
        Assert.True(minimal.Commands <= 10 && minimal.Faults <= 2, minimal.Size);
        Assert.True(Profile.TryGet($"{saved.Profile}+{fix}", out Profile withFix));
        Assert.Empty((minimal with { Options = minimal.Options with { Profile = withFix } }).Run().Violations);
        Assert.Empty((minimal with { Options = minimal.Options with { Profile = Profile.Fixed } }).Run().Violations);
    }

    [Fact]
    public void ARecordedSeedReplaysAsAScriptToTheSameTrace()
    {
        var options = new SimOptions { Faults = FaultSet.All, Ops = 600 };
        SeedResult seeded = Sim.Simulating.Simulation.Run(21, options, null, record: true);
        SeedResult scripted = Sim.Simulating.Simulation.Run(21, options, seeded.Script);
        Assert.Equal(600, seeded.Script!.Count);
        Assert.Equal(seeded.TraceHash, scripted.TraceHash);
    }

    [Fact]
    public void ARecordedSeedsPowerLossesCarryWhatTheyKept()
    {
        // The recording makes each crash's outcome explicit (ScriptStep.Survived), and the
        // scripted run above replays through it to the same trace.
        SeedResult seeded = Sim.Simulating.Simulation.Run(21, new SimOptions { Faults = FaultSet.All, Ops = 600 }, null, record: true);
        Assert.NotEqual(0, seeded.Crashes);
        Assert.Contains(seeded.Script!, s => s is PowerLossStep { Survived.Count: > 0 });
    }

    [Fact]
    public void ARecordedSeedsSlowFsyncsAreKeyedSoTheKindCanBeTurnedOff()
    {
        // The shrinker's first form: the slowfsync kind off, each slow fsync the seed drew given
        // explicitly in its step; every trace line after the header (which shows the flags) is
        // the seeded run's.
        var options = new SimOptions { Faults = FaultSet.All, Ops = 600, Swarm = false };
        SeedResult seeded = Sim.Simulating.Simulation.Run(21, options, null, keepTrace: true, record: true);
        Assert.Contains(seeded.Script!, s => s.SlowFsyncs is { Count: > 0 });
        var noSlow = new FaultSet(FaultSet.All.On.Where(k => k != FaultKind.SlowFsync.Name()));
        SeedResult keyed = Sim.Simulating.Simulation.Run(21, options with { Faults = noSlow }, seeded.Script, keepTrace: true);
        Assert.Equal(seeded.Trace.Skip(1), keyed.Trace.Skip(1));
        SeedResult drawn = Sim.Simulating.Simulation.Run(21, options with { Faults = noSlow }, [.. seeded.Script!.Select(s => s with { SlowFsyncs = null })], keepTrace: true);
        Assert.NotEqual(seeded.Trace.Skip(1), drawn.Trace.Skip(1));
    }

    [Fact]
    public void ATornSetexShrinksToOneCommandAndOnePowerLoss()
    {
        // Seed 3,315 is where `aofsim bugs` first finds AtomicSetEx blind: a power loss tears the
        // AOF inside the PEXPIREAT after a SETEX's SET, after 21 commands that only place the cut.
        // With the tear kept as bytes lost at the write's end, the shrinker removes all of them.
        SimOptions options = Sim.Bugs.BugHunt.OptionsFor(Sim.Bugs.BugCatalog.Find("AtomicSetEx")!);
        ShrinkResult shrunk = ScriptShrinker.ShrinkSeed(3315, options, Sim.Checking.Property.ReplayEquivalence) ?? throw new InvalidOperationException("seed 3315 no longer fails");
        Assert.Equal(1, shrunk.Minimal.Commands);
        Assert.Equal(1, shrunk.Minimal.Faults);
        Assert.Equal("SETEX", Assert.IsType<ClientStep>(shrunk.Minimal.Script[0]).Argv[0][0]);
    }

    [Fact]
    public void AScenarioWithAMalformedSurvivedFateIsOneLineOfError()
    {
        string path = Path.Combine(Path.GetTempPath(), $"aofsim-bad-fate-{Environment.ProcessId}.json");
        Scenario bad = Scenario.Of(1, new SimOptions { Ops = 2 }, [new PowerLossStep { Survived = [new Dictionary<string, string> { ["appendonly.aof"] = "W X9" }] }]);
        File.WriteAllText(path, bad.ToJson());
        try
        {
            var stderr = new StringWriter();
            int exit = AofsimProcess.Run(["replay", path], new StringWriter(), stderr);
            Assert.Equal(2, exit);
            string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("a survived fate is W, - or T followed by the bytes lost (at least 1), not 'X9'", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RunShrinksEachFailingSeedAndSavesAReplayableMinimalCase()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"aofsim-shrink-{Environment.ProcessId}");
        var stdout = new StringWriter();
        int exit = AofsimProcess.Run(["run", "--seeds", "1..2", "--profile", "fixed-RewriteExpiryBeforeWrite", "--faults", "crash", "--ops", "400", "--out", dir, "--swarm", "false"], stdout, new StringWriter());
        Assert.Equal(1, exit);
        Assert.Contains("shrunk 2 failing seed(s)", stdout.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"seed 1 rewrite-equivalence: \d+ steps, \d+ commands, \d+ faults -> \d+ steps, [1-9] commands, [0-2] faults", stdout.ToString());

        var replay = new StringWriter();
        Assert.Equal(1, AofsimProcess.Run(["replay", Path.Combine(dir, "seed-1.min.json")], replay, new StringWriter()));
        Assert.Contains("VIOLATION rewrite-equivalence", replay.ToString(), StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }
}
