using AofSim.Blackbox.Campaigns;
using AofSim.Blackbox.Targets;

namespace AofSim.Scenarios.Blackbox;

/// <summary>A saved failing run keeps its diff lines, so a failure that does not reproduce can still be read.</summary>
public sealed class BlackboxCaseTests
{
    [Fact]
    public void The_diff_lines_survive_the_case_file()
    {
        var c = new BlackboxCase
        {
            Target = new TargetSpec("redis"),
            Seed = 102,
            Policy = "everysec",
            Connections = 4,
            Disk = "ext4",
            Schedule = [new CycleStep(12, true, 0)],
            Property = "not-a-prefix",
            Detail = "connection 2: ...",
            Expected = ["9|s:1|string|-1|a"],
            Actual = ["9|s:1|string|-1|b"],
        };

        BlackboxCase back = BlackboxCase.FromJson(c.ToJson());

        Assert.Equal(["9|s:1|string|-1|a"], back.Expected);
        Assert.Equal(["9|s:1|string|-1|b"], back.Actual);
    }

    [Fact]
    public void A_case_saved_before_the_diff_lines_reads_with_none()
    {
        // As samples/blackbox/redis-posix-always.min.json was written.
        const string json = """{"target":{"name":"redis"},"seed":1,"policy":"always","connections":1,"disk":"posix","schedule":[{"killAfter":3,"powerLoss":true,"quietMs":0}],"property":"lost-acknowledged-write"}""";

        BlackboxCase c = BlackboxCase.FromJson(json);

        Assert.Empty(c.Expected);
        Assert.Empty(c.Actual);
    }
}
