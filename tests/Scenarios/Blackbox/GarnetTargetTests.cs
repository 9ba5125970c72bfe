using AofSim.Blackbox.Checking;
using AofSim.Blackbox.Resp;
using AofSim.Blackbox.Running;
using AofSim.Blackbox.Targets;
using AofSim.Engine.Server;
using AofSim.Scenarios.Cli;

namespace AofSim.Scenarios.Blackbox;

/// <summary>
/// The Garnet adapter: its command line per policy, its promise table, how it finds garnet-server
/// (the local tool manifest, or --garnet), and, where the tool is restored, a real Garnet started,
/// written to, killed and recovered.
/// </summary>
public sealed class GarnetTargetTests
{
    private static readonly GarnetTarget Fake = new(["dotnet", "/opt/garnet/GarnetServer.dll"], "2.2.12");

    [Theory]
    [InlineData(AppendFsync.Always, "--aof-commit-freq 0 --aof-commit-wait")]
    [InlineData(AppendFsync.Everysec, "--aof-commit-freq 1000")]
    [InlineData(AppendFsync.No, "--aof-commit-freq 0")]
    public void Each_policy_maps_to_Garnets_commit_settings(AppendFsync policy, string expected)
    {
        Assert.Equal(expected, string.Join(' ', GarnetTarget.CommitArguments(policy)));
        TargetLaunch launch = Fake.Launch("/d", 7001, policy);
        Assert.Contains(expected, string.Join(' ', launch.Arguments), StringComparison.Ordinal);
        Assert.Equal(policy == AppendFsync.Always, launch.Arguments.Contains("--aof-commit-wait"));
    }

    [Fact]
    public void The_launch_runs_the_tool_on_the_directory_and_port_with_its_AOF_on_and_recovery()
    {
        TargetLaunch launch = Fake.Launch("/data/run 1", 7002, AppendFsync.Everysec);

        Assert.Equal("dotnet", launch.FileName);
        Assert.Equal("/opt/garnet/GarnetServer.dll", launch.Arguments[0]);
        string line = string.Join(' ', launch.Arguments);
        Assert.Contains("--port 7002 --bind 127.0.0.1 --checkpointdir /data/run 1 --aof --recover", line, StringComparison.Ordinal);
        Assert.Contains("--device-type RandomAccess", line, StringComparison.Ordinal);
        Assert.Contains("--max-databases 16", line, StringComparison.Ordinal);
        Assert.DoesNotContain("--logdir", line, StringComparison.Ordinal); // Garnet refuses --logdir without --storage-tier
        Assert.Matches(Fake.Ready, "* Ready to accept connections");
        Assert.Equal("garnet", Fake.Name);
        Assert.True(Fake.ComparesSets);
        Assert.False(new GarnetTarget(["x"], null, skipSets: true).ComparesSets);
    }

