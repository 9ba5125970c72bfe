using AofSim.Engine.Commands.Families;

namespace AofSim.Engine.Commands;

/// <summary>
/// The seed's command table (redisCommandTable) for the commands this engine runs: name,
/// arity, flags, implementation. Lookup is by bytes, ignoring ASCII case, without allocating.
/// </summary>
public static class CommandTable
{
    private static readonly Dictionary<byte[], CommandDef> ByName = Build();
    private static readonly Dictionary<byte[], CommandDef>.AlternateLookup<ReadOnlySpan<byte>> BySpan = ByName.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>DEL, which expiry and EXPIRE-in-the-past propagate.</summary>
    public static CommandDef Del { get; } = Get("del");

    /// <summary>MULTI, propagated before the first write of a transaction.</summary>
    public static CommandDef Multi { get; } = Get("multi");

    /// <summary>EXEC, propagated after the writes of a transaction.</summary>
    public static CommandDef Exec { get; } = Get("exec");

    /// <summary>Every command, by name.</summary>
    public static IEnumerable<CommandDef> All => ByName.Values.OrderBy(c => c.Name, StringComparer.Ordinal);

    /// <summary>The command called <paramref name="name"/> in any case, or null (lookupCommand).</summary>
    public static CommandDef? Lookup(ReadOnlySpan<byte> name) =>
        BySpan.TryGetValue(name, out CommandDef? cmd) ? cmd : null;

    /// <summary>The command called <paramref name="name"/>; throws if there is none.</summary>
    public static CommandDef Get(string name) =>
        Lookup(System.Text.Encoding.ASCII.GetBytes(name)) ?? throw new KeyNotFoundException(name);

    private static Dictionary<byte[], CommandDef> Build()
    {
        var table = new Dictionary<byte[], CommandDef>(AsciiCaseInsensitiveComparer.Instance);
        IEnumerable<CommandDef> all = StringCommands.Definitions()
            .Concat(KeyCommands.Definitions())
            .Concat(ServerCommands.Definitions())
            .Concat(ListCommands.Definitions())
            .Concat(SetCommands.Definitions())
            .Concat(ZSetCommands.Definitions())
            .Concat(HashCommands.Definitions())
            .Concat(BitCommands.Definitions())
            .Concat(HyperLogLogCommands.Definitions())
            .Concat(StreamCommands.Definitions());
        foreach (CommandDef def in all)
        {
            table.Add(System.Text.Encoding.ASCII.GetBytes(def.Name), def);
        }

        return table;
    }
}

/// <summary>Byte-string equality ignoring ASCII case, with span lookup.</summary>
internal sealed class AsciiCaseInsensitiveComparer :
    IEqualityComparer<byte[]>,
    IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly AsciiCaseInsensitiveComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is not null && y is not null && System.Text.Ascii.EqualsIgnoreCase(x, y);

    public int GetHashCode(byte[] obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => System.Text.Ascii.EqualsIgnoreCase(alternate, other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Hash(ReadOnlySpan<byte> s)
    {
        uint h = 2166136261;
        foreach (byte b in s)
        {
            h = (h ^ (uint)(b | 0x20)) * 16777619;
        }

        return (int)h;
    }
}
