using AofSim.Engine.Ports;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Server;

/// <summary>flushAppendOnlyFile and the write-error and fsync-error handling around it.</summary>
public sealed partial class ServerCore
{
    // AOF_WRITE_LOG_ERROR_RATE (Redis 2.8): at most one write-error line every 30 seconds.
    private const long WriteErrorLogRateSeconds = 30;

    private long lastWriteErrorLog;
    private Errno aofLastWriteErrno;

    /// <summary>server.aof_flush_postponed_start: when a flush was first postponed (0 when none), in the profile's time unit.</summary>
    public long AofFlushPostponedStart { get; private set; }

    /// <summary>server.aof_last_fsync, in ms; under the seed's timing the cached second (server.unixtime) times 1000, compared in whole seconds.</summary>
    public long AofLastFsyncMs { get; private set; }

    /// <summary>server.aof_fsync_offset (Redis 5.0.5): the size of the AOF at the last fsync.</summary>
    public long AofFsyncOffset { get; private set; }

    private long fsyncErrorsSeen;
    private long fsyncRewriteNotBeforeMs;
    private int fsyncRewriteAttempts;
    private Errno aofFsyncErrno;
    private bool dropReplies;

    /// <summary>
    /// flushAppendOnlyFile. Writes the AOF buffer in one write(2), then fsyncs by policy.
    /// </summary>
    /// <param name="force">Write even while a background fsync is still pending.</param>
    /// <remarks>
    /// Under everysec the write may be postponed while a background fsync is still pending (on
    /// Linux the write would block behind it anyway), for up to two seconds; then it is written
    /// regardless and counted in <see cref="AofDelayedFsync"/>.
    /// </remarks>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FlushAppendOnlyFile(bool force)
    {
        bool syncInProgress = false;
        if (Stopped is not null || AofFd == -1)
        {
            return;
        }

        if (AofBuffer.Length == 0)
        {
            // Fix #7: under everysec, fsync even with an empty buffer when data written since the
            // last fsync would otherwise stay in the page cache for good once writes stop.
            if (Profile.FsyncEverysecTail && AppendFsync == AppendFsync.Everysec &&
                AofFsyncOffset != AofCurrentSize && FsyncDue() &&
                !(syncInProgress = ports.Jobs.Pending(BioJobType.AofFsync) != 0))
            {
                probes.Hit(Diagnostics.ProbeId.EverysecTailFsynced);
                TryFsync(syncInProgress);
            }

            return;
        }

        if (AppendFsync == AppendFsync.Everysec)
        {
            syncInProgress = ports.Jobs.Pending(BioJobType.AofFsync) != 0;
        }

        if (AppendFsync == AppendFsync.Everysec && !force && syncInProgress)
        {
            // With this append fsync policy we do background fsyncing. If the fsync is still in
            // progress we can try to delay the write for a couple of seconds.
            if (AofFlushPostponedStart == 0)
            {
                // No previous write postponing, remember that we are postponing the flush and
                // return.
                AofFlushPostponedStart = PostponeClock();
                probes.Hit(Diagnostics.ProbeId.FlushPostponed);
                return;
            }

            if (PostponeClock() - AofFlushPostponedStart < PostponeLimit())
            {
                // We were already waiting for fsync to finish, but for less than two seconds
                // this is still ok. Postpone again.
                return;
            }

            // Otherwise fall through, and go write since we can't wait over two seconds.
            AofDelayedFsync++;
            probes.Hit(Diagnostics.ProbeId.PostponeExpired);
            log.Log(LogLevel.Notice, "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
        }

        // If you are following this code path, then we are going to write so reset the
        // postponed flush sentinel to zero.
        AofFlushPostponedStart = 0;

        // We want to perform a single write. This should be guaranteed atomic at least if the
        // filesystem we are writing is a real physical one.
        int expected = AofBuffer.Length;
        SysResult written = Profile.WriteLoopsOnShortWrites ? AofWrite(AofFd, AofBuffer.Span) : ports.Storage.Write(AofFd, AofBuffer.Span);
        if (!written.Ok || written.Value != expected)
        {
            if (Profile.WriteErrorRefusesWrites)
            {
                HandleWriteErrorAndRetryLater(written, expected);
            }
            else
            {
                ExitOnWriteError(written, expected);
            }

            return;
        }

        if (!AofLastWriteOk)
        {
            log.Log(LogLevel.Warning, "AOF write error looks solved, Redis can write again.");
            probes.Hit(Diagnostics.ProbeId.WriteErrorSolved);
            AofLastWriteOk = true;
        }

        AofCurrentSize += written.Value;

        // Re-use AOF buffer when it is small enough (the seed's rule; its 4000-byte arena size
        // is "otherwise arbitrary", and here it is a size that only a big write exceeds).
        AofBuffer.Clear(ReusedBufferMax);
        TryFsync(syncInProgress);
    }

    // The seed: any failed or short write ends the server, after removing a short write so that
    // the AOF still loads (PR #587).
    private void ExitOnWriteError(SysResult written, int expected)
    {
        // Ooops, we are in troubles. The best thing to do for now is aborting instead of giving
        // the illusion that everything is working as expected.
        probes.Hit(Diagnostics.ProbeId.WriteErrorExit);
        if (!written.Ok)
        {
            Stop(1, $"Exiting on error writing to the append-only file: {ErrnoText.Strerror(written.Error)}");
            return;
        }

        // errno is not set by a write that returns a short count: the seed prints a stale one,
        // which here is always "Success".
        string shortWrite = $"Exiting on short write while writing to the append-only file: {ErrnoText.Strerror(Errno.None)} (nwritten={written.Value}, expected={expected})";
        log.Log(LogLevel.Warning, shortWrite);
        Errno truncated = Profile.TruncateShortWrite ? ports.Storage.Ftruncate(AofFd, AofCurrentSize) : Errno.None;
        NoteTruncation(Profile.TruncateShortWrite, truncated);
        if (truncated != Errno.None)
        {
            string failed = $"Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: {ErrnoText.Strerror(truncated)}";
            log.Log(LogLevel.Warning, failed);
            shortWrite = failed;
        }

        Stop(1, shortWrite, logged: true);
    }

    // Fix #6 (Redis 2.8.6): under everysec/no the data stays in the buffer, writes are refused
    // with -MISCONF, and the flush is retried every second; under always the reply is already
    // promised to be on disk, so the server must stop.
    private void HandleWriteErrorAndRetryLater(SysResult written, int expected)
    {
        bool canLog = UnixTime - lastWriteErrorLog > WriteErrorLogRateSeconds;
        if (canLog)
        {
            lastWriteErrorLog = UnixTime;
        }

        long nwritten = written.Ok ? written.Value : -1;
        if (!written.Ok)
        {
            if (canLog)
            {
                log.Log(LogLevel.Warning, $"Error writing to the AOF file: {ErrnoText.Strerror(written.Error)}");
            }

            aofLastWriteErrno = written.Error;
        }
        else
        {
            if (canLog)
            {
                log.Log(LogLevel.Warning, $"Short write while writing to the AOF file: (nwritten={written.Value}, expected={expected})");
            }

            Errno truncated = Profile.TruncateShortWrite ? ports.Storage.Ftruncate(AofFd, AofCurrentSize) : Errno.EINVAL;
            NoteTruncation(Profile.TruncateShortWrite, truncated);
            if (truncated != Errno.None)
            {
                if (canLog && Profile.TruncateShortWrite)
                {
                    log.Log(LogLevel.Warning, $"Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: {ErrnoText.Strerror(truncated)}");
                }
            }
            else
            {
                // The ftruncate() succeeded: there is no partial data left in the AOF.
                nwritten = -1;
            }

            aofLastWriteErrno = Errno.ENOSPC;
        }

        if (AppendFsync == AppendFsync.Always)
        {
            probes.Hit(Diagnostics.ProbeId.WriteErrorExit);
            Stop(1, "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
            return;
        }

        if (AofLastWriteOk)
        {
            probes.Hit(Diagnostics.ProbeId.WriteErrorEntered);
        }

        AofLastWriteOk = false;

        // Trim the buffer if there was a partial write that ftruncate could not undo.
        if (nwritten > 0)
        {
            AofCurrentSize += nwritten;
            AofBuffer.Consume((int)nwritten);
        }
    }

    private void TryFsync(bool syncInProgress)
    {
        // Don't fsync if no-appendfsync-on-rewrite is set to yes and there are children doing
        // I/O in the background.
        if (NoAppendFsyncOnRewrite && (AofChildPid != -1 || RdbChildPid != -1))
        {
            return;
        }

        if (AppendFsync == AppendFsync.Always)
        {
            // aof_fsync is fdatasync() on Linux, to avoid flushing metadata.
            Errno e = ports.Storage.Fdatasync(AofFd);
            if (e != Errno.None && Profile.RewriteAfterFsyncError)
            {
                // The replies of this cycle were promised to be on disk: none is sent.
                EnterFsyncBroken(e);
                dropReplies = true;
                probes.Hit(Diagnostics.ProbeId.FsyncErrorRepliesDropped);
            }
            else if (e != Errno.None && Profile.FsyncErrorsHandled)
            {
                // Fix #11: the reply is promised to be on disk; an fsync error breaks that.
                Stop(1, $"Can't persist AOF for fsync error when the AOF fsync policy is 'always': {ErrnoText.Strerror(e)}. Exiting...");
                return;
            }

            AofFsyncOffset = AofCurrentSize;
            AofLastFsyncMs = FsyncClockMs();
        }
        else if (AppendFsync == AppendFsync.Everysec && FsyncDue())
        {
            if (!syncInProgress)
            {
                AofBackgroundFsync(AofFd);
                AofFsyncOffset = AofCurrentSize;
            }
            else
            {
                probes.Hit(Diagnostics.ProbeId.FsyncDueWhileRunning);
            }

            AofLastFsyncMs = FsyncClockMs();
        }
    }

    // aofWrite (fix #16): write until everything is written; an error after some progress
    // reports that progress, so the short-write handling can remove it.
    private SysResult AofWrite(int fd, ReadOnlySpan<byte> data)
    {
        long total = 0;
        int writes = 0;
        while (!data.IsEmpty)
        {
            writes++;
            SysResult r = ports.Storage.Write(fd, data);
            if (!r.Ok || r.Value == 0)
            {
                return total > 0 ? SysResult.Success(total) : (r.Ok ? SysResult.Success(0) : r);
            }

            total += r.Value;
            data = data[(int)r.Value..];
        }

        if (total > 0 && writes > 1)
        {
            probes.Hit(Diagnostics.ProbeId.ShortWriteCompletedByLoop);
        }

        return SysResult.Success(total);
    }

    /// <summary>aof_background_fsync: an fsync of <paramref name="fd"/> on the bio thread.</summary>
    private void AofBackgroundFsync(int fd) => ports.Jobs.Submit(BioJobType.AofFsync, fd);

    // The seed fsyncs when the cached second has moved on (server.unixtime > aof_last_fsync), so
    // two fsyncs can be 1 ms or almost 2 s apart (#17); the fix uses milliseconds.
    private bool FsyncDue() => Profile.MillisecondFsyncTiming
        ? NowMs - AofLastFsyncMs >= 1000
        : UnixTime > AofLastFsyncMs / 1000;

    // What aof_last_fsync records: the seed stores server.unixtime, the second cached by the last
    // cron (aof.c:164, 285, 289), which can be a second behind the clock; the fix records the time in ms.
    private long FsyncClockMs() => Profile.MillisecondFsyncTiming ? NowMs : UnixTime * 1000;

    private long PostponeClock() => Profile.MillisecondFsyncTiming ? NowMs : UnixTime;

    private long PostponeLimit() => Profile.MillisecondFsyncTiming ? 2000 : 2;

    /// <summary>Redis 2.8/6.2: why writes are refused, if they are.</summary>
    private bool WritesDenied(out string? why)
    {
        why = null;
        if (State == AofState.Off)
        {
            return false;
        }

        if (Profile.WriteErrorRefusesWrites && !AofLastWriteOk)
        {
            why = $"MISCONF Errors writing to the AOF file: {ErrnoText.Strerror(aofLastWriteErrno)}";
            return true;
        }

        if (Profile.RewriteAfterFsyncError && NoteFsyncErrors())
        {
            why = $"MISCONF Errors writing to the AOF file: {ErrnoText.Strerror(aofFsyncErrno)}";
            return true;
        }

        if (Profile.FsyncErrorsHandled && ports.Jobs.LastFsyncError != Errno.None)
        {
            why = $"MISCONF Errors writing to the AOF file: {ErrnoText.Strerror(ports.Jobs.LastFsyncError)}";
            return true;
        }

        return false;
    }

    /// <summary>True while the AOF is known not durable after an fsync error (fix RewriteAfterFsyncError).</summary>
    public bool AofFsyncBroken { get; private set; }

    // Learns of background fsync failures (counted, since a later success hides the last error)
    // and reports whether the AOF is still waiting for its rewrite.
    private bool NoteFsyncErrors()
    {
        long errors = ports.Jobs.FsyncErrors;
        if (errors > fsyncErrorsSeen)
        {
            fsyncErrorsSeen = errors;
            EnterFsyncBroken(ports.Jobs.LastFsyncError == Errno.None ? Errno.EIO : ports.Jobs.LastFsyncError);
        }

        return AofFsyncBroken;
    }

    // What an fsync error leaves behind cannot be trusted to be on disk, nor written again by a
    // later fsync: refuse writes and rewrite the AOF from memory (cron starts it).
    private void EnterFsyncBroken(Errno e)
    {
        aofFsyncErrno = e;
        if (!AofFsyncBroken && State == AofState.On)
        {
            AofFsyncBroken = true;
            probes.Hit(Diagnostics.ProbeId.FsyncErrorEntered);
            fsyncRewriteAttempts = 0;
            fsyncRewriteNotBeforeMs = 0;
            log.Log(LogLevel.Warning, $"Error syncing the AOF: {ErrnoText.Strerror(e)}. Refusing writes until the AOF is rewritten.");
        }
    }

    // The short write's removal (PR #587): whether the ftruncate, when the profile makes one, worked.
    private void NoteTruncation(bool attempted, Errno truncated)
    {
        if (attempted)
        {
            probes.Hit(truncated == Errno.None ? Diagnostics.ProbeId.ShortWriteTruncated : Diagnostics.ProbeId.FtruncateFailed);
        }
    }

    /// <summary>aofUpdateCurrentSize: the AOF's size from fstat(2).</summary>
    private void AofUpdateCurrentSize()
    {
        SysResult st = ports.Storage.Fstat(AofFd);
        if (!st.Ok)
        {
            log.Log(LogLevel.Warning, $"Unable to obtain the AOF file length. stat: {ErrnoText.Strerror(st.Error)}");
            return;
        }

        AofCurrentSize = st.Value;
    }
}
