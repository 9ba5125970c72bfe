using System.Runtime.CompilerServices;
using AofSim.Engine.Ports;

namespace AofSim.Sim.Simulating;

// Simulated background jobs (the seed's bio threads).
//
// Two workers, as in the seed: one runs close jobs, the other AOF fsyncs (and, under the fixed
// profile, the close of the old AOF). Each runs its queue in order, one job at a time: a job
// starts when it is submitted or when the job before it ends, whichever is later, and takes a
// seeded latency. A fsync makes durable what the file's cache held when the job started
// (SimStorage.Mark), and only when it ends. The simulator calls RunUntil(t) before it does
// anything at time t, so starts and ends happen in time order, exactly when they are due.
//
// A fault plan reaches the fsyncs through Faults (each fsync job counts as an fdatasync call on
// its descriptor): a Delay makes that fsync slower by its milliseconds, a Fail makes it fail the
// Linux way (SimStorage.Fail: what it covered is marked clean, never written) and sets
// LastFsyncError, as the seed's bio thread would see it.

/// <summary>Options of the background jobs.</summary>
public sealed record SimJobsOptions
{
    /// <summary>Milliseconds: the shortest fsync.</summary>
    public int FsyncMinMs { get; init; } = 1;

    /// <summary>Milliseconds: the longest ordinary fsync.</summary>
    public int FsyncMaxMs { get; init; } = 30;

    /// <summary>Probability (0..1) that a fsync is slow.</summary>
    public double SlowFsyncChance { get; init; } = 0.05;

    /// <summary>Milliseconds: the longest slow fsync (slow ones take 0.5 s up to this).</summary>
    public int SlowFsyncMaxMs { get; init; } = 3500;

    /// <summary>Milliseconds: how long a close takes.</summary>
    public int CloseMs { get; init; } = 1;
}

/// <summary>The deterministic background-job port.</summary>
public sealed class SimJobs : IBackgroundJobs
{
    private readonly SimStorage storage;
    private readonly SimRandom random;
    private readonly SimJobsOptions options;
    private readonly Worker closeWorker = new();
    private readonly Worker aofWorker = new();
    private readonly SimClock clock;

    /// <summary>Jobs on <paramref name="storage"/>, timed by <paramref name="clock"/>.</summary>
    public SimJobs(SimStorage storage, SimClock clock, SimRandom random, SimJobsOptions options)
    {
        this.storage = storage;
        this.clock = clock;
        this.random = random;
        this.options = options;
    }

    /// <summary>Called with a line for every job start and end (the simulator's trace).</summary>
    public Action<ReadOnlySpan<char>>? OnEvent { get; set; }

    /// <summary>Called with each job's type as it is submitted, at the clock's time (a fact for the checks).</summary>
    public Action<BioJobType>? OnSubmit { get; init; }

    /// <summary>The fault plan's action for an fsync job on a descriptor (see the file's header), or null.</summary>
    public Func<int, AofSim.Faults.FaultAction?>? Faults { get; init; }

    /// <inheritdoc/>
    public Errno LastFsyncError { get; private set; }

    /// <inheritdoc/>
    public long FsyncErrors { get; private set; }

    /// <summary>
    /// Called with each fsync's drawn latency and whether it was drawn slow; returns the latency
    /// to use (a shrunk case's explicit slow fsyncs). The draw is made either way, so the stream
    /// stays where a seeded run leaves it.
    /// </summary>
    public Func<int, bool, int>? Latency { get; set; }

    /// <summary>Milliseconds of the longest fsync these options allow.</summary>
    public int MaxFsyncMs => Math.Max(options.FsyncMaxMs, options.SlowFsyncMaxMs);

    /// <summary>The time of the next job start or end, if any.</summary>
    public long? NextDue => Min(closeWorker.NextDue, aofWorker.NextDue);

