using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;

namespace AofSim.Engine.Server;

/// <summary>Background rewrite, its done handler, and turning the AOF on and off.</summary>
public sealed partial class ServerCore
{
    /// <summary>The name the child renames its finished file to: "temp-rewriteaof-bg-&lt;pid&gt;.aof".</summary>
    public static string BackgroundTempFileName(int pid) => $"temp-rewriteaof-bg-{pid}.aof";

    /// <summary>
    /// rewriteAppendOnlyFileBackground. The child rewrites a point-in-time snapshot to
    /// temp-rewriteaof-&lt;pid&gt;.aof, renames it to temp-rewriteaof-bg-&lt;pid&gt;.aof and exits 0 (1 on
    /// error); meanwhile the parent accumulates the diff in the rewrite buffer.
    /// </summary>
    /// <returns>False when a child is already running or fork failed.</returns>
    public bool RewriteAppendOnlyFileBackground()
    {
        if (AofChildPid != -1)
        {
            return false;
        }

        // The child's work depends only on what it is given at fork: the snapshot and the time.
        DatasetSnapshot snapshot = Data.Fork();
        long forkedAtMs = ports.Clock.NowMs;
        SysResult forked = ports.Children.Fork(child =>
        {
            string tmpfile = BackgroundTempFileName(child.Pid);
            return AofRewriter.RewriteToFile(child.Storage, snapshot, tmpfile, child.Pid, forkedAtMs, Profile, log) ? 0 : 1;
        });
        if (!forked.Ok)
        {
            log.Log(LogLevel.Warning, $"Can't rewrite append only file in background: fork: {ErrnoText.Strerror(forked.Error)}");
            return false;
        }

        int childpid = (int)forked.Value;
        log.Log(LogLevel.Notice, $"Background append only file rewriting started by pid {childpid}");
        AofRewriteScheduled = false;
        AofRewriteTimeStart = NowMs / 1000;
        AofChildPid = childpid;

        // We set aof_selected_db to -1 in order to force the next call to feedAppendOnlyFile()
        // to issue a SELECT command, so the differences accumulated by the parent into the
        // rewrite buffer will start with a SELECT statement and it will be safe to merge.
        AofSelectedDb = -1;
        return true;
    }

    /// <summary>backgroundRewriteDoneHandler: the child ended with <paramref name="exitcode"/> or by <paramref name="bysignal"/>.</summary>
    public void BackgroundRewriteDoneHandler(int exitcode, int bysignal)
    {
        if (bysignal == 0 && exitcode == 0)
        {
            SwitchToRewrittenFile();
        }
        else if (bysignal == 0)
        {
            AofLastBgrewriteOk = false;
            log.Log(LogLevel.Warning, "Background AOF rewrite terminated with error");
            probes.Hit(Diagnostics.ProbeId.RewriteChildFailed);
        }
        else
        {
            AofLastBgrewriteOk = false;
            log.Log(LogLevel.Warning, $"Background AOF rewrite terminated by signal {bysignal}");
            probes.Hit(Diagnostics.ProbeId.RewriteChildKilled);
        }

        // cleanup:
        RewriteBuffer.Reset();
        AofRemoveTempFile(AofChildPid);
        AofChildPid = -1;
        AofRewriteTimeLast = (NowMs / 1000) - AofRewriteTimeStart;
        AofRewriteTimeStart = -1;

        // Schedule a new rewrite if we are waiting for it to switch the AOF ON.
        if (State == AofState.WaitRewrite)
        {
            AofRewriteScheduled = true;
        }
    }

    /// <summary>aofRemoveTempFile: the seed removes only the -bg- name (#10); the fix removes both.</summary>
    public void AofRemoveTempFile(int childpid)
    {
        ports.Storage.Unlink(BackgroundTempFileName(childpid));
        if (Profile.RemoveBothTempNames && ports.Storage.Unlink(AofRewriter.TempFileName(childpid)) == Errno.None)
        {
            probes.Hit(Diagnostics.ProbeId.RewriteTempFileRemoved);
        }
    }

