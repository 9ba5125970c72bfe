namespace AofSim.Sim.Simulating;

/// <summary>
/// The fault catalog's kinds, in the order <c>--faults</c> lists them (docs/faults.md has what
/// each one does). <see cref="FaultCatalog"/> says how each is injected.
/// </summary>
public enum FaultKind
{
    /// <summary>Power loss at seeded events, then recovery and checks.</summary>
    Crash,

    /// <summary>Background fsyncs that sometimes take 0.5 s to 3.5 s.</summary>
    SlowFsync,

    /// <summary>The rewrite child killed at a seeded step.</summary>
    Kill,

    /// <summary>An AOF write cut short by a full disk, at random.</summary>
    ShortWrite,

    /// <summary>An AOF write fails with EIO or ENOSPC.</summary>
    WriteErr,

    /// <summary>The AOF or the rewrite's temp file cannot grow past an offset.</summary>
    DiskFull,

    /// <summary>A short AOF write whose truncation then fails.</summary>
    Ftruncate,

    /// <summary>An AOF fsync fails with EIO, the Linux way.</summary>
    FsyncErr,

    /// <summary>AOF fsyncs just below, at and above the 2-second postpone.</summary>
    FsyncDelay,

    /// <summary>EMFILE or ENOENT opening a rewrite file.</summary>
    Open,

    /// <summary>A rewrite rename fails.</summary>
    Rename,

    /// <summary>Removing a temp file fails.</summary>
    Unlink,

    /// <summary>The rewrite's fsync or close fails (ENOSPC found only at close).</summary>
    TempFile,

    /// <summary>A write capped at a few bytes.</summary>
    WriteCap,

    /// <summary>The rewrite child killed at a named step.</summary>
    KillStep,

    /// <summary>kill -9 of the server at a syscall.</summary>
    KillServer,

    /// <summary>Power loss at a named step of the rename dance.</summary>
    PowerStep,
}
