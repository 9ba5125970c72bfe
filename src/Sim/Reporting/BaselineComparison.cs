using System.Globalization;
using AofSim.Sim.Simulating;
using System.Text.Json;

namespace AofSim.Sim.Reporting;

/// <summary>
/// A campaign compared with a previous run's <c>run --json</c> output (<c>--baseline FILE</c>).
/// A violation is keyed by (seed, property): several violations of one property in one seed are
/// one key, as one fix makes them all go. <b>New</b>: violated now, not in the baseline.
/// <b>Ongoing</b>: in both. <b>Resolved</b>: in the baseline, for a seed this run ran, and not
/// violated now (a baseline seed outside this run's range is neither: it was not run).
/// </summary>
/// <param name="File">The baseline file as given.</param>
/// <param name="OptionsMatch">Whether the baseline ran with the same options (otherwise the same seed is a different run, and the comparison says little).</param>
/// <param name="New">Violated now, not in the baseline.</param>
/// <param name="Resolved">In the baseline, not violated now.</param>
/// <param name="Ongoing">In both.</param>
public sealed record BaselineComparison(string File, bool OptionsMatch, IReadOnlyList<BaselineEntry> New, IReadOnlyList<BaselineEntry> Resolved, IReadOnlyList<BaselineEntry> Ongoing)
{
    /// <summary>
    /// Reads a baseline (a <c>run --json</c> document: an object with a <c>violations</c> array
    /// of objects holding at least <c>seed</c> and <c>property</c>). Anything else is an
    /// <see cref="InvalidDataException"/> whose message is one line naming what is wrong; a
    /// missing file is a <see cref="FileNotFoundException"/>.
    /// </summary>
    public static Baseline Load(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"no such baseline file: {path}", path);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"baseline {path} is not JSON (line {e.LineNumber + 1}): expected the output of aofsim run --json");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("violations", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"baseline {path} has no \"violations\" array: expected the output of aofsim run --json");
            }

            var entries = new List<BaselineEntry>();
            int i = 0;
            foreach (JsonElement v in list.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Object
                    || !v.TryGetProperty("seed", out JsonElement seed) || seed.ValueKind != JsonValueKind.Number || !seed.TryGetUInt64(out ulong s)
                    || !v.TryGetProperty("property", out JsonElement prop) || prop.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"baseline {path}: violation {i} has no numeric \"seed\" and string \"property\""));
                }

                string replay = v.TryGetProperty("replay", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : string.Empty;
                entries.Add(new BaselineEntry(s, prop.GetString()!, replay));
                i++;
            }

            string? options = doc.RootElement.TryGetProperty("options", out JsonElement o) && o.ValueKind == JsonValueKind.Object ? OptionsKey(o) : null;
            return new Baseline(path, options, entries);
        }
    }

    /// <summary>Compares <paramref name="report"/> with <paramref name="baseline"/>.</summary>
    public static BaselineComparison Compare(Baseline baseline, CampaignReport report)
    {
        var now = new SortedDictionary<(ulong, string), BaselineEntry>();
        foreach (ReportedViolation v in report.Violations)
        {
            now.TryAdd((v.Seed, v.Property), new BaselineEntry(v.Seed, v.Property, v.Replay));
        }

        var before = new SortedDictionary<(ulong, string), BaselineEntry>();
        foreach (BaselineEntry e in baseline.Violations)
        {
            before.TryAdd((e.Seed, e.Property), e);
        }

        var o = report.Options;
        string current = $"{o.Profile.Name}|{o.Policy.Name()}|{o.Fs.Name()}|{o.Faults}|{o.Ops.ToString(CultureInfo.InvariantCulture)}";
        return new BaselineComparison(
            baseline.File,
            baseline.OptionsKey is null || baseline.OptionsKey == current,
            [.. now.Where(kv => !before.ContainsKey(kv.Key)).Select(kv => kv.Value)],
            [.. before.Where(kv => kv.Key.Item1 >= report.First && kv.Key.Item1 <= report.Last && !now.ContainsKey(kv.Key)).Select(kv => kv.Value)],
            [.. now.Where(kv => before.ContainsKey(kv.Key)).Select(kv => kv.Value)]);
    }

    /// <summary>The comparison as the lines the table prints (a header, then one line per key: new first).</summary>
    public IEnumerable<string> TableLines()
    {
        yield return string.Create(CultureInfo.InvariantCulture, $"baseline {File}: {New.Count} new, {Resolved.Count} resolved, {Ongoing.Count} ongoing (keyed by seed and property)");
        if (!OptionsMatch)
        {
            yield return "  warning: the baseline ran with other options; the same seed is a different run";
        }

        foreach ((string kind, IReadOnlyList<BaselineEntry> list) in new[] { ("new", New), ("resolved", Resolved), ("ongoing", Ongoing) })
        {
            foreach (BaselineEntry e in list)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"  {kind,-9} seed {e.Seed,-8} {e.Property,-20} {e.Replay}").TrimEnd();
            }
        }
    }

    /// <summary>The comparison as the object <c>run --json</c> includes under <c>baseline</c>.</summary>
    public object ToJsonObject() => new
    {
        file = File,
        optionsMatch = OptionsMatch,
        @new = New.Select(Json),
        resolved = Resolved.Select(Json),
        ongoing = Ongoing.Select(Json),
    };

    private static object Json(BaselineEntry e) => new { seed = e.Seed, property = e.Property, replay = e.Replay };

    private static string OptionsKey(JsonElement o)
    {
        string Get(string name) => o.TryGetProperty(name, out JsonElement v) ? v.ToString() : string.Empty;
        return $"{Get("profile")}|{Get("policy")}|{Get("fs")}|{Get("faults")}|{Get("ops")}";
    }
}
