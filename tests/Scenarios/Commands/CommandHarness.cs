using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Text;

namespace AofSim.Scenarios.Commands;

/// <summary>
/// Runs commands as one client against a fresh dataset on a clock the test moves, and records
/// every propagated command as "db:argv".
/// </summary>
internal sealed class CommandHarness
{
    public CommandHarness(Profile? profile = null)
    {
        Data = new Dataset();
        Processor = new CommandProcessor(Data, profile ?? Profile.Fixed, new SplitMix64(7));
        Processor.Context.Sink = Sink;
    }

    public Dataset Data { get; }

    public CommandProcessor Processor { get; }

    public Client Client { get; } = new();

    public RecordingSink Sink { get; } = new();

    public long Now { get; set; } = 1_700_000_000_000;

    public string Run(string line) => Run(CommandArgs.Parse(line));

    public string Run(params string[] argv) => Run(CommandArgs.Of(argv));

    public string Run(CommandArgs argv)
    {
        var output = new ByteBuffer();
        Processor.Execute(Client, argv, new ReplyWriter(output), Now);
        return Encoding.Latin1.GetString(output.Span);
    }

    /// <summary>Runs commands that must succeed, then forgets what they propagated.</summary>
    public void Setup(params string[] lines)
    {
        foreach (string line in lines)
        {
            string reply = Run(line);
            if (reply.StartsWith('-'))
            {
                throw new InvalidOperationException($"{line} failed: {reply}");
            }
        }

        Sink.Commands.Clear();
    }

    public DbEntry Entry(string key, int db = 0) =>
        Data[db].TryGet(Encoding.Latin1.GetBytes(key), out DbEntry e) ? e : throw new KeyNotFoundException(key);

    public bool Exists(string key, int db = 0) => Data[db].TryGet(Encoding.Latin1.GetBytes(key), out _);

    public sealed class RecordingSink : IPropagationSink
    {
        public List<string> Commands { get; } = [];

        public void Propagate(CommandDef command, int dbId, CommandArgs argv) => Commands.Add($"{dbId}:{argv}");
    }
}
