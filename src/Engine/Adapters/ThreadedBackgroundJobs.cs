using AofSim.Engine.Ports;

namespace AofSim.Engine.Adapters;

/// <summary>
/// The background-job port on real threads, as the seed's bio.c: one worker for closes, one for
/// the AOF (fsyncs and, under the fixed profile, the close of the old AOF), each a long-running
/// task (its own thread) running its jobs in order. A job is pending until it has finished. Built
/// from tasks, a lock and a semaphore only, so that Coyote can explore its interleavings.
/// </summary>
public sealed class ThreadedBackgroundJobs : IBackgroundJobs, IDisposable
{
    private readonly IStorage storage;
    private readonly Worker closeWorker;
    private readonly Worker aofWorker;
    private readonly long[] pending = new long[3];
    private int lastFsyncError;
    private long fsyncErrors;

    /// <summary>Workers running their jobs against <paramref name="storage"/>.</summary>
    public ThreadedBackgroundJobs(IStorage storage)
    {
        this.storage = storage;
        closeWorker = new Worker(this);
        aofWorker = new Worker(this);
    }

    /// <inheritdoc/>
    public Errno LastFsyncError => (Errno)Volatile.Read(ref lastFsyncError);

    /// <inheritdoc/>
    public long FsyncErrors => Interlocked.Read(ref fsyncErrors);

    /// <inheritdoc/>
    public void Submit(BioJobType type, int fd)
    {
        Interlocked.Increment(ref pending[(int)type]);
        (type == BioJobType.CloseFile ? closeWorker : aofWorker).Add((type, fd));
    }

    /// <inheritdoc/>
    public long Pending(BioJobType type) => Interlocked.Read(ref pending[(int)type]);

    /// <summary>Lets the workers finish what is queued, then stops them.</summary>
    public void Dispose()
    {
        closeWorker.Stop();
        aofWorker.Stop();
    }

    private void Run(BioJobType type, int fd)
    {
        try
        {
            if (type is BioJobType.AofFsync or BioJobType.CloseAof)
            {
                Errno e = storage.Fdatasync(fd);
                if (e is Errno.EBADF or Errno.EINVAL)
                {
                    // The descriptor was closed (stopAppendOnly closes the AOF on the main thread
                    // while an fsync may still be queued): nothing of the AOF failed to reach the
                    // disk, so it is no fsync error. Redis's bio thread ignores both since PR #8751,
                    // as the simulated jobs do.
                    e = Errno.None;
                }

                Volatile.Write(ref lastFsyncError, (int)e);
                if (e != Errno.None)
                {
                    Interlocked.Increment(ref fsyncErrors);
                }
            }

            if (type is BioJobType.CloseFile or BioJobType.CloseAof)
            {
                storage.Close(fd);
            }
        }
        finally
        {
            Interlocked.Decrement(ref pending[(int)type]);
        }
    }

    private sealed class Worker
    {
        private readonly Queue<(BioJobType Type, int Fd)> queue = new();
        private readonly SemaphoreSlim signal = new(0);
        private readonly Task loop;
        private bool stopping;

        public Worker(ThreadedBackgroundJobs owner)
        {
            loop = Task.Factory.StartNew(() => Loop(owner), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public void Add((BioJobType Type, int Fd) job)
        {
            lock (queue)
            {
                queue.Enqueue(job);
            }

            signal.Release();
        }

        // Finishes what is queued, then ends.
        public void Stop()
        {
            lock (queue)
            {
                stopping = true;
            }

            signal.Release();
            loop.Wait();
        }

        private void Loop(ThreadedBackgroundJobs owner)
        {
            while (true)
            {
                signal.Wait();
                (BioJobType Type, int Fd) job;
                lock (queue)
                {
                    if (queue.Count == 0)
                    {
                        if (stopping)
                        {
                            return;
                        }

                        continue;
                    }

                    job = queue.Dequeue();
                }

                owner.Run(job.Type, job.Fd);
            }
        }
    }
}
