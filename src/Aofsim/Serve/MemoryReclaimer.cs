using System.Runtime;

namespace AofSim.Sim.Serve;

/// <summary>
/// Gives memory back to the OS after big buffers are let go (a big request done, a client with
/// a half-sent upload gone). redis-server's allocator returns freed pages as they go; the .NET
/// heap keeps them until a compacting collection decommits them, so once
/// <see cref="Threshold"/> bytes have been let go one aggressive, compacting collection is run
/// a second later: a burst of disconnections costs one, and the engine's own copies of a big
/// command (the AOF buffer, whose write waits under everysec while an fsync is in progress) are
/// garbage by then too.
/// </summary>
internal sealed class MemoryReclaimer
{
    /// <summary>Bytes let go before a collection is worth its pause.</summary>
    public const long Threshold = 32L * 1024 * 1024;

    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(1000);

    private long pending;
    private int scheduled;
    private int collections;

    /// <summary>Collections run so far.</summary>
    public int Collections => Volatile.Read(ref collections);

    /// <summary>Records that <paramref name="bytes"/> of buffers became garbage.</summary>
    public void Released(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        if (Interlocked.Add(ref pending, bytes) >= Threshold && Interlocked.Exchange(ref scheduled, 1) == 0)
        {
            _ = Task.Delay(Delay).ContinueWith(_ => Collect(), TaskScheduler.Default);
        }
    }

    private void Collect()
    {
        Interlocked.Exchange(ref pending, 0);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref collections);
        Volatile.Write(ref scheduled, 0);

        // Whatever was let go while this ran waits for the next threshold.
        if (Volatile.Read(ref pending) >= Threshold)
        {
            Released(0);
        }
    }
}
