using System.Collections.Concurrent;
using AofSim.Engine.Ports;

namespace AofSim.Engine.Adapters;

/// <summary>
/// The background-job port on real threads, as the seed's bio.c: one worker thread for closes,
/// one for the AOF (fsyncs and, under the fixed profile, the close of the old AOF), each running
/// its jobs in order. A job is pending until it has finished.
/// </summary>
public sealed class ThreadedBackgroundJobs : IBackgroundJobs, IDisposable
{
    private readonly IStorage storage;
    private readonly Worker closeWorker;
    private readonly Worker aofWorker;
    private readonly long[] pending = new long[3];
    private int lastFsyncError;

    /// <summary>Workers running their jobs against <paramref name="storage"/>.</summary>
    public ThreadedBackgroundJobs(IStorage storage)
    {
        this.storage = storage;
        closeWorker = new Worker(this, "bio-close-file");
        aofWorker = new Worker(this, "bio-aof-fsync");
    }

    /// <inheritdoc/>
    public Errno LastFsyncError => (Errno)Volatile.Read(ref lastFsyncError);

    /// <inheritdoc/>
    public void Submit(BioJobType type, int fd)
    {
        Interlocked.Increment(ref pending[(int)type]);
        (type == BioJobType.CloseFile ? closeWorker : aofWorker).Queue.Add((type, fd));
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
                Volatile.Write(ref lastFsyncError, (int)e);
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
        private readonly Thread thread;

        public Worker(ThreadedBackgroundJobs owner, string name)
        {
            thread = new Thread(() =>
            {
                foreach ((BioJobType type, int fd) in Queue.GetConsumingEnumerable())
                {
                    owner.Run(type, fd);
                }
            })
            { IsBackground = true, Name = name };
            thread.Start();
        }

        public BlockingCollection<(BioJobType Type, int Fd)> Queue { get; } = [];

        public void Stop()
        {
            Queue.CompleteAdding();
            thread.Join();
        }
    }
}
