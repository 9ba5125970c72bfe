using System.Text.Json;
using System.Text.Json.Serialization;
using AofSim.Blackbox.Targets;

namespace AofSim.Blackbox.Campaigns;

/// <summary>
/// A failing run written down so that it can be run again (<c>aofsim blackbox replay FILE</c>):
/// the target and its options, the workload seed, the policy, and the schedule of crashes by
/// batch count (the moments are counts of batches sent, not times).
/// </summary>
public sealed record BlackboxCase
{
    /// <summary>The target.</summary>
    public required TargetSpec Target { get; init; }

    /// <summary>The workload seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>always, everysec or no.</summary>
    public required string Policy { get; init; }

    /// <summary>Client connections.</summary>
    public required int Connections { get; init; }

    /// <summary>The disk: plain, posix or ext4.</summary>
    public required string Disk { get; init; }

    /// <summary>The disk's fault plan (FUSE only).</summary>
    public string? Faults { get; init; }

    /// <summary>The crashes, in order.</summary>
    public required IReadOnlyList<CycleStep> Schedule { get; init; }

    /// <summary>The property the run broke.</summary>
    public required string Property { get; init; }

    /// <summary>The violation's line when it was saved.</summary>
    public string? Detail { get; init; }

    /// <summary>The violation's diff when it was saved: canonical lines expected and missing (a few; a run that does not reproduce keeps them).</summary>
    public IReadOnlyList<string> Expected { get; init; } = [];

    /// <summary>The canonical lines found instead.</summary>
    public IReadOnlyList<string> Actual { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The case as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A case from its JSON, or an <see cref="ArgumentException"/> with a one-line reason.</summary>
    public static BlackboxCase FromJson(string text)
    {
        try
        {
            BlackboxCase c = JsonSerializer.Deserialize<BlackboxCase>(text, Json) ?? throw new ArgumentException("the case file is null");
            if (c.Schedule.Count == 0 || c.Schedule.Any(s => s.KillAfter < 1) || c.Connections is < 1 or > 4)
            {
                throw new ArgumentException("the case file's schedule or connections are out of range");
            }

            return c;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"not a black-box case file: {e.Message}");
        }
    }
}
