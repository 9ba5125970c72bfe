using AofSim.Scenarios.Cli;
using System.Text.Json;
using System.Text.Json.Nodes;
using AofSim.Sim;
using Json.Schema;

namespace AofSim.Scenarios.Vectors;

/// <summary>
/// The checked-in vector set: equal to a fresh export (so it never drifts from the engine), valid
/// against its own JSON Schema, and shaped as docs/porting.md says.
/// </summary>
public sealed class VectorSetTests : IDisposable
{
    // Built once: the schema registers its $id, and a second build of the same $id is refused.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(VectorFiles.Dir, "schema.json"))));

    private readonly string dir = Directory.CreateTempSubdirectory("aofsim-vectors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void TheCheckedInVectorsEqualAFreshExport()
    {
        var stdout = new StringWriter();
        int exit = AofsimProcess.Run(["vectors", "export", dir], stdout, new StringWriter());

        Assert.Equal(0, exit);
        string fresh = Path.Combine(dir, "v1");
        string[] names = [.. Directory.GetFiles(fresh).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal<string>(["check.json", "encoding.json", "feed.json", "flush.json", "load.json", "rewrite-done.json", "rewrite.json", "schema.json"], names);
        foreach (string name in names)
        {
            string checkedIn = Path.Combine(VectorFiles.Dir, name);
            Assert.True(File.Exists(checkedIn), $"{checkedIn} is missing: run 'aofsim vectors export vectors' and commit it");
            Assert.True(
                File.ReadAllText(checkedIn) == File.ReadAllText(Path.Combine(fresh, name)),
                $"vectors/v1/{name} differs from a fresh export: the engine's behaviour changed. If on purpose, run 'aofsim vectors export vectors' and commit the files (and say why).");
        }
    }

    [Fact]
    public void EveryFileIsValidAgainstTheSchema()
    {
        JsonSchema schema = Schema.Value;
        foreach (string group in VectorFiles.Groups)
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(VectorFiles.Dir, group + ".json")));
            EvaluationResults results = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(results.IsValid, $"{group}.json: {string.Join("; ", (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(10))}");
        }
    }

    [Fact]
    public void TheSchemaRejectsAVectorWithoutAVerdictOrWithAWideCharacterInItsBytes()
    {
        JsonSchema schema = Schema.Value;
        string ok = """{"version":1,"group":"encoding","implementation_defined":[],"vectors":[{"id":"encoding/x","comment":"c","flags":{"profile":"fixed","switches":[],"bugs":[],"redis":[]},"verdict":"valid","input":{"argv":["A"]},"expected":{"resp":"*1\r\n$1\r\nA\r\n"}}]}""";
        string noVerdict = ok.Replace("\"verdict\":\"valid\",", string.Empty, StringComparison.Ordinal);
        string wide = ok.Replace("[\"A\"]", "[\"\\u0100\"]", StringComparison.Ordinal);

        Assert.True(Valid(schema, ok));
        Assert.False(Valid(schema, noVerdict));
        Assert.False(Valid(schema, wide));
    }

    [Fact]
    public void IdsAreUniqueAndNamedAfterTheirGroupAndEveryGroupHasVectors()
    {
        foreach (string group in VectorFiles.Groups)
        {
            JsonArray vectors = (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(VectorFiles.Dir, group + ".json")))!["vectors"]!;
            Assert.NotEmpty(vectors);
            Assert.All(vectors, v => Assert.StartsWith(group + "/", VectorFiles.S(v!["id"]), StringComparison.Ordinal));
        }

        Assert.Equal(VectorFiles.All.Count, VectorFiles.All.Keys.Distinct().Count());
    }

    [Fact]
    public void EveryLoadOrCheckVectorEitherClaimsRedis7OrSaysWhyNot()
    {
        foreach (JsonObject v in VectorFiles.All.Values.Where(v => VectorFiles.S(v["id"]).StartsWith("load/", StringComparison.Ordinal) || VectorFiles.S(v["id"]).StartsWith("check/", StringComparison.Ordinal)))
        {
            bool claims = ((JsonArray)v["flags"]!["redis"]!).Any(r => VectorFiles.S(r) == "7.0.15");
            Assert.True(claims || v["flags"]!["differs_from_redis7"] is not null, $"{VectorFiles.S(v["id"])} neither claims Redis 7.0.15's behaviour nor says why it differs");
        }
    }

    [Fact]
    public void AnAcceptableVerdictListsTheOtherAnswer()
    {
        JsonObject v = VectorFiles.Get("load/bulk-not-followed-by-crlf-fixed");

        Assert.Equal("acceptable", VectorFiles.S(v["verdict"]));
        Assert.Equal("bad-format", VectorFiles.S(v["expected"]!["outcome"]));
        Assert.Equal("loaded", VectorFiles.S(v["also_acceptable"]![0]!["outcome"]));
    }

    private static bool Valid(JsonSchema schema, string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return schema.Evaluate(doc.RootElement).IsValid;
    }
}
