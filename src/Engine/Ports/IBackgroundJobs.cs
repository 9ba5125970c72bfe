namespace AofSim.Engine.Ports;

/// <summary>The seed's bio job types (bio.h), one queue and one thread each.</summary>
public enum BioJobType
{
    /// <summary>REDIS_BIO_CLOSE_FILE: close(2) a descriptor off the main thread.</summary>
    CloseFile = 0,

    /// <summary>REDIS_BIO_AOF_FSYNC: fdatasync(2) the AOF off the main thread.</summary>
    AofFsync = 1,

    /// <summary>
    /// Redis 7.2's BIO_CLOSE_AOF: fsync then close the old AOF, run by the AOF fsync worker, so it
    /// comes after every fsync queued before it (the fix for #12). The seed has no such job.
    /// </summary>
    CloseAof = 2,
}

/// <summary>
/// The background-job port (the seed's bio.c): each worker runs its jobs in order, one at a time,
/// off the main thread; workers run independently of each other. <see cref="BioJobType.CloseFile"/>
/// has its own worker; <see cref="BioJobType.AofFsync"/> and <see cref="BioJobType.CloseAof"/>
/// share the AOF worker. A job counts as pending from its submission until it has finished.
/// </summary>
public interface IBackgroundJobs
{
    /// <summary>bioCreateBackgroundJob: queue a job on descriptor <paramref name="fd"/>.</summary>
    void Submit(BioJobType type, int fd);

    /// <summary>bioPendingJobsOfType.</summary>
    long Pending(BioJobType type);

    /// <summary>
    /// The error of the last AOF fsync job, or <see cref="Errno.None"/> once one succeeds (Redis
    /// 6.2's aof_bio_fsync_status/errno). The seed never looks at it.
    /// </summary>
    Errno LastFsyncError { get; }

    /// <summary>
    /// How many AOF fsync jobs have failed so far. A later success clears
    /// <see cref="LastFsyncError"/> but not this count, so the server learns of every failure even
    /// when the next fsync succeeded before it looked (Linux reports a writeback error once).
    /// </summary>
    long FsyncErrors => 0;
}

/// <summary>How a child ended (wait3's status).</summary>
/// <param name="Pid">The child's pid.</param>
/// <param name="ExitCode">WEXITSTATUS, when not killed.</param>
/// <param name="Signal">WTERMSIG, or 0 when it exited by itself.</param>
public readonly record struct ChildExit(int Pid, int ExitCode, int Signal);

/// <summary>What a forked child sees: its pid and the storage it writes through.</summary>
/// <param name="Pid">The child's pid (getpid() in the child).</param>
/// <param name="Storage">The storage port for the child's own syscalls.</param>
public sealed record ChildContext(int Pid, IStorage Storage);

/// <summary>
/// The child-process port (the seed's fork/kill/wait3). .NET has no fork(): the child's work is a
/// function over state the parent captured before forking (a <c>DatasetSnapshot</c>), and the
/// port runs it apart from the main loop: a thread in production, interleaved steps in the
/// simulator. A child can be killed at any of its syscalls.
/// </summary>
public interface IChildProcesses
{
    /// <summary>fork(): starts <paramref name="work"/> (which returns the exit code); the pid, or an error.</summary>
    SysResult Fork(Func<ChildContext, int> work);

    /// <summary>kill(pid, SIGKILL).</summary>
    bool Kill(int pid);

    /// <summary>wait3(WNOHANG): a child that has ended, if any.</summary>
    bool TryWait(out ChildExit exit);

    /// <summary>wait3(&amp;status, 0): blocks until <paramref name="pid"/> has ended, and reaps it.</summary>
    ChildExit Wait(int pid);
}
