namespace AofSim.Engine.Commands;

/// <summary>The error replies the commands give, word for word as Redis 7 gives them.</summary>
public static class Errors
{
    /// <summary>A command applied to a key of another type.</summary>
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

    /// <summary>An argument that is not a 64-bit integer.</summary>
    public const string NotInteger = "ERR value is not an integer or out of range";

    /// <summary>An argument that is not a double.</summary>
    public const string NotFloat = "ERR value is not a valid float";

    /// <summary>Bad option words.</summary>
    public const string Syntax = "ERR syntax error";

    /// <summary>A key that must exist does not.</summary>
    public const string NoSuchKey = "ERR no such key";

    /// <summary>LSET past the end.</summary>
    public const string IndexOutOfRange = "ERR index out of range";

    /// <summary>INCR family overflow.</summary>
    public const string Overflow = "ERR increment or decrement would overflow";

    /// <summary>INCRBYFLOAT to NaN or infinity.</summary>
    public const string NanOrInfinity = "ERR increment would produce NaN or Infinity";

    /// <summary>SELECT/MOVE to a db that does not exist.</summary>
    public const string DbIndexOutOfRange = "ERR DB index is out of range";

    /// <summary>MOVE to the same db.</summary>
    public const string SameObject = "ERR source and destination objects are the same";

    /// <summary>Nested MULTI.</summary>
    public const string NestedMulti = "ERR MULTI calls can not be nested";

    /// <summary>EXEC outside a transaction.</summary>
    public const string ExecWithoutMulti = "ERR EXEC without MULTI";

    /// <summary>DISCARD outside a transaction.</summary>
    public const string DiscardWithoutMulti = "ERR DISCARD without MULTI";

    /// <summary>EXEC after a queuing error.</summary>
    public const string ExecAbort = "EXECABORT Transaction discarded because of previous errors.";

    /// <summary>A string would exceed 512 MB.</summary>
    public const string StringTooLong = "ERR string exceeds maximum allowed size (512MB)";

    /// <summary>HINCRBY on a non-integer field.</summary>
    public const string HashNotInteger = "ERR hash value is not an integer";

    /// <summary>HINCRBYFLOAT on a non-float field.</summary>
    public const string HashNotFloat = "ERR hash value is not a float";

    /// <summary>ZINCRBY/ZADD producing NaN.</summary>
    public const string ScoreNan = "ERR resulting score is not a number (NaN)";

    /// <summary>Wrong argument count.</summary>
    public static string Arity(string command) => $"ERR wrong number of arguments for '{command}' command";

    /// <summary>An unknown command.</summary>
    public static string UnknownCommand(string command) => $"ERR unknown command '{command}'";

    /// <summary>A bad expire time.</summary>
    public static string InvalidExpire(string command) => $"ERR invalid expire time in '{command}' command";
}