    /// <summary>
    /// startAppendOnly (CONFIG SET appendonly yes): opens the AOF and starts a rewrite; the AOF is
    /// written only once that rewrite is done (WAIT_REWRITE).
    /// </summary>
    public bool StartAppendOnly()
    {
        AofLastFsyncMs = FsyncClockMs();
        bool existed = ports.Storage.Stat(AofFileName).Ok;
        SysResult opened = ports.Storage.Open(AofFileName, OpenFlags.WriteOnly | OpenFlags.Append | OpenFlags.Create);
        if (!opened.Ok)
        {
            log.Log(LogLevel.Warning, $"Redis needs to enable the AOF but can't open the append only file: {ErrnoText.Strerror(opened.Error)}");
            return false;
        }

        AofFd = (int)opened.Value;
        if (!existed)
        {
            MakeNewAofNameDurable();
        }

        if (!RewriteAppendOnlyFileBackground())
        {
            ports.Storage.Close(AofFd);
            AofFd = -1;
            log.Log(LogLevel.Warning, "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            return false;
        }

        // We correctly switched on AOF, now wait for the rewrite to be complete in order to
        // append data on disk.
        State = AofState.WaitRewrite;
        return true;
    }

    /// <summary>
    /// stopAppendOnly (CONFIG SET appendonly no): flushes, fsyncs and closes the AOF; a running
    /// rewrite child is killed and its temp file removed.
    /// </summary>
    public void StopAppendOnly()
    {
        FlushAppendOnlyFile(force: true);
        if (Stopped is not null)
        {
            return;
        }

        Errno synced = ports.Storage.Fdatasync(AofFd);
        ports.Storage.Close(AofFd);
        AofFd = -1;
        AofSelectedDb = -1;

        // The next start rewrites the AOF from memory anyway; but until then the file on disk
        // keeps the pages a failed fsync dropped, and a restart would load it as it is. Only a
        // rewrite clears it: an fsync that succeeds now (after the AOF was turned on and off
        // again) covers nothing of what Linux dropped.
        AofFileNotDurable |= Profile.RewriteAfterFsyncError && (NoteFsyncErrors() || synced != Errno.None);
        State = AofState.Off;
        AofFsyncBroken = false;

        // What the forced flush could not write (only possible once write errors no longer exit,
        // fix #6) must not be written later into another file without its SELECT: drop it, as
        // Redis 7's stopAppendOnly does. The next rewrite captures the dataset anyway.
        DroppedAtStop = AofBuffer.Length;
        if (DroppedAtStop > 0)
        {
            probes.Hit(Diagnostics.ProbeId.StopDroppedBuffer);
        }

        AofBuffer.Clear();
        AofLastWriteOk = true;

        // Rewrite operation in progress? Kill it, wait for the child to exit.
        if (AofChildPid != -1)
        {
            log.Log(LogLevel.Notice, $"Killing running AOF rewrite child: {AofChildPid}");
            probes.Hit(Diagnostics.ProbeId.RewriteChildKilledByServer);
            if (ports.Children.Kill(AofChildPid))
            {
                ports.Children.Wait(AofChildPid);
            }

            // Reset the buffer accumulating changes while the child saves.
            RewriteBuffer.Reset();
            AofRemoveTempFile(AofChildPid);
            AofChildPid = -1;
            AofRewriteTimeStart = -1;
        }
    }

    /// <summary>
    /// The AOF was turned off while not durable since an fsync error (fix RewriteAfterFsyncError):
    /// SHUTDOWN refuses until a rewrite has replaced it.
    /// </summary>
    public bool AofFileNotDurable { get; private set; }

    /// <summary>Bytes of the AOF buffer the last stopAppendOnly could not write and dropped.</summary>
    public int DroppedAtStop { get; private set; }

    /// <summary>BGSAVE, modelled: a child that only keeps the server busy, so that rewrites wait for it.</summary>
    public bool StartRdbChild()
    {
        if (RdbChildPid != -1 || AofChildPid != -1)
        {
            return false;
        }

        SysResult forked = ports.Children.Fork(_ => 0);
        if (!forked.Ok)
        {
            log.Log(LogLevel.Warning, $"Can't save in background: fork: {ErrnoText.Strerror(forked.Error)}");
            return false;
        }

        RdbChildPid = (int)forked.Value;
        log.Log(LogLevel.Notice, $"Background saving started by pid {RdbChildPid}");
        return true;
    }

    private void BackgroundSaveDone(ChildExit exit)
    {
        log.Log(
            exit.Signal == 0 && exit.ExitCode == 0 ? LogLevel.Notice : LogLevel.Warning,
            exit.Signal != 0 ? $"Background saving terminated by signal {exit.Signal}"
            : exit.ExitCode == 0 ? "Background saving terminated with success" : "Background saving error");
        RdbChildPid = -1;
    }

    // serverCron: trigger an AOF rewrite when the file has grown by the configured percentage
    // over its size after the last rewrite, once past the minimum size.
    private void MaybeStartAutomaticRewrite()
    {
        if (State == AofState.On && RdbChildPid == -1 && AofChildPid == -1 &&
            AutoAofRewritePercentage != 0 && AofCurrentSize > AutoAofRewriteMinSize)
        {
            long baseSize = AofRewriteBaseSize != 0 ? AofRewriteBaseSize : 1;
            long growth = (AofCurrentSize * 100 / baseSize) - 100;
            if (growth >= AutoAofRewritePercentage)
            {
                log.Log(LogLevel.Notice, $"Starting automatic rewriting of AOF on {growth}% growth");
                probes.Hit(Diagnostics.ProbeId.AutomaticRewrite);
                RewriteAppendOnlyFileBackground();
            }
        }
    }

    // The success branch of backgroundRewriteDoneHandler: append the diff to the child's file,
    // rename it over the AOF, and switch descriptors.
    private void SwitchToRewrittenFile()
    {
        long startMs = NowMs;
        log.Log(LogLevel.Notice, "Background AOF rewrite terminated with success");

        // Flush the differences accumulated by the parent to the rewritten AOF.
        string tmpfile = BackgroundTempFileName(AofChildPid);
        SysResult opened = ports.Storage.Open(tmpfile, OpenFlags.WriteOnly | OpenFlags.Append);
        if (!opened.Ok)
        {
            log.Log(LogLevel.Warning, $"Unable to open the temporary AOF produced by the child: {ErrnoText.Strerror(opened.Error)}");
            probes.Hit(Diagnostics.ProbeId.RewriteOpenFailed);
            return;
        }

        int newfd = (int)opened.Value;
        if (RewriteBuffer.BlockCount > 1)
        {
            probes.Hit(Diagnostics.ProbeId.DiffBufferMultiBlock);
        }

        if (RewriteBuffer.WriteTo(ports.Storage, newfd, out Errno werr) == -1)
        {
            probes.Hit(Diagnostics.ProbeId.RewriteDiffWriteFailed);
            log.Log(LogLevel.Warning, $"Error trying to flush the parent diff to the rewritten AOF: {ErrnoText.Strerror(werr)}");
            ports.Storage.Close(newfd);
            return;
        }

        log.Log(LogLevel.Notice, $"Parent diff successfully flushed to the rewritten AOF ({RewriteBuffer.Size} bytes)");

        if (Profile.FsyncBeforeRenameAndDir)
        {
            // Fix #13: the new file must be durable before it replaces the old one.
            Errno synced = ports.Storage.Fsync(newfd);
            if (synced != Errno.None)
            {
                log.Log(LogLevel.Warning, $"Error trying to fsync the rewritten AOF: {ErrnoText.Strerror(synced)}");
                probes.Hit(Diagnostics.ProbeId.RewriteFsyncFailed);
                ports.Storage.Close(newfd);
                return;
            }
        }

        // The only remaining thing to do is to rename the temporary file to the configured file
        // and switch the file descriptor used to do AOF writes. close(2) of the old file, its last
        // reference, may block on unlinking it: when the AOF is off the target is opened first,
        // so that in both cases the unlink happens at a close done in the background.
        int oldfd = -1;
        if (AofFd == -1)
        {
            // AOF disabled. Don't care if this fails: oldfd will be -1 and we handle that.
            SysResult old = ports.Storage.Open(AofFileName, OpenFlags.ReadOnly | OpenFlags.NonBlock);
            oldfd = old.Ok ? (int)old.Value : -1;
        }

        // Rename the temporary file. This will not unlink the target file if it exists, because
        // we reference it with oldfd.
        Errno renamed = ports.Storage.Rename(tmpfile, AofFileName);
        if (renamed != Errno.None)
        {
            log.Log(LogLevel.Warning, $"Error trying to rename the temporary AOF file: {ErrnoText.Strerror(renamed)}");
            probes.Hit(Diagnostics.ProbeId.RewriteRenameFailed);
            ports.Storage.Close(newfd);
            if (oldfd != -1)
            {
                ports.Storage.Close(oldfd);
            }

            return;
        }

        bool renameDurable = true;
        if (Profile.FsyncBeforeRenameAndDir)
        {
            // Fix #13: the rename is durable only once the directory is fsynced. It cannot be
            // undone now; the failure is logged and the rewrite's status recorded as an error.
            Errno dir = ports.Storage.FsyncDirectory(".");
            if (dir != Errno.None)
            {
                log.Log(LogLevel.Warning, $"Error trying to fsync the directory of the AOF after the rename: {ErrnoText.Strerror(dir)}");
                probes.Hit(Diagnostics.ProbeId.RewriteDirFsyncFailed);
                renameDurable = false;
            }
        }

        if (AofFd == -1)
        {
            // AOF disabled, we don't need to set the AOF file descriptor to this new file, so we
            // can close it.
            ports.Storage.Close(newfd);
        }
        else
        {
            // AOF enabled, replace the old fd with the new one.
            // (Asked only when someone counts: the question is not free on a threaded bio.)
            if (ports.Probes is not null && ports.Jobs.Pending(BioJobType.AofFsync) != 0)
            {
                probes.Hit(Diagnostics.ProbeId.FsyncPendingAtSwitch);
            }

            oldfd = AofFd;
            AofFd = newfd;
            if (AppendFsync == AppendFsync.Always)
            {
                Errno synced = ports.Storage.Fdatasync(newfd);
                if (synced != Errno.None && Profile.FsyncErrorsHandled)
                {
                    Stop(1, $"Can't persist AOF for fsync error when the AOF fsync policy is 'always': {ErrnoText.Strerror(synced)}. Exiting...");
                }
            }
            else if (AppendFsync == AppendFsync.Everysec)
            {
                AofBackgroundFsync(newfd);
            }

            AofSelectedDb = -1; // Make sure SELECT is re-issued
            AofUpdateCurrentSize();
            AofRewriteBaseSize = AofCurrentSize;
            AofFsyncOffset = AofCurrentSize;

            // Clear regular AOF buffer since its contents was just written to the new AOF from
            // the background rewrite buffer.
            AofBuffer.Clear();
        }

        AofLastBgrewriteOk = renameDurable;

        log.Log(LogLevel.Notice, "Background AOF rewrite finished successfully");
        probes.Hit(Diagnostics.ProbeId.RewriteSwitched);
        AofFileNotDurable &= !renameDurable;
        if (AofFsyncBroken && renameDurable)
        {
            // The new AOF, written from memory, is durable (fsynced, its name too).
            AofFsyncBroken = false;
            log.Log(LogLevel.Notice, "The AOF was rewritten after an fsync error: writes are accepted again.");
            probes.Hit(Diagnostics.ProbeId.FsyncErrorCleared);
        }

        // Change state from WAIT_REWRITE to ON if needed.
        if (State == AofState.WaitRewrite)
        {
            State = AofState.On;
            probes.Hit(Diagnostics.ProbeId.WaitRewriteSwitchedOn);
        }

        // Asynchronously close the overwritten AOF. The fix (#12) closes it on the AOF fsync
        // worker, after every fsync already queued on it, so no fsync ever reaches a closed or
        // reused descriptor.
        if (oldfd != -1)
        {
            ports.Jobs.Submit(Profile.NoFsyncOnClosedFd ? BioJobType.CloseAof : BioJobType.CloseFile, oldfd);
        }

        log.Log(LogLevel.Verbose, $"Background AOF rewrite signal handler took {(NowMs - startMs) * 1000}us");
    }
}
