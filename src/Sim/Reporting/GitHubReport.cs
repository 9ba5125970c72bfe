using System.Globalization;
using System.Text;

namespace AofSim.Sim.Reporting;

/// <summary>
/// GitHub Actions reporting: one <c>::error</c> workflow command per violation (an annotation
/// on the run, carrying the replay command), and a Markdown step summary with the summary table.
/// Used when the environment says <c>GITHUB_ACTIONS=true</c>, as the runner sets it.
/// </summary>
public static class GitHubReport
{
    /// <summary>GitHub shows at most 10 error annotations per step; more than this many only add noise to the log.</summary>
    public const int MaxAnnotations = 50;

    /// <summary>The most violation rows the step summary lists (the JUnit file and --json have them all).</summary>
    public const int MaxSummaryRows = 100;

    /// <summary>Whether this process runs under GitHub Actions.</summary>
    public static bool Active(Func<string, string?> env) => string.Equals(env("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>::error</c> lines for the report's violations (at most <see cref="MaxAnnotations"/>, then one <c>::warning</c> saying how many more).</summary>
    public static IEnumerable<string> Annotations(CampaignReport report)
    {
        foreach (ReportedViolation v in report.Violations.Take(MaxAnnotations))
        {
            string title = string.Create(CultureInfo.InvariantCulture, $"aofsim {v.Property} seed {v.Seed}");
            string message = string.Create(CultureInfo.InvariantCulture, $"{v.Detail} (policy={v.Policy} fs={v.Fs} event={v.Event} t=+{v.TimeMs}ms)\nreplay: {v.Replay}");
            yield return $"::error title={EscapeProperty(title)}::{EscapeData(message)}";
        }

        if (report.Violations.Count > MaxAnnotations)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"::warning title=aofsim::{report.Violations.Count - MaxAnnotations} more violations; see the step summary or the JUnit file");
        }
    }

    /// <summary>A workflow command's message: %, CR and LF escaped as GitHub's runner unescapes them.</summary>
    public static string EscapeData(string s) =>
        s.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>A workflow command's property value: as <see cref="EscapeData"/>, and also : and , (which end a property).</summary>
    public static string EscapeProperty(string s) =>
        EscapeData(s).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    /// <summary>The Markdown step summary: the summary table, the violations with their replay commands, and the baseline comparison if any.</summary>
    public static string StepSummary(CampaignReport report, BaselineComparison? baseline)
    {
        var b = new StringBuilder();
        void Line(string s) => b.Append(s).Append('\n');
        Line(string.Create(CultureInfo.InvariantCulture, $"## aofsim run: seeds {report.First}..{report.Last}"));
        Line(string.Empty);
        Line($"`{report.Options.Flags}`");
        Line(string.Empty);
        Line("| | |");
        Line("|---|---:|");
        Line(string.Create(CultureInfo.InvariantCulture, $"| seeds | {report.Seeds} |"));
        Line(string.Create(CultureInfo.InvariantCulture, $"| events | {report.Events} |"));
        Line(string.Create(CultureInfo.InvariantCulture, $"| crashes | {report.Crashes} |"));
        Line(string.Create(CultureInfo.InvariantCulture, $"| violations | {report.Violations.Count} |"));
        foreach (IGrouping<string, ReportedViolation> g in report.Violations.GroupBy(v => v.Property).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Line(string.Create(CultureInfo.InvariantCulture, $"| &nbsp;&nbsp;{g.Key} | {g.Count()} |"));
        }

        Line($"| trace hash (all) | `{report.TraceHash}` |");
        Line(string.Create(CultureInfo.InvariantCulture, $"| seconds | {report.Seconds:F2} |"));
        if (report.Violations.Count > 0)
        {
            Line(string.Empty);
            Line("### Violations");
            Line(string.Empty);
            Line("| seed | property | policy | fs | event | detail | replay |");
            Line("|---:|---|---|---|---:|---|---|");
            foreach (ReportedViolation v in report.Violations.Take(MaxSummaryRows))
            {
                Line(string.Create(CultureInfo.InvariantCulture, $"| {v.Seed} | {v.Property} | {v.Policy} | {v.Fs} | {v.Event} | {Cell(v.Detail)} | `{v.Replay}` |"));
            }

            if (report.Violations.Count > MaxSummaryRows)
            {
                Line(string.Empty);
                Line(string.Create(CultureInfo.InvariantCulture, $"… and {report.Violations.Count - MaxSummaryRows} more (see the JUnit file or `--json`)."));
            }
        }

        if (baseline is not null)
        {
            Line(string.Empty);
            Line("### Against the baseline");
            Line(string.Empty);
            Line(string.Create(CultureInfo.InvariantCulture, $"{baseline.New.Count} new, {baseline.Resolved.Count} resolved, {baseline.Ongoing.Count} ongoing (`{Cell(baseline.File)}`, keyed by seed and property)"));
            if (!baseline.OptionsMatch)
            {
                Line(string.Empty);
                Line("**The baseline ran with other options; the same seed is a different run.**");
            }

            Line(string.Empty);
            Line("| | seed | property | replay |");
            Line("|---|---:|---|---|");
            foreach ((string kind, IReadOnlyList<BaselineEntry> list) in new[] { ("new", baseline.New), ("resolved", baseline.Resolved), ("ongoing", baseline.Ongoing) })
            {
                foreach (BaselineEntry e in list.Take(MaxSummaryRows))
                {
                    Line(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {e.Seed} | {e.Property} | {(e.Replay.Length == 0 ? string.Empty : $"`{e.Replay}`")} |"));
                }
            }
        }

        return b.ToString();
    }

    // A table cell on one line, its pipes escaped.
    private static string Cell(string s) =>
        s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
