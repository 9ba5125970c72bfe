using AofSim.Engine.Server;
using AofSim.Sim.Checking;

namespace AofSim.Scenarios.Simulation;

/// <summary>
/// The everysec cadence check (docs/durability.md#the-everysec-cadence-fsync-cadence) on
/// hand-made facts: what it counts, what it leaves out, and that it reports once.
/// </summary>
public sealed class FsyncCadenceTests
{
    [Fact]
    public void FsyncsASecondLessACronPeriodApartHold()
    {
        (FsyncCadence cadence, Log log) = Everysec(cronMs: 100);
        cadence.Submitted(10_000);
        cadence.Submitted(10_900);
        cadence.Submitted(11_900);
        Assert.Empty(log.Violations);
    }

    [Fact]
    public void TwoFsyncsCloserThanThatAreOneViolationNamingTheInterval()
    {
        (FsyncCadence cadence, Log log) = Everysec(cronMs: 100);
        cadence.Submitted(10_000);
        cadence.Submitted(10_899);
        cadence.Submitted(10_900);
        (Property property, string detail) = Assert.Single(log.Violations);
        Assert.Equal(Property.FsyncCadence, property);
        Assert.Contains("899 ms apart", detail, StringComparison.Ordinal);
        Assert.Contains("at least 900", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCronPeriodSetsTheTolerance()
    {
        (FsyncCadence cadence, Log log) = Everysec(cronMs: 10);
        cadence.Submitted(0);
        cadence.Submitted(985);
        Assert.Single(log.Violations);
    }

    [Theory]
    [InlineData(AppendFsync.Always)]
    [InlineData(AppendFsync.No)]
    public void OnlyEverysecHasACadence(AppendFsync policy)
    {
        var log = new Log();
        var cadence = new FsyncCadence(policy, log, cronMs: 100);
        cadence.Submitted(0);
        cadence.Submitted(1);
        Assert.Empty(log.Violations);
    }

    [Fact]
    public void TheRewritesFsyncOfTheFileItRenamedInIsNotCountedButOnlyAtThatInstantAndOnlyOnce()
    {
        (FsyncCadence cadence, Log log) = Everysec(cronMs: 100);
        cadence.Submitted(10_000);
        cadence.Replaced(10_300);
        cadence.Submitted(10_300);
        cadence.Submitted(11_000);
        Assert.Empty(log.Violations);

        // A second fsync at the rename's instant is a flush's: it counts.
        cadence.Replaced(11_500);
        cadence.Submitted(11_500);
        cadence.Submitted(11_500);
        Assert.Single(log.Violations);
    }

    [Fact]
    public void ARenameAtAnotherInstantExemptsNothing()
    {
        (FsyncCadence cadence, Log log) = Everysec(cronMs: 100);
        cadence.Submitted(10_000);
        cadence.Replaced(10_299);
        cadence.Submitted(10_300);
        Assert.Single(log.Violations);
    }

    [Fact]
    public void ANewProcessStartsANewCadence()
    {
        (FsyncCadence cadence, Log log) = Everysec(cronMs: 100);
        cadence.Submitted(10_000);
        cadence.Restarted();
        cadence.Submitted(10_001);
        Assert.Empty(log.Violations);
    }

    private static (FsyncCadence Cadence, Log Log) Everysec(int cronMs)
    {
        var log = new Log();
        return (new FsyncCadence(AppendFsync.Everysec, log, cronMs), log);
    }

    private sealed class Log : ICheckLog
    {
        public List<(Property Property, string Detail)> Violations { get; } = [];

        public void Note(string line)
        {
        }

        public string Show(string argument) => argument;

        public void Violate(Property property, string detail, IReadOnlyList<string> expected, IReadOnlyList<string> actual) =>
            Violations.Add((property, detail));
    }
}
