namespace AofSim.Sim.Vectors;

/// <summary>A request or vector the reference cannot run: its message is the one-line answer.</summary>
internal sealed class VectorInputException(string message) : Exception(message);
