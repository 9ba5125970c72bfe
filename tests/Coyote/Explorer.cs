using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace AofSim.Coyote;

/// <summary>
/// Runs a test body under Coyote's systematic scheduler with a fixed budget and seed; on a bug,
/// writes the report and the reproducible trace and says where.
/// </summary>
internal static class Explorer
{
    /// <summary>Iterations per test; AOFSIM_COYOTE_ITERATIONS raises it.</summary>
    public static int Iterations(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable("AOFSIM_COYOTE_ITERATIONS"), out int n) && n > 0 ? n : normal;

    public static (TestReport Report, string? Trace, string Where) Run(string name, int iterations, uint seed, Func<Task> body)
    {
        Configuration config = Configuration.Create()
            .WithTestingIterations((uint)iterations)
            .WithRandomGeneratorSeed(seed)
            .WithMaxSchedulingSteps(20_000);
        var engine = TestingEngine.Create(config, body);
        engine.Run();
        string where = string.Empty;
        string? trace = null;
        if (engine.TestReport.NumOfFoundBugs > 0)
        {
            string dir = Path.Combine(Path.GetTempPath(), "aofsim-coyote");
            Directory.CreateDirectory(dir);
            engine.TryEmitReports(dir, name, out IEnumerable<string> files);
            trace = engine.ReproducibleTrace;
            where = string.Join(", ", files);
        }

        return (engine.TestReport, trace, where);
    }

    /// <summary>Replays a saved trace: the bug must show at once.</summary>
    public static TestReport Replay(string trace, Func<Task> body)
    {
        Configuration config = Configuration.Create().WithReproducibleTrace(trace).WithMaxSchedulingSteps(20_000);
        var engine = TestingEngine.Create(config, body);
        engine.Run();
        return engine.TestReport;
    }
}
