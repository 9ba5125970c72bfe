using AofSim.Engine.Profiles;

namespace AofSim.Engine.Server;

/// <summary>appendfsync: when the AOF is fsynced.</summary>
public enum AppendFsync
{
    /// <summary>After every write, before replies are released.</summary>
    Always,

    /// <summary>At most once a second, in the background.</summary>
    Everysec,

    /// <summary>Never: the kernel decides.</summary>
    No,
}

/// <summary>The seed's aof_state.</summary>
public enum AofState
{
    /// <summary>REDIS_AOF_OFF.</summary>
    Off,

    /// <summary>REDIS_AOF_ON.</summary>
    On,

    /// <summary>REDIS_AOF_WAIT_REWRITE: turned on, waiting for the first rewrite before writing.</summary>
    WaitRewrite,
}

/// <summary>The AOF settings of the server (redis.conf and CONFIG SET).</summary>
public sealed record ServerConfig
{
    /// <summary>appendonly.</summary>
    public bool AppendOnly { get; init; } = true;

    /// <summary>appendfsync.</summary>
    public AppendFsync AppendFsync { get; init; } = AppendFsync.Everysec;

    /// <summary>appendfilename, relative to the storage root (the seed's dir).</summary>
    public string AofFileName { get; init; } = "appendonly.aof";

    /// <summary>no-appendfsync-on-rewrite.</summary>
    public bool NoAppendFsyncOnRewrite { get; init; }

    /// <summary>auto-aof-rewrite-percentage (0 disables).</summary>
    public int AutoAofRewritePercentage { get; init; } = 100;

    /// <summary>auto-aof-rewrite-min-size, in bytes.</summary>
    public long AutoAofRewriteMinSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>hz: how many times a second serverCron runs (1..500, as redis.conf allows).</summary>
    public int Hz { get; init; } = 10;

    /// <summary>
    /// AOF_RW_BUF_BLOCK_SIZE, in bytes: the block of the rewrite's diff buffer (10 MB in the seed,
    /// a constant there; here a setting, so that a simulation can make the diff span blocks).
    /// </summary>
    public int RewriteBufferBlockSize { get; init; } = Aof.AofRewriteBuffer.BlockSize;

    /// <summary>aof-load-truncated (Redis 2.8): start from a file cut short, truncating it.</summary>
    public bool AofLoadTruncated { get; init; }

    /// <summary>Behaviour switches.</summary>
    public Profile Profile { get; init; } = Profile.Fixed;
}

/// <summary>The ports the server runs on.</summary>
/// <param name="Storage">Files.</param>
/// <param name="Clock">Time.</param>
/// <param name="Jobs">Background jobs (bio).</param>
/// <param name="Children">Child processes (fork).</param>
/// <param name="Log">The log.</param>
/// <param name="Random">Chance, for SPOP and SRANDMEMBER.</param>
/// <param name="Probes">Where the coverage probes the server hits are reported (none: <see cref="Diagnostics.NoProbes"/>).</param>
public sealed record ServerPorts(Ports.IStorage Storage, Ports.IClock Clock, Ports.IBackgroundJobs Jobs, Ports.IChildProcesses Children, Ports.IAofLog Log, Commands.IRandomSource Random, Diagnostics.IProbeSink? Probes = null);

/// <summary>Where the seed calls exit(): the code and the last message logged.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Reason">The message.</param>
public sealed record StopOutcome(int ExitCode, string Reason);
