using AofSim.Blackbox.Checking;

namespace AofSim.Blackbox.Campaigns;

/// <summary>What one crash-restart cycle did and found.</summary>
public sealed record CycleResult
{
    /// <summary>The cycle's number in its run.</summary>
    public required int Index { get; init; }

    /// <summary>The step it ran.</summary>
    public required CycleStep Step { get; init; }

    /// <summary>Why the target was stopped: "schedule" (the seeded batch count), "disk" (a fault plan trigger), "deadline".</summary>
    public required string StoppedBy { get; init; }

    /// <summary>Batches sent.</summary>
    public required int Batches { get; init; }

    /// <summary>Write commands acknowledged.</summary>
    public required int AckedWrites { get; init; }

    /// <summary>Acknowledged write commands not recovered (whether or not the promise allowed it).</summary>
    public required int AckedWritesLost { get; init; }

    /// <summary>How the target came back.</summary>
    public required Availability Availability { get; init; }

    /// <summary>Ms from restart to the ready line (repair included).</summary>
    public required double RecoveryMs { get; init; }

    /// <summary>Bytes the repair tool cut (0 if none ran).</summary>
    public long FixBytesCut { get; init; }

    /// <summary>The engine's loader on the durable image: "agrees", "disagrees", or why it was not compared.</summary>
    public string Loader { get; init; } = "not compared";

    /// <summary>What the disk's power loss did.</summary>
    public IReadOnlyList<string> DiskLines { get; init; } = [];

    /// <summary>The connections' verdicts.</summary>
    public IReadOnlyList<ConnectionVerdict> Verdicts { get; init; } = [];

    /// <summary>Violations found after this cycle.</summary>
    public IReadOnlyList<BlackboxViolation> Violations { get; init; } = [];
}
