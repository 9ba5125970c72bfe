using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Campaigns;

/// <summary>
/// One seed of a campaign as a line of <c>run --ndjson FILE</c> (docs/campaigns.md has the
/// schema): what the seed is, where it sits in which campaign and shard, the options and the
/// commit it ran with, and what it found. A shard's file holds one per seed run, in campaign order;
/// <c>aofsim merge</c> rebuilds the unsharded summary from the shards' files.
/// </summary>
public sealed class SeedRecord
{
    /// <summary>How records are written and read: camelCase, one line each.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    /// <summary>Violation lines a record keeps of each side (as many as the printed report shows).</summary>
    public const int MaxDiffLines = 12;

    /// <summary>The seed.</summary>
    public ulong Seed { get; set; }

    /// <summary>Its 0-based position in the campaign (the range or the sequence).</summary>
    public long Position { get; set; }

    /// <summary>The shard that ran it, "K/N".</summary>
    public string Shard { get; set; } = string.Empty;

    /// <summary>The campaign's seeds.</summary>
    public CampaignSeeds Seeds { get; set; } = new();

    /// <summary>The options the campaign ran with.</summary>
    public RecordOptions Options { get; set; } = new();

    /// <summary>The commit the program was built from (<c>git rev-parse HEAD</c> at build time), or "unknown".</summary>
    public string Commit { get; set; } = "unknown";

    /// <summary>The fsync policy this seed ran with (drawn when the options say mixed).</summary>
    public string Policy { get; set; } = string.Empty;

    /// <summary>The crash model this seed ran with (drawn when the options say mixed).</summary>
    public string Fs { get; set; } = string.Empty;

    /// <summary>The trace hash (<c>aofsim replay</c> prints the same).</summary>
    public string TraceHash { get; set; } = string.Empty;

    /// <summary>"pass" or "fail".</summary>
    public string Verdict { get; set; } = string.Empty;

    /// <summary>Events run.</summary>
    public int Events { get; set; }

    /// <summary>Power losses.</summary>
    public int Crashes { get; set; }

    /// <summary>Rewrites completed and checked.</summary>
    public int Rewrites { get; set; }

    /// <summary>Faults injected, by kind.</summary>
    public SortedDictionary<string, int> Faults { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How recoveries loaded.</summary>
    public SortedDictionary<string, int> Recoveries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The violations found.</summary>
    public List<RecordViolation> Violations { get; set; } = [];

    /// <summary>The coverage probes the seed hit, by name, with their hit counts (probes not hit are left out).</summary>
    public SortedDictionary<string, int> Probes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Wall-clock seconds the seed took.</summary>
    public double Seconds { get; set; }

    /// <summary>The record of <paramref name="seed"/>, run in <paramref name="spec"/> with <paramref name="options"/>.</summary>
    public static SeedRecord Of(CampaignSeed seed, CampaignSpec spec, SimOptions options, string commit)
    {
        SeedResult r = seed.Result;
        return new SeedRecord
        {
            Seed = r.Seed,
            Position = seed.Position,
            Shard = spec.Shard.ToString(),
            Seeds = new CampaignSeeds { First = spec.First, Last = spec.Sequence ? null : spec.Last, Sequence = spec.Sequence },
            Options = RecordOptions.Of(options),
            Commit = commit,
            Policy = r.Policy.Name(),
            Fs = r.Fs.Name(),
            TraceHash = r.TraceHash,
            Verdict = r.Violations.Count == 0 ? "pass" : "fail",
            Events = r.Events,
            Crashes = r.Crashes,
            Rewrites = r.Rewrites,
            Faults = new SortedDictionary<string, int>(r.Faults, StringComparer.Ordinal),
            Recoveries = new SortedDictionary<string, int>(r.Recoveries, StringComparer.Ordinal),
            Violations = [.. r.Violations.Select(v => RecordViolation.Of(v, r.Seed, options))],
            Probes = new SortedDictionary<string, int>(
                Engine.Diagnostics.Probes.All.Where(p => r.Probes[p.Id] > 0).ToDictionary(p => p.Name, p => r.Probes[p.Id]),
                StringComparer.Ordinal),
            Seconds = seed.Seconds,
        };
    }

    /// <summary>The record as one line of JSON.</summary>
    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>A record from one line of JSON; throws <see cref="JsonException"/> on bad input.</summary>
    public static SeedRecord FromJsonLine(string line) =>
        JsonSerializer.Deserialize<SeedRecord>(line, Json) ?? throw new JsonException("null is not a seed record");

    /// <summary>
    /// The seed's result as the run had it (what the summary counts), or null when a name in the
    /// record is not one this program knows.
    /// </summary>
    public SeedResult? ToResult()
    {
        if (OptionNames.ParsePolicy(Policy) is not PolicyOption policy || policy == PolicyOption.Mixed
            || OptionNames.ParseCrashModel(Fs) is not CrashModelOption fs || fs == CrashModelOption.Mixed)
        {
            return null;
        }

        var r = new SeedResult
        {
            Seed = Seed,
            Policy = policy.Resolve(Engine.Server.AppendFsync.Always),
            Fs = fs.Resolve(CrashModel.StrictPosix),
            Events = Events,
            Crashes = Crashes,
            Rewrites = Rewrites,
            TraceHash = TraceHash,
        };
        foreach ((string k, int n) in Faults)
        {
            r.Faults[k] = n;
        }

        foreach ((string k, int n) in Recoveries)
        {
            r.Recoveries[k] = n;
        }

        foreach ((string name, int n) in Probes)
        {
            if (!Enum.TryParse(name, out Engine.Diagnostics.ProbeId id) || !Enum.IsDefined(id) || n < 0)
            {
                return null;
            }

            r.Probes.Add(id, n);
        }

        foreach (RecordViolation v in Violations)
        {
            if (PropertyNames.Parse(v.Property) is not Property p)
            {
                return null;
            }

            r.Violations.Add(new Violation(p, v.Event, v.TimeMs, v.Detail, v.Expected, v.Actual));
        }

        return r;
    }
}
