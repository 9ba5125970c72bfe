using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;

namespace AofSim.Scenarios.Server;

/// <summary>A server core on fake ports, one connection, and helpers to drive its event loop.</summary>
internal sealed class ServerHarness : ILoopHost
{
    public const long Start = 1_700_000_000_000; // a whole second

    public ServerHarness(Profile profile, AppendFsync fsync, bool appendOnly = true, string? existingAof = null, bool aofLoadTruncated = false, Action<FakeStorage>? beforeStart = null)
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
            new ServerConfig { AppendOnly = appendOnly, AppendFsync = fsync, Profile = profile, AutoAofRewritePercentage = 0, AofLoadTruncated = aofLoadTruncated },
            new ServerPorts(Storage, Clock, Jobs, Children, Log, new SplitMix64(1), Hits));
        beforeStart?.Invoke(Storage);
        Core.Start();
        Loop = new EventLoop(Core, Clock.NowMs);
    }

    /// <summary>The event loop the harness drives the server with (the one the simulator and serve use).</summary>
    public EventLoop Loop { get; }

    public FakeStorage Storage { get; }

    public ManualClock Clock { get; }

    public ManualJobs Jobs { get; }

    public ManualChildren Children { get; }

    public MemoryLog Log { get; } = new();

    /// <summary>The coverage probes the server hit.</summary>
    public Sim.Coverage.ProbeCounts Hits { get; } = new();

    public ServerCore Core { get; }

    public Connection Conn { get; } = new();

    public string Aof => Storage.Text("appendonly.aof");

    /// <summary>Runs commands (replies stay pending until <see cref="Sleep"/>).</summary>
    public void Exec(params string[] lines)
    {
        foreach (string line in lines)
        {
            Loop.Execute(Conn, CommandArgs.Parse(line));
        }
    }

    /// <summary>beforeSleep: returns what was released to the connection, concatenated.</summary>
    public string Sleep() =>
        string.Concat(Loop.BeforeSleep().Where(r => r.Connection == Conn).Select(r => Encoding.Latin1.GetString(r.Bytes)));

    /// <summary>Runs a command and the beforeSleep that follows it; returns the released reply.</summary>
    public string Call(string line)
    {
        Exec(line);
        return Sleep();
    }

    /// <summary>Moves the clock by <paramref name="ms"/> through the event loop, running cron and beforeSleep at each cron due on the way.</summary>
    public void Tick(long ms) => Loop.RunUntil(Clock.NowMs + ms, this);

    /// <inheritdoc/>
    public void PassTimeTo(long ms) => Clock.NowMs = Math.Max(Clock.NowMs, ms);

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
