using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Scenarios.Server;

/// <summary>A server core on fake ports, one connection, and helpers to drive its event loop.</summary>
internal sealed class ServerHarness
{
    public const long Start = 1_700_000_000_000; // a whole second

    public ServerHarness(Profile profile, AppendFsync fsync, bool appendOnly = true, string? existingAof = null)
    {
        Storage = new FakeStorage();
        if (existingAof is not null)
        {
            Storage.Put("appendonly.aof", existingAof);
        }

        Clock = new ManualClock(Start);
        Jobs = new ManualJobs(Storage);
        Children = new ManualChildren(Storage);
        Core = new ServerCore(
            new ServerConfig { AppendOnly = appendOnly, AppendFsync = fsync, Profile = profile, AutoAofRewritePercentage = 0 },
            new ServerPorts(Storage, Clock, Jobs, Children, Log, new SplitMix64(1)));
        Core.Start();
    }

    public FakeStorage Storage { get; }

    public ManualClock Clock { get; }

    public ManualJobs Jobs { get; }

    public ManualChildren Children { get; }

    public MemoryLog Log { get; } = new();

    public ServerCore Core { get; }

    public Connection Conn { get; } = new();

    public string Aof => Storage.Text("appendonly.aof");

    /// <summary>Runs commands (replies stay pending until <see cref="Sleep"/>).</summary>
    public void Exec(params string[] lines)
    {
        foreach (string line in lines)
        {
            Core.Execute(Conn, CommandArgs.Parse(line));
        }
    }

    /// <summary>beforeSleep: returns what was released to the connection, concatenated.</summary>
    public string Sleep() =>
        string.Concat(Core.BeforeSleep().Where(r => r.Connection == Conn).Select(r => Encoding.Latin1.GetString(r.Bytes)));

    /// <summary>Runs a command and the beforeSleep that follows it; returns the released reply.</summary>
    public string Call(string line)
    {
        Exec(line);
        return Sleep();
    }

    /// <summary>Moves the clock by <paramref name="ms"/> in cron steps, running cron and beforeSleep at each, as the event loop does.</summary>
    public void Tick(long ms)
    {
        for (long t = 0; t < ms; t += ServerCore.CronPeriodMs)
        {
            Clock.Advance(Math.Min(ServerCore.CronPeriodMs, ms - t));
            Core.Cron();
            Core.BeforeSleep();
        }
    }

    public string Info(string field)
    {
        foreach (string line in Core.InfoPersistence().Split("\r\n"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..];
            }
        }

        throw new KeyNotFoundException(field);
    }

    public IReadOnlyList<string> Messages => Log.Messages;

    /// <summary>The RESP bytes the feed writes for commands run in db 0 after a SELECT.</summary>
    public static string Resp(params string[] argv)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(argv.Length).Append("\r\n");
        foreach (string a in argv)
        {
            sb.Append('$').Append(Encoding.Latin1.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        return sb.ToString();
    }
}
