using System.Text.Json;
using System.Text.Json.Serialization;
using AofSim.Engine.Ports;

namespace AofSim.Faults;

/// <summary>The storage operations a fault can be attached to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultOp>))]
public enum FaultOp
{
    /// <summary>open(2).</summary>
    Open,

    /// <summary>write(2).</summary>
    Write,

    /// <summary>ftruncate(2).</summary>
    Ftruncate,

    /// <summary>fsync(2).</summary>
    Fsync,

    /// <summary>fdatasync(2).</summary>
    Fdatasync,

    /// <summary>close(2).</summary>
    Close,

    /// <summary>rename(2).</summary>
    Rename,

    /// <summary>unlink(2).</summary>
    Unlink,

    /// <summary>fsync of a directory.</summary>
    FsyncDirectory,
}

/// <summary>
/// A named step of the AOF rewrite, in the seed's order: the child writes
/// <c>temp-rewriteaof-&lt;pid&gt;.aof</c>, flushes, fsyncs and closes it, and renames it to
/// <c>temp-rewriteaof-bg-&lt;pid&gt;.aof</c>; the parent, once it has reaped the child, opens that
/// file, appends the diff, renames it over the AOF, swaps descriptors and (fixed) fsyncs the
/// directory. A trigger on a step is a trigger on that step's syscall.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RewriteStep>))]
public enum RewriteStep
{
    /// <summary>The child opens its temp file: before its first write.</summary>
    ChildOpen,

    /// <summary>The child's writes (the nth is mid-file).</summary>
    ChildWrite,

    /// <summary>The child fsyncs its temp file.</summary>
    ChildFsync,

    /// <summary>The child closes its temp file (where a full disk may be reported at last).</summary>
    ChildClose,

    /// <summary>The child renames its temp file to the name the parent looks for.</summary>
    ChildRename,

    /// <summary>The parent opens the child's file: the child has exited, its exit not yet handled.</summary>
    ParentOpen,

    /// <summary>The parent appends the diff to the child's file.</summary>
    ParentWriteDiff,

    /// <summary>The parent renames the child's file over the AOF (before the descriptor swap).</summary>
    ParentRename,

    /// <summary>The parent fsyncs the directory, making the rename durable (fixed profile).</summary>
    ParentDirFsync,
}

/// <summary>
/// When a fault fires: the <see cref="Nth"/> call (1-based) of <see cref="Op"/> whose path matches
/// <see cref="Path"/> (a glob on the file name; any path when null), and the <see cref="Count"/>
/// matching calls from there on (0: every one from there on). With <see cref="AtMs"/>, only calls
/// made at or after that virtual time count; with <see cref="Step"/>, the step names the operation
/// and the path.
/// </summary>
/// <param name="Op">The operation.</param>
/// <param name="Nth">Which matching call first (1 = the first).</param>
/// <param name="Path">Glob on the file name (e.g. "temp-rewriteaof-*"), or null for any.</param>
/// <param name="Count">How many matching calls, from the Nth on (0 = all).</param>
/// <param name="AtMs">Milliseconds since the run (or the injector) started: calls before it do not count; null for any time.</param>
/// <param name="Step">A named step of the rewrite, which sets the operation and the path.</param>
public sealed record Trigger(FaultOp Op, int Nth = 1, string? Path = null, int Count = 1, long? AtMs = null, RewriteStep? Step = null)
{
    /// <summary>A trigger on the <paramref name="nth"/> call of a named rewrite step.</summary>
    public static Trigger At(RewriteStep step, int nth = 1, int count = 1)
    {
        (FaultOp op, string? path) = StepCall(step);
        return new Trigger(op, nth, path, count, Step: step);
    }

    /// <summary>The operation and file-name glob of a named step.</summary>
    public static (FaultOp Op, string? Path) StepCall(RewriteStep step) => step switch
    {
        RewriteStep.ChildOpen => (FaultOp.Open, ChildTemp),
        RewriteStep.ChildWrite => (FaultOp.Write, ChildTemp),
        RewriteStep.ChildFsync => (FaultOp.Fdatasync, ChildTemp),
        RewriteStep.ChildClose => (FaultOp.Close, ChildTemp),
        RewriteStep.ChildRename => (FaultOp.Rename, ChildTemp),
        RewriteStep.ParentOpen => (FaultOp.Open, BackgroundTemp),
        RewriteStep.ParentWriteDiff => (FaultOp.Write, BackgroundTemp),
        RewriteStep.ParentRename => (FaultOp.Rename, BackgroundTemp),
        _ => (FaultOp.FsyncDirectory, null),
    };

    // The child's own temp file is temp-rewriteaof-<pid>.aof; the one it hands over, -bg-.
    private const string ChildTemp = "temp-rewriteaof-[0-9]*";
    private const string BackgroundTemp = "temp-rewriteaof-bg-*";

