using System.CommandLine;
using AofSim.Sim.Cli;

namespace AofSim.Sim;

/// <summary>The aofsim command.</summary>
public static class Program
{
    /// <summary>Entry point: exit 0 on success, 1 when the work found a failure, 2 on bad usage.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given output streams (tests call this).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("aofsim: a deterministic simulation and fault-injection harness, and a reference engine, for the Redis append-only file.");
        var io = new CliIo(stdout, stderr);
        root.Add(LoadVerb.Build(io));
        root.Add(CheckVerb.Build(io));
        root.Add(RewriteVerb.Build(io));
        root.Add(BenchVerb.Build(io));
        root.Add(ServeVerb.Build(io));
        root.Add(RunVerb.Build(io));
        root.Add(MergeVerb.Build(io));
        root.Add(ReplayVerb.Build(io));
        root.Add(FuzzVerb.Build(io));
        root.Add(VectorsVerb.Build(io));
        root.Add(BugsVerb.Build(io));
        root.Add(BlackboxVerb.Build(io));

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"aofsim: {parsed.Errors[0].Message} (see aofsim --help)");
            return 2;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr });
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"aofsim: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"aofsim: {e.Message}");
            return 1;
        }
    }
}
