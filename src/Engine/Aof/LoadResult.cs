namespace AofSim.Engine.Aof;

/// <summary>How a load ended. The seed exits on every failure; here the caller decides.</summary>
public enum LoadOutcome
{
    /// <summary>Every command replayed.</summary>
    Loaded,

    /// <summary>A zero-length file: an empty dataset (the seed's non-fatal REDIS_ERR).</summary>
    Empty,

    /// <summary>Truncated loading stopped at the last whole command (see <see cref="LoadResult.ValidUpTo"/>).</summary>
    Truncated,

    /// <summary>The file could not be opened.</summary>
    OpenFailed,

    /// <summary>"Bad file format reading the append only file…".</summary>
    BadFormat,

    /// <summary>"Unexpected end of file reading the append only file".</summary>
    UnexpectedEof,

    /// <summary>"Unrecoverable error reading the append only file: …".</summary>
    ReadError,

    /// <summary>"Unknown command '…' reading the append only file".</summary>
    UnknownCommand,

    /// <summary>A known command with the wrong number of arguments (the seed would load it and crash later).</summary>
    WrongArity,

    /// <summary>
    /// A command that replied an error while replaying, under <see cref="LoadOptions.StrictReplay"/>
    /// only: by default the reply is dropped and loading goes on, as in the seed and Redis 7.
    /// </summary>
    CommandFailed,
}

/// <summary>What a load did.</summary>
public sealed record LoadResult
{
    /// <summary>How it ended.</summary>
    public required LoadOutcome Outcome { get; init; }

    /// <summary>The fatal message, word for word as logged; null on success.</summary>
    public string? Message { get; init; }

    /// <summary>Commands replayed (MULTI and EXEC included).</summary>
    public long Commands { get; init; }

    /// <summary>The file's size in bytes.</summary>
    public long FileSize { get; init; }

    /// <summary>
    /// The offset just past the last whole command that was applied (for <see cref="LoadOutcome.Truncated"/>:
    /// where the file should be truncated; for a failure: where the damage starts).
    /// </summary>
    public long ValidUpTo { get; init; }

    /// <summary>
    /// Commands that replied an error while replaying and were ignored, as the seed's fake client
    /// ignores its replies (RPUSH on a string, EXEC without MULTI, a nested MULTI, …).
    /// </summary>
    public long ReplayErrors { get; init; }

    /// <summary>Truncated loading reverted a MULTI the end of the file left open (PR #5201).</summary>
    public bool RevertedMulti { get; init; }

    /// <summary>The offset of the first command counted in <see cref="ReplayErrors"/>, or -1.</summary>
    public long FirstReplayErrorOffset { get; init; } = -1;

    /// <summary>True when the dataset may be used: loaded, empty, or loaded after truncation.</summary>
    public bool Succeeded => Outcome is LoadOutcome.Loaded or LoadOutcome.Empty or LoadOutcome.Truncated;
}

/// <summary>How to load.</summary>
public sealed record LoadOptions
{
    /// <summary>The clock at load time, Unix ms (what a SET … EX logged verbatim is relative to).</summary>
    public long NowMs { get; init; }

    /// <summary>Redis 2.8's aof-load-truncated: a file cut short loads up to its last whole command.</summary>
    public bool LoadTruncated { get; init; }

    /// <summary>
    /// Refuse a file in which a command replies an error on replay (<see cref="LoadOutcome.CommandFailed"/>).
    /// Off by default: the seed and Redis 7 drop the fake client's reply and go on. A command
    /// that fails live is never propagated, so a strict load is the check that a file is a
    /// faithful log (the simulator's).
    /// </summary>
    public bool StrictReplay { get; init; }

    /// <summary>The name used in log lines.</summary>
    public string FileName { get; init; } = "appendonly.aof";

    /// <summary>
    /// The caller truncates the file at <see cref="LoadResult.ValidUpTo"/> and logs "loaded
    /// anyway" only once that worked, as Redis 7 does (the server). Off, the loader logs it
    /// itself (a read-only load: the file is not changed).
    /// </summary>
    public bool CallerTruncates { get; init; }
}
