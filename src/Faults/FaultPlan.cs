using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AofSim.Engine.Ports;

namespace AofSim.Faults;

/// <summary>The storage operations a fault can be attached to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultOp>))]
public enum FaultOp
{
    /// <summary>open(2).</summary>
    Open,

    /// <summary>write(2).</summary>
    Write,

    /// <summary>ftruncate(2).</summary>
    Ftruncate,

    /// <summary>fsync(2).</summary>
    Fsync,

    /// <summary>fdatasync(2).</summary>
    Fdatasync,

    /// <summary>close(2).</summary>
    Close,

    /// <summary>rename(2).</summary>
    Rename,

    /// <summary>unlink(2).</summary>
    Unlink,

    /// <summary>fsync of a directory.</summary>
    FsyncDirectory,
}

/// <summary>
/// When a fault fires: the <see cref="Nth"/> call (1-based) of <see cref="Op"/> whose path matches
/// <see cref="Path"/> (a glob on the file name; any path when null), and the <see cref="Count"/>
/// matching calls from there on (0: every one from there on).
/// </summary>
/// <param name="Op">The operation.</param>
/// <param name="Nth">Which matching call first (1 = the first).</param>
/// <param name="Path">Glob on the file name (e.g. "temp-rewriteaof-*"), or null for any.</param>
/// <param name="Count">How many matching calls, from the Nth on (0 = all).</param>
public sealed record Trigger(FaultOp Op, int Nth = 1, string? Path = null, int Count = 1);

/// <summary>What a fault does when it fires.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Fail), "fail")]
[JsonDerivedType(typeof(ShortWrite), "short-write")]
[JsonDerivedType(typeof(DiskFull), "disk-full")]
[JsonDerivedType(typeof(Kill), "kill")]
[JsonDerivedType(typeof(WriteCap), "write-cap")]
public abstract record FaultAction;

/// <summary>The call fails with <paramref name="Error"/> and does nothing.</summary>
/// <param name="Error">errno.</param>
public sealed record Fail([property: JsonConverter(typeof(JsonStringEnumConverter<Errno>))] Errno Error) : FaultAction;

/// <summary>A write writes only its first <paramref name="Bytes"/> bytes and reports that count (no error).</summary>
/// <param name="Bytes">Bytes written (at most the write's length).</param>
public sealed record ShortWrite(long Bytes) : FaultAction;

/// <summary>The file cannot grow past <paramref name="Offset"/> bytes: a write reaching it is short, and one starting there fails with ENOSPC.</summary>
/// <param name="Offset">Size, in bytes, at which the disk is full.</param>
public sealed record DiskFull(long Offset) : FaultAction;

/// <summary>
/// The process making the call is killed (SIGKILL) before the call happens: in the rewrite child
/// this is a kill at a named step (its open: before its first write; its nth write: mid-file;
/// its rename), in the server a kill -9 at that syscall.
/// </summary>
public sealed record Kill : FaultAction;

/// <summary>
/// A single write(2) writes at most <paramref name="Bytes"/> bytes (Linux caps one at
/// 2,147,479,552): a larger write is short, with no error.
/// </summary>
/// <param name="Bytes">The most one write writes.</param>
public sealed record WriteCap(long Bytes) : FaultAction;

/// <summary>One fault: a trigger and an action.</summary>
/// <param name="Trigger">When.</param>
/// <param name="Action">What.</param>
public sealed record Fault(Trigger Trigger, FaultAction Action);

/// <summary>A list of faults, as data: it serialises to JSON and back, and any storage can run it (<see cref="FaultyStorage"/>).</summary>
/// <param name="Faults">The faults.</param>
public sealed record FaultPlan(IReadOnlyList<Fault> Faults)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The plan as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A plan from JSON; throws <see cref="JsonException"/> on bad input.</summary>
    public static FaultPlan FromJson(string json) =>
        JsonSerializer.Deserialize<FaultPlan>(json, Json) ?? throw new JsonException("empty fault plan");

    /// <summary>True when <paramref name="fileName"/> matches the glob <paramref name="pattern"/> (*, ? and [classes]).</summary>
    internal static bool Matches(string? pattern, string fileName)
    {
        if (pattern is null)
        {
            return true;
        }

        var regex = new System.Text.StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            int close = c == '[' ? pattern.IndexOf(']', i + 1) : -1;
            if (c == '*')
            {
                regex.Append(".*");
            }
            else if (c == '?')
            {
                regex.Append('.');
            }
            else if (close > i + 1)
            {
                string body = pattern[(i + 1)..close];
                bool negate = body[0] is '!' or '^';
                regex.Append('[').Append(negate ? "^" : string.Empty).Append(Regex.Escape(negate ? body[1..] : body).Replace("\\-", "-", StringComparison.Ordinal)).Append(']');
                i = close;
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return Regex.IsMatch(fileName, regex.Append('$').ToString(), RegexOptions.None, TimeSpan.FromSeconds(1));
    }
}
