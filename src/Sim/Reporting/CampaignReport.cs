using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Reporting;

/// <summary>
/// What the CI reports (JUnit, GitHub annotations and step summary, baseline comparison) need of
/// a finished campaign: its range, options, summary counts and every violation with the command
/// that replays it. Built once from the results so every report says the same thing.
/// </summary>
/// <param name="First">First seed run.</param>
/// <param name="Last">Last seed run.</param>
/// <param name="Seeds">Seeds run.</param>
/// <param name="Options">The options of the campaign.</param>
/// <param name="Events">Events over all seeds.</param>
/// <param name="Crashes">Crashes over all seeds.</param>
/// <param name="Seconds">Wall-clock seconds of the campaign (display only).</param>
/// <param name="TraceHash">The campaign hash (run's "trace hash (all)").</param>
/// <param name="Violations">Every violation, in seed order then event order.</param>
public sealed record CampaignReport(ulong First, ulong Last, int Seeds, SimOptions Options, long Events, int Crashes, double Seconds, string TraceHash, IReadOnlyList<ReportedViolation> Violations)
{
    /// <summary>The report of <paramref name="results"/> (in seed order) run with <paramref name="options"/>.</summary>
    public static CampaignReport Of(IReadOnlyList<SeedResult> results, SimOptions options, ulong first, ulong last, TimeSpan elapsed, string traceHash) =>
        new(first, last, results.Count, options, results.Sum(r => (long)r.Events), results.Sum(r => r.Crashes), elapsed.TotalSeconds, traceHash,
            [.. results.SelectMany(r => r.Violations.Select(v => new ReportedViolation(r.Seed, v.Property.Name(), r.Policy.Name(), r.Fs.Name(), v.Event, v.TimeMs, v.Detail, ReplayCommand(r.Seed, options))))]);

    /// <summary>The command that replays <paramref name="seed"/> (as run prints it).</summary>
    public static string ReplayCommand(ulong seed, SimOptions options) => $"aofsim replay --seed {seed} {options.Flags}";

    /// <summary>Every property a run checks, by name, in the order the enum declares them.</summary>
    public static IReadOnlyList<string> PropertyNames { get; } = [.. Enum.GetValues<Property>().Select(p => p.Name())];
}
