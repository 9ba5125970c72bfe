using AofSim.Engine.Ports;

namespace AofSim.Engine.Adapters;

/// <summary>The clock port over the system's wall clock.</summary>
public sealed class SystemClock : IClock
{
    /// <summary>The one instance.</summary>
    public static readonly SystemClock Instance = new();

    /// <inheritdoc/>
    public long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
