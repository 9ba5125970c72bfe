using System.Globalization;
using AofSim.Engine.Ports;

namespace AofSim.Sim.Serve;

/// <summary>
/// maxclients as redis-server settles it at start (adjustOpenFilesLimit): 10000, or fewer when
/// the descriptor limit cannot hold them and its reserve of 32 for the server's own files. The
/// .NET runtime holds descriptors of its own before the first client (about 75) and opens more
/// as it goes (an assembly loaded late, a /proc file read by the GC: failing those aborts the
/// process), so they are reserved too. Past maxclients a client is told so and closed, and the
/// process never runs out of descriptors itself.
/// </summary>
internal static class MaxClients
{
    /// <summary>maxclients' default.</summary>
    public const int Default = 10_000;

    /// <summary>CONFIG_MIN_RESERVED_FDS.</summary>
    public const int ReservedFds = 32;

    /// <summary>Headroom for what the runtime opens after the start (the listener, the AOF, epoll, lazy loads).</summary>
    public const int RuntimeFds = 32;

    /// <summary>What a client past the limit is sent before it is closed.</summary>
    public static readonly byte[] Reached = "-ERR max number of clients reached\r\n"u8.ToArray();

    /// <summary>The number of clients the descriptor limit allows, logged as Redis logs it when lower than asked; 0 if none.</summary>
    public static int Settle(IAofLog log)
    {
        if (!TryReadLimits(out long limit, out int inUse))
        {
            return Default;
        }

        long needed = (long)Default + ReservedFds + RuntimeFds + inUse;
        if (limit >= needed)
        {
            return Default;
        }

        long max = limit - ReservedFds - RuntimeFds - inUse;
        if (max < 1)
        {
            log.Log(LogLevel.Warning, Invariant($"Your current 'ulimit -n' of {limit} is not enough for the server to start. Please increase your open file limit to at least {needed}. Exiting."));
            return 0;
        }

        log.Log(LogLevel.Warning, Invariant($"You requested maxclients of {Default} requiring at least {needed} max file descriptors."));
        log.Log(LogLevel.Warning, Invariant($"Current maximum open files is {limit}. maxclients has been reduced to {max} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'."));
        return (int)max;
    }

    // The soft RLIMIT_NOFILE and the descriptors open now, from /proc (Linux); false elsewhere.
    private static bool TryReadLimits(out long limit, out int inUse)
    {
        limit = 0;
        inUse = 0;
        try
        {
            string? line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            string[]? words = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is not { Length: > 0 } || !long.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit))
            {
                return false; // "unlimited", or no such line
            }

            inUse = Directory.GetFiles("/proc/self/fd").Length;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
