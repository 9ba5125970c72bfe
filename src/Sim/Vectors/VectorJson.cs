using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AofSim.Sim.Vectors;

/// <summary>
/// The vectors' JSON conventions: bytes as strings whose characters are the bytes' codes
/// (U+0000..U+00FF, ISO-8859-1, as the dump does), and one canonical compact form.
/// </summary>
internal static class VectorJson
{
    /// <summary>Compact output, every non-ASCII character escaped, so a file is pure ASCII.</summary>
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.Default };

    /// <summary>Indented output for the checked-in files (two spaces, LF).</summary>
    public static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.Default, NewLine = "\n" };

    /// <summary>Bytes as a JSON string of their codes.</summary>
    public static JsonNode Str(ReadOnlySpan<byte> bytes) => JsonValue.Create(Encoding.Latin1.GetString(bytes))!;

    /// <summary>A JSON string of byte codes back to bytes.</summary>
    public static byte[] Bytes(JsonNode? node, string what)
    {
        string s = node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw new VectorInputException($"{what}: a string of byte codes is required");
        foreach (char c in s)
        {
            if (c > '\u00ff')
            {
                throw new VectorInputException($"{what}: U+{(int)c:X4} is not a byte code (U+0000..U+00FF)");
            }
        }

        return Encoding.Latin1.GetBytes(s);
    }

    /// <summary>An argv: an array of byte strings.</summary>
    public static byte[][] Argv(JsonNode? node, string what) =>
        node is JsonArray a && a.Count > 0 ? [.. a.Select((x, i) => Bytes(x, $"{what}[{i}]"))] : throw new VectorInputException($"{what}: a non-empty array of strings is required");

    /// <summary>A list of argvs.</summary>
    public static byte[][][] Commands(JsonNode? node, string what) =>
        node is null ? [] : node is JsonArray a ? [.. a.Select((x, i) => Argv(x, $"{what}[{i}]"))] : throw new VectorInputException($"{what}: an array of commands is required");

    public static long Long(JsonNode? node, string what, long fallback)
    {
        if (node is null)
        {
            return fallback;
        }

        return node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out long v) ? v : throw new VectorInputException($"{what}: an integer is required");
    }

    public static bool Bool(JsonNode? node, string what) =>
        node is null ? false : node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? node.GetValue<bool>() : throw new VectorInputException($"{what}: true or false is required");

    public static string Text(JsonNode? node, string what) =>
        node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw new VectorInputException($"{what}: a string is required");

    /// <summary>The compact form of <paramref name="node"/>.</summary>
    public static string Serialize(JsonNode? node) => node?.ToJsonString(Compact) ?? "null";

    /// <summary>Deep equality of two JSON values (object members in any order; numbers by value).</summary>
    public static bool Same(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);
}
