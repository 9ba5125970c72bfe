using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AofSim.Engine.Profiles;

namespace AofSim.Sim.Vectors;

/// <summary>
/// The versioned vector set: the hand-written inputs of <see cref="VectorTables"/> with the
/// engine's outputs as expectations, one JSON file per group, plus the schema.
/// </summary>
internal static class VectorSet
{
    /// <summary>The set's version: the directory name (v1) and each file's "version".</summary>
    public const int Version = 1;

    /// <summary>Every group file, in porting order: the group's name and its JSON document.</summary>
    public static IEnumerable<(string Group, JsonObject File)> Build()
    {
        List<VectorCase> cases = [.. VectorTables.All()];
        foreach (string group in ReferenceImplementation.Groups)
        {
            var vectors = new JsonArray();
            foreach (VectorCase c in cases.Where(c => c.Group == group))
            {
                vectors.Add(Vector(c));
            }

            yield return (group, new JsonObject
            {
                ["$schema"] = "schema.json",
                ["version"] = Version,
                ["group"] = group,
                ["implementation_defined"] = new JsonArray([.. VectorTables.ImplementationDefined(group).Select(s => (JsonNode)JsonValue.Create(s)!)]),
                ["vectors"] = vectors,
            });
        }
    }

    /// <summary>Writes the set under <paramref name="dir"/>/v1: schema.json and one file per group.</summary>
    public static IReadOnlyList<(string Group, int Count)> Export(string dir)
    {
        string versioned = Path.Combine(dir, $"v{Version}");
        Directory.CreateDirectory(versioned);
        File.WriteAllText(Path.Combine(versioned, "schema.json"), VectorSchema.Text);
        var counts = new List<(string, int)>();
        foreach ((string group, JsonObject file) in Build())
        {
            File.WriteAllText(Path.Combine(versioned, group + ".json"), Indented(file));
            counts.Add((group, ((JsonArray)file["vectors"]!).Count));
        }

        return counts;
    }

    /// <summary>The vectors of the set's files under <paramref name="dir"/> (a v1 directory), group by group.</summary>
    public static IEnumerable<(string Group, JsonArray Vectors)> Read(string dir)
    {
        foreach (string group in ReferenceImplementation.Groups)
        {
            string path = Path.Combine(dir, group + ".json");
            if (!File.Exists(path))
            {
                continue;
            }

            JsonNode? doc;
            try
            {
                doc = JsonNode.Parse(File.ReadAllText(path));
            }
            catch (JsonException e)
            {
                throw new VectorInputException($"{path}: not JSON: {e.Message}");
            }

            if (doc?["vectors"] is not JsonArray vectors || doc["version"] is not JsonValue version || !version.TryGetValue(out int v) || v != Version)
            {
                throw new VectorInputException($"{path}: not a version {Version} vector file");
            }

            foreach (JsonNode? vector in vectors)
            {
                // What the runner reads of each vector: a malformed one is a clear error, not a crash.
                if (vector?["id"] is not JsonValue id || !id.TryGetValue(out string? _) || vector["flags"]?["profile"] is not JsonValue profile
                    || !profile.TryGetValue(out string? _) || vector["input"] is not JsonObject || vector["expected"] is not JsonObject)
                {
                    throw new VectorInputException($"{path}: a vector without an id, flags.profile, input or expected: {VectorJson.Serialize(vector)[..Math.Min(200, VectorJson.Serialize(vector).Length)]}");
                }
            }

            yield return (group, vectors);
        }
    }

    /// <summary>The file's text: two-space indentation, LF, a final newline, ASCII only.</summary>
    public static string Indented(JsonNode node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, VectorJson.Indented))
        {
            node.WriteTo(w);
        }

        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    private static JsonObject Vector(VectorCase c)
    {
        Profile profile = Resolve(c.Profile);
        JsonObject expected = ReferenceImplementation.Run(c.Group, profile, c.Input);
        var switches = new JsonArray();
        foreach (string name in Profile.SwitchNames)
        {
            if (!VectorJson.Same(expected, ReferenceImplementation.Run(c.Group, Flip(profile, name), c.Input)))
            {
                switches.Add(name);
            }
        }

        JsonObject? also = c.AlsoAcceptable is null ? null : ReferenceImplementation.Run(c.Group, Resolve(c.AlsoAcceptable), c.Input);
        var flags = new JsonObject
        {
            ["profile"] = c.Profile,
            ["switches"] = switches,
            ["bugs"] = new JsonArray([.. (c.Bugs ?? []).Select(b => (JsonNode)JsonValue.Create(b)!)]),
            ["redis"] = new JsonArray([.. c.Redis.Select(r => (JsonNode)JsonValue.Create(r)!)]),
        };
        if (c.Note is not null)
        {
            flags["differs_from_redis7"] = c.Note;
        }

        var v = new JsonObject
        {
            ["id"] = $"{c.Group}/{c.Name}",
            ["comment"] = c.Comment,
            ["flags"] = flags,
            ["verdict"] = also is not null ? "acceptable" : Verdict(c.Group, expected),
            ["input"] = c.Input.DeepClone(),
            ["expected"] = expected,
        };
        if (also is not null)
        {
            v["also_acceptable"] = new JsonArray(also);
        }

        return v;
    }

    // valid: the input is well formed and the operation succeeds; invalid: it must be refused.
    private static string Verdict(string group, JsonObject expected) => group switch
    {
        "load" => expected["outcome"]!.GetValue<string>() is "loaded" or "empty" or "truncated" ? "valid" : "invalid",
        "check" => expected["exit"]!.GetValue<int>() == 0 ? "valid" : "invalid",
        _ => "valid",
    };

    /// <summary>The profile a spec names, or a one-line error.</summary>
    public static Profile Resolve(string spec) =>
        Profile.TryGet(spec, out Profile p) ? p : throw new VectorInputException($"unknown profile '{spec}'");

    /// <summary><paramref name="profile"/> with the switch <paramref name="name"/> flipped.</summary>
    public static Profile Flip(Profile profile, string name)
    {
        System.Reflection.PropertyInfo prop = typeof(Profile).GetProperty(name) is { } p && p.PropertyType == typeof(bool)
            ? p
            : throw new VectorInputException($"unknown switch '{name}' (one of {string.Join(", ", Profile.SwitchNames)})");
        Profile flipped = profile with { Name = $"{profile.Name}~{name}" };
        prop.SetValue(flipped, !(bool)prop.GetValue(profile)!);
        return flipped;
    }
}
