using AofSim.Scenarios.Cli;
using System.Text.Json.Nodes;
using AofSim.Sim;
using AofSim.Sim.Vectors;

namespace AofSim.Scenarios.Vectors;

/// <summary>
/// The process contract: the engine run as a separate process (aofsim vectors serve-impl)
/// passes every vector; the engine with one switch flipped fails exactly the vectors naming that
/// switch; an implementation that does not answer fails, and verify exits 1.
/// </summary>
public sealed class ContractTests
{
    private static string Engine(string args = "") =>
        $"dotnet '{AofsimProcess.Dll}' vectors serve-impl {args}";

    [Fact]
    public void TheEngineThroughTheContractPassesEveryVectorOfTheCheckedInSet()
    {
        (int exit, string output) = Verify("--impl", Engine(), "--vectors", VectorFiles.Dir);

        Assert.True(exit == 0, output);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(VectorFiles.Groups.Select(g => $"# {g}"), lines.Where(l => l.StartsWith('#')));
        foreach (string group in VectorFiles.Groups)
        {
            int count = VectorFiles.All.Keys.Count(id => id.StartsWith(group + "/", StringComparison.Ordinal));
            Assert.Contains($"{count} passed, 0 failed", lines);
        }
    }

    [Theory]
    [InlineData("LoaderQueuesMulti", "load/discarded-transaction-fixed")]
    [InlineData("AtomicSetEx", "feed/setex-fixed")]
    [InlineData("FsyncEverysecTail", "flush/everysec-tail-fsynced-fixed")]
    [InlineData("RemoveBothTempNames", "rewrite-done/child-killed-redis26")]
    [InlineData("LoaderStrictHeaders", "load/headers-atoi-strtol-fixed")]
    public void ABrokenPortFailsTheVectorsThatNameItsSwitchAndOnlyThose(string name, string oneOfThem)
    {
        (int exit, string output) = Verify("--impl", Engine($"--flip {name}"), "--vectors", VectorFiles.Dir);

        var failed = new SortedSet<string>(
            output.Split('\n').Where(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).Select(l => l[5..l.IndexOf(':', StringComparison.Ordinal)]),
            StringComparer.Ordinal);
        Assert.Equal(1, exit);
        Assert.Contains(oneOfThem, failed);
        Assert.Equal(VectorFiles.Naming(name), failed);
    }

    [Fact]
    public void AnImplementationThatExitsAtOnceFailsEveryVectorAndVerifyExitsOne()
    {
        (int exit, string output) = Verify("--impl", "true", "--group", "encoding");

        Assert.Equal(1, exit);
        Assert.Contains("0 passed, 8 failed", output, StringComparison.Ordinal);
        Assert.Contains("FAIL encoding/set: the implementation ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAnswerThatDiffersIsAFailureNamingTheVector()
    {
        // A shell "port" that answers every request with an empty output.
        (int exit, string output) = Verify("--impl", "while read -r l; do id=$(printf '%s' \"$l\" | sed 's/^{\"id\":\"\\([^\"]*\\)\".*/\\1/'); printf '{\"id\":\"%s\",\"output\":{}}\\n' \"$id\"; done", "--group", "encoding", "--skip", "encoding/c*");

        Assert.Equal(1, exit);
        Assert.Contains("FAIL encoding/set: expected {\"resp\":", output, StringComparison.Ordinal);
        Assert.DoesNotContain("encoding/case-kept", output, StringComparison.Ordinal);
        Assert.Contains("0 passed, 6 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ServeImplAnswersABadRequestWithAnErrorAndGoesOn()
    {
        var stdout = new StringWriter();
        int exit = ContractServer.Serve(new StringReader("not json\n{\"id\":\"x\",\"group\":\"nope\",\"profile\":\"fixed\",\"input\":{}}\n{\"id\":\"y\",\"group\":\"encoding\",\"profile\":\"fixed\",\"input\":{\"argv\":[\"PING\"]}}\n"), stdout, null);

        string[] answers = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, exit);
        Assert.Equal(3, answers.Length);
        Assert.NotNull(JsonNode.Parse(answers[0])!["error"]);
        Assert.Equal("unknown group 'nope'", JsonNode.Parse(answers[1])!["error"]!.GetValue<string>());
        Assert.Equal("*1\r\n$4\r\nPING\r\n", JsonNode.Parse(answers[2])!["output"]!["resp"]!.GetValue<string>());
    }

    [Fact]
    public void AnUnknownGroupIsAUsageError()
    {
        var stderr = new StringWriter();
        int exit = AofsimProcess.Run(["vectors", "verify", "--impl", "true", "--group", "nope"], new StringWriter(), stderr);

        Assert.Equal(2, exit);
        Assert.StartsWith("aofsim: unknown group 'nope'", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AMalformedVectorFileIsAOneLineUsageError()
    {
        string dir = Directory.CreateTempSubdirectory("aofsim-bad-vectors-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "encoding.json"), """{"version":1,"vectors":[{"id":"encoding/x","input":{}}]}""");
            var stderr = new StringWriter();

            int exit = AofsimProcess.Run(["vectors", "verify", "--impl", "true", "--vectors", dir], new StringWriter(), stderr);

            Assert.Equal(2, exit);
            Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("encoding.json: a vector without an id, flags.profile, input or expected", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Exit, string Output) Verify(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = AofsimProcess.Run(["vectors", "verify", .. args], stdout, stderr);
        return (exit, stdout.ToString() + stderr);
    }
}
