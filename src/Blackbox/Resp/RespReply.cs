using System.Globalization;

namespace AofSim.Blackbox.Resp;

/// <summary>
/// One RESP2 reply as it came off the wire: its kind (<c>+ - : $ *</c>), its text (Latin-1, one
/// char per byte, so binary values survive), its items for an array, and the raw bytes as text
/// (the form the simulator's model reads replies in, e.g. <c>$1\r\nm\r\n</c> for SPOP).
/// </summary>
public sealed class RespReply
{
    /// <summary>A reply of <paramref name="kind"/>.</summary>
    public RespReply(char kind, string? text, IReadOnlyList<RespReply>? items, string raw)
    {
        Kind = kind;
        Text = text;
        Items = items ?? [];
        Raw = raw;
    }

    /// <summary>'+', '-', ':', '$' or '*'.</summary>
    public char Kind { get; }

    /// <summary>The text of a status, error, integer or bulk string; null for a nil bulk or array.</summary>
    public string? Text { get; }

    /// <summary>The items of an array (empty otherwise).</summary>
    public IReadOnlyList<RespReply> Items { get; }

    /// <summary>The reply's bytes as Latin-1 text.</summary>
    public string Raw { get; }

    /// <summary>An error reply.</summary>
    public bool IsError => Kind == '-';

    /// <summary>A nil bulk string or nil array.</summary>
    public bool IsNil => Text is null && Kind is '$' or '*' && Items.Count == 0 && Raw.StartsWith(Kind + "-1", StringComparison.Ordinal);

    /// <summary>The integer of an integer reply (or of a bulk holding one).</summary>
    public long Integer => long.Parse(Text ?? throw new FormatException("nil reply where an integer was expected"), CultureInfo.InvariantCulture);
}
