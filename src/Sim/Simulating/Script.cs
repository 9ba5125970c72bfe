using System.Text.Json.Serialization;

namespace AofSim.Sim.Simulating;

// A run as data: the steps the scheduler chose.
//
// A seeded run draws each event from the scheduler and then runs it; a scripted run takes its
// events from a list instead. Both go through the same code, so the steps a seed chose (recorded
// with Simulation.Run(..., record: true)) replay to the same trace, byte for byte. What a step
// leaves to chance is drawn, in both modes, from the seed's execution streams: the latency of each
// fsync, what a power loss keeps, the random faults of the fault kinds on. A script is what the
// shrinker cuts down (ScriptShrinker) and what a saved scenario carries.

/// <summary>One event of a run.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "do")]
[JsonDerivedType(typeof(ClientStep), "client")]
[JsonDerivedType(typeof(AdvanceStep), "advance")]
[JsonDerivedType(typeof(ChildStep), "child")]
[JsonDerivedType(typeof(AdminStep), "admin")]
[JsonDerivedType(typeof(KillChildStep), "kill-child")]
[JsonDerivedType(typeof(PowerLossStep), "power-loss")]
public abstract record ScriptStep
{
    /// <summary>
    /// Write faults of this step made explicit (null: none): the simulator's seeded short writes,
    /// keyed to the write they hit, so that removing other steps does not move them
    /// (ScriptShrinker). Each counts as a fault, but for an ENOSPC that follows a short write.
    /// </summary>
    [JsonPropertyName("writeFaults")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WriteFault>? WriteFaults { get; init; }

    /// <summary>
    /// The slow fsyncs of this step made explicit (null: none): the simulator's seeded slow
    /// fsyncs (the <c>slowfsync</c> kind), keyed to the background fsync they delayed, counted
    /// from the start of the step, so that removing other steps does not move them
    /// (ScriptShrinker). Each counts as a fault.
    /// </summary>
    [JsonPropertyName("slowFsyncs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SlowFsync>? SlowFsyncs { get; init; }

    /// <summary>
    /// What each power loss of this step kept, made explicit (null: what the crash stream draws):
    /// per power loss, in order, a file name to its pending operations' fates, counted from the
    /// end (<see cref="SurvivedFate"/>), so that removing other steps does not change what a crash
    /// keeps (ScriptShrinker).
    /// </summary>
    [JsonPropertyName("survived")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? Survived { get; init; }

    /// <summary>Faults of <see cref="WriteFaults"/>: each short write, and each ENOSPC beyond the short writes' number.</summary>
    [JsonIgnore]
    public int WriteFaultCount => WriteFaults is null ? 0 : Math.Max(WriteFaults.Count(w => w.Bytes is not null), WriteFaults.Count(w => w.Bytes is null));

    /// <summary>Commands in this step (admin commands count: they are commands too).</summary>
    [JsonIgnore]
    public virtual int Commands => 0;

    /// <summary>Faults in this step (a power loss, a killed child).</summary>
    [JsonIgnore]
    public virtual int Faults => 0;
}

/// <summary>The <paramref name="Nth"/> write (counted from the start of its step, every file) writes only <paramref name="Bytes"/> bytes, as a filling disk cuts it; with no bytes, it fails with ENOSPC (the disk is full).</summary>
/// <param name="Nth">The write's number in its step, from 1.</param>
/// <param name="Bytes">Bytes written, or null for ENOSPC.</param>
public sealed record WriteFault(int Nth, int? Bytes);

/// <summary>The <paramref name="Nth"/> background fsync submitted in its step (from 1, every process) takes <paramref name="Ms"/>.</summary>
/// <param name="Nth">The fsync's number in its step, from 1.</param>
/// <param name="Ms">Its latency, in ms.</param>
public sealed record SlowFsync(int Nth, int Ms);

/// <summary>
/// A client sends <see cref="Argv"/> pipelined in db <see cref="Db"/> (a SELECT goes first when
/// the connection is in another db), then the event loop's beforeSleep releases the replies. An
/// argument <c>{now+N}</c> is the virtual time plus N ms when the command runs.
/// </summary>
/// <param name="Db">The db.</param>
/// <param name="Argv">The commands: one, or a MULTI … EXEC block.</param>
public sealed record ClientStep(int Db, IReadOnlyList<string[]> Argv) : ScriptStep
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override int Commands => Argv.Count(a => a[0] is not ("MULTI" or "EXEC"));
}

/// <summary>Virtual time passes: background jobs and cron ticks run in order.</summary>
/// <param name="Ms">Milliseconds.</param>
public sealed record AdvanceStep(long Ms) : ScriptStep;

/// <summary>The rewrite child, if one runs, makes up to <paramref name="Syscalls"/> syscalls.</summary>
/// <param name="Syscalls">Syscalls.</param>
public sealed record ChildStep(int Syscalls) : ScriptStep;

/// <summary>A server command on an admin connection (BGREWRITEAOF, CONFIG SET appendonly, BGSAVE).</summary>
/// <param name="Argv">The command.</param>
public sealed record AdminStep(string[] Argv) : ScriptStep
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override int Commands => 1;
}

/// <summary>The running rewrite child, if any, is killed (as the OOM killer would).</summary>
public sealed record KillChildStep : ScriptStep
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override int Faults => 1;
}

/// <summary>
/// After <paramref name="QuietMs"/> of time with no client, the power goes out; the machine is down
/// for <paramref name="DownMs"/>, then recovery and the checks.
/// </summary>
/// <param name="QuietMs">Milliseconds of quiet before the power loss.</param>
/// <param name="DownMs">Milliseconds before the server is up again.</param>
public sealed record PowerLossStep(long QuietMs = 0, long DownMs = 0) : ScriptStep
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override int Faults => 1;
}
