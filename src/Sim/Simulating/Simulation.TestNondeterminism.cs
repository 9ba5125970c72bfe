namespace AofSim.Sim.Simulating;

// A deliberately broken build for one test of the determinism re-check (docs/campaigns.md): with
// AOFSIM_TEST_NONDETERMINISM=1 in the environment, the run writes the wall clock into its trace
// halfway through its events, so that two runs of one seed differ there and run --recheck must
// name that line. The variable is read once per process into a static readonly field: the JIT
// takes the field as a constant, and the normal path pays nothing for the check.

/// <summary>One seeded run of the simulator.</summary>
public sealed partial class Simulation
{
    private static readonly bool TestNondeterminism =
        Environment.GetEnvironmentVariable("AOFSIM_TEST_NONDETERMINISM") == "1";

    // Called after each event when the switch is on: writes the wall clock into the trace at the middle one.
    private void MixWallClockForTest(int count)
    {
        if (eventIndex == count / 2)
        {
            Trace($"test-nondeterminism wall-clock ticks {System.Diagnostics.Stopwatch.GetTimestamp()}");
        }
    }
}
