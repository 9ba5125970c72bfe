namespace AofSim.Engine.Ports;

/// <summary>The seed's log levels (redisLog).</summary>
public enum LogLevel
{
    /// <summary>REDIS_DEBUG.</summary>
    Debug,

    /// <summary>REDIS_VERBOSE.</summary>
    Verbose,

    /// <summary>REDIS_NOTICE.</summary>
    Notice,

    /// <summary>REDIS_WARNING.</summary>
    Warning,
}

/// <summary>Where the engine logs: the seed's messages, word for word.</summary>
public interface IAofLog
{
    /// <summary>Logs one line.</summary>
    void Log(LogLevel level, string message);
}

/// <summary>A log that keeps its lines in memory (tests, the simulator's trace). Thread-safe.</summary>
public sealed class MemoryLog : IAofLog
{
    private readonly List<(LogLevel Level, string Message)> lines = [];

    /// <summary>A copy of the lines logged so far.</summary>
    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    /// <summary>Only the messages.</summary>
    public IReadOnlyList<string> Messages => [.. Lines.Select(l => l.Message)];

    /// <inheritdoc/>
    public void Log(LogLevel level, string message)
    {
        lock (lines)
        {
            lines.Add((level, message));
        }
    }
}

/// <summary>A log that drops everything.</summary>
public sealed class NullLog : IAofLog
{
    /// <summary>The one instance.</summary>
    public static readonly NullLog Instance = new();

    /// <inheritdoc/>
    public void Log(LogLevel level, string message)
    {
    }
}
