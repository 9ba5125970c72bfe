using System.Runtime.CompilerServices;
using AofSim.Engine.Commands;

namespace AofSim.Engine.Server;

/// <summary>
/// The seed's event loop around a <see cref="ServerCore"/> (ae.c's aeMain as redis.c drives it),
/// written once for every host: the simulator, <c>aofsim serve</c> and the test rigs. Two kinds
/// of event reach the server: a client's commands, each executed as it is read, then beforeSleep
/// (the AOF written, fsynced under always, and only then the replies released); and the timer,
/// serverCron every <see cref="ServerCore.CronPeriodMs"/> ms (1000 / hz), also followed by beforeSleep.
/// </summary>
/// <remarks>
/// Time is the host's: a real host asks <see cref="CronIfDue"/> with its clock; a virtual one
/// moves time with <see cref="RunUntil"/>, which hands each stretch of time to the host (whose
/// background jobs due by then end first) before the cron at its end. A cron runs at its scheduled
/// instant, and the next is scheduled one period after it even when the host's clock ran past it
/// (a call that blocked the loop): the late crons then run one after the other, as many as missed.
/// </remarks>
public sealed class EventLoop
{
    /// <summary>A loop for <paramref name="core"/>, its first cron one period after <paramref name="nowMs"/>.</summary>
    public EventLoop(ServerCore core, long nowMs)
    {
        Core = core;
        NextCronMs = nowMs + core.CronPeriodMs;
    }

    /// <summary>The server the loop drives.</summary>
    public ServerCore Core { get; }

    /// <summary>When the next serverCron is due.</summary>
    public long NextCronMs { get; private set; }

    /// <summary>processCommand for one command read from <paramref name="conn"/>; its reply waits for <see cref="BeforeSleep"/>.</summary>
    public void Execute(Connection conn, CommandArgs argv) => Core.Execute(conn, argv);

    /// <summary>beforeSleep: the AOF is written (and fsynced under always), then the replies go out.</summary>
    public IReadOnlyList<ReleasedReply> BeforeSleep() => Core.BeforeSleep();

    /// <summary>
    /// A host on a real clock: runs serverCron if it is due at <paramref name="nowMs"/>, and
    /// schedules the next one a period from now (serverCron's return value). The caller runs
    /// <see cref="BeforeSleep"/> before it waits again.
    /// </summary>
    /// <returns>True when cron ran.</returns>
    public bool CronIfDue(long nowMs)
    {
        if (nowMs < NextCronMs)
        {
            return false;
        }

        Core.Cron();
        NextCronMs = nowMs + Core.CronPeriodMs;
        return true;
    }

    /// <summary>
    /// A host on virtual time: moves it to <paramref name="targetMs"/>, running each cron that
    /// falls due on the way (time handed to <paramref name="host"/> up to it, then serverCron,
    /// beforeSleep, and <see cref="ILoopHost.AfterCron"/>), and stops early if the server stops.
    /// </summary>
    /// <returns>True when the target was reached; false when the server stopped first.</returns>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool RunUntil(long targetMs, ILoopHost host)
    {
        while (Core.Stopped is null)
        {
            long next = Math.Min(targetMs, NextCronMs);
            host.PassTimeTo(next);
            if (next == NextCronMs)
            {
                NextCronMs += Core.CronPeriodMs;
                Core.Cron();
                Core.BeforeSleep();
                host.AfterCron();
            }

            if (next == targetMs)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What hosts an <see cref="EventLoop"/> on virtual time.</summary>
public interface ILoopHost
{
    /// <summary>Time passes to <paramref name="ms"/>: the background jobs due by then end, then the clock moves (never back).</summary>
    void PassTimeTo(long ms);

    /// <summary>A cron and its beforeSleep have run.</summary>
    void AfterCron()
    {
    }
}
