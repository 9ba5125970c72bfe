using AofSim.Scenarios.Interop;

namespace AofSim.Scenarios.Blackbox;

/// <summary>
/// A fact that needs the real redis-server: skipped, visibly, when it is not on PATH; under
/// CI=true it is never skipped (a CI machine without Redis fails the test instead of hiding it).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class BlackboxRedisFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when redis-server is missing outside CI.</summary>
    public BlackboxRedisFactAttribute()
    {
        if (!RedisBinaries.Available && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = RedisBinaries.SkipReason;
        }
    }
}
