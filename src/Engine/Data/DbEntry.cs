namespace AofSim.Engine.Data;

/// <summary>
/// What a key maps to: the value (a <c>byte[]</c> for a string set whole, otherwise a
/// <see cref="RedisObject"/>) and its absolute expiry in Unix milliseconds, or <see cref="NoExpiry"/>.
/// </summary>
/// <param name="Value">The value.</param>
/// <param name="ExpireAt">Absolute expiry in Unix ms, or -1.</param>
public readonly record struct DbEntry(object Value, long ExpireAt)
{
    /// <summary>The expiry of a key that has none.</summary>
    public const long NoExpiry = -1;

    /// <summary>The value's type.</summary>
    public RedisType Type => Value.GetType() == typeof(byte[]) ? RedisType.String : ((RedisObject)Value).Type;

    /// <summary>
    /// True if the key has an expiry strictly before <paramref name="nowMs"/>: the seed's
    /// <c>expireIfNeeded</c> keeps a key while <c>now &lt;= when</c>.
    /// </summary>
    public bool IsExpiredAt(long nowMs) => ExpireAt != NoExpiry && ExpireAt < nowMs;
}
