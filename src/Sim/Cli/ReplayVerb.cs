using System.CommandLine;
using System.Globalization;
using AofSim.Sim.Simulation;

namespace AofSim.Sim.Cli;

/// <summary><c>aofsim replay --seed N</c>: the full trace of one seed; the last line is its hash.</summary>
internal static class ReplayVerb
{
    public static Command Build(CliIo io)
    {
        var file = new Argument<string?>("FILE") { Description = "A scenario file written by run --out (seed, options, fault plan and, for a shrunk case, its steps)", Arity = ArgumentArity.ZeroOrOne };
        var seed = new Option<string?>("--seed") { Description = "The seed to replay (when no FILE is given)" };
        var opts = new SimulationOptions();
        var cmd = new Command("replay", "Run one seed, or a saved scenario file, and print its full trace; the last line is the trace hash") { file, seed };
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

            SeedResult result = Simulation.Simulation.Run(s, options, script, keepTrace: true);
            foreach (string line in result.Trace)
            {
                io.Out.WriteLine(line);
            }

            foreach (Violation v in result.Violations)
            {
                RunVerb.WriteViolation(io.Out, result, v, options);
            }

            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace-hash {result.TraceHash}"));
            return result.Violations.Count == 0 ? 0 : 1;
        });
        return cmd;
    }

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
        if (scenario.Script is { } steps && steps.Any(x => x is null || (x is ClientStep c && (c.Argv is null || c.Argv.Any(a => a is null || a.Length == 0))) || (x is AdminStep a && (a.Argv is null || a.Argv.Length == 0))))
        {
            throw new UsageException($"{path}: a script step is empty or incomplete");
        }

        return (scenario.Seed, options, scenario.Script);
    }
}
