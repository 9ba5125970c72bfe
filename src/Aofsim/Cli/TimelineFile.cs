using AofSim.Sim.Simulating;
using AofSim.Sim.Visualizing;

namespace AofSim.Sim.Cli;

/// <summary><c>replay --html FILE</c>: the run's timeline page, written where asked.</summary>
internal static class TimelineFile
{
    public static void Write(string path, SeedResult result, string replayCommand)
    {
        try
        {
            File.WriteAllText(path, TimelinePage.Render(result, replayCommand));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"cannot write {path}: {e.Message.Split('\n')[0]}");
        }
    }
}
