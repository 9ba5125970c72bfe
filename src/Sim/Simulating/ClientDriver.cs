using System.Globalization;
using System.Runtime.CompilerServices;
using AofSim.Sim.Checking;
using AofSim.Sim.Targets;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The client of a run: it sends a batch of commands to the system under test, the replies they
/// earned enter the <see cref="AckHistory"/> before beforeSleep releases them, and the
/// <see cref="DurabilityContract"/> is told when they were acknowledged.
/// </summary>
/// <param name="target">The system under test.</param>
/// <param name="world">The clock, and the storage facts (whether the AOF's last write failed).</param>
/// <param name="writer">The run's trace.</param>
/// <param name="history">Where the commands are recorded.</param>
/// <param name="contract">What is told of their acknowledgement.</param>
internal sealed class ClientDriver(ITarget target, SimWorld world, TraceWriter writer, AckHistory history, DurabilityContract contract)
{
    // A client batch's replies, each as text (the history keeps the strings, not the list).
    private readonly List<string> replies = [];

    // A client batch's scratch: the engine keeps no reference to a command's arguments.
    private readonly List<string[]> sent = [];
    private readonly List<(int Db, string[] Argv)> executed = [];
    private int clientDb;

    /// <summary>A new server process: the client's connection is new, in database 0.</summary>
    public void Restarted() => clientDb = 0;

    /// <summary>A client sends a batch of commands (pipelined), then the loop's beforeSleep releases replies.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Batch(ClientStep step)
    {
        sent.Clear();
        if (step.Db != clientDb)
        {
            sent.Add(["SELECT", step.Db.ToString(CultureInfo.InvariantCulture)]);
        }

        sent.AddRange(step.Argv);
        bool aofOn = contract.AofOn;
        executed.Clear();
        foreach (string[] raw in sent)
        {
            string[] argv = Resolve(raw);
            writer.Line($"cmd db={clientDb} {new Shown(argv)}");
            target.Execute(argv);
            if (argv[0] == "SELECT")
            {
                clientDb = int.Parse(argv[1], CultureInfo.InvariantCulture);
            }

            executed.Add((clientDb, argv));
        }

        // The commands ran: they enter the history now, unacknowledged, with the replies they
        // earned (the model needs an SPOP's member), before beforeSleep writes them, since the
        // power can go out in the middle of it.
        long now = world.Clock.NowMs;
        target.PendingReplies(replies);
        int firstEntry = history.Count;
        Record(now, aofOn);
        bool acked = target.Release();

        if (acked)
        {
            writer.Line($"ack {new Shown(replies)}");
        }
        else
        {
            writer.Line("ack none");
        }

        if (acked)
        {
            contract.Acknowledged(firstEntry, now, world.Observed.AofWriteFailing);
        }

        if (world.FaultsThisProcess == 0 && world.Observed.FailuresThisProcess == 0)
        {
            // Indexed: this runs for every batch.
            for (int i = 0; i < replies.Count; i++)
            {
                RefusedWithoutFault |= replies[i].StartsWith("-MISCONF", StringComparison.Ordinal);
            }
        }
    }

    /// <summary>
    /// A write was refused with -MISCONF although no storage call of the process had failed: the
    /// server invented a disk error (as an fsync of a closed descriptor did, PR #8751). Reset by the reader.
    /// </summary>
    public bool RefusedWithoutFault { get; set; }

    // Turns the executed commands and their replies into history entries for the model.
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Record(long now, bool aofOn)
    {
        for (int i = 0; i < executed.Count; i++)
        {
            string name = executed[i].Argv[0];
            if (name == "SELECT")
            {
                continue;
            }

            string reply = i < replies.Count ? replies[i] : string.Empty;
            if (name == "MULTI")
            {
                int exec = executed.FindIndex(i, x => x.Argv[0] == "EXEC");
                if (exec < 0)
                {
                    // A MULTI never closed (a shrunk script may leave one): nothing ran.
                    break;
                }

                var items = new List<(int, string[], string)>();
                string execReply = exec < replies.Count ? replies[exec] : string.Empty;
                List<string> inner = execReply.StartsWith('*') ? RespReplies.Items(execReply) : [];
                for (int j = i + 1; j < exec; j++)
                {
                    items.Add((executed[j].Db, executed[j].Argv, j - i - 1 < inner.Count ? inner[j - i - 1] : "-ERR not executed"));
                }

                if (execReply.StartsWith('*'))
                {
                    history.Add(new HistoryEntry(items, now) { AofOn = aofOn });
                }

                i = exec;
                continue;
            }

            history.Add(new HistoryEntry([(executed[i].Db, executed[i].Argv, reply)], now) { AofOn = aofOn });
        }
    }

    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string[] Resolve(string[] argv)
    {
        // Most commands have no placeholder: they are sent as drawn (the array is not shared).
        // A plain loop: this runs for every command sent.
        bool placeholder = false;
        foreach (string a in argv)
        {
            placeholder |= a.StartsWith("{now+", StringComparison.Ordinal);
        }

        if (!placeholder)
        {
            return argv;
        }

        return [.. argv.Select(a => a.StartsWith("{now+", StringComparison.Ordinal)
            ? (world.Clock.NowMs + long.Parse(a[5..^1], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture)
            : a)];
    }
}