    /// <summary>The trigger in a few words, e.g. "the 3rd to 5th Write of appendonly.aof".</summary>
    public string Describe()
    {
        (FaultOp op, string? path) = Call;
        string which = Count == 1 ? $"call #{Nth}" : Count == 0 ? $"calls #{Nth} on" : $"calls #{Nth}-#{Nth + Count - 1}";
        return $"{(Step is RewriteStep s ? $"step {s} ({op})" : op.ToString())} {path ?? "*"} {which}{(AtMs is long at ? $" from +{at} ms" : string.Empty)}";
    }

    /// <summary>The operation and glob this trigger matches (the step's, when it names one).</summary>
    internal (FaultOp Op, string? Path) Call => Step is RewriteStep s ? StepCall(s) : (Op, Path);
}

/// <summary>What a fault does when it fires.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Fail), "fail")]
[JsonDerivedType(typeof(ShortWrite), "short-write")]
[JsonDerivedType(typeof(DiskFull), "disk-full")]
[JsonDerivedType(typeof(Kill), "kill")]
[JsonDerivedType(typeof(WriteCap), "write-cap")]
[JsonDerivedType(typeof(Delay), "delay")]
[JsonDerivedType(typeof(PowerLoss), "power-loss")]
public abstract record FaultAction;

/// <summary>The call fails with <paramref name="Error"/> and does nothing.</summary>
/// <param name="Error">errno.</param>
/// <remarks>
/// On an fsync, when the wrapped storage supports it (<see cref="IWritebackFaults"/>), the failure
/// has Linux's page-cache behaviour: the dirty pages are marked clean without reaching the disk.
/// </remarks>
public sealed record Fail([property: JsonConverter(typeof(JsonStringEnumConverter<Errno>))] Errno Error) : FaultAction;

/// <summary>A write writes only its first <paramref name="Bytes"/> bytes and reports that count (no error).</summary>
/// <param name="Bytes">Bytes written (at most the write's length).</param>
public sealed record ShortWrite(long Bytes) : FaultAction;

/// <summary>The file cannot grow past <paramref name="Offset"/> bytes: a write reaching it is short, and one starting there fails with ENOSPC.</summary>
/// <param name="Offset">Size, in bytes, at which the disk is full.</param>
public sealed record DiskFull(long Offset) : FaultAction;

/// <summary>
/// The process making the call is killed (SIGKILL) before the call happens: in the rewrite child
/// this is a kill at a named step (its open: before its first write; its nth write: mid-file;
/// its rename), in the server a kill -9 at that syscall.
/// </summary>
public sealed record Kill : FaultAction;

/// <summary>
/// A single write(2) writes at most <paramref name="Bytes"/> bytes (Linux caps one at
/// 2,147,479,552): a larger write is short, with no error.
/// </summary>
/// <param name="Bytes">The most one write writes.</param>
public sealed record WriteCap(long Bytes) : FaultAction;

/// <summary>
/// The call takes <paramref name="Ms"/> milliseconds longer (a slow disk). On an fsync this is the
/// slow fsync behind the seed's 2-second postpone; a simulator adds it in virtual time.
/// </summary>
/// <param name="Ms">Milliseconds.</param>
public sealed record Delay(long Ms) : FaultAction;

/// <summary>
/// The machine loses power at the call: before it happens, or, with <paramref name="After"/>,
/// right after it returned (a crash between a rename and what follows it).
/// </summary>
/// <param name="After">After the call rather than before it.</param>
public sealed record PowerLoss(bool After = false) : FaultAction;

/// <summary>One fault: a trigger and an action.</summary>
/// <param name="Trigger">When.</param>
/// <param name="Action">What.</param>
/// <param name="Kind">The fault kind it stands for (a campaign's name for it, counted in its summary), or null.</param>
public sealed record Fault(Trigger Trigger, FaultAction Action, string? Kind = null);

/// <summary>A list of faults, as data: it serialises to JSON and back, and any storage can run it (<see cref="FaultyStorage"/>).</summary>
/// <param name="Faults">The faults.</param>
public sealed record FaultPlan(IReadOnlyList<Fault> Faults)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The plan as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A plan from JSON; throws <see cref="JsonException"/> on bad input.</summary>
    public static FaultPlan FromJson(string json) =>
        JsonSerializer.Deserialize<FaultPlan>(json, Json) ?? throw new JsonException("empty fault plan");

    /// <summary>
    /// A trigger's glob as the engine's matcher takes it (Redis's stringmatchlen: * ? [abc] [a-z]
    /// [^a]), the shell's negated class [!a] written [^a]; null for any name.
    /// </summary>
    internal static byte[]? Glob(string? pattern) =>
        pattern is null ? null : System.Text.Encoding.UTF8.GetBytes(pattern.Replace("[!", "[^", StringComparison.Ordinal));

    /// <summary>True when <paramref name="fileName"/> (UTF-8) matches <paramref name="glob"/> (<see cref="Glob"/>; null matches any).</summary>
    internal static bool Matches(byte[]? glob, ReadOnlySpan<byte> fileName) =>
        glob is null || Engine.Text.Glob.IsMatch(glob, fileName);
}
