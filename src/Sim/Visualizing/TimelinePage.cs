using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Visualizing;

/// <summary>
/// A replayed run as one self-contained HTML page (replay --html): the run's events in lanes on
/// a timeline, the AOF's durable and page-cache sizes under them, power losses across every lane,
/// and the violation with what the model expected and what was recovered. Everything is inline
/// (styles, script, data): the page opens from a file, with no network.
/// </summary>
/// <remarks>
/// The static HTML holds only the title and the data, as JSON in a script element that is not
/// run (its text escapes &lt;, &gt; and &amp;, so no line of the trace can end the element); the
/// page's script builds the timeline from it with text nodes alone, never markup, so nothing the
/// run printed can become HTML.
/// </remarks>
public static class TimelinePage
{
    /// <summary>The page of <paramref name="result"/> (run with its trace kept), titled with <paramref name="replayCommand"/>.</summary>
    public static string Render(SeedResult result, string replayCommand)
    {
        IReadOnlyList<TimelineEvent> events = TimelineEvents.From(result.Trace, result.Stamps);
        string title = string.Create(CultureInfo.InvariantCulture, $"aofsim replay: seed {result.Seed}, {(result.Violations.Count == 0 ? "no violation" : result.Violations[0].Property.Name() + " violated")}");
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(WebUtility.HtmlEncode(title))
            .Append("</title>\n<style>\n").Append(Resource("TimelinePage.css"))
            .Append("</style>\n</head>\n<body>\n<noscript>This page draws the timeline with its inline script; the run's data is in the script element named data.</noscript>\n")
            .Append("<div id=\"app\"></div>\n<script type=\"application/json\" id=\"data\">")
            .Append(Json(result, replayCommand, events))
            .Append("</script>\n<script>\n").Append(Resource("TimelinePage.js"))
            .Append("</script>\n</body>\n</html>\n");
        return page.ToString();
    }

    // The run as JSON: the default encoder escapes <, >, &, quotes and every non-ASCII character,
    // so the text is safe inside a script element.
    private static string Json(SeedResult result, string replayCommand, IReadOnlyList<TimelineEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("seed", result.Seed);
            w.WriteString("policy", result.Policy.Name());
            w.WriteString("fs", result.Fs.Name());
            w.WriteString("flags", result.Options?.Flags ?? string.Empty);
            w.WriteString("replay", replayCommand);
            w.WriteString("hash", result.TraceHash);
            w.WriteNumber("crashes", result.Crashes);
            w.WriteNumber("steps", result.Events);
            w.WriteStartArray("violations");
            foreach (Violation v in result.Violations)
            {
                w.WriteStartObject();
                w.WriteString("property", v.Property.Name());
                w.WriteNumber("event", v.Event);
                w.WriteNumber("timeMs", v.TimeMs);
                w.WriteString("detail", v.Detail);
                Strings(w, "expected", v.Expected);
                Strings(w, "actual", v.Actual);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("lanes");
            foreach (TimelineLane lane in Enum.GetValues<TimelineLane>())
            {
                w.WriteStartObject();
                w.WriteString("id", LaneId(lane));
                w.WriteString("label", LaneLabel(lane));
                w.WriteBoolean("chart", lane is TimelineLane.AofBuffer or TimelineLane.Disk);
                w.WriteEndObject();
            }

            w.WriteEndArray();

            // One row per event: [line, lane, kind, text, event, ms, buffered, cached, durable].
            w.WriteStartArray("events");
            foreach (TimelineEvent e in events)
            {
                w.WriteStartArray();
                w.WriteNumberValue(e.Line);
                w.WriteStringValue(LaneId(e.Lane));
                w.WriteStringValue(e.Kind);
                w.WriteStringValue(e.Text);
                w.WriteNumberValue(e.Stamp.Event);
                w.WriteNumberValue(e.Stamp.TimeMs);
                w.WriteNumberValue(e.Stamp.AofBuffered);
                w.WriteNumberValue(e.Stamp.AofCached);
                w.WriteNumberValue(e.Stamp.AofDurable);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> items)
    {
        w.WriteStartArray(name);
        foreach (string s in items)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
    }

    /// <summary>The lane's id in the page (its element's data-lane).</summary>
    public static string LaneId(TimelineLane lane) => lane switch
    {
        TimelineLane.AofBuffer => "aof-buffer",
        _ => lane.ToString().ToLowerInvariant(),
    };

    private static string LaneLabel(TimelineLane lane) => lane switch
    {
        TimelineLane.Client => "Client: commands, replies",
        TimelineLane.AofBuffer => "AOF buffer (bytes not yet written)",
        TimelineLane.Parent => "Parent: writes, fsyncs",
        TimelineLane.Background => "Background jobs (bio)",
        TimelineLane.Child => "Rewrite child",
        TimelineLane.Disk => "AOF: durable / page cache only",
        TimelineLane.Faults => "Faults",
        TimelineLane.Power => "Power loss, crash, recovery",
        TimelineLane.Checks => "Checks, violation",
        _ => "Server log",
    };

    private static string Resource(string name)
    {
        using Stream s = Assembly.GetExecutingAssembly().GetManifestResourceStream("AofSim.Sim.Visualizing." + name)
            ?? throw new InvalidOperationException($"missing resource {name}");
        using var reader = new StreamReader(s, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
