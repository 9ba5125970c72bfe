using AofSim.Engine.Commands;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Aof;

/// <summary>
/// The seed's feedAppendOnlyFile as a pure function: the bytes a propagated command adds to the
/// AOF, given the db it ran in, the db last written, and the time. The caller appends them to the
/// AOF buffer (and to the rewrite buffer while a child runs).
/// </summary>
public static class AofFeed
{
    private static readonly byte[] PexpireAtName = "PEXPIREAT"u8.ToArray();
    private static readonly byte[] SetName = "SET"u8.ToArray();
    private static readonly byte[] PxAtName = "PXAT"u8.ToArray();

    /// <summary>
    /// Appends to <paramref name="dst"/> the translation of <paramref name="argv"/> (a command
    /// <paramref name="name"/>d as in the command table, lower case) run in db
    /// <paramref name="dictId"/> at <paramref name="nowMs"/>, and updates
    /// <paramref name="selectedDb"/> (the seed's server.aof_selected_db).
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Append(ByteBuffer dst, string name, int dictId, CommandArgs argv, long nowMs, ref int selectedDb, Profile profile)
    {
        // The DB this command was targeting is not the same as the last command we appended:
        // a SELECT is needed first.
        if (dictId != selectedDb)
        {
            byte[] id = Numbers.Int64Bytes(dictId);
            dst.Append("*2\r\n$6\r\nSELECT\r\n$"u8).AppendDecimal(id.Length).Append("\r\n"u8).Append(id).Append("\r\n"u8);
            selectedDb = dictId;
        }

        switch (name)
        {
            case "expire" or "pexpire" or "expireat":
                // Relative and second-based expiries become an absolute PEXPIREAT, so that a
                // replay at any later time sets the same instant.
                AppendExpireAt(dst, name, argv[1], argv[2], nowMs);
                break;
            case "setex" or "psetex" when profile.AtomicSetEx:
                // One command, so that no crash can keep the value without its expiry.
                long ms = StrToLL(argv[2]) * (name == "setex" ? 1000 : 1);
                RespCommand.Append(dst, SetName, argv.ToArray(1), argv.ToArray(3), PxAtName, Numbers.Int64Bytes(nowMs + ms));
                break;
            case "setex" or "psetex":
                RespCommand.Append(dst, SetName, argv.ToArray(1), argv.ToArray(3));
                AppendExpireAt(dst, name, argv[1], argv[2], nowMs);
                break;
            case "set" when profile.SetExpiryAbsolute && TryFindSetExpiry(argv, nowMs, out long at):
                // Fix #9: the seed logs SET … EX verbatim, so the TTL restarts on every reload.
                RespCommand.Append(dst, SetName, argv.ToArray(1), argv.ToArray(2), PxAtName, Numbers.Int64Bytes(at));
                break;
            default:
                RespCommand.Append(dst, argv);
                break;
        }
    }

    /// <summary>
    /// catAppendOnlyExpireAtCommand: a PEXPIREAT at the absolute millisecond <paramref name="when"/>
    /// means for the command <paramref name="name"/>.
    /// </summary>
    public static void AppendExpireAt(ByteBuffer dst, string name, ReadOnlySpan<byte> key, ReadOnlySpan<byte> when, long nowMs)
    {
        long t = StrToLL(when);
        if (name is "expire" or "setex" or "expireat")
        {
            t *= 1000;
        }

        if (name is "expire" or "pexpire" or "setex" or "psetex")
        {
            t += nowMs;
        }

        RespCommand.Append(dst, PexpireAtName, key.ToArray(), Numbers.Int64Bytes(t));
    }

    // SET's EX/PX/EXAT/PXAT as an absolute time; false when the SET has none.
    private static bool TryFindSetExpiry(CommandArgs argv, long nowMs, out long at)
    {
        at = 0;
        for (int i = 3; i + 1 < argv.Count; i++)
        {
            long n = StrToLL(argv[i + 1]);
            if (argv.Is(i, "EX"u8))
            {
                at = nowMs + (n * 1000);
                return true;
            }

            if (argv.Is(i, "PX"u8))
            {
                at = nowMs + n;
                return true;
            }

            if (argv.Is(i, "EXAT"u8))
            {
                at = n * 1000;
                return true;
            }

            if (argv.Is(i, "PXAT"u8))
            {
                at = n;
                return true;
            }
        }

        return false;
    }

    // strtoll(s, NULL, 10): leading digits with an optional sign; the command already checked them.
    private static long StrToLL(ReadOnlySpan<byte> s)
    {
        int i = 0;
        bool negative = false;
        if (i < s.Length && (s[i] == (byte)'-' || s[i] == (byte)'+'))
        {
            negative = s[i] == (byte)'-';
            i++;
        }

        long v = 0;
        for (; i < s.Length && s[i] >= (byte)'0' && s[i] <= (byte)'9'; i++)
        {
            v = unchecked((v * 10) + (s[i] - (byte)'0'));
        }

        return negative ? -v : v;
    }
}
