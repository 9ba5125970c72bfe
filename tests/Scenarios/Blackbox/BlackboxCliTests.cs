using AofSim.Scenarios.Cli;

namespace AofSim.Scenarios.Blackbox;

/// <summary>Bad input to aofsim blackbox: one line on stderr, exit 2, no stack trace.</summary>
public sealed class BlackboxCliTests
{
    [Theory]
    [InlineData("blackbox --target nosuch", "unknown target 'nosuch'")]
    [InlineData("blackbox --target redis --policy sometimes", "--policy must be always, everysec, no or mixed")]
    [InlineData("blackbox --target redis --crash often", "--crash must be kill, power or mixed")]
    [InlineData("blackbox --target redis --preamble maybe", "--preamble must be yes or no")]
    [InlineData("blackbox --target redis --fs ntfs", "--fs must be plain, posix or ext4")]
    [InlineData("blackbox --target redis --runs 0", "--runs")]
    [InlineData("blackbox --runs 3", "give --target")]
    [InlineData("blackbox --target-cmd ./server --ready x", "--target-cmd must contain {port} and {dir}")]
    [InlineData("blackbox --target-cmd x", "needs --target-cmd 'CMD {port} {dir}' and --ready")]
    [InlineData("blackbox replay /nonexistent/case.json", "no such case file")]
    [InlineData("blackbox bench --targets garnet", "--targets: redis or aofsim, not 'garnet'")]
    [InlineData("blackbox bench --policies always,sometimes", "--policies: a policy is always, everysec or no, not 'sometimes'")]
    [InlineData("blackbox bench --cycle-policy often", "--cycle-policy: a policy is always, everysec or no, not 'often'")]
    public void Bad_input_is_one_line_and_exit_2(string args, string expected)
    {
        (int exit, _, string err) = AofsimProcess.Capture(args.Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_case_file_that_is_not_json_is_one_line_and_exit_2()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "{ not json");
        try
        {
            (int exit, _, string err) = AofsimProcess.Capture("blackbox", "replay", file);

            Assert.Equal(2, exit);
            Assert.Contains("not a black-box case file", err, StringComparison.Ordinal);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