    /// <inheritdoc/>
    public void Submit(BioJobType type, int fd)
    {
        Worker w = type == BioJobType.CloseFile ? closeWorker : aofWorker;
        int latency = options.CloseMs;
        if (type != BioJobType.CloseFile)
        {
            latency = FsyncLatency(out bool slow);
            latency = Latency is { } given ? given(latency, slow) : latency;
        }

        w.Queue.Add(new Job(type, fd, latency));
        Event($"bio submit {type} fd={fd} latency={latency}");
        OnSubmit?.Invoke(type);
        w.StartIfIdle(clock.NowMs, this);
    }

    /// <inheritdoc/>
    public long Pending(BioJobType type) => Count(closeWorker.Queue, type) + Count(aofWorker.Queue, type);

    // Asked at every flush: a plain loop, no delegate per call.
    private static long Count(List<Job> queue, BioJobType type)
    {
        long n = 0;
        foreach (Job j in queue)
        {
            if (j.Type == type)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Runs every start and end due at or before <paramref name="t"/>, in time order.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunUntil(long t)
    {
        while (true)
        {
            long? a = closeWorker.NextDue, b = aofWorker.NextDue;
            long? next = Min(a, b);
            if (next is null || next > t)
            {
                return;
            }

            Worker w = a == next ? closeWorker : aofWorker;
            clock.AdvanceTo(next.Value);
            w.Step(next.Value, this);
        }
    }

    private void Event(ref DefaultInterpolatedStringHandler line)
    {
        OnEvent?.Invoke(line.Text);
        line.Clear();
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private int FsyncLatency(out bool slow)
    {
        slow = random.Chance(options.SlowFsyncChance);
        return slow
            ? (int)random.Range(500, Math.Max(501, options.SlowFsyncMaxMs + 1))
            : (int)random.Range(options.FsyncMinMs, options.FsyncMaxMs + 1);
    }

    private void Start(Job job)
    {
        string fault = string.Empty;
        if (job.Type is BioJobType.AofFsync or BioJobType.CloseAof)
        {
            job.Point = storage.Mark(job.Fd);
            switch (Faults?.Invoke(job.Fd))
            {
                case AofSim.Faults.Delay d:
                    job.EndsAt += d.Ms;
                    fault = $" slow +{d.Ms}ms";
                    break;
                case AofSim.Faults.Fail f:
                    job.Error = f.Error;
                    fault = $" will fail {f.Error}";
                    break;
            }
        }

        Event($"bio start {job.Type} fd={job.Fd}{(job.Point is null && job.Type != BioJobType.CloseFile ? " EBADF" : string.Empty)}{fault}");
    }

    private void Finish(Job job)
    {
        if (job.Type is BioJobType.AofFsync or BioJobType.CloseAof)
        {
            if (job.Point is SyncPoint p && job.Error != Errno.None)
            {
                storage.Fail(p);
                LastFsyncError = job.Error;
                FsyncErrors++;
            }
            else if (job.Point is SyncPoint q)
            {
                storage.Complete(q);
                LastFsyncError = Errno.None;
            }
        }

        if (job.Type is BioJobType.CloseFile or BioJobType.CloseAof)
        {
            storage.Close(job.Fd);
        }

        Event($"bio done {job.Type} fd={job.Fd}{(job.Error != Errno.None ? $" error={job.Error}" : string.Empty)}");
    }

    private sealed class Job(BioJobType type, int fd, int latency)
    {
        public BioJobType Type { get; } = type;

        public int Fd { get; } = fd;

        public int Latency { get; } = latency;

        public long? EndsAt { get; set; }

        public SyncPoint? Point { get; set; }

        public Errno Error { get; set; }
    }

    private sealed class Worker
    {
        public List<Job> Queue { get; } = [];

        public long? NextDue => Queue.Count > 0 ? Queue[0].EndsAt : null;

        public void StartIfIdle(long now, SimJobs owner)
        {
            if (Queue.Count > 0 && Queue[0].EndsAt is null)
            {
                Queue[0].EndsAt = now + Queue[0].Latency;
                owner.Start(Queue[0]);
            }
        }

        public void Step(long now, SimJobs owner)
        {
            Job done = Queue[0];
            Queue.RemoveAt(0);
            owner.Finish(done);
            StartIfIdle(now, owner);
        }
    }
}
