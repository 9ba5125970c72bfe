using AofSim.Engine.Diagnostics;
using AofSim.Engine.Profiles;
using AofSim.Scenarios.Cli;
using AofSim.Sim.Coverage;
using AofSim.Sim.Simulating;

namespace AofSim.Scenarios.Simulation;

/// <summary>
/// Coverage probes over campaigns: the README campaign hits every required probe, the seed's
/// profile hits no probe of a fix it lacks, and <c>run</c> fails with its own exit code when a
/// full campaign misses one, but not for a single seed or a narrowed campaign.
/// </summary>
public sealed class ProbeCampaignTests
{
    private static readonly SimOptions FullMix = new() { Faults = FaultSet.All };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheReadmeCampaignHitsEveryRequiredProbe(bool swarm)
    {
        // aofsim run with its defaults: seeds 1..1000, every fault, fixed, swarm testing (and
        // the uniform mix of --swarm false).
        SimOptions options = FullMix with { Swarm = swarm };
        (IReadOnlyList<SeedResult> runs, _) = Campaign.Run(1, 1000, options, parallelism: Environment.ProcessorCount);
        ProbeReport report = ProbeReport.Of(runs, options, campaign: true);
        Assert.True(report.Enforced);
        Assert.Empty(report.Missing.Select(p => p.Name));
        Assert.Contains(Probes.All, p => !p.Required && report[p.Id] == 0);
    }

    [Fact]
    public void UnderTheSeedsProfileNoProbeOfAMissingFixIsHit()
    {
        SimOptions seed = FullMix with { Profile = Profile.Redis26 };
        (IReadOnlyList<SeedResult> runs, _) = Campaign.Run(1, 150, seed, parallelism: 2);
        ProbeReport report = ProbeReport.Of(runs, seed, campaign: true);
        List<ProbeInfo> fixOnly = [.. Probes.All.Where(p => !p.ExistsUnder(Profile.Redis26))];
        Assert.NotEmpty(fixOnly);
        Assert.All(fixOnly, p => Assert.Equal(0, report[p.Id]));

        // Not vacuous: the seed's own paths are reached, and the same probes are under fixed.
        Assert.True(report[ProbeId.ShortWriteTruncated] > 0 && report[ProbeId.RewriteChildKilled] > 0 && report[ProbeId.WriteErrorExit] > 0);
        (IReadOnlyList<SeedResult> fixedRuns, _) = Campaign.Run(1, 150, FullMix, parallelism: 2);
        ProbeReport fixedReport = ProbeReport.Of(fixedRuns, FullMix, campaign: true);
        Assert.Contains(fixOnly, p => fixedReport[p.Id] > 0);
    }

    [Fact]
    public void EveryProbeIsInTheCatalogInIdOrderAndEveryFixSwitchIsAProfileSwitch()
    {
        Assert.Equal(Enum.GetValues<ProbeId>(), Probes.All.Select(p => p.Id));
        Assert.All(Probes.All.Where(p => p.FixSwitch is not null), p => Assert.Contains(p.FixSwitch!, Profile.SwitchNames));
        Assert.All(Probes.All, p => Assert.False(string.IsNullOrWhiteSpace(p.Description)));
    }

    [Fact]
    public void OnlyAFullCampaignIsHeldToTheRequiredProbes()
    {
        (IReadOnlyList<SeedResult> runs, _) = Campaign.Run(1, 3, FullMix, parallelism: 2);
        Assert.NotEmpty(ProbeReport.Of(runs, FullMix, campaign: true).Missing);
        Assert.False(ProbeReport.Of(runs, FullMix, campaign: false).Enforced);
        Assert.Empty(ProbeReport.Of(runs, FullMix, campaign: false).Missing);

        SimOptions narrowed = FullMix with { Faults = FaultSet.CrashOnly };
        Assert.False(ProbeReport.Of(runs, narrowed, campaign: true).Enforced);
        Assert.False(ProbeReport.Of(runs, FullMix with { Policy = PolicyOption.Always }, campaign: true).Enforced);
    }

    [Fact]
    public void ACampaignThatMissesARequiredProbeExitsWithTheProbeCodeAndNamesIt()
    {
        (int exit, string stdout, string stderr) = AofsimProcess.Capture("run", "--seeds", "1..3", "--swarm", "false", "--jobs", "2");
        Assert.Equal(3, exit);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("aofsim run:", StringComparison.Ordinal));
        Assert.Contains("required coverage probes never hit:", line, StringComparison.Ordinal);
        Assert.Contains("LoadMultiReverted", line, StringComparison.Ordinal);
        Assert.Contains("MISSED", stdout, StringComparison.Ordinal);
        Assert.Contains("violations            0", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--seed", "2")]
    [InlineData("--seeds", "1..3", "--faults", "none")]
    [InlineData("--seeds", "1..3", "--require-probes", "false")]
    [InlineData("--seeds", "1..3")] // under swarm, short of ProbeReport.SwarmMinimumSeeds
    public void ASingleSeedANarrowedCampaignOrAnOptOutIsNotHeldToThem(params string[] args)
    {
        (int exit, string stdout, string stderr) = AofsimProcess.Capture(["run", .. args, "--jobs", "2"]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("coverage probes (not enforced", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("never hit", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TheJsonSummaryHasEveryProbesHits()
    {
        (int exit, string stdout, _) = AofsimProcess.Capture("run", "--seeds", "1..2", "--faults", "crash", "--json");
        Assert.Equal(0, exit);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        var probes = doc.RootElement.GetProperty("probes").EnumerateArray().ToList();
        Assert.Equal(Probes.Count, probes.Count);
        Assert.False(doc.RootElement.GetProperty("probesEnforced").GetBoolean());
        Assert.Contains(probes, p => p.GetProperty("name").GetString() == "RewriteSwitched" && p.GetProperty("hits").GetInt64() > 0);
    }
}
