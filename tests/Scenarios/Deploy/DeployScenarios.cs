using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AofSim.Scenarios.Cli;
using AofSim.Scenarios.Vectors;
using YamlDotNet.RepresentationModel;

namespace AofSim.Scenarios.Deploy;

/// <summary>
/// deploy/ can't be deployed from here; what can be proved here is: the Kubernetes Job's and the
/// GitHub workflow's own commands, read out of the files and run locally for every index or
/// matrix value, then merged by the files' merge step, give one run's campaign hash; the files'
/// fields hang together; and the Dockerfile builds with the README's commands.
/// </summary>
public sealed partial class DeployScenarios : IDisposable
{
    // A small campaign in place of the files' million seeds: the commands are the files', only
    // the SEEDS they are given differs.
    private const string Seeds = "1..200";

    private readonly string dir = Path.Combine(Path.GetTempPath(), "aofsim-deploy-" + Guid.NewGuid().ToString("N"));

    public DeployScenarios() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string DeployFile(string path) => Path.Combine(VectorFiles.Root, "deploy", path);

    [Fact]
    public void TheIndexedJobsFieldsHangTogether()
    {
        YamlNode job = Yaml("k8s/campaign-job.yaml");
        YamlNode merge = Yaml("k8s/merge-job.yaml");
        YamlNode pvc = Yaml("k8s/results-pvc.yaml");

        Assert.Equal("Job", Text(job, "kind"));
        Assert.Equal("batch/v1", Text(job, "apiVersion"));
        Assert.Equal("Indexed", Text(job, "spec", "completionMode"));
        int completions = int.Parse(Text(job, "spec", "completions"), System.Globalization.CultureInfo.InvariantCulture);
        int parallelism = int.Parse(Text(job, "spec", "parallelism"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(parallelism, 1, completions);
        Assert.Equal("Never", Text(job, "spec", "template", "spec", "restartPolicy"));

        YamlNode shard = Single(job, "spec", "template", "spec", "containers");
        Dictionary<string, string> env = Env(shard);
        Assert.Equal(completions.ToString(System.Globalization.CultureInfo.InvariantCulture), env["SHARDS"]);
        Assert.Equal("1..1000000", env["SEEDS"]);
        Assert.Equal(["sh", "-c"], Seq(shard, "command").Take(2).Select(n => ((YamlScalarNode)n).Value));
        string script = Command(shard);
        Assert.Contains("k=$((JOB_COMPLETION_INDEX + 1))", script, StringComparison.Ordinal);
        Assert.Contains("--shard \"$k/$SHARDS\"", script, StringComparison.Ordinal);
        Assert.Contains("--ndjson \"$RESULTS/shard-$k.ndjson\"", script, StringComparison.Ordinal);

        // Bad usage fails the Job at once (exit 2 on the shard container); a pod's exit code 1
        // (violations found) is turned into a completion by the script.
        YamlNode rule = Single(job, "spec", "podFailurePolicy", "rules");
        Assert.Equal("FailJob", Text(rule, "action"));
        Assert.Equal(Text(shard, "name"), Text(rule, "onExitCodes", "containerName"));
        Assert.Equal(["2"], Seq(rule, "onExitCodes", "values").Select(n => ((YamlScalarNode)n).Value));

        // Both Jobs mount the claim at RESULTS; the claim can be mounted by every pod at once.
        string claim = Text(pvc, "metadata", "name");
        Assert.Equal("ReadWriteMany", ((YamlScalarNode)Seq(pvc, "spec", "accessModes").Single()).Value);
        foreach (YamlNode j in new[] { job, merge })
        {
            YamlNode c = Single(j, "spec", "template", "spec", "containers");
            YamlNode mount = Single(c, "volumeMounts");
            YamlNode volume = Single(j, "spec", "template", "spec", "volumes");
            Assert.Equal(Text(volume, "name"), Text(mount, "name"));
            Assert.Equal(claim, Text(volume, "persistentVolumeClaim", "claimName"));
            Assert.Equal(Env(c)["RESULTS"], Text(mount, "mountPath"));
            Assert.Equal(Text(shard, "image"), Text(c, "image"));
        }
    }

    [Fact]
    public void TheJobsCommandRunForEveryIndexThenTheMergeJobGiveOneRunsCampaignHash()
    {
        YamlNode job = Yaml("k8s/campaign-job.yaml");
        YamlNode shard = Single(job, "spec", "template", "spec", "containers");
        YamlNode merge = Single(Yaml("k8s/merge-job.yaml"), "spec", "template", "spec", "containers");
        int completions = int.Parse(Text(job, "spec", "completions"), System.Globalization.CultureInfo.InvariantCulture);
        string results = Path.Combine(dir, "results");
        Directory.CreateDirectory(results);

        for (int index = 0; index < completions; index++)
        {
            var env = new Dictionary<string, string>(Env(shard)) { ["SEEDS"] = Seeds, ["RESULTS"] = results, ["JOB_COMPLETION_INDEX"] = $"{index}" };
            (int exit, _, string err) = Shell("sh", Local(Command(shard)), env, dir);
            Assert.True(exit == 0, $"index {index}: exit {exit}: {err}");
        }

        Assert.Equal(completions, Directory.GetFiles(results, "shard-*.ndjson").Length);
        (int mergeExit, string table, string mergeErr) = Shell("sh", Local(Command(merge)), new Dictionary<string, string>(Env(merge)) { ["RESULTS"] = results }, dir);

        Assert.True(mergeExit == 0, mergeErr);
        string hash = OneRunHash();
        Assert.Equal(hash, JsonNode.Parse(File.ReadAllText(Path.Combine(results, "summary.json")))!["traceHash"]!.GetValue<string>());
        Assert.Contains($"  trace hash (all)      {hash}\n", table, StringComparison.Ordinal);
        Assert.StartsWith($"aofsim run: seeds {Seeds}, ", table, StringComparison.Ordinal);
    }

    [Fact]
    public void TheWorkflowsMatrixAndMergeJobHangTogether()
    {
        YamlNode wf = Yaml("github/campaign.yml");
        int shards = int.Parse(Text(wf, "env", "SHARDS"), System.Globalization.CultureInfo.InvariantCulture);
        YamlNode shardJob = Get(wf, "jobs", "shard");
        YamlNode mergeJob = Get(wf, "jobs", "merge");

        Assert.Equal(Enumerable.Range(1, shards).Select(i => $"{i}"), Seq(shardJob, "strategy", "matrix", "shard").Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal("false", Text(shardJob, "strategy", "fail-fast"));
        Assert.Equal("shard", Text(mergeJob, "needs"));
        Assert.Contains("--shard \"${{ matrix.shard }}/$SHARDS\"", Run(shardJob, "Run the shard"), StringComparison.Ordinal);

        // The artifacts the shards upload are the ones the merge job downloads and merges.
        YamlNode upload = Seq(shardJob, "steps").Single(s => Uses(s, "actions/upload-artifact@"));
        YamlNode download = Seq(mergeJob, "steps").Single(s => Uses(s, "actions/download-artifact@"));
        Assert.Equal("shard-${{ matrix.shard }}", Text(upload, "with", "name"));
        Assert.Equal("shard-*", Text(download, "with", "pattern"));
        Assert.Equal("true", Text(download, "with", "merge-multiple"));
        Assert.Contains("shard-${{ matrix.shard }}.ndjson", Text(upload, "with", "path"), StringComparison.Ordinal);
        Assert.Contains($"{Text(download, "with", "path")}/shard-*.ndjson", Run(mergeJob, "Merge the shards"), StringComparison.Ordinal);

        // Both jobs build with the README's command.
        Assert.Equal(BuildCommand(), Run(shardJob, "Build"));
        Assert.Equal(BuildCommand(), Run(mergeJob, "Build"));
    }

    [Fact]
    public void TheWorkflowsShardStepRunForEveryMatrixValueThenItsMergeStepGiveOneRunsCampaignHash()
    {
        YamlNode wf = Yaml("github/campaign.yml");
        YamlNode shardJob = Get(wf, "jobs", "shard");
        var env = new Dictionary<string, string> { ["SEEDS"] = Seeds, ["SHARDS"] = Text(wf, "env", "SHARDS") };
        string shards = Path.Combine(dir, "shards");
        Directory.CreateDirectory(shards);

        foreach (YamlNode value in Seq(shardJob, "strategy", "matrix", "shard"))
        {
            string script = Local(Run(shardJob, "Run the shard")).Replace("${{ matrix.shard }}", ((YamlScalarNode)value).Value, StringComparison.Ordinal);
            (int exit, _, string err) = Shell("bash", "set -e\n" + script, env, shards);
            Assert.True(exit == 0, err);
        }

        (int mergeExit, string table, string mergeErr) = Shell("bash", "set -e\n" + Local(Run(Get(wf, "jobs", "merge"), "Merge the shards")), env, dir);

        Assert.True(mergeExit == 0, mergeErr);
        string hash = OneRunHash();
        Assert.Equal(hash, JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["traceHash"]!.GetValue<string>());
        Assert.Contains($"  trace hash (all)      {hash}\n", table, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDockerfileBuildsWithTheReadmesCommandsAndRunsWhatItBuilt()
    {
        string[] docker = File.ReadAllLines(DeployFile("Dockerfile"));
        List<string> runs = [.. docker.Where(l => l.StartsWith("RUN dotnet ", StringComparison.Ordinal)).Select(l => l["RUN ".Length..])];
        HashSet<string> readme = ReadmeCommands();

        Assert.NotEmpty(runs);
        Assert.All(runs, r => Assert.Contains(r, readme));
        Assert.Equal(BuildCommand(), runs.Single(r => r.StartsWith("dotnet publish ", StringComparison.Ordinal)));

        // Multi-stage: the SDK builds, the runtime runs what was published, from where it was put.
        List<string> froms = [.. docker.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal))];
        Assert.Equal(["FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", "FROM mcr.microsoft.com/dotnet/runtime:10.0"], froms);
        string output = BuildCommand().Split(" -o ")[1];
        string workdir = docker.First(l => l.StartsWith("WORKDIR ", StringComparison.Ordinal))["WORKDIR ".Length..];
        Assert.Contains($"COPY --from=build {workdir}/{output} /app", docker);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/aofsim.dll\"]", docker);
        Assert.StartsWith("dotnet /app/aofsim.dll run ", Command(Single(Yaml("k8s/campaign-job.yaml"), "spec", "template", "spec", "containers")).Split("; ")[1], StringComparison.Ordinal);
    }

    // The build command the README gives for the program on its own.
    private static string BuildCommand() => ReadmeCommands().Single(c => c.StartsWith("dotnet publish ", StringComparison.Ordinal));

    // Every command line of the README's sh blocks.
    private static HashSet<string> ReadmeCommands()
    {
        string readme = File.ReadAllText(Path.Combine(VectorFiles.Root, "README.md"));
        return [.. ShBlock().Matches(readme).SelectMany(m => m.Groups[1].Value.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShBlock();

    // The unsharded run's campaign hash.
    private static string OneRunHash()
    {
        (int exit, string json, _) = AofsimProcess.Capture("run", "--seeds", Seeds, "--faults", "all", "--json");
        Assert.Equal(0, exit);
        return JsonNode.Parse(json)!["traceHash"]!.GetValue<string>();
    }

    // A command of the files with this build's program in place of the image's or the publish output's.
    private static string Local(string script) => script
        .Replace("dotnet /app/aofsim.dll", $"dotnet '{AofsimProcess.Dll}'", StringComparison.Ordinal)
        .Replace("dotnet out/aofsim.dll", $"dotnet '{AofsimProcess.Dll}'", StringComparison.Ordinal);

    private static (int Exit, string Stdout, string Stderr) Shell(string shell, string script, Dictionary<string, string> env, string cwd)
    {
        var psi = new ProcessStartInfo(shell)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = cwd,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach ((string k, string? v) in AofsimProcess.StartInfo([]).Environment.Where(kv => kv.Key.StartsWith("DOTNET_", StringComparison.Ordinal)))
        {
            psi.Environment[k] = v;
        }

        foreach ((string k, string v) in env)
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.GetAwaiter().GetResult());
    }

    private static YamlNode Yaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(DeployFile(path));
        stream.Load(reader);
        return stream.Documents.Single().RootNode;
    }

    private static YamlNode Get(YamlNode node, params string[] path)
    {
        foreach (string key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)Get(node, path)).Value!;

    private static IEnumerable<YamlNode> Seq(YamlNode node, params string[] path) => ((YamlSequenceNode)Get(node, path)).Children;

    private static YamlNode Single(YamlNode node, params string[] path) => Seq(node, path).Single();

    private static Dictionary<string, string> Env(YamlNode container) =>
        Seq(container, "env").ToDictionary(e => Text(e, "name"), e => Text(e, "value"));

    // A container's sh -c script.
    private static string Command(YamlNode container) => ((YamlScalarNode)Seq(container, "command").Last()).Value!;

    private static bool Uses(YamlNode step, string prefix) =>
        ((YamlMappingNode)step).Children.TryGetValue(new YamlScalarNode("uses"), out YamlNode? u) && ((YamlScalarNode)u).Value!.StartsWith(prefix, StringComparison.Ordinal);

    // The run script of a job's step, by name.
    private static string Run(YamlNode job, string name) =>
        Text(Seq(job, "steps").Single(s => ((YamlMappingNode)s).Children.TryGetValue(new YamlScalarNode("name"), out YamlNode? n) && ((YamlScalarNode)n).Value == name), "run").TrimEnd('\n');
}
