using AofSim.Engine.Ports;

namespace AofSim.Sim.Vectors;

/// <summary>A clock the vector moves.</summary>
internal sealed class ScriptedClock(long start) : IClock
{
    public long NowMs { get; set; } = start;
}
