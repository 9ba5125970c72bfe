using System.Text;
using System.Text.RegularExpressions;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;
using AofSim.Sim.Visualizing;

namespace AofSim.Scenarios.Simulation;

/// <summary>
/// The replay timeline page (replay --html) as generated: self-contained, every lane there, the
/// run's text escaped, each trace line in its lane with the AOF's sizes beside it. The page as a
/// browser draws it is tested in Cli/ReplayHtmlBrowserTests.
/// </summary>
public sealed class TimelinePageTests
{
    private static readonly string[] LaneIds = ["client", "aof-buffer", "parent", "background", "child", "disk", "faults", "power", "checks", "log"];

    // The #7 case (docs/findings.md): SET acknowledged under everysec, 11.6 s of quiet, power loss.
    private static SeedResult Case7(Profile? profile = null)
    {
        Scenario saved = Scenario.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Simulation", "Cases", "redis26-7-everysec-tail.json")));
        SimOptions options = saved.ToOptions(out _)!;
        return Sim.Simulating.Simulation.Run(saved.Seed, (profile is null ? options : options with { Profile = profile }) with { Stamps = true }, saved.Script, keepTrace: true);
    }

    [Fact]
    public void ThePageIsSelfContainedAndHasEveryLane()
    {
        string page = TimelinePage.Render(Case7(), "aofsim replay case.json");
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex(@"<(script|img|iframe)[^>]*\ssrc=|<link\b|@import|url\(", RegexOptions.IgnoreCase), page);
        foreach (string id in LaneIds)
        {
            Assert.Contains($"\"id\":\"{id}\"", page, StringComparison.Ordinal);
        }

