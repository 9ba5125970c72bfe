using System.Diagnostics;
using System.Text.Json.Nodes;
using AofSim.Scenarios.Cli;

namespace AofSim.Scenarios.Campaigns;

/// <summary>
/// Campaigns at scale, end to end through the program: shards merged into the unsharded
/// summary and campaign hash, every way a shard's files can be wrong named in one line, the
/// seeded sequence of time-budgeted and soak runs, and the determinism re-check (docs/campaigns.md).
/// </summary>
public sealed class ShardedCampaignScenarios : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "aofsim-shards-" + Guid.NewGuid().ToString("N"));

    public ShardedCampaignScenarios() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void FourShardsMergedGiveTheJsonAndCampaignHashOfOneRun()
    {
        string[] campaign = ["--seeds", "1..200", "--faults", "all", "--shrink", "false"];
        (int exit, string one, _) = AofsimProcess.Capture(["run", .. campaign, "--json"]);
        Assert.Equal(0, exit);
        string[] files = Shards(campaign, 4);

        (int mergeExit, string merged, string err) = AofsimProcess.Capture(["merge", "--json", .. files]);

        Assert.Equal(string.Empty, err);
        Assert.Equal(0, mergeExit);
        JsonObject a = (JsonObject)JsonNode.Parse(one)!, b = (JsonObject)JsonNode.Parse(merged)!;
        Assert.Matches("^[0-9a-f]{16}$", a["traceHash"]!.GetValue<string>());
        Assert.Equal(a["traceHash"]!.GetValue<string>(), b["traceHash"]!.GetValue<string>());
        Assert.Equal(200, b["perSeed"]!.AsArray().Count);

        // Everything else the same too, but for the wall-clock seconds.
        a.Remove("seconds");
        b.Remove("seconds");
        Assert.Equal(a.ToJsonString(), b.ToJsonString());
    }

    [Fact]
    public void MergedShardsOfAFailingCampaignPrintTheSameTableAndViolationsAsOneRun()
    {
        string[] campaign = ["--seeds", "1..40", "--profile", "redis26", "--ops", "400", "--shrink", "false"];
        (int exit, string one, _) = AofsimProcess.Capture(["run", .. campaign]);
        Assert.Equal(1, exit);
        string[] files = Shards(campaign, 3);

        (int mergeExit, string merged, _) = AofsimProcess.Capture(["merge", .. files]);

        Assert.Equal(1, mergeExit);
        Assert.Contains("VIOLATION ", merged, StringComparison.Ordinal);
        Assert.Contains("  replay: aofsim replay --seed ", merged, StringComparison.Ordinal);
        Assert.Equal(WithoutTimes(one), WithoutTimes(merged));
    }

    [Fact]
    public void ShardsAreInterleavedAndEachRecordSaysWhatRanAndWhatItFound()
    {
        string file = Path.Combine(dir, "s.ndjson");
        (int exit, _, _) = AofsimProcess.Capture("run", "--seeds", "1..20", "--shard", "2/4", "--ops", "300", "--profile", "redis26", "--shrink", "false", "--ndjson", file);
        Assert.Equal(1, exit);

        List<JsonObject> records = [.. File.ReadAllLines(file).Select(l => (JsonObject)JsonNode.Parse(l)!)];

        Assert.Equal([2UL, 6, 10, 14, 18], records.Select(r => r["seed"]!.GetValue<ulong>()));
        Assert.Equal([1L, 5, 9, 13, 17], records.Select(r => r["position"]!.GetValue<long>()));
        foreach (JsonObject r in records)
        {
            Assert.Equal("2/4", r["shard"]!.GetValue<string>());
            Assert.Equal("{\"first\":1,\"last\":20,\"sequence\":false}", r["seeds"]!.ToJsonString());
            Assert.Equal("redis26", r["options"]!["profile"]!.GetValue<string>());
            Assert.Equal(300, r["options"]!["ops"]!.GetValue<int>());
            Assert.Matches("^([0-9a-f]{40}|unknown)$", r["commit"]!.GetValue<string>());
            Assert.Matches("^[0-9a-f]{16}$", r["traceHash"]!.GetValue<string>());
            Assert.True(r["seconds"]!.GetValue<double>() > 0);
            JsonArray violations = r["violations"]!.AsArray();

            // A seed runs its 300 events unless a recovery no longer matches the model, which ends it.
            Assert.True(r["events"]!.GetValue<int>() == 300 || violations.Count > 0, r.ToJsonString());
            Assert.True(r["options"]!["swarm"]!.GetValue<bool>());
            Assert.Equal(violations.Count == 0 ? "pass" : "fail", r["verdict"]!.GetValue<string>());
            foreach (JsonNode? v in violations)
            {
                Assert.Equal($"aofsim replay --seed {r["seed"]} --profile redis26 --policy mixed --fs mixed --faults all --ops 300", v!["replay"]!.GetValue<string>());
            }
        }

        Assert.Contains(records, r => r["verdict"]!.GetValue<string>() == "fail");

        // The trace hash is the one replay prints for the seed.
        (_, string trace, _) = AofsimProcess.Capture("replay", "--seed", "6", "--ops", "300", "--profile", "redis26");
        Assert.EndsWith($"trace-hash {records[1]["traceHash"]}\n", trace, StringComparison.Ordinal);
    }

    [Fact]
    public void ADroppedShardIsNamed()
    {
        string[] files = Shards(["--seeds", "1..8", "--ops", "50"], 4);

        (int exit, string stdout, string stderr) = AofsimProcess.Capture(["merge", files[0], files[1], files[3]]);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("aofsim: shard 3/4 is missing: no file given holds it\n", stderr);
    }

    [Fact]
    public void ADuplicatedShardIsNamedWithBothFiles()
    {
        string[] files = Shards(["--seeds", "1..8", "--ops", "50"], 4);
        string copy = Path.Combine(dir, "copy-of-2.ndjson");
        File.Copy(files[1], copy);

        (int exit, _, string stderr) = AofsimProcess.Capture(["merge", .. files, copy]);

        Assert.Equal(2, exit);
        Assert.Equal($"aofsim: shard 2/4 is given twice: {files[1]} and {copy}\n", stderr);
    }

    [Fact]
    public void AShardCutShortOrWithASeedTwiceIsNamed()
    {
        string[] files = Shards(["--seeds", "1..12", "--ops", "50"], 2);
        string[] lines = File.ReadAllLines(files[1]);
        Assert.Equal(6, lines.Length);

        File.WriteAllLines(files[1], lines[..4]);
        (int exit, _, string stderr) = AofsimProcess.Capture(["merge", .. files]);
        Assert.Equal(2, exit);
        Assert.Equal($"aofsim: {files[1]} (shard 2/2) is missing 2 of its 6 seeds, from seed 10 on (was the shard cut short?)\n", stderr);

        File.WriteAllLines(files[1], [.. lines[..3], lines[2], .. lines[3..]]);
        (exit, _, stderr) = AofsimProcess.Capture(["merge", .. files]);
        Assert.Equal(2, exit);
        Assert.Equal($"aofsim: seed 6 is given twice in {files[1]} (shard 2/2)\n", stderr);
    }

    [Fact]
    public void ShardsOfDifferentCampaignsOrBrokenFilesDoNotMerge()
    {
        string[] a = Shards(["--seeds", "1..8", "--ops", "50"], 2);
        string other = Path.Combine(dir, "other.ndjson");
        AofsimProcess.Capture("run", "--seeds", "1..8", "--ops", "60", "--shard", "2/2", "--ndjson", other);
        string broken = Path.Combine(dir, "broken.ndjson");
        File.WriteAllText(broken, "{\"seed\":1,\"shard\":\"1/2\"\nnot json\n");
        string empty = Path.Combine(dir, "empty.ndjson");
        File.WriteAllText(empty, string.Empty);

        (int exit, _, string stderr) = AofsimProcess.Capture("merge", a[0], other);
        Assert.Equal(2, exit);
        Assert.Equal($"aofsim: {other} is not of {a[0]}'s campaign (other options)\n", stderr);

        (exit, _, stderr) = AofsimProcess.Capture("merge", a[0], broken);
        Assert.Equal(2, exit);
        Assert.StartsWith($"aofsim: {broken} line 1 is not a seed record: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        (exit, _, stderr) = AofsimProcess.Capture("merge", empty);
        Assert.Equal(2, exit);
        Assert.StartsWith($"aofsim: {empty} holds no seed records", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = AofsimProcess.Capture("merge", Path.Combine(dir, "nope.ndjson"));
        Assert.Equal(2, exit);
        Assert.Equal($"aofsim: no such file: {Path.Combine(dir, "nope.ndjson")}\n", stderr);
    }

    [Theory]
    [InlineData("--shard must be K/N with 1 <= K <= N <= 1000000, not '0/4'", "--shard", "0/4")]
    [InlineData("--shard must be K/N with 1 <= K <= N <= 1000000, not '5/4'", "--shard", "5/4")]
    [InlineData("--shard must be K/N with 1 <= K <= N <= 1000000, not 'two'", "--shard", "two")]
    [InlineData("--duration must be a whole number of s, m or h (1s..30 days), not '10x'", "--duration", "10x")]
    [InlineData("--duration must be a whole number of s, m or h (1s..30 days), not '0s'", "--duration", "0s")]
    [InlineData("--duration must be a whole number of s, m or h (1s..30 days), not '721h'", "--duration", "721h")]
    [InlineData("--recheck must be a fraction 0..1, not '1.5'", "--recheck", "1.5")]
    [InlineData("--recheck must be a fraction 0..1, not '-0.1'", "--recheck", "-0.1")]
    [InlineData("--shard 4/4: 4 shards of 3 seeds would leave a shard with none", "--shard", "4/4", "--seeds", "1..3")]
    [InlineData("--duration and --until-fail draw their seeds from the sequence that starts at --seed N, not from --seeds", "--until-fail", "--seeds", "1..5")]
    public void BadScaleOptionsAreOneLineAndExitTwo(string message, params string[] args)
    {
        (int exit, string stdout, string stderr) = AofsimProcess.Capture(["run", .. args]);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"aofsim: {message}\n", stderr);
    }

    [Fact]
    public void UntilFailStopsAtTheFirstFailingSeedOfTheSequenceAndIsReproducible()
    {
        string a = Path.Combine(dir, "a.ndjson"), b = Path.Combine(dir, "b.ndjson");
        string[] args = ["run", "--until-fail", "--seed", "3", "--jobs", "1", "--profile", "redis26", "--ops", "300", "--shrink", "false"];

        (int exit, string stdout, _) = AofsimProcess.Capture([.. args, "--ndjson", a]);
        AofsimProcess.Capture([.. args, "--ndjson", b]);

        Assert.Equal(1, exit);
        Assert.StartsWith("aofsim run: seeds sequence from 3, --profile redis26", stdout, StringComparison.Ordinal);
        List<JsonObject> records = [.. File.ReadAllLines(a).Select(l => (JsonObject)JsonNode.Parse(l)!)];
        Assert.Equal(3UL, records[0]["seed"]!.GetValue<ulong>());
        Assert.Equal("fail", records[^1]["verdict"]!.GetValue<string>());
        Assert.All(records[..^1], r => Assert.Equal("pass", r["verdict"]!.GetValue<string>()));
        Assert.All(records, r => Assert.True(r["seeds"]!["sequence"]!.GetValue<bool>()));

        // Reproducible from its first seed: the same seeds, the same traces.
        Assert.Equal(Seeds(a), Seeds(b));
    }

    [Fact]
    public void ADurationRunDrawsThePrefixOfOneSequenceWhateverItsBudget()
    {
        string a = Path.Combine(dir, "a.ndjson"), b = Path.Combine(dir, "b.ndjson");
        var clock = Stopwatch.StartNew();
        (int exit, _, _) = AofsimProcess.Capture("run", "--duration", "1s", "--seed", "11", "--ops", "100", "--jobs", "2", "--ndjson", a);
        Assert.Equal(0, exit);
        AofsimProcess.Capture("run", "--duration", "2s", "--seed", "11", "--ops", "100", "--jobs", "1", "--ndjson", b);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3));

        List<string> shortRun = Seeds(a), longRun = Seeds(b);
        Assert.NotEmpty(shortRun);
        Assert.StartsWith("11 ", shortRun[0], StringComparison.Ordinal);
        int common = Math.Min(shortRun.Count, longRun.Count);
        Assert.True(common > 1);
        Assert.Equal(shortRun[..common], longRun[..common]);
        Assert.Equal(shortRun.Count, shortRun.Distinct().Count());
    }

    [Fact]
    public void RecheckFindsNoDivergenceInTheSimulator()
    {
        (int exit, string stdout, string stderr) = AofsimProcess.Capture("run", "--seeds", "1..60", "--recheck", "1", "--ops", "400", "--faults", "all");

        Assert.Equal(0, exit);
        Assert.Contains("  violations            0\n", stdout, StringComparison.Ordinal);
        Assert.Contains("recheck: 60 of 60 seeds run twice, 0 with traces that differ\n", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void RecheckCatchesANonDeterministicBuildAtItsFirstDifferingLine()
    {
        // The test-only switch writes the wall clock into the trace at the middle event (100 of 200).
        var env = new Dictionary<string, string?> { ["AOFSIM_TEST_NONDETERMINISM"] = "1" };
        (int exit, string stdout, string stderr) = AofsimProcess.CaptureWith(env, "run", "--seeds", "1..6", "--recheck", "1", "--ops", "200", "--faults", "crash", "--shrink", "false");
        (_, string trace, _) = AofsimProcess.CaptureWith(env, "replay", "--seed", "1", "--ops", "200", "--faults", "crash");

        Assert.Equal(1, exit);
        Assert.Contains("    determinism         6\n", stdout, StringComparison.Ordinal);
        Assert.Contains("recheck: 6 of 6 seeds run twice, 6 with traces that differ\n", stderr, StringComparison.Ordinal);
        int line = trace.Split('\n').ToList().FindIndex(l => l.Contains(" test-nondeterminism wall-clock ticks ", StringComparison.Ordinal)) + 1;
        Assert.True(line > 1);
        string[] report = stdout.Split('\n');
        int at = Array.FindIndex(report, l => l.StartsWith("VIOLATION determinism seed=1 ", StringComparison.Ordinal));
        Assert.True(at >= 0, stdout);
        Assert.Contains(" event=100 ", report[at], StringComparison.Ordinal);
        Assert.StartsWith($"  a second run of the seed differs from the first at trace line {line} ", report[at + 1], StringComparison.Ordinal);
        Assert.Matches($"^  - expected line {line} \\(first run\\):  e=100 t=\\+[0-9]+ test-nondeterminism wall-clock ticks [0-9]+$", report[at + 2]);
        Assert.Matches($"^  \\+ actual   line {line} \\(second run\\): e=100 t=\\+[0-9]+ test-nondeterminism wall-clock ticks [0-9]+$", report[at + 3]);
        Assert.NotEqual(report[at + 2][^12..], report[at + 3][^12..]);
        Assert.Equal("  replay: aofsim replay --seed 1 --profile fixed --policy mixed --fs mixed --faults crash --ops 200", report[at + 4]);
    }

    // Runs the campaign as N shards, each writing its records; returns the files in shard order.
    private string[] Shards(string[] campaign, int n)
    {
        var files = new string[n];
        for (int k = 1; k <= n; k++)
        {
            files[k - 1] = Path.Combine(dir, $"shard-{k}.ndjson");
            (int exit, _, string err) = AofsimProcess.Capture(["run", .. campaign, "--shard", $"{k}/{n}", "--ndjson", files[k - 1]]);
            Assert.True(exit is 0 or 1, err);
        }

        return files;
    }

    // "seed traceHash" of each record, in file order.
    private static List<string> Seeds(string file) =>
        [.. File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!).Select(r => $"{r["seed"]} {r["traceHash"]}")];

    // The summary without its wall-clock lines.
    private static string WithoutTimes(string table) => string.Join('\n', table.Split('\n')
        .Where(l => !l.StartsWith("  seconds ", StringComparison.Ordinal) && !l.StartsWith("  seeds/s ", StringComparison.Ordinal) && !l.StartsWith("  events/s ", StringComparison.Ordinal)));
}
