using System.Text.Json;
using System.Text.Json.Nodes;
using AofSim.Engine.Profiles;

namespace AofSim.Sim.Vectors;

/// <summary>
/// The engine behind the process contract (docs/porting.md): one JSON request per line on
/// stdin, one JSON answer per line on stdout, until stdin ends. With a switch to flip, it is a
/// deliberately broken port: every request's profile with that one switch turned the other way.
/// </summary>
internal static class ContractServer
{
    /// <summary>Answers every request of <paramref name="input"/>; returns 0 at its end.</summary>
    public static int Serve(TextReader input, TextWriter output, string? flip)
    {
        if (flip is not null)
        {
            _ = VectorSet.Flip(Profile.Fixed, flip); // an unknown switch is a usage error before the first request
        }

        while (input.ReadLine() is string line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            output.WriteLine(VectorJson.Serialize(Answer(line, flip)));
            output.Flush();
        }

        return 0;
    }

    /// <summary>The answer to one request line.</summary>
    public static JsonObject Answer(string line, string? flip)
    {
        JsonNode? id = null;
        try
        {
            JsonObject request = JsonNode.Parse(line) as JsonObject ?? throw new VectorInputException("a request is a JSON object");
            id = request["id"]?.DeepClone();
            string group = VectorJson.Text(request["group"], "group");
            Profile profile = VectorSet.Resolve(VectorJson.Text(request["profile"], "profile"));
            if (flip is not null)
            {
                profile = VectorSet.Flip(profile, flip);
            }

            JsonObject inputObject = request["input"] as JsonObject ?? throw new VectorInputException("input: an object is required");
            JsonObject output = ReferenceImplementation.Run(group, profile, inputObject);
            return new JsonObject { ["id"] = id, ["output"] = output };
        }
        catch (Exception e) when (e is VectorInputException or JsonException or InvalidOperationException or FormatException)
        {
            return new JsonObject { ["id"] = id, ["error"] = e.Message };
        }
    }
}
