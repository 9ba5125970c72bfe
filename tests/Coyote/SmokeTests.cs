using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace AofSim.Coyote;

/// <summary>Checks that the rewriting works: Coyote finds a plain check-then-act race.</summary>
public sealed class SmokeTests
{
    [Fact]
    public void CoyoteFindsACheckThenActRace()
    {
        var config = Configuration.Create().WithTestingIterations(200).WithRandomGeneratorSeed(1);
        var engine = TestingEngine.Create(config, async () =>
        {
            int pending = 0;
            var a = Task.Run(async () =>
            {
                if (pending == 0)
                {
                    await Task.Yield();
                    pending++;
                }
            });
            var b = Task.Run(async () =>
            {
                if (pending == 0)
                {
                    await Task.Yield();
                    pending++;
                }
            });
            await Task.WhenAll(new Task[] { a, b });
            Microsoft.Coyote.Specifications.Specification.Assert(pending == 1, $"pending is {pending}");
        });
        engine.Run();
        Assert.True(engine.TestReport.NumOfFoundBugs > 0);
    }
}
