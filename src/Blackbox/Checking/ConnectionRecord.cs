using AofSim.Blackbox.Running;
using AofSim.Sim.Checking;

namespace AofSim.Blackbox.Checking;

/// <summary>One connection's part of a cycle: the model of its keys at the cycle's start, and the batches it sent.</summary>
/// <param name="Id">The connection.</param>
/// <param name="Base">The model at the start of the cycle (not changed by the checker).</param>
/// <param name="Batches">The batches sent, in order.</param>
public sealed record ConnectionRecord(int Id, Model Base, IReadOnlyList<ClientBatch> Batches);
