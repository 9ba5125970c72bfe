namespace AofSim.Blackbox.Checking;

/// <summary>How one connection's writes came through a crash.</summary>
/// <param name="Connection">The connection.</param>
/// <param name="Sent">Batches sent in the cycle.</param>
/// <param name="Acked">Batches acknowledged.</param>
/// <param name="AckedWrites">Write commands acknowledged.</param>
/// <param name="MinPrefix">The shortest prefix of its batches the recovered keys equal (-1: none).</param>
/// <param name="MaxPrefix">The longest such prefix (-1: none).</param>
/// <param name="AckedWritesLost">Acknowledged write commands beyond the longest matching prefix.</param>
public sealed record ConnectionVerdict(int Connection, int Sent, int Acked, int AckedWrites, int MinPrefix, int MaxPrefix, int AckedWritesLost);
