using AofSim.Engine.Ports;

namespace AofSim.Sim.Vectors;

/// <summary>
/// Background jobs that stay pending until the vector runs them: "a background fsync is pending"
/// is a decision of the vector, not of thread timing. Submissions are traced.
/// </summary>
internal sealed class ScriptedJobs(IStorage storage, List<string> trace) : IBackgroundJobs
{
    private readonly List<(BioJobType Type, int Fd)> queue = [];

    public Errno LastFsyncError { get; private set; }

    public long FsyncErrors { get; private set; }

    public void Submit(BioJobType type, int fd)
    {
        trace.Add($"bio submit {Name(type)} {fd}");
        queue.Add((type, fd));
    }

    public long Pending(BioJobType type) => queue.Count(j => j.Type == type);

    /// <summary>Runs every pending job, oldest first, as the bio thread would.</summary>
    public void RunAll()
    {
        while (queue.Count > 0)
        {
            (BioJobType type, int fd) = queue[0];
            queue.RemoveAt(0);
            trace.Add($"bio run {Name(type)} {fd}");
            if (type is BioJobType.AofFsync or BioJobType.CloseAof)
            {
                LastFsyncError = storage.Fdatasync(fd);
                FsyncErrors += LastFsyncError == Errno.None ? 0 : 1;
            }

            if (type is BioJobType.CloseFile or BioJobType.CloseAof)
            {
                storage.Close(fd);
            }
        }
    }

    private static string Name(BioJobType type) => type switch
    {
        BioJobType.AofFsync => "fsync",
        BioJobType.CloseFile => "close",
        _ => "close-aof",
    };
}