        // Exactly the data element and the inline script: nothing else can run.
        Assert.Equal(2, Regex.Matches(page, "<script", RegexOptions.IgnoreCase).Count);
        Assert.Equal(2, Regex.Matches(page, "</script", RegexOptions.IgnoreCase).Count);
    }

    [Fact]
    public void TextFromTheRunIsEscapedAndCannotBecomeMarkup()
    {
        const string Evil = "</script><img src=x onerror=alert(1)>&amp;\"'";
        var result = new SeedResult { Seed = 7, Policy = AppendFsync.Everysec, Fs = CrashModel.Ext4Ordered, TraceHash = "0123456789abcdef" };
        result.Trace = [$"e=0 t=+1 cmd db=0 SET k {Evil}", $"e=0 t=+1 ack -ERR {Evil}", "e=1 t=+2 fault power-loss"];
        result.Stamps = [default, default, default];
        result.Violations.Add(new Violation(Property.Durability, 1, 2, $"lost {Evil}", [$"0|k|string|-1|{Evil}"], []));
        string page = TimelinePage.Render(result, $"aofsim replay {Evil}.json");

        Assert.DoesNotContain("<img", page, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, Regex.Matches(page, "</script", RegexOptions.IgnoreCase).Count);

        // The text is all there, escaped in the JSON the page's script reads back.
        string data = Regex.Match(page, "<script type=\"application/json\" id=\"data\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        using var json = System.Text.Json.JsonDocument.Parse(data);
        Assert.Equal($"cmd db=0 SET k {Evil}", json.RootElement.GetProperty("events")[0][3].GetString());
        Assert.Equal($"lost {Evil}", json.RootElement.GetProperty("violations")[0].GetProperty("detail").GetString());
        Assert.Equal($"aofsim replay {Evil}.json", json.RootElement.GetProperty("replay").GetString());

        // And the script puts it in as text, never as markup.
        Assert.DoesNotContain("innerHTML", page, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", page, StringComparison.Ordinal);
        Assert.DoesNotContain("document.write", page, StringComparison.Ordinal);
    }

    [Fact]
    public void TheEverysecTailShowsTheWriteOnlyInThePageCacheAtThePowerLoss()
    {
        SeedResult run = Case7();
        IReadOnlyList<TimelineEvent> events = TimelineEvents.From(run.Trace, run.Stamps);

        // What the client sent, as the AOF holds it: the SELECT the first command of a db adds, then SET.
        int logged = Encoding.ASCII.GetByteCount("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\ns:0\r\n$2\r\nbb\r\n");
        TimelineEvent write = Assert.Single(events, e => e.Kind == "write");
        Assert.Equal(TimelineLane.Parent, write.Lane);
        Assert.Equal($"sys write 3 {logged} ={logged}", write.Text);
        TimelineEvent loss = Assert.Single(events, e => e.Kind == "power-loss");
        Assert.Equal(TimelineLane.Power, loss.Lane);
        Assert.Equal(11_609 + 380, loss.Stamp.TimeMs);
        Assert.Equal(logged, loss.Stamp.AofCached);
        Assert.Equal(0, loss.Stamp.AofDurable);
        Assert.DoesNotContain(events, e => e.Lane == TimelineLane.Background || e.Kind == "fsync");
        Assert.Equal(TimelineLane.Checks, Assert.Single(events, e => e.Kind == "violation").Lane);

        // The command's bytes sit in the AOF buffer until beforeSleep writes them (the write's
        // line is traced as it is made, the buffer not yet emptied); by the reply it is empty.
        Assert.Equal(0, Assert.Single(events, e => e.Kind == "cmd").Stamp.AofBuffered);
        Assert.Equal(logged, write.Stamp.AofBuffered);
        Assert.Equal(0, Assert.Single(events, e => e.Kind == "ack").Stamp.AofBuffered);
    }

    [Fact]
    public void UnderFixedTheSameCaseIsDurableBeforeThePowerLoss()
    {
        SeedResult run = Case7(Profile.Fixed);
        IReadOnlyList<TimelineEvent> events = TimelineEvents.From(run.Trace, run.Stamps);
        TimelineEvent loss = Assert.Single(events, e => e.Kind == "power-loss");
        Assert.True(loss.Stamp.AofCached > 0);
        Assert.Equal(loss.Stamp.AofCached, loss.Stamp.AofDurable);
        Assert.Contains(events, e => e.Lane == TimelineLane.Background && e.Kind == "bio-done");
        Assert.DoesNotContain(events, e => e.Kind == "violation");
    }

    [Fact]
    public void StorageCallsGoToTheChildOrTheBackgroundJobThatMadeThem()
    {
        string[] lines =
        [
            "e=4 t=+601 child-steps pid=101 n=2",
            "  sys open temp-rewriteaof-101.aof =4",
            "  sys write 4 106 =106",
            "e=5 t=+601 cmd db=0 SET n:4 -889",
            "  sys write 3 55 =55",
            "  bio submit CloseFile fd=3 latency=1",
            "  bio start CloseFile fd=3",
            "  sys close 3 =0",
            "  bio done CloseFile fd=3",
            "  sys close 4 =0",
            "e=6 t=+700 advance 99ms",
        ];
        IReadOnlyList<TimelineEvent> events = TimelineEvents.From(lines, []);
        Assert.Equal(
            [
                (TimelineLane.Child, "child-steps"), (TimelineLane.Child, "sys"), (TimelineLane.Child, "write"),
                (TimelineLane.Client, "cmd"), (TimelineLane.Parent, "write"),
                (TimelineLane.Background, "bio-submit"), (TimelineLane.Background, "bio-start"), (TimelineLane.Background, "sys"), (TimelineLane.Background, "bio-done"),
                (TimelineLane.Parent, "sys"),
            ],
            events.Select(e => (e.Lane, e.Kind)));
        Assert.Equal("sys write 3 55 =55", events[4].Text);
    }

    [Fact]
    public void KeepingStampsLeavesTheTraceAndItsHashAsTheyWere()
    {
        var options = new SimOptions { Faults = FaultSet.All, Ops = 300 };
        SeedResult kept = Sim.Simulating.Simulation.Run(11, options with { Stamps = true }, keepTrace: true);
        SeedResult plain = Sim.Simulating.Simulation.Run(11, options, keepTrace: true);
        SeedResult hashed = Sim.Simulating.Simulation.Run(11, options);
        Assert.Equal(hashed.TraceHash, kept.TraceHash);
        Assert.Equal(plain.Trace, kept.Trace);
        Assert.Equal(kept.Trace.Count, kept.Stamps.Count);
        Assert.Empty(plain.Stamps);
        Assert.Empty(hashed.Stamps);

        // Each timestamped line's t=+ is its stamp's time.
        foreach ((string line, TraceStamp stamp) in kept.Trace.Zip(kept.Stamps))
        {
            Match m = Regex.Match(line, @"^e=(\d+) t=\+(\d+) ");
            if (m.Success)
            {
                Assert.Equal(long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), stamp.TimeMs);
            }
        }
    }
}
