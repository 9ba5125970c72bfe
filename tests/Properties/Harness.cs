using System.Text;
using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Text;

namespace AofSim.Properties;

/// <summary>
/// The AOF feed as a propagation sink: every propagated command goes through
/// <see cref="AofFeed.Append"/> into <see cref="Buffer"/>, as the server's feedAppendOnlyFile
/// does, with the selected db starting at -1 (so the first command is preceded by a SELECT).
/// </summary>
public sealed class AofFeedSink : IPropagationSink
{
    private readonly Profile profile;
    private int selectedDb = -1;

    /// <summary>A sink feeding with <paramref name="profile"/>'s translation.</summary>
    public AofFeedSink(Profile profile) => this.profile = profile;

    /// <summary>The AOF bytes so far.</summary>
    public ByteBuffer Buffer { get; } = new();

    /// <summary>The clock the feed translates relative times with; the test keeps it equal to the command's.</summary>
    public long NowMs { get; set; }

    /// <summary>Propagated commands, as "db:argv", for failure messages.</summary>
    public List<string> Log { get; } = [];

    /// <inheritdoc/>
    public void Propagate(CommandDef command, int dbId, CommandArgs argv)
    {
        Log.Add($"{dbId}:{command.Name}:{TestResp.Show(argv.ToArrays())}");
        AofFeed.Append(Buffer, command.Name, dbId, argv, NowMs, ref selectedDb, profile);
    }
}

/// <summary>Runs commands, loads AOFs and compares datasets for the properties.</summary>
public static class Harness
{
    /// <summary>Builds a dataset by running <paramref name="scenario"/> at the fixed clock <paramref name="nowMs"/> under <c>Profile.Fixed</c>.</summary>
    public static Dataset Build(Scenario scenario, long nowMs, ulong seed)
    {
        var data = new Dataset();
        var live = new LiveRun(data, Profile.Fixed, seed, sink: null);
        foreach (Step step in scenario.Steps)
        {
            live.Run(step, nowMs);
        }

        return data;
    }

    /// <summary>The dump lines of a dataset at <paramref name="nowMs"/>.</summary>
    public static string[] Dump(Dataset data, long nowMs) => [.. DatasetDump.Lines(data, nowMs)];

    /// <summary>The dump lines of a snapshot at <paramref name="nowMs"/>, db by db.</summary>
    public static string[] Dump(DatasetSnapshot snapshot, long nowMs) =>
        [.. Enumerable.Range(0, Dataset.DbCount).SelectMany(db => DatasetDump.Lines(db, snapshot[db], nowMs))];

    /// <summary>Loads <paramref name="aof"/> into a fresh dataset; throws unless the load succeeded.</summary>
    public static Dataset Load(ReadOnlySpan<byte> aof, Profile profile, long nowMs)
    {
        var data = new Dataset();
        LoadResult result = AofLoader.Load(aof, data, profile, new LoadOptions { NowMs = nowMs, StrictReplay = true });
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"the load failed: {result.Outcome}: {result.Message} (at offset {result.ValidUpTo})\nAOF:\n{ShowAof(aof)}");
        }

        return data;
    }

    /// <summary>Throws with both dumps and a line diff unless they are equal.</summary>
    public static void AssertSameDump(string[] expected, string[] actual, string what, Func<string>? context = null)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        var sb = new StringBuilder();
        sb.Append(what).Append(": the dumps differ\n");
        foreach (string line in expected.Except(actual, StringComparer.Ordinal))
        {
            sb.Append("  - ").Append(line).Append('\n');
        }

        foreach (string line in actual.Except(expected, StringComparer.Ordinal))
        {
            sb.Append("  + ").Append(line).Append('\n');
        }

        sb.Append("expected (-):\n  ").Append(string.Join("\n  ", expected)).Append('\n');
        sb.Append("actual (+):\n  ").Append(string.Join("\n  ", actual)).Append('\n');
        if (context is not null)
        {
            sb.Append(context());
        }

        throw new DumpMismatchException(sb.ToString());
    }

    /// <summary>An AOF shown one command per line (or its raw bytes if it does not parse).</summary>
    public static string ShowAof(ReadOnlySpan<byte> aof)
    {
        try
        {
            return "  " + string.Join("\n  ", TestResp.ParseAll(aof).Select(c => TestResp.Show(c)));
        }
        catch (FormatException)
        {
            return TestResp.Show(aof.ToArray());
        }
    }
}

/// <summary>Two dumps that should be equal are not.</summary>
public sealed class DumpMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DumpMismatchException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// One client running steps against a dataset: each step moves the clock, then runs its
/// commands (a block as MULTI, the commands, EXEC). Replies are discarded; errors are allowed
/// (a failing command changes nothing and propagates nothing).
/// </summary>
public sealed class LiveRun
{
    private static readonly CommandArgs Multi = CommandArgs.Of("MULTI");
    private static readonly CommandArgs Exec = CommandArgs.Of("EXEC");
    private readonly AofFeedSink? sink;
    private readonly Client client = new();
    private readonly ReplyWriter reply = new(null);

    /// <summary>A run over <paramref name="data"/>, propagating into <paramref name="sink"/> if given.</summary>
    public LiveRun(Dataset data, Profile profile, ulong seed, AofFeedSink? sink)
    {
        this.sink = sink;
        Processor = new CommandProcessor(data, profile, new SplitMix64(seed));
        Processor.Context.Sink = sink;
    }

    /// <summary>The processor.</summary>
    public CommandProcessor Processor { get; }

    /// <summary>Runs one step's commands at <paramref name="nowMs"/>.</summary>
    public void Run(Step step, long nowMs)
    {
        if (sink is not null)
        {
            sink.NowMs = nowMs;
        }

        if (step.Multi)
        {
            Processor.Execute(client, Multi, reply, nowMs);
        }

        foreach (Cmd cmd in step.Commands)
        {
            Processor.Execute(client, cmd.ToArgs(), reply, nowMs);
        }

        if (step.Multi)
        {
            Processor.Execute(client, Exec, reply, nowMs);
        }
    }
}
