namespace AofSim.Engine.Diagnostics;

/// <summary>
/// Where the engine reports the probes it hits. The engine only calls <see cref="Hit"/>; what a
/// hit means (a count per test run, a log line) is the host's business. With none given the
/// engine uses <see cref="NoProbes"/>: one interface call, no allocation, no string.
/// </summary>
/// <remarks>
/// The engine calls it from the thread that drives the server; a host running the rewrite child
/// on a thread of its own gets no calls from it (no probe lives in the child).
/// </remarks>
public interface IProbeSink
{
    /// <summary>The engine reached the state <paramref name="probe"/> names.</summary>
    void Hit(ProbeId probe);
}
