using System.CommandLine;
using System.Globalization;
using AofSim.Sim.Simulation;

namespace AofSim.Sim.Cli;

/// <summary><c>aofsim replay --seed N</c>: the full trace of one seed; the last line is its hash.</summary>
internal static class ReplayVerb
{
    public static Command Build(CliIo io)
    {
        var seed = new Option<string>("--seed") { Description = "The seed to replay", Required = true };
        var opts = new SimulationOptions();
        var cmd = new Command("replay", "Run one seed and print its full trace; the last line is the trace hash") { seed };
        opts.AddTo(cmd);
        cmd.SetAction(r =>
        {
            (ulong s, ulong last) = SimulationOptions.ParseSeeds(r.GetValue(seed)!);
            if (s != last)
            {
                throw new UsageException("replay takes one seed");
            }

            SeedResult result = Simulation.Simulation.Run(s, opts.Resolve(r), keepTrace: true);
            foreach (string line in result.Trace)
            {
                io.Out.WriteLine(line);
            }

            foreach (Violation v in result.Violations)
            {
                RunVerb.WriteViolation(io.Out, result, v, opts.Resolve(r));
            }

            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace-hash {result.TraceHash}"));
            return result.Violations.Count == 0 ? 0 : 1;
        });
        return cmd;
    }
}
