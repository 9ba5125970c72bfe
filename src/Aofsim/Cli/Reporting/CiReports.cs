using AofSim.Sim.Reporting;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Cli.Reporting;

/// <summary>
/// The CI reports <c>run</c> writes besides its table or JSON: a JUnit file (<c>--junit</c>),
/// GitHub Actions annotations and step summary (when <c>GITHUB_ACTIONS=true</c>), and the
/// comparison with a baseline (<c>--baseline</c>). See docs/ci.md.
/// </summary>
/// <param name="JunitPath">Where to write the JUnit XML, or null.</param>
/// <param name="Baseline">The baseline read before the campaign ran, or null.</param>
/// <param name="GitHub">Whether to write GitHub annotations and the step summary.</param>
/// <param name="StepSummaryPath">The file GitHub names in GITHUB_STEP_SUMMARY, or null.</param>
internal sealed record CiReports(string? JunitPath, Baseline? Baseline, bool GitHub, string? StepSummaryPath)
{
    /// <summary>
    /// The reports asked for on the command line and by the environment. A baseline that is
    /// missing or not a <c>run --json</c> output is a usage error, found before any seed runs.
    /// </summary>
    public static CiReports From(string? junit, string? baseline, Func<string, string?> env)
    {
        Baseline? b = null;
        if (baseline is not null)
        {
            try
            {
                b = BaselineComparison.Load(baseline);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                throw new UsageException($"--baseline: {e.Message}");
            }
        }

        bool github = GitHubReport.Active(env);
        string? summary = env("GITHUB_STEP_SUMMARY");
        return new CiReports(junit, b, github, github && !string.IsNullOrEmpty(summary) ? summary : null);
    }

    /// <summary>The comparison with the baseline, or null when there is none.</summary>
    public BaselineComparison? Compare(CampaignReport report) => Baseline is null ? null : BaselineComparison.Compare(Baseline, report);

    /// <summary>
    /// Writes the JUnit file, the annotations (to <paramref name="annotations"/>: stdout, or
    /// stderr under --json so that stdout stays one JSON document; the runner reads both) and
    /// appends the step summary.
    /// </summary>
    public void Write(CampaignReport report, BaselineComparison? comparison, TextWriter annotations)
    {
        if (JunitPath is not null)
        {
            JunitReport.Write(JunitPath, report);
        }

        if (GitHub)
        {
            foreach (string line in GitHubReport.Annotations(report))
            {
                annotations.WriteLine(line);
            }

            if (StepSummaryPath is not null)
            {
                File.AppendAllText(StepSummaryPath, GitHubReport.StepSummary(report, comparison));
            }
        }
    }
}
