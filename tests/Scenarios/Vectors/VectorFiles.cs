using System.Text.Json.Nodes;

namespace AofSim.Scenarios.Vectors;

/// <summary>The checked-in vector set (vectors/v1 at the repository's root), read as data.</summary>
internal static class VectorFiles
{
    public static readonly string[] Groups = ["encoding", "feed", "load", "check", "rewrite", "flush", "rewrite-done"];

    private static readonly Lazy<Dictionary<string, JsonObject>> ById = new(() =>
        Groups.SelectMany(g => ((JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, g + ".json")))!["vectors"]!).Cast<JsonObject>())
            .ToDictionary(v => v["id"]!.GetValue<string>()));

    /// <summary>The repository's root: the first directory up from the tests' binaries that holds Sim.sln.</summary>
    public static string Root
    {
        get
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "Sim.sln")))
                {
                    return d.FullName;
                }
            }

            throw new InvalidOperationException($"no Sim.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>vectors/v1.</summary>
    public static string Dir => Path.Combine(Root, "vectors", "v1");

    /// <summary>Every vector, by id.</summary>
    public static IReadOnlyDictionary<string, JsonObject> All => ById.Value;

    /// <summary>The vector <paramref name="id"/>.</summary>
    public static JsonObject Get(string id) => All.TryGetValue(id, out JsonObject? v) ? v : throw new KeyNotFoundException($"no vector {id} in {Dir}");

    /// <summary>The expected output of the vector <paramref name="id"/>.</summary>
    public static JsonObject Expected(string id) => (JsonObject)Get(id)["expected"]!;

    /// <summary>A JSON string node's text.</summary>
    public static string S(JsonNode? node) => node!.GetValue<string>();

    /// <summary>The ids whose flags.switches name <paramref name="name"/>.</summary>
    public static SortedSet<string> Naming(string name) =>
        new(All.Values.Where(v => ((JsonArray)v["flags"]!["switches"]!).Any(s => S(s) == name)).Select(v => S(v["id"])), StringComparer.Ordinal);
}
