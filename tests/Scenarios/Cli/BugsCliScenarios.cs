using AofSim.Engine.Profiles;
using AofSim.Sim.Bugs;
using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Cli;

/// <summary><c>aofsim bugs</c>: the catalog, the table on a tiny budget, and bad arguments.</summary>
public sealed class BugsCliScenarios : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"aofsim-bugs-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheCatalogCoversEverySwitchOfTheProfileOnceAndEveryGapSaysWhy()
    {
        // A switch added to Profile without a catalog entry fails here.
        Assert.Equal(Profile.SwitchNames.Order(StringComparer.Ordinal), BugCatalog.All.Select(b => b.Switch).Order(StringComparer.Ordinal));
        Assert.All(BugCatalog.All, b => Assert.Equal(b.Findable, b.Gap is null));
        Assert.All(BugCatalog.All, b => Assert.False(string.IsNullOrWhiteSpace(b.Reference) || string.IsNullOrWhiteSpace(b.Mechanism)));
    }

    [Fact]
    public void AFoundBugIsShrunkToACaseThatStillFailsAndPassesWithTheFix()
    {
        (int exit, string stdout, string stderr) = AofsimProcess.Capture("bugs", "--switch", "RemoveBothTempNames", "--budget", "120", "--out", dir, "--jobs", "2");
        Assert.True(exit == 0, stderr);
        string row = Assert.Single(stdout.Split('\n'), l => l.TrimStart().StartsWith("RemoveBothTempNames ", StringComparison.Ordinal));
        Assert.Contains("#10 PR #5920", row, StringComparison.Ordinal);
        Assert.Contains(" found ", row, StringComparison.Ordinal);
        Assert.Contains("temp-files", row, StringComparison.Ordinal);

        Scenario minimal = Scenario.FromJson(File.ReadAllText(Path.Combine(dir, "fixed-RemoveBothTempNames.min.json")));
        SimOptions options = minimal.ToOptions(out string? error) ?? throw new InvalidOperationException(error);
        Assert.NotNull(minimal.Script);
        SeedResult broken = Sim.Simulating.Simulation.Run(minimal.Seed, options, minimal.Script);
        Assert.Contains(broken.Violations, v => v.Property == Property.TempFiles);
        SeedResult repaired = Sim.Simulating.Simulation.Run(minimal.Seed, options with { Profile = Profile.Fixed }, minimal.Script);
        Assert.DoesNotContain(repaired.Violations, v => v.Property == Property.TempFiles);
    }

    [Fact]
    public void AGapNotFoundIsListedWithItsReasonAndIsNoFailure()
    {
        (int exit, string stdout, string stderr) = AofsimProcess.Capture("bugs", "--switch", "LoaderStrictHeaders", "--seeds-per-bug", "3", "--out", dir);
        Assert.True(exit == 0, stderr);
        string row = Assert.Single(stdout.Split('\n'), l => l.TrimStart().StartsWith("LoaderStrictHeaders ", StringComparison.Ordinal));
        Assert.Matches(@"\sgap\s+3\s", row);
        Assert.Contains("gap LoaderStrictHeaders: belongs to the fuzzer", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AFindableBugNotFoundExitsOneAndNamesIt()
    {
        (int exit, string stdout, string stderr) = AofsimProcess.Capture("bugs", "--switch", "RewriteAfterFsyncError", "--seeds-per-bug", "4", "--out", dir, "--json");
        Assert.Equal(1, exit);
        Assert.Equal("aofsim bugs: findable bugs not found: RewriteAfterFsyncError", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        System.Text.Json.JsonElement bug = doc.RootElement.GetProperty("bugs")[0];
        Assert.False(bug.GetProperty("found").GetBoolean());
        Assert.Equal(4, bug.GetProperty("seeds").GetInt64());
    }

    [Theory]
    [InlineData("--switch", "NoSuchFix")]
    [InlineData("--budget", "0")]
    [InlineData("--seeds-per-bug", "0")]
    [InlineData("--budget", "soon")]
    [InlineData("--jobs", "0")]
    public void BadArgumentsAreOneLineAndExitTwo(params string[] args)
    {
        (int exit, string stdout, string stderr) = AofsimProcess.Capture(["bugs", .. args]);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("aofsim: ", line, StringComparison.Ordinal);
    }
}
