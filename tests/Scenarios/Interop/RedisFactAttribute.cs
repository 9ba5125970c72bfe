namespace AofSim.Scenarios.Interop;

/// <summary>Finds the real Redis binaries on PATH, once.</summary>
internal static class RedisBinaries
{
    /// <summary>The reason shown when a Redis interop test is skipped.</summary>
    public const string SkipReason = "redis-server/redis-cli/redis-check-aof not on PATH (apt-get install redis-server redis-tools)";

    private static readonly Lazy<string?> ServerPath = new(() => Find("redis-server"));
    private static readonly Lazy<string?> CheckAofPath = new(() => Find("redis-check-aof"));

    /// <summary>The full path of redis-server, or null.</summary>
    public static string? Server => ServerPath.Value;

    /// <summary>The full path of redis-check-aof, or null.</summary>
    public static string? CheckAof => CheckAofPath.Value;

    /// <summary>True when both binaries the interop tests run are on PATH.</summary>
    public static bool Available => Server is not null && CheckAof is not null;

    /// <summary>The full path of an executable <paramref name="name"/> in a PATH directory, or null.</summary>
    public static string? Find(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs the real redis-server and redis-check-aof: skipped, visibly, when they are not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RedisFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the binaries are missing.</summary>
    public RedisFactAttribute()
    {
        if (!RedisBinaries.Available)
        {
            Skip = RedisBinaries.SkipReason;
        }
    }
}

/// <summary>A theory that needs the real redis-server and redis-check-aof: skipped, visibly, when they are not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RedisTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the binaries are missing.</summary>
    public RedisTheoryAttribute()
    {
        if (!RedisBinaries.Available)
        {
            Skip = RedisBinaries.SkipReason;
        }
    }
}
