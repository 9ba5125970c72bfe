namespace AofSim.Sim.Simulating;

/// <summary>
/// The world when a trace line was added: kept beside the lines of a replay (never hashed), so
/// that a picture of the run (replay --html) can place each line in time and show the AOF's sizes.
/// </summary>
/// <param name="Event">The event index.</param>
/// <param name="TimeMs">Virtual milliseconds since the run's epoch (the trace's t=+).</param>
/// <param name="AofBuffered">Bytes in the server's AOF buffer, not yet written.</param>
/// <param name="AofCached">The AOF's size as reads see it (the page cache).</param>
/// <param name="AofDurable">The AOF's bytes a power loss now is sure to keep.</param>
public readonly record struct TraceStamp(int Event, long TimeMs, long AofBuffered, long AofCached, long AofDurable);
