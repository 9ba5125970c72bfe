namespace AofSim.Engine.Profiles;

/// <summary>
/// Behaviour switches. <see cref="Redis26"/> is the seed, bugs included; <see cref="Fixed"/>
/// turns on every fix. Each fix is its own switch, so one can be turned off alone to show which
/// test catches its absence. The numbers refer to the table of historical bugs in docs/profiles.md.
/// </summary>
public sealed record Profile
{
    /// <summary>The seed's behaviour, byte for byte and bug for bug.</summary>
    public static readonly Profile Redis26 = new() { Name = "redis26", TruncateShortWrite = true };

    /// <summary>The reference behaviour: every known fix applied.</summary>
    public static readonly Profile Fixed = new()
    {
        Name = "fixed",
        RewriteExpiryBeforeWrite = true,
        RewriteChecksFlushErrors = true,
        WriteErrorRefusesWrites = true,
        FsyncEverysecTail = true,
        FlushBeforeShutdown = true,
        SetExpiryAbsolute = true,
        RemoveBothTempNames = true,
        FsyncErrorsHandled = true,
        NoFsyncOnClosedFd = true,
        FsyncBeforeRenameAndDir = true,
        MillisecondFsyncTiming = true,
        LoaderQueuesMulti = true,
        LoaderShortBulkIsTruncation = true,
        LoaderStrictHeaders = true,
        LoaderChecksBulkCrlf = true,
        IncrByFloatKeepsTtl = true,
        AtomicSetEx = true,
        TruncateShortWrite = true,
        WriteLoopsOnShortWrites = true,
        RewriteAfterFsyncError = true,
        FsyncLoadedTailOnStart = true,
        ShutdownWaitsForInitialAof = true,
    };

    /// <summary>The profile's name.</summary>
    public string Name { get; init; } = "custom";

    /// <summary>
    /// #1, PR #587 (present in the seed, so on in both profiles): after a short write the AOF is
    /// truncated back to its last good size. Off, half a command stays in the file and the AOF
    /// no longer loads as it is.
    /// </summary>
    public bool TruncateShortWrite { get; init; }

    /// <summary>
    /// #16 (issues #4066/#4499, Redis 4.0.7's aofWrite): the AOF buffer is written in a loop
    /// until all of it is written or a write fails. Without it, a buffer larger than what one
    /// write(2) takes (Linux caps it at 2,147,479,552 bytes) is short-written every time, and
    /// once write errors are retried (#6) the retry never ends.
    /// </summary>
    public bool WriteLoopsOnShortWrites { get; init; }

    /// <summary>#4, PR #1079: the rewrite skips an expired key before writing it, not after its SET.</summary>
    public bool RewriteExpiryBeforeWrite { get; init; }

    /// <summary>#5, PR #1606: the rewrite checks fflush, fsync and fclose, and never renames a short file.</summary>
    public bool RewriteChecksFlushErrors { get; init; }

    /// <summary>#6, commit fadbbdd3f: a write error under everysec/no refuses writes and retries, instead of exiting.</summary>
    public bool WriteErrorRefusesWrites { get; init; }

    /// <summary>#7, PRs #5985/#6053: under everysec, the tail is fsynced even when writes stop.</summary>
    public bool FsyncEverysecTail { get; init; }

    /// <summary>#8, PR #4311: SHUTDOWN flushes the AOF buffer before its fsync.</summary>
    public bool FlushBeforeShutdown { get; init; }

    /// <summary>#9, PR #4068: SET with EX/PX is logged with an absolute expiry (SET … PXAT).</summary>
    public bool SetExpiryAbsolute { get; init; }

    /// <summary>#10, PR #5920: a failed or killed rewrite removes both temp names.</summary>
    public bool RemoveBothTempNames { get; init; }

    /// <summary>#11, PRs #8347/#8419: an fsync error is an error, never ignored.</summary>
    public bool FsyncErrorsHandled { get; init; }

    /// <summary>
    /// #11, beyond Redis 7: after a failed fsync Linux marks the dirty pages clean, so the next
    /// fsync succeeds and the data is never written (fsyncgate). Refusing writes only until an
    /// fsync succeeds, as Redis 6.2+ does, then loses acknowledged writes at a power loss. With
    /// this switch writes stay refused, and replies held under always are dropped, until a
    /// rewrite from memory has made the AOF durable again.
    /// </summary>
    public bool RewriteAfterFsyncError { get; init; }

    /// <summary>#12, PR #8751: no fsync is ever issued on a descriptor that was closed or reused.</summary>
    public bool NoFsyncOnClosedFd { get; init; }

    /// <summary>#13, PR #10737: fsync the new AOF before the rename and the directory after it.</summary>
    public bool FsyncBeforeRenameAndDir { get; init; }

