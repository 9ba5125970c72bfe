namespace AofSim.Engine.Ports;

/// <summary>The clock port: the seed's mstime(). Seconds (the seed's cached server.unixtime) derive from it.</summary>
public interface IClock
{
    /// <summary>Unix time in milliseconds.</summary>
    long NowMs { get; }
}
