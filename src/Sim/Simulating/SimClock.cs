using AofSim.Engine.Ports;

namespace AofSim.Sim.Simulating;

/// <summary>Virtual time in milliseconds; it moves only when the simulator moves it.</summary>
public sealed class SimClock(long startMs) : IClock
{
    /// <inheritdoc/>
    public long NowMs { get; private set; } = startMs;

    /// <summary>Moves time forward to <paramref name="ms"/> (never back).</summary>
    public void AdvanceTo(long ms) => NowMs = Math.Max(NowMs, ms);
}