    [Fact]
    public void The_promise_table_is_Garnets_not_Redis()
    {
        // always: the reply waits for the commit; everysec: one period (1000 ms) plus two commits
        // of up to 500 ms plus 100 ms of scheduling, at a kill as at a power loss (the uncommitted
        // tail is in Garnet's memory); no: a prefix only, at a kill too (Redis keeps every write there).
        Assert.Equal(0, Fake.LossWindowMs(AppendFsync.Always, powerLoss: true));
        Assert.Equal(0, Fake.LossWindowMs(AppendFsync.Always, powerLoss: false));
        Assert.Equal(2100, Fake.LossWindowMs(AppendFsync.Everysec, powerLoss: true));
        Assert.Equal(2100, Fake.LossWindowMs(AppendFsync.Everysec, powerLoss: false));
        Assert.Equal(long.MaxValue, Fake.LossWindowMs(AppendFsync.No, powerLoss: true));
        Assert.Equal(long.MaxValue, Fake.LossWindowMs(AppendFsync.No, powerLoss: false));
        Assert.Equal(0, Promises.RedisLossWindowMs(AppendFsync.No, powerLoss: false));
        Assert.Contains("--aof-commit-wait", Fake.Promise(AppendFsync.Always), StringComparison.Ordinal);
        Assert.Contains("2100 ms", Fake.Promise(AppendFsync.Everysec), StringComparison.Ordinal);
        Assert.Contains("not compared", Fake.SingleAof("/nonexistent").Why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tool_is_found_through_the_manifest_and_the_restored_package()
    {
        string root = Directory.CreateTempSubdirectory("aofsim-garnet-").FullName;
        try
        {
            string repo = Path.Combine(root, "repo"), packages = Path.Combine(root, "packages"), deep = Path.Combine(repo, "src", "x");
            Directory.CreateDirectory(deep);

            // No manifest anywhere above.
            (GarnetTarget? none, string? why) = GarnetTarget.Locate(null, [deep], packages);
            Assert.Null(none);
            Assert.Contains("no .config/dotnet-tools.json", why, StringComparison.Ordinal);

            // A manifest without garnet-server.
            Directory.CreateDirectory(Path.Combine(repo, ".config"));
            string manifest = Path.Combine(repo, ".config", "dotnet-tools.json");
            File.WriteAllText(manifest, """{ "version": 1, "isRoot": true, "tools": { "dotnet-stryker": { "version": "5.1.0", "commands": ["dotnet-stryker"] } } }""");
            (none, why) = GarnetTarget.Locate(null, [deep], packages);
            Assert.Null(none);
            Assert.Contains("does not list it", why, StringComparison.Ordinal);

            // Listed but not restored.
            File.WriteAllText(manifest, """{ "version": 1, "isRoot": true, "tools": { "garnet-server": { "version": "2.2.12", "commands": ["garnet-server"] } } }""");
            (none, why) = GarnetTarget.Locate(null, [deep], packages);
            Assert.Null(none);
            Assert.Contains("garnet-server 2.2.12 is in", why, StringComparison.Ordinal);
            Assert.Contains("dotnet tool restore", why, StringComparison.Ordinal);
            Assert.Single(why!.Split('\n'));

            // Restored: the entry point named by DotnetToolSettings.xml, run with dotnet.
            string tool = Path.Combine(packages, "garnet-server", "2.2.12", "tools", "net10.0", "any");
            Directory.CreateDirectory(tool);
            File.WriteAllText(Path.Combine(tool, "DotnetToolSettings.xml"), """<?xml version="1.0" encoding="utf-8"?><DotNetCliTool Version="1"><Commands><Command Name="garnet-server" EntryPoint="GarnetServer.dll" Runner="dotnet" /></Commands></DotNetCliTool>""");
            File.WriteAllText(Path.Combine(tool, "GarnetServer.dll"), string.Empty);
            (GarnetTarget? found, why) = GarnetTarget.Locate(null, [deep], packages);
            Assert.Null(why);
            Assert.NotNull(found);
            Assert.Equal("2.2.12", found.Version);
            Assert.Equal(Path.Combine(tool, "GarnetServer.dll"), found.Command[^1]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void An_explicit_path_wins_and_a_missing_one_is_one_line()
    {
        (GarnetTarget? none, string? why) = GarnetTarget.Locate("/nonexistent/GarnetServer.dll", ["/"], "/nonexistent");
        Assert.Null(none);
        Assert.Equal("--garnet /nonexistent/GarnetServer.dll: no such file", why);

        string dll = Path.Combine(Path.GetTempPath(), $"aofsim-{Guid.NewGuid():N}-GarnetServer.dll");
        File.WriteAllText(dll, string.Empty);
        try
        {
            (GarnetTarget? t, _) = GarnetTarget.Locate(dll, ["/"], "/nonexistent");
            Assert.NotNull(t);
            Assert.Equal([dll], t.Command.Skip(1));
            Assert.Null(t.Version);
        }
        finally
        {
            File.Delete(dll);
        }
    }

    [Theory]
    [InlineData("blackbox --target garnet --garnet /nonexistent/GarnetServer.dll", "--garnet /nonexistent/GarnetServer.dll: no such file")]
    [InlineData("blackbox --target redis --garnet /x.dll", "--garnet goes with --target garnet")]
    [InlineData("blackbox --target aofsim --skip-sets", "--skip-sets goes with --target garnet")]
    public void Bad_garnet_options_are_one_line_and_exit_2(string args, string expected)
    {
        (int exit, _, string err) = AofsimProcess.Capture(args.Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Without_the_tool_restored_the_garnet_target_says_so_in_one_line_and_exits_2()
    {
        // An empty NuGet folder: the manifest (this repository's) pins garnet-server, but it is
        // not restored there; the adapter must say why in one line and start nothing.
        string empty = Directory.CreateTempSubdirectory("aofsim-nogarnet-").FullName;
        try
        {
            (int exit, _, string err) = AofsimProcess.CaptureWith(new Dictionary<string, string?> { ["NUGET_PACKAGES"] = empty }, "blackbox", "--target", "garnet", "--runs", "1");

            Assert.Equal(2, exit);
            Assert.Contains("garnet-server", err, StringComparison.Ordinal);
            Assert.Contains("dotnet tool restore", err, StringComparison.Ordinal);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [GarnetFact]
    public void A_real_Garnet_starts_answers_and_recovers_an_acknowledged_write_after_a_kill()
    {
        GarnetTarget garnet = GarnetTarget.Find()!;
        string dir = Directory.CreateTempSubdirectory("aofsim-garnet-live-").FullName;
        int port = FreePort.Next();
        try
        {
            using (TargetProcess first = TargetProcess.Start(garnet.Launch(dir, port, AppendFsync.Always), garnet.Ready, dir))
            {
                try
                {
                    Assert.True(first.WaitReady(TimeSpan.FromSeconds(120)), string.Join(" | ", first.Log.TakeLast(3)));
                    using var c = new RespConnection(port, TimeSpan.FromSeconds(30));
                    c.Must("SELECT", "5");
                    Assert.Equal("OK", c.Must("SET", "k", "line\r\nbreak").Text);
                    Assert.Equal(2, c.Must("RPUSH", "l", "a", "b").Integer);
                }
                finally
                {
                    first.Kill();
                }
            }

            Assert.True(Directory.Exists(Path.Combine(dir, "AOF_5")), "Garnet keeps db 5's AOF in AOF_5/");
            using TargetProcess second = TargetProcess.Start(garnet.Launch(dir, port, AppendFsync.Always), garnet.Ready, dir);
            try
            {
                Assert.True(second.WaitReady(TimeSpan.FromSeconds(120)), string.Join(" | ", second.Log.TakeLast(3)));
                using var r = new RespConnection(port, TimeSpan.FromSeconds(30));
                Dictionary<int, List<RecoveredKey>> all = DatasetReader.Read(r, 16);
                Assert.Equal(["k", "l"], all[5].Select(k => k.Key).Order(StringComparer.Ordinal));
                Assert.Equal("line\r\nbreak", all[5].Single(k => k.Key == "k").Value);
                Assert.All(all.Where(kv => kv.Key != 5), kv => Assert.Empty(kv.Value));
            }
            finally
            {
                second.Kill();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
