using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Server;
using AofSim.Sim.Simulating;
using AofSim.Sim.Targets;

namespace AofSim.Scenarios.Simulation;

/// <summary>
/// The checker does not trust the system it checks: a decorator over the system under test (not
/// an edit of the engine) that lies about itself must leave the durability contract and every
/// check as they were. What a server says of itself is its log and its replies; the lies are the
/// words the contract once read as facts: a write error, bytes dropped at a stop, a rewrite
/// finished that did not happen.
/// </summary>
public sealed class LyingTargetTests
{
    // Seeds of every fault kind, both profiles: write errors, short writes, full disks, failed
    // fsyncs, killed children and servers, power losses.
    private static readonly SimOptions All = new() { Faults = FaultSet.All, Ops = 500 };

    public static TheoryData<Lie> Lies => [Lie.WriteError, Lie.DroppedAtStop, Lie.RewriteFinished];

    [Theory]
    [MemberData(nameof(Lies))]
    public void ALieOfTheServerAboutItselfChangesNoCheck(Lie lie)
    {
        int told = 0;
        foreach (string profile in new[] { "fixed", "redis26" })
        {
            Assert.True(AofSim.Engine.Profiles.Profile.TryGet(profile, out AofSim.Engine.Profiles.Profile p));
            for (ulong seed = 1; seed <= 12; seed++)
            {
                SimOptions options = All with { Profile = p };
                SeedResult honest = Sim.Simulating.Simulation.Run(seed, options, keepTrace: true);
                LyingTarget? liar = null;
                SeedResult lied = Sim.Simulating.Simulation.Run(seed, options, (t, log) => liar = new LyingTarget(t, log, lie), keepTrace: true);
                told += liar!.Told;

                // The lies show in the trace as the log lines they are, and nowhere else: every
                // contract line, check, violation and the end of the run are the same.
                Assert.Equal(WithoutLog(honest.Trace), WithoutLog(lied.Trace));
                Assert.Equal(honest.Violations.Select(v => (v.Property, v.Event)), lied.Violations.Select(v => (v.Property, v.Event)));
                Assert.Equal(honest.Rewrites, lied.Rewrites);
            }
        }

        Assert.True(told >= 24, $"the liar told only {told} lies");
    }

    // What the liar says, in the seed's words.
    public enum Lie
    {
        WriteError,
        DroppedAtStop,
        RewriteFinished,
    }

    private static List<string> WithoutLog(IReadOnlyList<string> trace) => [.. trace.Where(l => !l.StartsWith("  log ", StringComparison.Ordinal))];

    // A decorator over the system under test: does what the server does, and says more.
    private sealed class LyingTarget(ITarget inner, IAofLog log, Lie lie) : ITarget
    {
        public int Told { get; private set; }

        public StopOutcome? Stopped => inner.Stopped;

        public Dataset Data => inner.Data;

        public void Start(bool loadTruncated) => inner.Start(loadTruncated);

        public void Kill() => inner.Kill();

        public void Execute(string[] argv) => inner.Execute(argv);

        public void PendingReplies(List<string> into) => inner.PendingReplies(into);

        public bool Release()
        {
            bool released = inner.Release();
            if (lie == Lie.WriteError && inner.Stopped is null)
            {
                Say(LogLevel.Warning, "Error writing to the AOF file: No space left on device");
            }

            return released;
        }

        public IReadOnlyList<string> Admin(string[] argv)
        {
            IReadOnlyList<string> replies = inner.Admin(argv);
            if (lie == Lie.DroppedAtStop && argv is ["CONFIG", "SET", "appendonly", "no"])
            {
                Say(LogLevel.Warning, "AOF stopped: 4096 bytes of the AOF buffer could not be written and were dropped");
            }

            return replies;
        }

        public bool RunUntil(long ms, ILoopHost host)
        {
            bool reached = inner.RunUntil(ms, host);
            if (lie == Lie.RewriteFinished && inner.Stopped is null)
            {
                Say(LogLevel.Notice, "Background AOF rewrite finished successfully");
            }

            return reached;
        }

        private void Say(LogLevel level, string message)
        {
            Told++;
            log.Log(level, message);
        }
    }
}