    /// <summary>#17, PRs #8612/#13041: the everysec fsync and the 2-second postpone timed in ms.</summary>
    public bool MillisecondFsyncTiming { get; init; }

    /// <summary>#15, PR #5201: the loader queues the commands of a MULTI until its EXEC, so a block cut by the end of the file is never applied half-way.</summary>
    public bool LoaderQueuesMulti { get; init; }

    /// <summary>Redis 2.8: a bulk cut short by the end of the file is a truncation ("Unexpected end of file"), not "Bad file format" as in the seed.</summary>
    public bool LoaderShortBulkIsTruncation { get; init; }

    /// <summary>
    /// A count or length line must be the marker, plain decimal digits and CRLF, at most 127
    /// bytes. Off (the seed, and Redis 7 still), the line is read as <c>fgets(buf,128)</c> reads
    /// it and parsed with <c>atoi</c>/<c>strtol</c>: <c>*3x</c>, <c>$ 1</c> and a line ended by a
    /// bare LF load, and a longer line is split in two, its second piece read as what follows.
    /// </summary>
    public bool LoaderStrictHeaders { get; init; }

    /// <summary>
    /// A bulk must be followed by CRLF ("Bad file format" otherwise, as redis-check-aof says).
    /// Off (the seed, and Redis 7 still), the two bytes after a bulk are discarded unread, so a
    /// damaged file may load garbage.
    /// </summary>
    public bool LoaderChecksBulkCrlf { get; init; }

    /// <summary>
    /// Redis 7: SETEX/PSETEX are logged as one <c>SET k v PXAT &lt;ms&gt;</c>. The seed logs SET then
    /// PEXPIREAT: a power loss between the two keeps the value without its expiry (found by the
    /// simulator: a torn AOF tail that recovers to no prefix of the history).
    /// </summary>
    public bool AtomicSetEx { get; init; }

    /// <summary>Redis 6.2: INCRBYFLOAT is logged as SET … KEEPTTL, so a replay keeps the key's expiry (the seed logs a plain SET, which drops it).</summary>
    public bool IncrByFloatKeepsTtl { get; init; }

    /// <summary>
    /// Found by the simulator, present in Redis 7 still (<c>aofOpenIfNeededOnServerStart</c> sets
    /// <c>aof_last_incr_fsync_offset</c> to the file's size): a server that starts on an AOF counts
    /// all of it as fsynced. After a process crash the dead server's last second of writes is
    /// only in the page cache, acknowledged under everysec; nothing fsyncs it until a new write
    /// comes, so a power loss seconds later loses writes acknowledged long before. With this
    /// switch the loaded AOF is fsynced before the server serves a client.
    /// </summary>
    public bool FsyncLoadedTailOnStart { get; init; }

    /// <summary>
    /// Redis 2.8's prepareForShutdown: SHUTDOWN while <c>appendonly yes</c> waits for its first
    /// rewrite (WAIT_REWRITE) refuses ("Writing initial AOF, can't exit."). The seed kills the
    /// child and exits: the writes acknowledged since were only in the diff buffer, and the AOF
    /// the restart loads is whatever an earlier AOF session left in the file.
    /// </summary>
    public bool ShutdownWaitsForInitialAof { get; init; }

    /// <summary>The names of every switch.</summary>
    public static IReadOnlyList<string> SwitchNames { get; } =
        [.. typeof(Profile).GetProperties().Where(p => p.PropertyType == typeof(bool)).Select(p => p.Name).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The profile a spec names: <c>redis26</c> or <c>fixed</c>, optionally followed by switches
    /// turned on (<c>+Name</c>) or off (<c>-Name</c>), e.g. <c>redis26+FsyncEverysecTail</c> or
    /// <c>fixed-FsyncBeforeRenameAndDir</c>: one fix alone, or all but one.
    /// </summary>
    public static bool TryGet(string spec, out Profile profile)
    {
        profile = null!;
        int cut = spec.IndexOfAny(['+', '-']);
        string baseName = cut < 0 ? spec : spec[..cut];
        Profile? p = baseName switch
        {
            "redis26" => Redis26,
            "fixed" => Fixed,
            _ => null,
        };
        if (p is null)
        {
            return false;
        }

        for (int i = cut; i >= 0 && i < spec.Length;)
        {
            int next = spec.IndexOfAny(['+', '-'], i + 1);
            string name = spec[(i + 1)..(next < 0 ? spec.Length : next)];
            System.Reflection.PropertyInfo? prop = typeof(Profile).GetProperty(name);
            if (prop is null || prop.PropertyType != typeof(bool))
            {
                return false;
            }

            p = p with { };
            prop.SetValue(p, spec[i] == '+');
            i = next;
        }

        profile = cut < 0 ? p : p with { Name = spec };
        return true;
    }
}
