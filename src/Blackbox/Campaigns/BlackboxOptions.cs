using AofSim.Blackbox.Disks;
using AofSim.Blackbox.Targets;
using AofSim.Sim.Simulating;

namespace AofSim.Blackbox.Campaigns;

/// <summary>What a black-box campaign runs: the target, its policy, the crashes, the disk.</summary>
public sealed record BlackboxOptions
{
    /// <summary>The server under test.</summary>
    public required BlackboxTarget Target { get; init; }

    /// <summary>The fsync policy (Mixed: drawn per run).</summary>
    public PolicyOption Policy { get; init; } = PolicyOption.Mixed;

    /// <summary>Kill, power loss, or drawn per cycle.</summary>
    public CrashKind Crash { get; init; } = CrashKind.Mixed;

    /// <summary>Client connections (each with its own 4 dbs).</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Crash-restart cycles per run.</summary>
    public int Cycles { get; init; } = 4;

    /// <summary>The most batches a cycle sends before its kill (the kill is drawn in 1..this).</summary>
    public int MaxBatches { get; init; } = 300;

    /// <summary>The longest quiet before a kill: half the cycles idle a drawn 0..this ms before it (0: never).</summary>
    public int MaxQuietMs { get; init; }

    /// <summary>A fresh disk for the run of a seed.</summary>
    public Func<ulong, IBlackboxDisk> Disk { get; init; } = _ => new PlainDirectoryDisk();

    /// <summary>What the disk is, for reports ("plain", "fuse posix", …).</summary>
    public string DiskName { get; init; } = "plain";

    /// <summary>How long a start may take before it counts as refused.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Load the durable image with the engine's loader and compare it with what the target recovered.</summary>
    public bool CompareLoader { get; init; } = true;

    /// <summary>The engine profile the loader comparison uses.</summary>
    public Engine.Profiles.Profile LoaderProfile { get; init; } = Engine.Profiles.Profile.Fixed;

    /// <summary>The options as flags (for reports and replay lines).</summary>
    public string Flags => $"--policy {Policy.ToString().ToLowerInvariant()} --crash {Crash.ToString().ToLowerInvariant()} --connections {Connections} --cycles {Cycles} --max-batches {MaxBatches} --quiet-ms {MaxQuietMs} --fs {DiskName}";
}
