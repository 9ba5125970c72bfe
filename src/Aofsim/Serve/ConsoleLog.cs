using System.Globalization;
using AofSim.Engine.Ports;

namespace AofSim.Sim.Serve;

/// <summary>The log on a text writer, in redis-server's line format: "pid:M date level message".</summary>
internal sealed class ConsoleLog(TextWriter writer) : IAofLog
{
    private readonly object gate = new();

    public void Log(LogLevel level, string message)
    {
        char mark = level switch { LogLevel.Debug => '.', LogLevel.Verbose => '-', LogLevel.Notice => '*', _ => '#' };
        string line = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}:M {DateTime.UtcNow:dd MMM yyyy HH:mm:ss.fff} {mark} {message}");
        lock (gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
