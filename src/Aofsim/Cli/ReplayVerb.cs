using AofSim.Sim.Checking;
using System.CommandLine;
using System.Globalization;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Cli;

/// <summary><c>aofsim replay --seed N</c>: the full trace of one seed; the last line is its hash.</summary>
internal static class ReplayVerb
{
    public static Command Build(CliIo io)
    {
        var file = new Argument<string?>("FILE") { Description = "A scenario file written by run --out (seed, options, fault plan and, for a shrunk case, its steps)", Arity = ArgumentArity.ZeroOrOne };
        var seed = new Option<string?>("--seed") { Description = "The seed to replay (when no FILE is given)" };
        var html = new Option<string?>("--html") { Description = "Also write the run as a self-contained HTML page: a timeline of its events in lanes (docs/replay.md)" };
        var opts = new SimulationOptions();
        var cmd = new Command("replay", "Run one seed, or a saved scenario file, and print its full trace; the last line is the trace hash") { file, seed, html };
        opts.AddTo(cmd);
        cmd.SetAction(r =>
        {
            ulong s;
            SimOptions options;
            IReadOnlyList<ScriptStep>? script = null;
            if (r.GetValue(file) is string path)
            {
                (s, options, script) = Load(path);
            }
            else
            {
                (s, ulong last) = SimulationOptions.ParseSeeds(r.GetValue(seed) ?? throw new UsageException("give a scenario FILE or --seed N"));
                if (s != last)
                {
                    throw new UsageException("replay takes one seed");
                }

                options = opts.Resolve(r);
            }

            // The page needs the world's sizes beside each line: kept only when asked for.
            SeedResult result = Simulation.Run(s, r.GetValue(html) is null ? options : options with { Stamps = true }, script, keepTrace: true);
            foreach (string line in result.Trace)
            {
                io.Out.WriteLine(line);
            }

            foreach (Violation v in result.Violations)
            {
                RunVerb.WriteViolation(io.Out, result, v, options);
            }

            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace-hash {result.TraceHash}"));
            if (r.GetValue(html) is string page)
            {
                TimelineFile.Write(page, result, r.GetValue(file) is string from ? $"aofsim replay {from}" : $"aofsim replay --seed {s} {options.Flags}");
            }
            return result.Violations.Count == 0 ? 0 : 1;
        });
        return cmd;
    }

    // A day: a wait is run in 100 ms cron ticks, so an absurd one would never end.
    private const long MaxWaitMs = 86_400_000;

    // What is wrong with a script step read from a file, or null.
    private static string? Invalid(ScriptStep? step) => step switch
    {
        null => "empty",
        ClientStep c when c.Argv is null || c.Argv.Count == 0 || c.Argv.Any(a => a is null || a.Length == 0 || a.Any(x => x is null)) => "a client step needs commands",
        ClientStep c when c.Db is < 0 or > 15 => "db must be 0..15",
        AdminStep a when a.Argv is null || a.Argv.Length == 0 || a.Argv.Any(x => x is null) => "an admin step needs a command",
        AdvanceStep a when a.Ms is < 0 or > MaxWaitMs => $"ms must be 0..{MaxWaitMs}",
        ChildStep c when c.Syscalls is < 1 or > 1_000_000 => "syscalls must be 1..1000000",
        PowerLossStep p when p.QuietMs is < 0 or > MaxWaitMs || p.DownMs is < 0 or > MaxWaitMs => $"quietMs and downMs must be 0..{MaxWaitMs}",
        _ => null,
    };

    private static (ulong Seed, SimOptions Options, IReadOnlyList<ScriptStep>? Script) Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"no such file: {path}");
        }

        Scenario scenario;
        try
        {
            scenario = Scenario.FromJson(File.ReadAllText(path));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UsageException($"{path} is not a scenario file: {e.Message.Split('\n')[0]}");
        }

        SimOptions options = scenario.ToOptions(out string? error) ?? throw new UsageException($"{path}: {error}");
        if (scenario.Script is { } steps && steps.Select((x, i) => (x, i)).FirstOrDefault(p => Invalid(p.x) is not null) is { x: not null } bad)
        {
            throw new UsageException($"{path}: script step {bad.i + 1}: {Invalid(bad.x)}");
        }

        return (scenario.Seed, options, scenario.Script);
    }
}
