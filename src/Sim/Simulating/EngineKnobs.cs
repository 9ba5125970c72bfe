using AofSim.Engine.Aof;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The engine's and the simulated machine's settings a run may vary (swarm testing draws them per
/// seed: <see cref="Swarm"/>). The defaults are what every run used before swarm testing, so that
/// a run with them is the run it always was.
/// </summary>
public sealed record EngineKnobs
{
    /// <summary>hz: serverCron runs 1000 / hz ms apart (10).</summary>
    public int Hz { get; init; } = 10;

    /// <summary>auto-aof-rewrite-percentage (100; 0 turns automatic rewrites off).</summary>
    public int AutoRewritePercentage { get; init; } = 100;

    /// <summary>auto-aof-rewrite-min-size, in bytes (4096: small, so that the short runs rewrite).</summary>
    public long AutoRewriteMinSize { get; init; } = 4096;

    /// <summary>The rewrite diff buffer's block, in bytes (the seed's 10 MB).</summary>
    public int RewriteBufferBlockSize { get; init; } = AofRewriteBuffer.BlockSize;

    /// <summary>The longest ordinary background fsync, in ms (30; the shortest is 1).</summary>
    public int FsyncMaxMs { get; init; } = 30;

    /// <summary>With <c>slowfsync</c> on: how often a background fsync is slow (0.08).</summary>
    public double SlowFsyncChance { get; init; } = 0.08;

    /// <summary>With <c>slowfsync</c> on: the longest slow fsync, in ms (3500; slow ones take 0.5 s up to this, around the 2 s postpone).</summary>
    public int SlowFsyncMaxMs { get; init; } = 3500;

    /// <summary>How long a background close takes, in ms (1).</summary>
    public int CloseMs { get; init; } = 1;

    /// <summary>The defaults.</summary>
    public static EngineKnobs Default { get; } = new();

    /// <summary>The cron period these knobs give the server, in ms (as <c>ServerCore</c> computes it).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int CronMs => 1000 / Math.Clamp(Hz, 1, 500);

    /// <summary>What is wrong with these knobs (read from a file), or null.</summary>
    public string? Invalid() =>
        Hz is < 1 or > 500 ? "hz must be 1..500"
        : AutoRewritePercentage < 0 ? "autoRewritePercentage must not be negative"
        : AutoRewriteMinSize < 0 ? "autoRewriteMinSize must not be negative"
        : RewriteBufferBlockSize is < 1 or > AofRewriteBuffer.BlockSize ? $"rewriteBufferBlockSize must be 1..{AofRewriteBuffer.BlockSize}"
        : FsyncMaxMs is < 1 or > 60_000 ? "fsyncMaxMs must be 1..60000"
        : SlowFsyncChance is < 0 or > 1 || double.IsNaN(SlowFsyncChance) ? "slowFsyncChance must be 0..1"
        : SlowFsyncMaxMs is < 500 or > 60_000 ? "slowFsyncMaxMs must be 500..60000"
        : CloseMs is < 0 or > 60_000 ? "closeMs must be 0..60000"
        : null;

    /// <summary>One line for the trace's header.</summary>
    public string Describe() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"hz={Hz} auto-rewrite={AutoRewritePercentage}%/{AutoRewriteMinSize}B rewrite-block={RewriteBufferBlockSize}B fsync=1..{FsyncMaxMs}ms slow={SlowFsyncChance:0.##}..{SlowFsyncMaxMs}ms close={CloseMs}ms");
}
